import { isPySpace, pyRepr } from "./python-str";

/**
 * Python's `int(text, base)` for base 10 and base 8, the two supervisord uses: surrounding
 * whitespace, an optional sign, any Unicode decimal digits, single underscores between digits,
 * and for base 8 an optional `0o` prefix. Returns undefined where Python raises ValueError.
 */
export function parsePyInt(text: string, base: 8 | 10): number | undefined {
  let s = "";
  for (const ch of text) s += isPySpace(ch) ? " " : decimalToAscii(ch);
  s = s.trim();
  let sign = 1;
  if (s.startsWith("+") || s.startsWith("-")) {
    if (s.startsWith("-")) sign = -1;
    s = s.slice(1);
  }
  if (base === 8 && /^0[oO]/.test(s)) {
    s = s.slice(2);
    if (s.startsWith("_")) s = s.slice(1); // int("0o_7", 8) is 7
  }
  const digits = base === 8 ? "[0-7]" : "[0-9]";
  if (!new RegExp(`^${digits}+(?:_${digits}+)*$`).test(s)) return undefined;
  const value = Number.parseInt(s.replaceAll("_", ""), base) * sign;
  return Object.is(value, -0) ? 0 : value;
}

function decimalToAscii(ch: string): string {
  if ((ch >= "0" && ch <= "9") || !ND.test(ch)) return ch;
  // Unicode keeps every set of decimal digits contiguous, 0 to 9, runs of sets back to back.
  const cp = ch.codePointAt(0) ?? 0;
  let start = cp;
  while (ND.test(String.fromCodePoint(start - 1))) start--;
  return String((cp - start) % 10);
}

const ND = /^\p{Nd}$/u;
/** Python's ValueError text for `int(text)`: the repr is cut at 200 characters as CPython does. */
export function intErrorText(text: string, base: 8 | 10 = 10): string {
  return `invalid literal for int() with base ${base}: ${pyRepr(text).slice(0, 200)}`;
}
