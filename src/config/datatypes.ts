import { isIPv4, isIPv6 } from "node:net";
import { ConfigError, type Where } from "../errors";
import { SIGNAL_ATTRIBUTES, VALID_SIGNAL_NUMBERS } from "../posix/signals";
import { pyDirname, pyExpanduser, pyIsdir } from "../posix/python-path";
import { groupById, groupByName, userById, userByName } from "../posix/users";
import { AUTO, LOG_LEVELS, type Autorestart, type LogFile } from "./model";
import { intErrorText, parsePyBigInt, parsePyInt } from "./python-int";
import { pyRepr, pyStrip } from "./python-str";

/**
 * The option converters of supervisord 4.2.5 (config.md §5.1). Each takes the raw text and where
 * it came from, returns the typed value, or throws ConfigError with supervisord's exact message.
 */

const TRUTHY = new Set(["yes", "true", "on", "1"]);
const FALSY = new Set(["no", "false", "off", "0"]);

/** Program, group and section names: stripped; no space, colon or slash. */
export function processOrGroupName(raw: string, where: Where): string {
  const name = pyStrip(raw);
  for (const ch of [" ", ":", "/"]) {
    if (name.includes(ch)) {
      throw new ConfigError(`Invalid name: ${pyRepr(raw)} because of character: ${pyRepr(ch)}`, where);
    }
  }
  return name;
}

/** Python's int(). */
export function integer(raw: string, where: Where): number {
  const value = parsePyInt(raw, 10);
  if (value === undefined) throw new ConfigError(intErrorText(raw), where);
  return value;
}

export function boolean(raw: string, where: Where): boolean {
  const value = raw.toLowerCase();
  if (TRUTHY.has(value)) return true;
  if (FALSY.has(value)) return false;
  throw new ConfigError(`not a valid boolean value: ${pyRepr(raw)}`, where);
}

/** Comma-separated, each item stripped; "" is the empty list. */
export function listOfStrings(raw: string): string[] {
  return raw === "" ? [] : raw.split(",").map(pyStrip);
}

export function listOfExitcodes(raw: string, where: Where): number[] {
  if (raw === "") return [];
  const codes = raw.split(",").map((item) => parsePyInt(item, 10));
  if (codes.some((code) => code === undefined || code < 0 || code > 255)) {
    throw new ConfigError(`not a valid list of exit codes: ${pyRepr(raw)}`, where);
  }
  return codes as number[]; // every item was checked above
}

const SIZE_SUFFIXES: ReadonlyArray<[string, number]> = [
  ["kb", 1024],
  ["mb", 1024 * 1024],
  ["gb", 1024 * 1024 * 1024],
];

/** `50MB`, `1kb`, `10 GB`, `1024`: the number part is read after lower-casing, so are its errors. */
export function byteSize(raw: string, where: Where): number {
  const lowered = raw.toLowerCase();
  for (const [suffix, multiplier] of SIZE_SUFFIXES) {
    if (lowered.endsWith(suffix)) return integer(lowered.slice(0, -suffix.length), where) * multiplier;
  }
  return integer(lowered, where);
}

export function octalType(raw: string, where: Where): number {
  const value = parsePyInt(raw, 8);
  if (value === undefined) throw new ConfigError(`${raw} can not be converted to an octal type`, where);
  return value;
}

/** A signal number, or a name with or without SIG, any case (`term`, ` SIGterm`, `sig_ign`). */
export function signalNumber(raw: string, where: Where): number {
  let number = parsePyInt(raw, 10);
  if (number === undefined) {
    let name = pyStrip(raw).toUpperCase();
    if (!name.startsWith("SIG")) name = `SIG${name}`;
    number = Object.hasOwn(SIGNAL_ATTRIBUTES, name) ? SIGNAL_ATTRIBUTES[name] : undefined;
    if (number === undefined) throw new ConfigError(`value ${pyRepr(raw)} is not a valid signal name`, where);
  }
  if (!VALID_SIGNAL_NUMBERS.has(number)) {
    throw new ConfigError(`value ${pyRepr(raw)} is not a valid signal number`, where);
  }
  return number;
}

