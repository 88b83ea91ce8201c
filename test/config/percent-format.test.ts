import assert from "node:assert/strict";
import { test } from "node:test";
import { FormatError, FormatKeyError, percentFormat, pyDictRepr, type FormatValue } from "../../src/config/percent-format";

// Every expectation below was produced by `format % mapping` in /usr/bin/python3 (3.11).

const values = new Map<string, FormatValue>([
  ["here", "/etc/sv"],
  ["program_name", "cat"],
  ["process_num", 5],
  ["numprocs", 12],
  ["n", 255],
  ["neg", -255],
  ["h", 125],
  ["z", 0],
  ["s", "ab"],
  ["c", "é"],
  ["astral", "😀"],
  ["empty", ""],
  ["(a)", "paren"],
  ["big", 2 ** 70],
  ["q", "it's"],
]);
const env = new Map<string, FormatValue>([["here", "/x"], ["n", 3]]);

type Mapping = ReadonlyMap<string, FormatValue>;

/** One test per row, named for what the user sees: format → text. */
function renders(topic: string, cases: ReadonlyArray<readonly [string, string]>, mapping: Mapping = values): void {
  for (const [format, expected] of cases) {
    test(`${topic}: ${JSON.stringify(format)} → ${JSON.stringify(expected)}`, () => {
      assert.equal(percentFormat(format, mapping), expected);
    });
  }
}

/** One test per row: format → FormatError with exactly Python's str(exception). */
function fails(topic: string, cases: ReadonlyArray<readonly [string, string]>, mapping: Mapping = env): void {
  for (const [format, message] of cases) {
    test(`${topic}: ${JSON.stringify(format)} fails with ${JSON.stringify(message)}`, () => {
      assert.throws(() => percentFormat(format, mapping), (err: unknown) => {
        assert.ok(err instanceof FormatError, `not a FormatError: ${String(err)}`);
        assert.equal(err.message, message);
        return true;
      });
    });
  }
}

/** One test per row: format → FormatKeyError naming the missing key. */
function misses(topic: string, cases: ReadonlyArray<readonly [string, string]>, mapping: Mapping = env): void {
  for (const [format, key] of cases) {
    test(`${topic}: ${JSON.stringify(format)} misses key ${JSON.stringify(key)}`, () => {
      assert.throws(() => percentFormat(format, mapping), (err: unknown) => {
        assert.ok(err instanceof FormatKeyError, `not a FormatKeyError: ${String(err)}`);
        assert.equal(err.key, key);
        return true;
      });
    });
  }
}

renders("text without conversions and %% escapes come out literally", [
  ["no conversions", "no conversions"],
  ["", ""],
  ["a%%b", "a%b"],
  ["%%(here)s", "%(here)s"],
]);

renders("%(name)s expands str and int values", [
  ["%(here)s/log", "/etc/sv/log"],
  ["%(program_name)s_%(process_num)02d", "cat_05"],
  ["%(numprocs)d", "12"],
  ["%(n)r", "255"],
  ["%(empty)s|", "|"],
]);

renders("int conversions honour flags, width, precision and ignore length modifiers", [
  ["%(n)x", "ff"],
  ["%(n)X", "FF"],
  ["%(n)o", "377"],
  ["%(n)#o", "0o377"],
  ["%(n)#x", "0xff"],
  ["%(n)#X", "0XFF"],
  ["%(n)+5d", " +255"],
  ["%(neg)#08x", "-0x000ff"],
  ["%(n)-6d|", "255   |"],
  ["%(n) d", " 255"],
  ["%(neg) d", "-255"],
  ["%(n).5d", "00255"],
  ["%(neg)08d", "-0000255"],
  ["%(n)i", "255"],
  ["%(n)u", "255"],
  ["%(n)ld", "255"],
  ["%(big)d", "1180591620717411303424"],
]);

renders("float conversions of an int round half to even like Python", [
  ["%(n)e", "2.550000e+02"],
  ["%(n)E", "2.550000E+02"],
  ["%(n).3f", "255.000"],
  ["%(n)F", "255.000000"],
  ["%(n)g", "255"],
  ["%(big)g", "1.18059e+21"],
  ["%(big)G", "1.18059E+21"],
  ["%(n).0e", "3e+02"],
  ["%(h).0e", "1e+02"],
  ["%(h).1e", "1.2e+02"],
  ["%(n)#.0f", "255."],
  ["%(n)08.2f", "00255.00"],
  ["%(z)#g", "0.00000"],
  // CPython's prec + 1 wraps around in a C int: one significant digit.
  ["%(n).2147483647e", "3e+02"],
]);

renders("%c takes an int code point or a one-character str", [
  ["%(n)c", "ÿ"],
  ["%(c)c", "é"],
  ["%(astral)c", "😀"],
  ["%(process_num)3c|", "  \u0005|"],
]);

renders("%s %r %a render str values with Python's str, repr and ascii, counting code points", [
  ["%(c)r", "'é'"],
  ["%(c)a", "'\\xe9'"],
  ["%(astral)a", "'\\U0001f600'"],
  ["%(q)r", `"it's"`],
  ["%(s).1s", "a"],
  ["%(s)5s", "   ab"],
  ["%(s)-5s|", "ab   |"],
  ["%(s)05s", "   ab"],
  ["%(astral)3s", "  😀"],
]);

