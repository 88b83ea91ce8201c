/**
 * Python 3.11's `glob.glob(pattern)` (non-recursive, no root_dir), which supervisord runs on each
 * `[include] files=` pattern (spec: config.md, [include]). Reproduced rather than delegated to a
 * glob package because the results must be the same paths, spelled the same way: no
 * normalisation, hidden names skipped unless the component starts with `.`, `[` without a
 * closing `]` taken literally, ranges read the way fnmatch reads them.
 */
import * as fs from "node:fs";

/**
 * Python 3.11 glob.glob(pattern) (recursive=False, root_dir=None): paths in the form the pattern
 * gives them (no normalisation: `/a/../b/*.conf` stays with `..`), in directory-listing order
 * (the caller sorts).
 */
export function pyGlob(pattern: string): string[] {
  return globPattern(pattern, false);
}

/** `dirOnly`: the pattern names a directory to descend into, so only directories may match it. */
function globPattern(pattern: string, dirOnly: boolean): string[] {
  const [dirname, basename] = splitPath(pattern);
  if (!hasMagic(pattern)) {
    // Without wildcards Python only checks existence; a trailing slash asks for a directory.
    if (basename !== "") return lexists(pattern) ? [pattern] : [];
    return isDir(dirname) ? [pattern] : [];
  }
  if (dirname === "") return matchInDir("", basename, dirOnly);
  // split() hands back the whole pattern as its head only for a run of slashes, which has no magic.
  const dirs = dirname !== pattern && hasMagic(dirname) ? globPattern(dirname, true) : [dirname];
  const found: string[] = [];
  for (const dir of dirs) {
    const names = hasMagic(basename) ? matchInDir(dir, basename, dirOnly) : literalInDir(dir, basename);
    for (const name of names) found.push(joinPath(dir, name));
  }
  return found;
}

/** Names in `dir` that match the wildcard component `pattern`. */
function matchInDir(dir: string, pattern: string, dirOnly: boolean): string[] {
  const matches = compileComponent(pattern);
  const hiddenAllowed = isHidden(pattern);
  const listed = dir === "" ? "." : dir;
  return listDir(listed)
    .filter(
      (entry) =>
        (hiddenAllowed || !isHidden(entry.name)) &&
        matches(entry.name) &&
        (!dirOnly || entryIsDir(listed, entry)),
    )
    .map((entry) => entry.name);
}

/**
 * A literal component after a wildcard directory: Python checks only that it exists, even when
 * it sits mid-pattern (listing it later fails harmlessly if it is not a directory).
 */
function literalInDir(dir: string, basename: string): string[] {
  if (basename === "") return isDir(dir) ? [""] : [];
  return lexists(joinPath(dir, basename)) ? [basename] : [];
}

type Entry = fs.Dirent;

function listDir(dir: string): Entry[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    // Python treats any OSError while listing (missing, not a directory, permission denied) as
    // an empty directory; other errors (a NUL in the path: Python's ValueError) propagate.
    if (isSystemError(err)) return [];
    throw err;
  }
}

/** Python's `DirEntry.is_dir()`: follows symlinks; a dangling link is not a directory. */
function entryIsDir(dir: string, entry: Entry): boolean {
  if (entry.isDirectory()) return true;
  const known = entry.isFile() || entry.isFIFO() || entry.isSocket() || entry.isCharacterDevice() || entry.isBlockDevice();
  if (known) return false;
  return isDir(joinPath(dir, entry.name));
}

/** `os.path.lexists`: a dangling symlink exists. */
function lexists(path: string): boolean {
  try {
    return fs.lstatSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch {
    // os.path.lexists answers False for every OSError and ValueError (e.g. ENOTDIR, EACCES, NUL).
    return false;
  }
}

/** `os.path.isdir`: follows symlinks. */
function isDir(path: string): boolean {
  try {
    return fs.statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    // os.path.isdir answers False for every OSError and ValueError.
    return false;
  }
}

function isSystemError(err: unknown): boolean {
  if (!(err instanceof Error) || !("code" in err)) return false;
  const code = err.code;
  return typeof code === "string" && /^E[A-Z0-9]+$/.test(code);
}

function hasMagic(s: string): boolean {
  return /[*?[]/.test(s);
}

function isHidden(name: string): boolean {
  return name.startsWith(".");
}

/** `posixpath.split`: trailing slashes of the head are dropped unless the head is all slashes. */
function splitPath(path: string): [string, string] {
  const cut = path.lastIndexOf("/") + 1;
  let head = path.slice(0, cut);
  const tail = path.slice(cut);
  if (head !== "" && !/^\/+$/.test(head)) head = head.replace(/\/+$/, "");
  return [head, tail];
}

/** `posixpath.join(a, b)` for two parts. */
function joinPath(a: string, b: string): string {
  if (b.startsWith("/")) return b;
  if (a === "" || a.endsWith("/")) return a + b;
  return `${a}/${b}`;
}

// fnmatch: a component is a sequence of one-character tokens and stars; names are matched
// whole, by code point, case-sensitively (posix normcase is the identity).

type Token =
  | { kind: "star" }
  | { kind: "any" }
  | { kind: "char"; char: number }
  | { kind: "set"; negate: boolean; ranges: Array<[number, number]> };

function compileComponent(pattern: string): (name: string) => boolean {
  const tokens = tokenize(Array.from(pattern));
  return (name) => matchTokens(tokens, Array.from(name, (ch) => ch.codePointAt(0) ?? 0));
}

function tokenize(pat: readonly string[]): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < pat.length) {
    const c = pat[i] ?? "";
    i++;
    if (c === "*") {
      if (tokens[tokens.length - 1]?.kind !== "star") tokens.push({ kind: "star" });
    } else if (c === "?") {
      tokens.push({ kind: "any" });
    } else if (c === "[") {
      const close = findSetEnd(pat, i);
      if (close < 0) {
        tokens.push({ kind: "char", char: codePoint("[") });
      } else {
        tokens.push(parseSet(pat, i, close));
        i = close + 1;
      }
    } else {
      tokens.push({ kind: "char", char: codePoint(c) });
    }
  }
  return tokens;
}

