/**
 * Python 3 string semantics that supervisord's texts and rules depend on: `repr()` (error
 * messages quote values with it), `str.isspace()`/`str.strip()` (the INI reader strips with
 * them), and code-point ordering (Python sorts strings by code point, JS by UTF-16 unit).
 */

const PY_SPACE = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680,
  0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a,
  0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

/** Python's `str.isspace()` for one character. */
export function isPySpace(ch: string): boolean {
  return ch.length > 0 && PY_SPACE.has(ch.codePointAt(0) ?? -1);
}

/** Python's `str.strip()` with no argument. */
export function pyStrip(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && PY_SPACE.has(s.charCodeAt(start))) start++;
  while (end > start && PY_SPACE.has(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

/** Python's `str.rstrip()` with no argument. */
export function pyRstrip(s: string): string {
  let end = s.length;
  while (end > 0 && PY_SPACE.has(s.charCodeAt(end - 1))) end--;
  return s.slice(0, end);
}

/** Python's `str.split()` with no argument: split on runs of whitespace, no empty items. */
export function pySplitWhitespace(s: string): string[] {
  const out: string[] = [];
  let word = "";
  for (const ch of s) {
    if (isPySpace(ch)) {
      if (word) out.push(word);
      word = "";
    } else {
      word += ch;
    }
  }
  if (word) out.push(word);
  return out;
}

// Characters Python's repr() escapes: categories Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs (but the space).
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

// Python 3.11's character database is Unicode 14.0; Node's ICU is newer. These ranges (first and
// last code point of each, in order) are what Unicode 15.0 to 17.0 assigned: unassigned (Cn) to
// Python, so its repr() escapes them and int() takes none of them as a digit.
const ASSIGNED_AFTER_UNICODE_14: readonly number[] = [
  0x88f, 0x88f, 0x897, 0x897, 0xc5c, 0xc5c, 0xcdc, 0xcdc, 0xcf3, 0xcf3, 0xece, 0xece,
  0x1acf, 0x1add, 0x1ae0, 0x1aeb, 0x1b4e, 0x1b4f, 0x1b7f, 0x1b7f, 0x1c89, 0x1c8a, 0x20c1, 0x20c1,
  0x2427, 0x2429, 0x2b96, 0x2b96, 0x2ffc, 0x2fff, 0x31e4, 0x31e5, 0x31ef, 0x31ef, 0xa7cb, 0xa7cf,
  0xa7d2, 0xa7d2, 0xa7d4, 0xa7d4, 0xa7da, 0xa7dc, 0xa7f1, 0xa7f1, 0xfbc3, 0xfbd2, 0xfd90, 0xfd91,
  0xfdc8, 0xfdce, 0x105c0, 0x105f3, 0x10940, 0x10959, 0x10d40, 0x10d65, 0x10d69, 0x10d85,
  0x10d8e, 0x10d8f, 0x10ec2, 0x10ec7, 0x10ed0, 0x10ed8, 0x10efa, 0x10eff, 0x1123f, 0x11241,
  0x11380, 0x11389, 0x1138b, 0x1138b, 0x1138e, 0x1138e, 0x11390, 0x113b5, 0x113b7, 0x113c0,
  0x113c2, 0x113c2, 0x113c5, 0x113c5, 0x113c7, 0x113ca, 0x113cc, 0x113d5, 0x113d7, 0x113d8,
  0x113e1, 0x113e2, 0x116d0, 0x116e3, 0x11b00, 0x11b09, 0x11b60, 0x11b67, 0x11bc0, 0x11be1,
  0x11bf0, 0x11bf9, 0x11db0, 0x11ddb, 0x11de0, 0x11de9, 0x11f00, 0x11f10, 0x11f12, 0x11f3a,
  0x11f3e, 0x11f5a, 0x1342f, 0x1342f, 0x13439, 0x13455, 0x13460, 0x143fa, 0x16100, 0x16139,
  0x16d40, 0x16d79, 0x16ea0, 0x16eb8, 0x16ebb, 0x16ed3, 0x16ff2, 0x16ff6, 0x187f8, 0x187ff,
  0x18cff, 0x18cff, 0x18d09, 0x18d1e, 0x18d80, 0x18df2, 0x1b132, 0x1b132, 0x1b155, 0x1b155,
  0x1cc00, 0x1ccfc, 0x1cd00, 0x1ceb3, 0x1ceba, 0x1ced0, 0x1cee0, 0x1cef0, 0x1d2c0, 0x1d2d3,
  0x1df25, 0x1df2a, 0x1e030, 0x1e06d, 0x1e08f, 0x1e08f, 0x1e4d0, 0x1e4f9, 0x1e5d0, 0x1e5fa,
  0x1e5ff, 0x1e5ff, 0x1e6c0, 0x1e6de, 0x1e6e0, 0x1e6f5, 0x1e6fe, 0x1e6ff, 0x1f6d8, 0x1f6d8,
  0x1f6dc, 0x1f6dc, 0x1f774, 0x1f77f, 0x1f7d9, 0x1f7d9, 0x1f8b2, 0x1f8bb, 0x1f8c0, 0x1f8c1,
  0x1f8d0, 0x1f8d8, 0x1fa54, 0x1fa57, 0x1fa75, 0x1fa77, 0x1fa87, 0x1fa8a, 0x1fa8e, 0x1fa8f,
  0x1faad, 0x1faaf, 0x1fabb, 0x1fabf, 0x1fac6, 0x1fac6, 0x1fac8, 0x1fac8, 0x1facd, 0x1facf,
  0x1fada, 0x1fadc, 0x1fadf, 0x1fadf, 0x1fae8, 0x1faea, 0x1faef, 0x1faef, 0x1faf7, 0x1faf8,
  0x1fbcb, 0x1fbef, 0x1fbfa, 0x1fbfa, 0x2b739, 0x2b73f, 0x2cea2, 0x2cead, 0x2ebf0, 0x2ee5d,
  0x31350, 0x33479,
];

/** True for a code point that Python 3.11 (Unicode 14.0) sees as unassigned but Node's ICU assigns. */
export function isUnassignedInPython(cp: number): boolean {
  let lo = 0;
  let hi = ASSIGNED_AFTER_UNICODE_14.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const first = ASSIGNED_AFTER_UNICODE_14[2 * mid] ?? 0;
    const last = ASSIGNED_AFTER_UNICODE_14[2 * mid + 1] ?? 0;
    if (cp < first) hi = mid - 1;
    else if (cp > last) lo = mid + 1;
    else return true;
  }
  return false;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

/** Python's `repr()` of a str. */
export function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === "\\") out += "\\" + ch;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (cp < 0x20 || cp === 0x7f) out += "\\x" + hex(cp, 2);
    else if (cp < 0x7f || ch === " ") out += ch;
    else if (!NOT_PRINTABLE.test(ch) && !isUnassignedInPython(cp)) out += ch;
    else if (cp <= 0xff) out += "\\x" + hex(cp, 2);
    else if (cp <= 0xffff) out += "\\u" + hex(cp, 4);
    else out += "\\U" + hex(cp, 8);
  }
  return out + quote;
}

