import { isPySpace, isUnassignedInPython, pyRepr } from "./python-str";

/**
 * Python's `int(text, base)` for base 10 and base 8, the two supervisord uses: surrounding
 * whitespace, an optional sign, any Unicode decimal digits, single underscores between digits,
 * and for base 8 an optional `0o` prefix. Returns undefined where Python raises ValueError.
 */
export function parsePyInt(text: string, base: 8 | 10): number | undefined {
  if (base === 10 && PLAIN_DECIMAL.test(text)) return Number(text); // the common case, fast
  const value = parsePyBigInt(text, base);
  return value === undefined ? undefined : Number(value);
}

/** parsePyInt without rounding: Python's ints are unbounded and messages repeat them digit for digit. */
export function parsePyBigInt(text: string, base: 8 | 10): bigint | undefined {
  let s = "";
  // int() keeps ASCII as it is and strips only C's isspace() from it: \x1c-\x1f stay and fail.
  // Other Unicode whitespace becomes a space first. String#trim would also drop a BOM.
  for (const ch of text) s += ch < "\x7f" ? ch : isPySpace(ch) ? " " : decimalToAscii(ch);
  s = s.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, "");
  const negative = s.startsWith("-");
  if (s.startsWith("+") || negative) s = s.slice(1);
  if (base === 8 && /^0[oO]/.test(s)) {
    s = s.slice(2);
    if (s.startsWith("_")) s = s.slice(1); // int("0o_7", 8) is 7
  }
  if (!(base === 8 ? OCTAL_DIGITS : DECIMAL_DIGITS).test(s)) return undefined;
  const magnitude = BigInt(`${base === 8 ? "0o" : ""}${s.replaceAll("_", "")}`);
  return negative ? -magnitude : magnitude;
}

const PLAIN_DECIMAL = /^[0-9]{1,15}$/;
const DECIMAL_DIGITS = /^[0-9]+(?:_[0-9]+)*$/;
const OCTAL_DIGITS = /^[0-7]+(?:_[0-7]+)*$/;

function decimalToAscii(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  if ((ch >= "0" && ch <= "9") || !ND.test(ch) || isUnassignedInPython(cp)) return ch;
  // Unicode keeps every set of decimal digits contiguous, 0 to 9, runs of sets back to back.
  let start = cp;
  while (ND.test(String.fromCodePoint(start - 1))) start--;
  return String((cp - start) % 10);
}

const ND = /^\p{Nd}$/u;
/** Python's ValueError text for `int(text)`: the repr is cut at 200 characters (code points) as CPython does. */
export function intErrorText(text: string, base: 8 | 10 = 10): string {
  return `invalid literal for int() with base ${base}: ${[...pyRepr(text)].slice(0, 200).join("")}`;
}