/** Index of the `]` closing a set whose body starts at `start`; -1 makes the `[` literal. */
function findSetEnd(pat: readonly string[], start: number): number {
  let j = start;
  if (pat[j] === "!") j++;
  // A `]` right after `[` or `[!` belongs to the set.
  if (pat[j] === "]") j++;
  while (j < pat.length && pat[j] !== "]") j++;
  return j < pat.length ? j : -1;
}

/**
 * The set `pat[start:end]` (between the brackets). fnmatch cuts the body into chunks at the
 * hyphens that make ranges: a hyphen first in the body (after any `!`) or right after a range is
 * literal, and so is a trailing one. A range whose end is below its start is dropped along with
 * its ends, so `[z-a]` matches nothing and `[!z-a]` any one character.
 */
function parseSet(pat: readonly string[], start: number, end: number): Token {
  const negate = pat[start] === "!";
  const chunks: string[][] = [];
  let from = start;
  let k = negate ? start + 2 : start + 1;
  for (;;) {
    const hyphen = indexOf(pat, "-", k, end);
    if (hyphen < 0) break;
    chunks.push(pat.slice(from, hyphen));
    from = hyphen + 1;
    k = hyphen + 3;
  }
  const last = pat.slice(from, end);
  if (last.length > 0) chunks.push(last);
  // A trailing hyphen: the set ends "x-]", so the hyphen is a literal member of the last chunk.
  else chunks[chunks.length - 1]?.push("-");
  for (let c = chunks.length - 1; c > 0; c--) {
    const before = chunks[c - 1] ?? [];
    const after = chunks[c] ?? [];
    if (codePoint(before[before.length - 1] ?? "") > codePoint(after[0] ?? "")) {
      chunks[c - 1] = [...before.slice(0, -1), ...after.slice(1)];
      chunks.splice(c, 1);
    }
  }
  if (negate) chunks[0]?.shift();
  return { kind: "set", negate, ranges: chunkRanges(chunks) };
}

/**
 * Members of a set given as chunks joined by range-making hyphens, read left to right as a regex
 * character class reads `a-cx-z`: the last character of one chunk and the first of the next make
 * a range; every other character stands for itself.
 */
function chunkRanges(chunks: readonly string[][]): Array<[number, number]> {
  const items: Array<number | "-"> = [];
  chunks.forEach((chunk, index) => {
    if (index > 0) items.push("-");
    for (const ch of chunk) items.push(codePoint(ch));
  });
  const ranges: Array<[number, number]> = [];
  let i = 0;
  while (i < items.length) {
    const item = items[i] ?? "-";
    const lo = item === "-" ? codePoint("-") : item;
    const hi = items[i + 2];
    if (items[i + 1] === "-" && hi !== undefined) {
      ranges.push([lo, hi === "-" ? codePoint("-") : hi]);
      i += 3;
    } else {
      ranges.push([lo, lo]);
      i += 1;
    }
  }
  return ranges;
}

function indexOf(pat: readonly string[], ch: string, from: number, to: number): number {
  for (let i = from; i < to; i++) if (pat[i] === ch) return i;
  return -1;
}

function codePoint(ch: string): number {
  return ch.codePointAt(0) ?? -1;
}

function matchOne(token: Token, char: number): boolean {
  switch (token.kind) {
    case "any":
      return true;
    case "char":
      return token.char === char;
    case "set":
      return token.ranges.some(([lo, hi]) => lo <= char && char <= hi) !== token.negate;
    case "star":
      return false;
  }
}

/**
 * Whole-name match. On a mismatch the most recent star takes one more character; every token
 * but a star matches exactly one character, so this finds a match whenever one exists.
 */
function matchTokens(tokens: readonly Token[], name: readonly number[]): boolean {
  let t = 0;
  let n = 0;
  let starToken = -1;
  let starName = 0;
  while (n < name.length) {
    const token = tokens[t];
    if (token?.kind === "star") {
      starToken = t++;
      starName = n;
    } else if (token !== undefined && matchOne(token, name[n] ?? -1)) {
      t++;
      n++;
    } else if (starToken >= 0) {
      t = starToken + 1;
      n = ++starName;
    } else {
      return false;
    }
  }
  while (tokens[t]?.kind === "star") t++;
  return t === tokens.length;
}