/** Python's `repr()` of a list of str: `['a', 'b']`. */
export function pyReprList(items: readonly string[]): string {
  return `[${items.map(pyRepr).join(", ")}]`;
}

/** Compare two strings as Python does (by code point), for sorting. */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const cx = x.value.codePointAt(0) ?? 0;
    const cy = y.value.codePointAt(0) ?? 0;
    if (cx !== cy) return cx - cy;
  }
}

const BACKSLASH = 0x5c;
const SINGLE_QUOTE = 0x27;
const DOUBLE_QUOTE = 0x22;

/** Python's `repr()` of a bytes object: `b'...'`, switching to `b"..."` as Python does. */
export function pyBytesRepr(data: Uint8Array): string {
  const quote = data.includes(SINGLE_QUOTE) && !data.includes(DOUBLE_QUOTE) ? DOUBLE_QUOTE : SINGLE_QUOTE;
  let out = "";
  for (const byte of data) {
    if (byte === quote || byte === BACKSLASH) out += "\\" + String.fromCharCode(byte);
    else if (byte === 0x09) out += "\\t";
    else if (byte === 0x0a) out += "\\n";
    else if (byte === 0x0d) out += "\\r";
    else if (byte < 0x20 || byte >= 0x7f) out += "\\x" + byte.toString(16).padStart(2, "0");
    else out += String.fromCharCode(byte);
  }
  const q = String.fromCharCode(quote);
  return `b${q}${out}${q}`;
}

// Python's strict "utf-8" codec: no replacement characters, and a leading BOM is kept as U+FEFF.
// Made at first use: Node loads its TextDecoder then, which supervisorctl's start does without.
let strictUtf8: InstanceType<typeof TextDecoder> | undefined;

/**
 * The chunk decoded as UTF-8 by Python's strict codec, or, when that raises, `Undecodable: `
 * and its bytes repr: how supervisord shows child output in its log and in event payloads.
 */
export function decodeOrBytesRepr(chunk: Uint8Array): string {
  try {
    strictUtf8 ??= new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    return strictUtf8.decode(chunk);
  } catch {
    return `Undecodable: ${pyBytesRepr(chunk)}`;
  }
}
