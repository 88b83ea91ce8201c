import { getRlimit, setRlimit } from "../posix/native";

const LIMITS = [
  {
    resource: "nofile",
    name: "RLIMIT_NOFILE",
    message: (min: number, hard: number) =>
      `The minimum number of file descriptors required to run this process is ${min} as per the "minfds" command-line argument or config file setting. The current environment will only allow you to open ${hard} file descriptors.  Either raise the number of usable file descriptors in your environment (see README.rst) or lower the minfds setting in the config file to allow the process to start.`,
  },
  {
    resource: "nproc",
    name: "RLIMIT_NPROC",
    message: (min: number, hard: number) =>
      `The minimum number of available processes required to run this program is ${min} as per the "minprocs" command-line argument or config file setting. The current environment will only allow you to open ${hard} processes.  Either raise the number of usable processes in your environment (see README.rst) or lower the minprocs setting in the config file to allow the program to start.`,
  },
] as const;

/**
 * Raise the soft limits to `minfds`/`minprocs` when they are lower (states.md §9 step 4), the
 * hard limit too when it is lower and we may. Returns the INFO lines to log; throws an Error
 * with supervisord's usage text when the kernel refuses.
 *
 * Node raises its own soft RLIMIT_NOFILE to the hard limit before any of our code runs;
 * `nofileBefore` is the soft limit it was started with (recorded by bin/supervisord), so that
 * the decision and the log line are supervisord's.
 */
export function raiseRlimits(minfds: number, minprocs: number, nofileBefore?: number): string[] {
  const infos: string[] = [];
  for (const limit of LIMITS) {
    const min = limit.resource === "nofile" ? minfds : minprocs;
    const current = getRlimit(limit.resource);
    const hard = current.hard;
    const soft = limit.resource === "nofile" && nofileBefore !== undefined ? nofileBefore : current.soft;
    if (soft === "unlimited" || soft >= min) continue;
    // supervisord prints the hard limit after raising it to the minimum (states.md §9).
    const newHard = hard !== "unlimited" && hard < min ? min : hard;
    const newSoft = current.soft === "unlimited" ? "unlimited" : Math.max(current.soft, min);
    if (!setRlimit(limit.resource, newSoft, newHard)) throw new Error(limit.message(min, newHard === "unlimited" ? -1 : newHard));
    infos.push(`Increased ${limit.name} limit to ${min}`);
  }
  return infos;
}

/**
 * The soft RLIMIT_NOFILE a child would inherit from supervisord: the one it was started with,
 * raised to `minfds`. Undefined when unknown (started without bin/supervisord).
 */
export function childNofile(minfds: number, nofileBefore: number | undefined): number | undefined {
  return nofileBefore === undefined ? undefined : Math.max(nofileBefore, minfds);
}
