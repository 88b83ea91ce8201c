import { closeSync, openSync, unlinkSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { pyAbspath } from "./python-path";

/**
 * Python's tempfile.gettempdir(): the first of $TMPDIR, $TEMP, $TMP, /tmp, /var/tmp, /usr/tmp
 * and the current directory in which a file can be created. supervisord's `childlogdir` default.
 */
export function defaultTempDir(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  const candidates = [env["TMPDIR"], env["TEMP"], env["TMP"], "/tmp", "/var/tmp", "/usr/tmp", cwd];
  for (const candidate of candidates) {
    if (!candidate) continue;
    const dir = pyAbspath(candidate, cwd);
    const probe = `${dir}/.supervisord-ts-probe-${randomBytes(6).toString("hex")}`;
    try {
      const fd = openSync(probe, "wx", 0o600);
      try {
        writeSync(fd, "blat");
      } finally {
        closeSync(fd);
        unlinkSync(probe);
      }
      return dir;
    } catch {
      continue; // not writable: Python tries the next candidate too
    }
  }
  return pyAbspath(cwd, cwd);
}
