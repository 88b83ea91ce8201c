import { pyRepr } from "./python-str";

/**
 * Python 3.11's `format % mapping` (printf-style formatting with a dict argument), which
 * supervisord applies to option values to expand `%(name)s` (spec config.md §4). The parser is a
 * state machine rather than a regex because Python's quirks live in its order of operations:
 * a key is looked up before the rest of the conversion is parsed, the argument is taken before
 * the conversion character is checked, and a conversion without a key takes the whole dict.
 */

/** A value of the expansion dict: a Python str, or (number) a Python int. */
export type FormatValue = string | number;

/** Python raised KeyError(key): `key` is the missing name; `message` is str(KeyError), its repr. */
export class FormatKeyError extends Error {
  constructor(readonly key: string) {
    super(pyRepr(key));
    this.name = new.target.name;
  }
}

/** Python raised any other exception; `message` is exactly str(exception), e.g. "incomplete format". */
export class FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

type Mapping = ReadonlyMap<string, FormatValue>;
/** What a conversion formats: one value of the dict, or the dict itself when it has no `(key)`. */
type Operand = FormatValue | Mapping;

interface Spec {
  ljust: boolean; // -
  sign: boolean; // +
  blank: boolean; // space
  alt: boolean; // #
  zero: boolean; // 0
  width: number; // -1: none
  prec: number; // -1: none
  conv: string;
}

const SSIZE_MAX = 2n ** 63n - 1n;
const INT_MAX = 2n ** 31n - 1n;

/** `format % mapping` as Python 3.11 evaluates it; the mapping's order is the dict's order. */
export function percentFormat(format: string, mapping: Mapping): string {
  try {
    return new Formatter(format, mapping).run();
  } catch (err) {
    // Python's MemoryError (str() is empty) for a width or precision too big to allocate; JS
    // reports the same condition as a RangeError from String.prototype.repeat or concatenation.
    // DIVERGES: JS strings stop near 2**29 code units, where Python would still build the text.
    if (err instanceof RangeError) throw new FormatError("");
    throw err;
  }
}

class Formatter {
  readonly #cps: readonly string[];
  readonly #mapping: Mapping;
  #pos = 0;
  /** The conversion character being parsed; stale when a read ran past the end, as in CPython. */
  #ch = "";
  #exhausted = false;
  #operand: Operand;
  #operandTaken = false;

  constructor(format: string, mapping: Mapping) {
    this.#cps = Array.from(format);
    this.#mapping = mapping;
    this.#operand = mapping;
  }

