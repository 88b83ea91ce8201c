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
 */
export function raiseRlimits(minfds: number, minprocs: number): string[] {
  const infos: string[] = [];
  for (const limit of LIMITS) {
    const min = limit.resource === "nofile" ? minfds : minprocs;
    const { soft, hard } = getRlimit(limit.resource);
    if (soft === "unlimited" || soft >= min) continue;
    // supervisord prints the hard limit after raising it to the minimum (states.md §9).
    const newHard = hard !== "unlimited" && hard < min ? min : hard;
    if (!setRlimit(limit.resource, min, newHard)) throw new Error(limit.message(min, newHard === "unlimited" ? -1 : newHard));
    infos.push(`Increased ${limit.name} limit to ${min}`);
  }
  return infos;
}
