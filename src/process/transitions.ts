import type { ProcessStateName } from "../states";

/**
 * Every legal change of a process's state (states.md §3). Anything else is a bug in the
 * runtime, never a user error: `assertMove` throws a plain Error.
 */
const NEXT: Readonly<Record<ProcessStateName, readonly ProcessStateName[]>> = {
  STOPPED: ["STARTING"],
  // UNKNOWN when signalling it fails with anything but ESRCH.
  STARTING: ["RUNNING", "BACKOFF", "STOPPING", "UNKNOWN"],
  RUNNING: ["STOPPING", "EXITED", "UNKNOWN"],
  STOPPING: ["STOPPED", "UNKNOWN"],
  // A stop during a crash loop lands in STOPPED at once instead of waiting out startretries.
  BACKOFF: ["STARTING", "FATAL", "STOPPED"],
  EXITED: ["STARTING"],
  FATAL: ["STARTING"],
  UNKNOWN: [],
};

export function canMove(from: ProcessStateName, to: ProcessStateName): boolean {
  return NEXT[from].includes(to);
}

export function assertMove(name: string, from: ProcessStateName, to: ProcessStateName): void {
  if (!canMove(from, to)) throw new Error(`illegal state change for ${name}: ${from} -> ${to}`);
}

/** States from which a start is allowed (supervisord's spawn() asserts these). */
export const STARTABLE: ReadonlySet<ProcessStateName> = new Set(["EXITED", "FATAL", "BACKOFF", "STOPPED"]);