export function autoRestart(raw: string, where: Where): Autorestart {
  const value = raw.toLowerCase();
  if (TRUTHY.has(value)) return true;
  if (FALSY.has(value)) return false;
  if (value === "unexpected") return "unexpected";
  throw new ConfigError(`invalid 'autorestart' value ${pyRepr(value)}`, where);
}

/** A level name (`warning` is not one); returns its number. */
export function loggingLevel(raw: string, where: Where): number {
  const name = raw.toLowerCase();
  if (Object.hasOwn(LOG_LEVELS, name)) return LOG_LEVELS[name as keyof typeof LOG_LEVELS];
  throw new ConfigError(`bad logging level name ${pyRepr(raw)}`, where);
}

/** `~` expanded; must be an existing directory; stays relative if relative. */
export function existingDirectory(raw: string, where: Where): string {
  const path = pyExpanduser(raw);
  if (pyIsdir(path)) return path;
  throw new ConfigError(`${raw} is not an existing directory`, where);
}

/** `~` expanded; the directory part, if any, must exist. */
export function existingDirpath(raw: string, where: Where): string {
  const path = pyExpanduser(raw);
  const dir = pyDirname(path);
  if (dir === "" || pyIsdir(dir)) return path;
  throw new ConfigError(`The directory named as part of the path ${raw} does not exist`, where);
}

/** Child log file names: NONE/OFF, AUTO, the deprecated SYSLOG, or a path (see logfileName). */
export type LogFileName = LogFile | { syslog: true };

export function logfileName(raw: string, where: Where): LogFileName {
  const value = raw.toLowerCase();
  if (value === "none" || value === "off") return null;
  if (value === "auto") return AUTO;
  if (value === "syslog") return { syslog: true };
  return existingDirpath(raw, where);
}

/** `port`, `host:port`, `:port`, `*:port` -> [host ("" = every interface), port]. */
export function inetAddress(raw: string, where: Where): [string, number] {
  const colon = raw.lastIndexOf(":");
  if (colon < 0) {
    const port = parsePyInt(raw, 10);
    if (port === undefined || port < 1 || port > 0xffff) {
      throw new ConfigError(`not a valid port number: ${pyRepr(raw)} `, where);
    }
    return ["", port];
  }
  const portText = raw.slice(colon + 1);
  if (portText === "") throw new ConfigError(`no port number specified in ${pyRepr(portText)}`, where);
  // Exact, because the bound messages repeat the number as Python's unbounded int has it.
  const port = parsePyBigInt(portText, 10);
  if (port === undefined) throw new ConfigError(intErrorText(portText), where);
  if (port < 1n) throw new ConfigError(`${port} is below lower bound (1)`, where);
  if (port > 0xffffn) throw new ConfigError(`${port} is above upper bound (65535)`, where);
  const host = raw.slice(0, colon).toLowerCase();
  return [host === "*" ? "" : host, Number(port)];
}

/** A user name or uid that must exist. */
export function nameToUid(raw: string, where: Where): number {
  const uid = parsePyInt(raw, 10);
  if (uid === undefined) {
    const entry = userByName(raw);
    if (entry === undefined) throw new ConfigError(`Invalid user name ${raw}`, where);
    return entry.uid;
  }
  if (userById(uid) === undefined) throw new ConfigError(`Invalid user id ${raw}`, where);
  return uid;
}

/** A group name or gid that must exist. */
export function nameToGid(raw: string, where: Where): number {
  const gid = parsePyInt(raw, 10);
  if (gid === undefined) {
    const entry = groupByName(raw);
    if (entry === undefined) throw new ConfigError(`Invalid group name ${raw}`, where);
    return entry.gid;
  }
  if (groupById(gid) === undefined) throw new ConfigError(`Invalid group id ${raw}`, where);
  return gid;
}

/** The primary group of a user that exists. */
export function gidForUid(uid: number, where: Where): number {
  const entry = userById(uid);
  if (entry === undefined) throw new ConfigError(`Invalid user id ${uid}`, where);
  return entry.gid;
}

/** `user` or `user:group` -> [uid, gid], gid -1 when absent. Callers word the error themselves. */
export function colonSeparatedUserGroup(raw: string, where: Where): [number, number] {
  const colon = raw.indexOf(":");
  return ConfigError.reworded(`Invalid user:group definition ${raw}`, () =>
    colon < 0 ? [nameToUid(raw, where), -1] : [nameToUid(raw.slice(0, colon), where), nameToGid(raw.slice(colon + 1), where)],
  );
}

