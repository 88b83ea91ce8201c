import { homedir } from "node:os";
import { pyDirname, pyExists, pyJoin } from "../posix/python-path";

/**
 * Where supervisord looks for its config without `-c` (config.md §1): `BIN` is two directories
 * above argv[0]. We add one place after supervisord's own, for a per-user instance.
 */
export function configSearchPaths(argv0: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const bin = pyDirname(pyDirname(argv0));
  const configHome = env["XDG_CONFIG_HOME"] || pyJoin(env["HOME"] || homedir(), ".config");
  return [
    pyJoin(bin, "etc", "supervisord.conf"),
    pyJoin(bin, "supervisord.conf"),
    "supervisord.conf",
    "etc/supervisord.conf",
    "/etc/supervisord.conf",
    "/etc/supervisor/supervisord.conf",
    // DIVERGES: not searched by supervisord; lets a user without root run an instance of their own.
    pyJoin(configHome, "supervisord-ts", "supervisord.conf"),
  ];
}

/** The first search path that exists, or undefined. */
export function findConfigFile(paths: readonly string[]): string | undefined {
  return paths.find((path) => pyExists(path));
}
