import { unlinkSync, writeFileSync } from "node:fs";

/** Write `PID\n` (states.md §9 step 11); false when it could not be written. */
export function writePidfile(path: string, pid: number = process.pid): boolean {
  try {
    writeFileSync(path, `${pid}\n`);
    return true;
  } catch {
    return false; // the caller logs CRIT `could not write pidfile PATH` and carries on, as supervisord does
  }
}

/** Remove the pidfile this process wrote, at exit. */
export function removePidfile(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone: nothing to clean up
  }
}