// Schemes whose path urlparse splits at `;` into path and params.
const USES_PARAMS = new Set(["", "ftp", "hdl", "prospero", "http", "imap", "https", "shttp", "rtsp", "rtspu", "sip", "sips", "mms", "sftp", "tel"]);

/**
 * supervisorctl's `-s`/`serverurl`: Python 3.11's urlparse must find a scheme and a netloc or a
 * path. Its own ValueErrors (bad brackets, NFKC tricks in the netloc) are the message when it raises.
 */
export function url(raw: string, where: Where): string {
  // urlsplit drops leading C0 controls and spaces, and tabs and newlines anywhere.
  let rest = raw.replace(/^[\x00-\x20]+/, "").replace(/[\t\r\n]/g, "");
  let scheme = "";
  const schemeMatch = /^[A-Za-z][A-Za-z0-9+\-.]*:/.exec(rest);
  if (schemeMatch) {
    scheme = schemeMatch[0].slice(0, -1).toLowerCase();
    rest = rest.slice(schemeMatch[0].length);
  }
  let netloc = "";
  if (rest.startsWith("//")) {
    const end = rest.slice(2).search(/[/?#]/);
    netloc = end < 0 ? rest.slice(2) : rest.slice(2, 2 + end);
    rest = rest.slice(2 + netloc.length);
    checkNetlocBrackets(netloc, where);
  }
  let path = rest.split("#")[0]?.split("?")[0] ?? "";
  checkNetlocNfkc(netloc, where);
  if (USES_PARAMS.has(scheme) && path.includes(";")) {
    const semicolon = path.indexOf(";", Math.max(path.lastIndexOf("/"), 0));
    if (semicolon >= 0) path = path.slice(0, semicolon);
  }
  if (scheme !== "" && (netloc !== "" || path !== "")) return raw;
  throw new ConfigError(`value ${pyRepr(raw)} is not a URL`, where);
}

function checkNetlocBrackets(netloc: string, where: Where): void {
  const open = netloc.includes("[");
  if (open !== netloc.includes("]")) throw new ConfigError("Invalid IPv6 URL", where);
  if (!open) return;
  const hostAndPort = netloc.slice(netloc.lastIndexOf("@") + 1);
  const bracket = hostAndPort.indexOf("[");
  let host: string;
  if (bracket < 0) {
    host = hostAndPort.split(":")[0] ?? "";
  } else {
    if (bracket > 0) throw new ConfigError("Invalid IPv6 URL", where);
    const close = hostAndPort.indexOf("]");
    host = close < 0 ? hostAndPort.slice(1) : hostAndPort.slice(1, close);
    const port = close < 0 ? "" : hostAndPort.slice(close + 1);
    if (port !== "" && !port.startsWith(":")) throw new ConfigError("Invalid IPv6 URL", where);
  }
  if (host.startsWith("v")) {
    if (!/^v[a-fA-F0-9]+\..+$/s.test(host)) throw new ConfigError("IPvFuture address is invalid", where);
  } else if (isIPv4(host)) {
    throw new ConfigError("An IPv4 address cannot be in brackets", where);
  } else if (!isPyIPv6(host)) {
    throw new ConfigError(`${pyRepr(host)} does not appear to be an IPv4 or IPv6 address`, where);
  }
}

// ipaddress.IPv6Address: any non-empty scope id without `%` after the address.
function isPyIPv6(text: string): boolean {
  const percent = text.indexOf("%");
  if (percent < 0) return isIPv6(text);
  const scope = text.slice(percent + 1);
  return scope !== "" && !scope.includes("%") && isIPv6(text.slice(0, percent));
}

function checkNetlocNfkc(netloc: string, where: Where): void {
  if (/^[\x00-\x7f]*$/.test(netloc)) return;
  const bare = netloc.replace(/[@:#?]/g, "");
  const normalized = bare.normalize("NFKC");
  if (normalized !== bare && /[/?#@:]/.test(normalized)) {
    throw new ConfigError(`netloc '${netloc}' contains invalid characters under NFKC normalization`, where);
  }
}