  run(): string {
    const cps = this.#cps;
    let out = "";
    while (this.#pos < cps.length) {
      if (cps[this.#pos] !== "%") {
        const start = this.#pos;
        while (this.#pos < cps.length && cps[this.#pos] !== "%") this.#pos++;
        out += cps.slice(start, this.#pos).join("");
        continue;
      }
      this.#pos++;
      // Only a `%` right after the `%` is a literal: `%5%` is an unsupported conversion.
      if (cps[this.#pos] === "%") {
        this.#pos++;
        out += "%";
        continue;
      }
      out += this.#conversion();
    }
    return out;
  }

  /** Reads the next character into #ch; false (and #ch unchanged) at the end of the format. */
  #next(): boolean {
    const ch = this.#cps[this.#pos];
    if (ch === undefined) {
      this.#exhausted = true;
      return false;
    }
    this.#ch = ch;
    this.#pos++;
    return true;
  }

  #current(): string {
    return this.#ch;
  }

  /** Each conversion takes one argument, and a dict argument is a single one. */
  #takeOperand(): Operand {
    if (this.#operandTaken) throw new FormatError("not enough arguments for format string");
    this.#operandTaken = true;
    return this.#operand;
  }

  #conversion(): string {
    const spec: Spec = { ljust: false, sign: false, blank: false, alt: false, zero: false, width: -1, prec: -1, conv: "" };
    // At the end of the format there is no character: CPython reads its NUL terminator here.
    this.#ch = this.#cps[this.#pos] ?? "\0";
    if (this.#ch === "(") this.#lookUpKey();
    this.#parseFlags(spec);
    this.#parseWidth(spec);
    this.#parsePrecision(spec);
    if (!this.#exhausted && (this.#ch === "h" || this.#ch === "l" || this.#ch === "L")) this.#next();
    if (this.#exhausted) throw new FormatError("incomplete format");
    spec.conv = this.#ch;
    const operand = this.#takeOperand();
    return render(operand, spec, this.#pos - 1);
  }

  #lookUpKey(): void {
    this.#pos++;
    const start = this.#pos;
    let depth = 1; // `%((a))s` looks up `(a)`: parentheses nest
    while (depth > 0 && this.#next()) {
      if (this.#ch === ")") depth--;
      else if (this.#ch === "(") depth++;
    }
    if (this.#exhausted || depth > 0) throw new FormatError("incomplete format key");
    const key = this.#cps.slice(start, this.#pos - 1).join("");
    const value = this.#mapping.get(key);
    if (value === undefined) throw new FormatKeyError(key);
    this.#operand = value;
    this.#operandTaken = false;
  }

  #parseFlags(spec: Spec): void {
    while (this.#next()) {
      switch (this.#ch) {
        case "-": spec.ljust = true; continue;
        case "+": spec.sign = true; continue;
        case " ": spec.blank = true; continue;
        case "#": spec.alt = true; continue;
        case "0": spec.zero = true; continue;
      }
      break;
    }
  }

  #parseWidth(spec: Spec): void {
    if (this.#ch === "*") {
      const width = starArgument(this.#takeOperand(), SSIZE_MAX, "ssize_t");
      if (width < 0) {
        spec.ljust = true;
        spec.width = -width;
      } else {
        spec.width = width;
      }
      this.#next();
    } else if (isDigit(this.#ch)) {
      spec.width = this.#parseNumber(SSIZE_MAX, "width too big");
    }
  }

  #parsePrecision(spec: Spec): void {
    if (this.#ch !== ".") return;
    spec.prec = 0;
    this.#next();
    const ch = this.#current(); // #next() moved it past the "." this function checked
    if (ch === "*") {
      spec.prec = Math.max(0, starArgument(this.#takeOperand(), INT_MAX, "int"));
      this.#next();
    } else if (isDigit(ch)) {
      spec.prec = this.#parseNumber(INT_MAX, "precision too big");
    }
  }

  /** Digits starting at #ch (a digit); leaves #ch on the first non-digit. */
  #parseNumber(max: bigint, tooBig: string): number {
    let value = BigInt(this.#ch);
    while (this.#next() && isDigit(this.#ch)) {
      value = value * 10n + BigInt(this.#ch);
      if (value > max) throw new FormatError(tooBig);
    }
    return Number(value);
  }
}

function isDigit(ch: string): boolean {
  return ch >= "0" && ch <= "9";
}

/** A `*` width or precision: Python wants an int that fits the C type. */
function starArgument(operand: Operand, max: bigint, cType: string): number {
  if (typeof operand !== "number") throw new FormatError("* wants int");
  const value = BigInt(integer(operand));
  if (value > max || value < -max - 1n) throw new FormatError(`Python int too large to convert to C ${cType}`);
  return operand;
}

function render(operand: Operand, spec: Spec, index: number): string {
  switch (spec.conv) {
    case "s":
      return pad(pyStr(operand), spec, false);
    case "r":
      return pad(pyReprOf(operand), spec, false);
    case "a":
      return pad(asciiEscape(pyReprOf(operand)), spec, false);
    case "d": case "i": case "u": case "o": case "x": case "X":
      return pad(formatInteger(operand, spec), spec, true);
    case "e": case "E": case "f": case "F": case "g": case "G":
      return pad(formatFloat(operand, spec), spec, true);
    case "c":
      return pad(formatChar(operand), spec, false);
    default: {
      const cp = spec.conv.codePointAt(0) ?? 0;
      const shown = cp >= 31 && cp <= 126 ? spec.conv : "?";
      throw new FormatError(`unsupported format character '${shown}' (0x${cp.toString(16)}) at index ${index}`);
    }
  }
}

function pyTypeName(operand: Operand): string {
  if (typeof operand === "string") return "str";
  if (typeof operand === "number") return "int";
  return "dict";
}

/** The number as a BigInt; the mapping's numbers stand for Python ints, so they must be integers. */
function integer(n: number): bigint {
  if (!Number.isInteger(n)) throw new TypeError(`percentFormat: ${n} is not an integer (values stand for Python ints)`);
  return BigInt(n);
}

function pyStr(operand: Operand): string {
  if (typeof operand === "string") return operand;
  return pyReprOf(operand);
}

function pyReprOf(operand: Operand): string {
  if (typeof operand === "string") return pyRepr(operand);
  if (typeof operand === "number") return integer(operand).toString();
  return pyDictRepr(operand);
}

/** Python's `repr()` (and `str()`) of a dict of str keys to str or int values. */
export function pyDictRepr(mapping: Mapping): string {
  const items: string[] = [];
  for (const [key, value] of mapping) items.push(`${pyRepr(key)}: ${pyReprOf(value)}`);
  return `{${items.join(", ")}}`;
}

/** Python's `ascii()` from a repr: every non-ASCII code point becomes an escape. */
function asciiEscape(repr: string): string {
  let out = "";
  for (const ch of repr) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x80) out += ch;
    else if (cp <= 0xff) out += "\\x" + cp.toString(16).padStart(2, "0");
    else if (cp <= 0xffff) out += "\\u" + cp.toString(16).padStart(4, "0");
    else out += "\\U" + cp.toString(16).padStart(8, "0");
  }
  return out;
}

function formatChar(operand: Operand): string {
  if (typeof operand === "string") {
    if (Array.from(operand).length === 1) return operand;
  } else if (typeof operand === "number") {
    const cp = integer(operand);
    if (cp < 0n || cp > 0x10ffffn) throw new FormatError("%c arg not in range(0x110000)");
    return String.fromCodePoint(Number(cp));
  }
  throw new FormatError("%c requires int or char");
}

/** `%d %i %u %o %x %X`: sign, `#` prefix, then at least `prec` digits. */
function formatInteger(operand: Operand, spec: Spec): string {
  const conv = spec.conv;
  if (typeof operand !== "number") {
    const wanted = conv === "o" || conv === "x" || conv === "X" ? "an integer" : "a real number";
    throw new FormatError(`%${conv} format: ${wanted} is required, not ${pyTypeName(operand)}`);
  }
  if (spec.prec > Number(INT_MAX) - 3) throw new FormatError("precision too large");
  const value = integer(operand);
  const base = conv === "o" ? 8 : conv === "x" || conv === "X" ? 16 : 10;
  let digits = (value < 0n ? -value : value).toString(base);
  if (spec.prec > digits.length) digits = "0".repeat(spec.prec - digits.length) + digits;
  const prefix = spec.alt && base !== 10 ? `0${conv.toLowerCase()}` : "";
  const text = (value < 0n ? "-" : "") + prefix + digits;
  return conv === "X" ? text.toUpperCase() : text;
}

/** `%e %f %g` and their capitals, for an int: Python converts it to a float first. */
function formatFloat(operand: Operand, spec: Spec): string {
  if (typeof operand !== "number") throw new FormatError(`must be real number, not ${pyTypeName(operand)}`);
  const value = integer(operand);
  // The decimal digits of an integral double are exact, so Python's correctly rounded output
  // (round half to even) can be computed on the digit string.
  const digits = (value < 0n ? -value : value).toString();
  const conv = spec.conv.toLowerCase();
  let body: string;
  if (conv === "f") {
    const prec = spec.prec < 0 ? 6 : spec.prec;
    body = digits + (prec > 0 ? "." + "0".repeat(prec) : spec.alt ? "." : "");
  } else if (conv === "e") {
    // CPython asks for prec + 1 digits in a C int: at INT_MAX that wraps, and one digit comes out.
    const prec = spec.prec < 0 ? 6 : spec.prec === Number(INT_MAX) ? 0 : spec.prec;
    body = exponential(digits, prec + 1, spec.alt, false);
  } else {
    const prec = spec.prec < 0 ? 6 : Math.max(spec.prec, 1);
    if (digits.length <= prec) {
      // The exponent is below the precision: fixed notation, all digits exact.
      body = digits + (spec.alt ? "." + "0".repeat(prec - digits.length) : "");
    } else {
      body = exponential(digits, prec, spec.alt, !spec.alt);
    }
  }
  if (spec.conv === "E" || spec.conv === "G") body = body.toUpperCase();
  return (value < 0n ? "-" : "") + body;
}

/** `d.ddde+XX` with `significant` digits, rounded half to even. */
function exponential(digits: string, significant: number, alt: boolean, stripZeros: boolean): string {
  let exponent = digits.length - 1;
  let kept: string;
  if (digits.length <= significant) {
    kept = digits + "0".repeat(significant - digits.length);
  } else {
    kept = digits.slice(0, significant);
    const rest = digits.slice(significant);
    const first = rest.charAt(0);
    const lastOdd = Number(kept.charAt(kept.length - 1)) % 2 === 1;
    const up = first > "5" || (first === "5" && (/[1-9]/.test(rest.slice(1)) || lastOdd));
    if (up) {
      kept = (BigInt(kept) + 1n).toString();
      if (kept.length > significant) {
        kept = kept.slice(0, significant);
        exponent++;
      }
    }
  }
  let fraction = kept.slice(1);
  if (stripZeros) fraction = fraction.replace(/0+$/, "");
  const mantissa = kept.charAt(0) + (fraction ? "." + fraction : alt ? "." : "");
  return `${mantissa}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
}

/** Width, precision (for s r a), sign and zero padding, counted in code points as Python does. */
function pad(text: string, spec: Spec, numeric: boolean): string {
  let chars = Array.from(text);
  if ((spec.conv === "s" || spec.conv === "r" || spec.conv === "a") && spec.prec >= 0 && chars.length > spec.prec) {
    chars = chars.slice(0, spec.prec);
  }
  let sign = "";
  if (numeric) {
    const first = chars[0];
    if (first === "-" || first === "+") {
      sign = first;
      chars = chars.slice(1);
    } else if (spec.sign) {
      sign = "+";
    } else if (spec.blank) {
      sign = " ";
    }
  }
  let width = Math.max(spec.width, chars.length);
  if (sign && width > chars.length) width--;
  let prefix = "";
  if (spec.alt && (spec.conv === "o" || spec.conv === "x" || spec.conv === "X")) {
    prefix = chars.slice(0, 2).join("");
    chars = chars.slice(2);
    width = Math.max(width - 2, 0);
  }
  const body = chars.join("");
  const room = Math.max(width - chars.length, 0);
  if (spec.ljust) return sign + prefix + body + " ".repeat(room);
  // The 0 flag pads numbers only, between the sign and prefix and the digits.
  if (numeric && spec.zero) return sign + prefix + "0".repeat(room) + body;
  return " ".repeat(room) + sign + prefix + body;
}
