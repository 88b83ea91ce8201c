import { join } from "node:path";

/** The POSIX calls of dist/native.node (src/posix/native.c). */
interface Native {
  pipe(): [number, number];
  setPipeSize(fd: number, bytes: number): number;
  getrlimit(resource: "nofile" | "nproc"): [number, number] | number;
  setrlimit(resource: "nofile" | "nproc", soft: number, hard: number): number;
  openlog(ident: string): void;
  syslog(priority: number, message: string): void;
  listenUnix(path: string, backlog: number): number;
  listenTcp(host: string, port: number, backlog: number): number;
}

// dist/src/posix/native.js sits two levels below dist/native.node.
const native = require(join(__dirname, "../../native.node")) as Native; // eslint-disable-line @typescript-eslint/no-require-imports

/** A pipe, both ends close-on-exec: [read end, write end]. Throws an Error whose `code` is EMFILE, ENFILE, ... */
export function makePipe(): [number, number] {
  return native.pipe();
}

/** Ask for a pipe capacity (F_SETPIPE_SZ); the capacity granted, or a negative errno. */
export function setPipeSize(fd: number, bytes: number): number {
  return native.setPipeSize(fd, bytes);
}

export type RlimitValue = number | "unlimited";

/** This process's soft and hard limit. */
export function getRlimit(resource: "nofile" | "nproc"): { soft: RlimitValue; hard: RlimitValue } {
  const result = native.getrlimit(resource);
  if (typeof result === "number") throw new Error(`getrlimit(${resource}) failed: errno ${-result}`);
  const value = (n: number): RlimitValue => (n < 0 ? "unlimited" : n);
  return { soft: value(result[0]), hard: value(result[1]) };
}

/** Set this process's soft and hard limit; false when the kernel refuses. */
export function setRlimit(resource: "nofile" | "nproc", soft: RlimitValue, hard: RlimitValue): boolean {
  const value = (v: RlimitValue): number => (v === "unlimited" ? -1 : v);
  return native.setrlimit(resource, value(soft), value(hard)) === 0;
}

/** syslog(3) priorities supervisord uses: everything goes at LOG_INFO (logging.md §1.1). */
export const LOG_INFO = 6;

let syslogOpen = false;

/** One syslog(3) call with the default facility, as Python's syslog.syslog(msg) makes it. */
export function syslog(message: string, priority = LOG_INFO): void {
  if (!syslogOpen) {
    native.openlog("supervisord");
    syslogOpen = true;
  }
  native.syslog(priority, message);
}

/**
 * A listening unix socket that nothing in this process accepts on (an fcgi-program's: its
 * children accept). Throws an Error with `code` and `errno` set.
 */
export function listenUnix(path: string, backlog: number): number {
  return native.listenUnix(path, backlog);
}

/** A listening TCP socket (IPv4, SO_REUSEADDR) that nothing in this process accepts on. */
export function listenTcp(host: string, port: number, backlog: number): number {
  return native.listenTcp(host, port, backlog);
}