renders("a key may contain balanced parentheses", [["%((a))s", "paren"]]);

renders("a conversion without a key formats the whole dict", [
  ["%s", "{'here': '/x', 'n': 3}"],
  ["%r", "{'here': '/x', 'n': 3}"],
  ["%s %(n)s", "{'here': '/x', 'n': 3} 3"],
], env);

renders("a conversion without a key formats the whole dict with ascii()", [["%a", "{'c': '\\xe9'}"]], new Map([["c", "é"]]));

renders("a conversion without a key formats an empty dict", [["%s", "{}"]], new Map());

test("pyDictRepr quotes keys and str values with repr and writes ints plain", () => {
  assert.equal(pyDictRepr(new Map<string, FormatValue>([["q", "it's"], ["n", -3]])), `{'q': "it's", 'n': -3}`);
});

fails("the dict is a single argument: a second unkeyed conversion has nothing left", [
  ["%(n)s %s", "not enough arguments for format string"],
  ["%s %s", "not enough arguments for format string"],
  ["%s %q", "not enough arguments for format string"],
]);

fails("numeric conversions reject the dict with Python's texts", [
  ["%d", "%d format: a real number is required, not dict"],
  ["%x", "%x format: an integer is required, not dict"],
  ["%e", "must be real number, not dict"],
  ["%c", "%c requires int or char"],
]);

fails("numeric conversions reject str values with Python's texts", [
  ["%(s)d", "%d format: a real number is required, not str"],
  ["%(s)i", "%i format: a real number is required, not str"],
  ["%(s)u", "%u format: a real number is required, not str"],
  ["%(s)x", "%x format: an integer is required, not str"],
  ["%(s)X", "%X format: an integer is required, not str"],
  ["%(s)o", "%o format: an integer is required, not str"],
  ["%(s)e", "must be real number, not str"],
  ["%(s)f", "must be real number, not str"],
  ["%(s)g", "must be real number, not str"],
  ["%(s)c", "%c requires int or char"],
  ["%(empty)c", "%c requires int or char"],
  ["%(big)c", "%c arg not in range(0x110000)"],
  ["%(neg)c", "%c arg not in range(0x110000)"],
], values);

fails("'100% done' is a '% d' conversion of the dict, '50%' is incomplete", [
  ["100% done", "%d format: a real number is required, not dict"],
  ["50%", "incomplete format"],
  ["%(here)", "incomplete format"],
  ["%(here)-5", "incomplete format"],
  ["%(n)*", "incomplete format"],
]);

fails("an unclosed key is an incomplete format key", [
  ["%(", "incomplete format key"],
  ["%(here", "incomplete format key"],
  ["%((here)s", "incomplete format key"],
  ["%(here)s %(", "incomplete format key"],
]);

fails("an unknown conversion names the character, its code point and its code-point index", [
  ["abc%q", "unsupported format character 'q' (0x71) at index 4"],
  ["%(n)q", "unsupported format character 'q' (0x71) at index 4"],
  ["%é", "unsupported format character '?' (0xe9) at index 1"],
  ["😀%😀", "unsupported format character '?' (0x1f600) at index 2"],
  ["%\u001f", "unsupported format character '\u001f' (0x1f) at index 1"],
  ["%\u0001", "unsupported format character '?' (0x1) at index 1"],
  ["%5%", "unsupported format character '%' (0x25) at index 2"],
  ["%lld", "unsupported format character 'l' (0x6c) at index 2"],
  ["%(n)hLd", "unsupported format character 'L' (0x4c) at index 5"],
]);

misses("a missing key raises FormatKeyError at its position, before later problems", [
  ["%(missing)s", "missing"],
  ["%(missing)", "missing"],
  ["%(missing)s %q", "missing"],
  ["%(missing)s %(", "missing"],
]);

fails("an earlier problem beats a later missing key", [["%q %(missing)s", "unsupported format character 'q' (0x71) at index 1"]]);

test("FormatKeyError's message is str(KeyError): the key's repr", () => {
  assert.throws(() => percentFormat("%(foo)s", env), { name: "FormatKeyError", message: "'foo'", key: "foo" });
});

test("a number that is not an integer is a caller's bug, not a format error", () => {
  assert.throws(() => percentFormat("%(x)d", new Map([["x", 1.5]])), TypeError);
});

fails("* takes the argument: the dict is no int, and an int leaves none for the conversion", [
  ["%*d", "* wants int"],
  ["%(n)*d", "not enough arguments for format string"],
  ["%(n).*d", "not enough arguments for format string"],
]);

fails("* wants an int value that fits a C ssize_t", [
  ["%(s)*d", "* wants int"],
  ["%(big)*d", "Python int too large to convert to C ssize_t"],
], values);

fails("oversized widths and precisions fail as Python does", [
  ["%(n)99999999999999999999d", "width too big"],
  ["%(n).2147483648d", "precision too big"],
  ["%(n).2147483645d", "precision too large"],
  // Python's MemoryError, whose str() is empty.
  ["%(n)9223372036854775807d", ""],
]);
