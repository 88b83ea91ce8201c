import { isAuto, PROCESS_CONFIG_KEYS, type GroupConfig, type LogFile, type ProcessConfig } from "./model";

/** What a reread found (config.md §8), each list in the order supervisord reports it. */
export interface GroupDiff {
  added: GroupConfig[];
  changed: GroupConfig[];
  removed: GroupConfig[];
}

/** Compare the running groups with a freshly read config, by group name. */
export function diffGroups(current: readonly GroupConfig[], next: readonly GroupConfig[]): GroupDiff {
  const currentByName = new Map(current.map((group) => [group.name, group]));
  const nextNames = new Set(next.map((group) => group.name));
  return {
    added: next.filter((group) => !currentByName.has(group.name)),
    changed: next.filter((group) => {
      const old = currentByName.get(group.name);
      return old !== undefined && !groupsEqual(old, group);
    }),
    removed: current.filter((group) => !nextNames.has(group.name)),
  };
}

/** supervisord's group equality: same kind, name, priority and processes, plus the pool or socket settings. */
export function groupsEqual(a: GroupConfig, b: GroupConfig): boolean {
  if (a.name !== b.name || a.priority !== b.priority) return false;
  if (a.processes.length !== b.processes.length) return false;
  if (!a.processes.every((proc, i) => processesEqual(proc, b.processes[i] as ProcessConfig))) return false;
  switch (a.type) {
    case "process":
      return b.type === "process";
    case "fcgi":
      return b.type === "fcgi" && a.socket.url === b.socket.url;
    case "eventlistener":
      return (
        b.type === "eventlistener" &&
        a.buffer_size === b.buffer_size &&
        a.result_handler === b.result_handler &&
        // supervisord keeps the subscriptions in a set: order and repeats do not matter.
        a.events.length === b.events.length &&
        a.events.every((name) => b.events.includes(name))
      );
  }
}

/** supervisord's process equality: every option, where an AUTO log file equals anything. */
export function processesEqual(a: ProcessConfig, b: ProcessConfig): boolean {
  return PROCESS_CONFIG_KEYS.every((key) => {
    const x = a[key];
    const y = b[key];
    if ((key === "stdout_logfile" || key === "stderr_logfile") && (isAuto(x as LogFile) || isAuto(y as LogFile))) {
      return true;
    }
    return valuesEqual(x, y);
  });
}

function valuesEqual(x: unknown, y: unknown): boolean {
  if (Array.isArray(x) && Array.isArray(y)) {
    return x.length === y.length && x.every((item, i) => valuesEqual(item, y[i]));
  }
  if (typeof x === "object" && typeof y === "object" && x !== null && y !== null) {
    const keys = Object.keys(x);
    const other = y as Record<string, unknown>;
    return (
      keys.length === Object.keys(other).length &&
      keys.every((key) => Object.hasOwn(other, key) && valuesEqual((x as Record<string, unknown>)[key], other[key]))
    );
  }
  return x === y;
}
