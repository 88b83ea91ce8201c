import { closeSync, constants, openSync, readdirSync, unlinkSync } from "node:fs";
import { randomInt } from "node:crypto";
import { pyRepr } from "../config/python-str";
import { pyAbspath, pyJoin } from "../posix/python-path";

// Python's tempfile: the alphabet of mkstemp's random part, and os.TMP_MAX tries on Linux.
const NAME_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789_";
const TMP_MAX = 238328;
const MKSTEMP_FLAGS = constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Create an AUTO log file as supervisord's get_autochildlog_name does (logging.md §3.2):
 * `NAME-CHANNEL---IDENTIFIER-XXXXXXXX.log` in `childlogdir`, created empty and exclusively with
 * mode 0600 (less the umask), like Python's mkstemp. Returns the absolute path. Throws the
 * open(2) error (as mkstemp raises it), or EEXIST when every name tried was taken.
 */
export function createAutoLogFile(childlogdir: string, name: string, identifier: string, channel: "stdout" | "stderr"): string {
  const dir = pyAbspath(childlogdir);
  const prefix = `${name}-${channel}---${identifier}-`;
  for (let attempt = 0; attempt < TMP_MAX; attempt++) {
    const path = pyJoin(dir, `${prefix}${randomName()}.log`);
    let fd: number;
    try {
      fd = openSync(path, MKSTEMP_FLAGS, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") continue; // mkstemp tries another name
      throw err;
    }
    closeSync(fd);
    return path;
  }
  throw Object.assign(new Error("[Errno 17] No usable temporary file name found"), { code: "EEXIST" });
}

function randomName(): string {
  let out = "";
  for (let i = 0; i < 8; i++) out += NAME_CHARACTERS[randomInt(NAME_CHARACTERS.length)];
  return out;
}

// Python's \s on str: the characters str.isspace() accepts (JS's \s differs: \x1c-\x1f, \ufeff).
const PY_WHITESPACE = "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/**
 * Delete the AUTO logs of an earlier run, as supervisord's clear_autochildlogdir does at start and
 * reload unless `nocleanup` (logging.md §3.2): every entry of `childlogdir` whose name matches
 * `.+?---IDENTIFIER-\S+\.log\.{0,1}\d{0,4}` at its start, IDENTIFIER inserted unescaped (so it
 * is a regex fragment, as in supervisord). Returns the WARN messages to log, in order:
 * `Could not clear childlog dir`, or one `Failed to clean up 'PATH'` per entry that could not be
 * removed. The optional tail `\.{0,1}\d{0,4}` can always match empty, so it is left out.
 */
export function clearAutoChildLogs(childlogdir: string, identifier: string): string[] {
  // Python's "." matches anything but \n (JS's also refuses \r, \u2028, \u2029).
  const pattern = new RegExp(`^[^\\n]+?---${identifier}-[^${PY_WHITESPACE}]+\\.log`);
  let names: Buffer[];
  try {
    names = readdirSync(childlogdir, { encoding: "buffer" });
  } catch {
    return ["Could not clear childlog dir"]; // supervisord gives up on the directory, and says so
  }
  const warnings: string[] = [];
  const dirPrefix = Buffer.from(childlogdir.endsWith("/") ? childlogdir : `${childlogdir}/`);
  for (const raw of names) {
    const name = fsDecode(raw);
    if (!pattern.test(name)) continue;
    try {
      unlinkSync(Buffer.concat([dirPrefix, raw]));
    } catch {
      // supervisord logs and goes on with the next entry (a directory, a vanished file, EACCES)
      warnings.push(`Failed to clean up ${pyRepr(pyJoin(childlogdir, name))}`);
    }
  }
  return warnings;
}

/**
 * os.fsdecode: UTF-8 with surrogateescape, so a name that is not valid UTF-8 keeps each bad byte
 * as U+DC80+byte (what Python's repr of the path then shows as `\udcXX`).
 */
function fsDecode(bytes: Buffer): string {
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const length = validSequenceLength(bytes, i);
    if (length === 0) {
      out += String.fromCharCode(0xdc00 + (bytes[i] ?? 0));
      i += 1;
    } else {
      out += bytes.toString("utf8", i, i + length);
      i += length;
    }
  }
  return out;
}

/** Length of the well-formed UTF-8 sequence at `at` (Unicode table 3-7), 0 if there is none. */
function validSequenceLength(bytes: Buffer, at: number): number {
  const lead = bytes[at] ?? 0;
  if (lead < 0x80) return 1;
  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead === 0xe0) low = 0xa0;
    if (lead === 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead === 0xf0) low = 0x90;
    if (lead === 0xf4) high = 0x8f;
  } else return 0;
  for (let k = 1; k < length; k++) {
    const byte = bytes[at + k];
    if (byte === undefined) return 0;
    const [min, max] = k === 1 ? [low, high] : [0x80, 0xbf];
    if (byte < min || byte > max) return 0;
  }
  return length;
}
