import { statSync } from "node:fs";
import { userById, userByName } from "./users";

/**
 * Python's posixpath functions, which differ from node:path where supervisord's messages and
 * rules can tell (`dirname("foo")` is "" not "."; `normpath` keeps a leading "//"; `expanduser`
 * knows `~user`).
 */

export function pyIsabs(path: string): boolean {
  return path.startsWith("/");
}

export function pyJoin(first: string, ...rest: string[]): string {
  let path = first;
  for (const part of rest) {
    if (part.startsWith("/")) path = part;
    else if (path === "" || path.endsWith("/")) path += part;
    else path += `/${part}`;
  }
  return path;
}

export function pyDirname(path: string): string {
  const head = path.slice(0, path.lastIndexOf("/") + 1);
  if (head !== "" && head !== "/".repeat(head.length)) return head.replace(/\/+$/, "");
  return head;
}

export function pyNormpath(path: string): string {
  if (path === "") return ".";
  let initialSlashes = path.startsWith("/") ? 1 : 0;
  if (path.startsWith("//") && !path.startsWith("///")) initialSlashes = 2;
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part !== ".." || (initialSlashes === 0 && parts.length === 0) || parts.at(-1) === "..") {
      parts.push(part);
    } else if (parts.length > 0) {
      parts.pop();
    }
  }
  const joined = "/".repeat(initialSlashes) + parts.join("/");
  return joined === "" ? "." : joined;
}

export function pyAbspath(path: string, cwd: string = process.cwd()): string {
  return pyNormpath(pyIsabs(path) ? path : pyJoin(cwd, path));
}

/** `~` and `~user` at the start of a path, as os.path.expanduser resolves them. */
export function pyExpanduser(path: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!path.startsWith("~")) return path;
  let end = path.indexOf("/", 1);
  if (end < 0) end = path.length;
  let home: string | undefined;
  if (end === 1) {
    home = env["HOME"] ?? userById(process.getuid?.() ?? -1)?.home;
  } else {
    home = userByName(path.slice(1, end))?.home;
  }
  if (home === undefined) return path;
  return home.replace(/\/+$/, "") + path.slice(end) || "/";
}

/** normpath(abspath(expanduser(path))): supervisord's normalize_path. */
export function normalizePath(path: string, env: NodeJS.ProcessEnv = process.env): string {
  return pyAbspath(pyExpanduser(path, env));
}

/** os.path.isdir: follows symlinks; any error means "no". */
export function pyIsdir(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false; // EACCES, ENOTDIR, ELOOP, a NUL byte: Python's isdir answers False to all
  }
}

/** os.path.exists: follows symlinks; any error means "no". */
export function pyExists(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false; // as pyIsdir
  }
}
