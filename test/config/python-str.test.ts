import { test } from "node:test";
import assert from "node:assert/strict";
import {
  compareCodePoints, isPySpace, isUnassignedInPython, pyRepr, pyReprList, pyRstrip, pySplitWhitespace, pyStrip,
} from "../../src/config/python-str";

// Every expectation below was checked against Debian's Python 3.11 (repr, str.strip, str.split,
// sorted, str.isspace).

test("pyRepr picks single quotes, or double quotes for a text with ' and no \"", () => {
  assert.equal(pyRepr(""), "''");
  assert.equal(pyRepr("it's"), `"it's"`);
  assert.equal(pyRepr('say "hi"'), `'say "hi"'`);
  assert.equal(pyRepr(`both ' and "`), `'both \\' and "'`);
  assert.equal(pyRepr("'"), `"'"`);
  assert.equal(pyRepr('"'), `'"'`);
});

test("pyRepr escapes backslashes and control characters", () => {
  assert.equal(pyRepr("back\\slash"), "'back\\\\slash'");
  assert.equal(pyRepr("\t\n\r\x00\x1f\x7f\x80\x9f\xa0\xad\xff"), "'\\t\\n\\r\\x00\\x1f\\x7f\\x80\\x9f\\xa0\\xadÿ'");
  assert.equal(pyRepr("\x1b[31m"), "'\\x1b[31m'");
});

test("pyRepr keeps printable non-ASCII and escapes separators, format, private-use and unassigned characters", () => {
  assert.equal(pyRepr("é中\u2028\u2029\u200b\ufeff\ue000"), "'é中\\u2028\\u2029\\u200b\\ufeff\\ue000'");
  assert.equal(pyRepr("\u00a0 \u3000"), "'\\xa0 \\u3000'");
  assert.equal(pyRepr("ÿĀ"), "'ÿĀ'");
  assert.equal(pyRepr("\u0300"), "'\u0300'");
  assert.equal(pyRepr("\u0378"), "'\\u0378'");
});

test("pyRepr handles astral characters as one code point each", () => {
  assert.equal(pyRepr("\u{1f600}\u{e0001}\u{10ffff}\u{1d7ce}\u{f0000}"), "'\u{1f600}\\U000e0001\\U0010ffff\u{1d7ce}\\U000f0000'");
});

test("pyRepr escapes what Unicode assigned after 14.0, Python 3.11's version, whatever Node's ICU knows", () => {
  assert.equal(pyRepr("\u{1f6dc}"), "'\\U0001f6dc'");
  assert.equal(pyRepr("\u088f"), "'\\u088f'");
});

test("isUnassignedInPython covers the Unicode 15.0-17.0 additions only", () => {
  for (const cp of [0x88f, 0x1acf, 0x1add, 0x1f6dc, 0x11f50, 0x31350, 0x33479]) assert.equal(isUnassignedInPython(cp), true, cp.toString(16));
  for (const cp of [0x41, 0x88e, 0x1ace, 0x1ade, 0x1f600, 0x3134f, 0x3347a, 0x10ffff]) assert.equal(isUnassignedInPython(cp), false, cp.toString(16));
});

test("pyReprList is str() of a list of str", () => {
  assert.equal(pyReprList(["a", "b'c", "\n"]), `['a', "b'c", '\\n']`);
  assert.equal(pyReprList([]), "[]");
});

test("isPySpace is str.isspace(): the ASCII separators \\x1c-\\x1f count, ZWSP and BOM do not", () => {
  for (const ch of ["\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1f", " ", "\x85", "\xa0", "\u1680", "\u2000", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000"]) {
    assert.equal(isPySpace(ch), true, JSON.stringify(ch));
  }
  for (const ch of ["", "a", "\x00", "\x7f", "\u180e", "\u200b", "\ufeff", "\u{1f600}"]) assert.equal(isPySpace(ch), false, JSON.stringify(ch));
});

test("pyStrip and pyRstrip strip Python's whitespace only", () => {
  assert.equal(pyStrip(" \t a b \u3000\x1c"), "a b");
  assert.equal(pyStrip("\u200b a \ufeff"), "\u200b a \ufeff");
  assert.equal(pyStrip("   "), "");
  assert.equal(pyRstrip("x\x85 "), "x");
  assert.equal(pyRstrip("  x  "), "  x");
});

test("pySplitWhitespace is str.split() with no argument", () => {
  assert.deepEqual(pySplitWhitespace(" a  b\tc\u3000d\x1ce "), ["a", "b", "c", "d", "e"]);
  assert.deepEqual(pySplitWhitespace(""), []);
  assert.deepEqual(pySplitWhitespace("   "), []);
});

test("compareCodePoints sorts as Python does: astral characters after all of the BMP", () => {
  const items = ["a", "\uffff", "\u{1f600}", "b", "ab", "a\u{1f600}", "a\uffff", "", "\u{10000}", "\ue000"];
  assert.deepEqual([...items].sort(compareCodePoints), ["", "a", "ab", "a\uffff", "a\u{1f600}", "b", "\ue000", "\uffff", "\u{10000}", "\u{1f600}"]);
  // JS's own order puts the surrogate pair below U+E000.
  assert.ok("\u{1f600}" < "\ue000");
  assert.ok(compareCodePoints("\u{1f600}", "\ue000") > 0);
  assert.ok(compareCodePoints("\ue000", "\u{1f600}") < 0);
  assert.equal(compareCodePoints("x\u{1f600}", "x\u{1f600}"), 0);
  assert.ok(compareCodePoints("a", "ab") < 0);
  assert.ok(compareCodePoints("ab", "a") > 0);
});
