import { test } from "node:test";
import assert from "node:assert/strict";
import { intErrorText, parsePyBigInt, parsePyInt } from "../../src/config/python-int";

// Every expectation below was checked against int(text, base) on Debian's Python 3.11.

test("parsePyInt base 10: signs, leading zeros, underscores between digits, Unicode digits", () => {
  const cases: ReadonlyArray<readonly [string, number]> = [
    ["0", 0], ["-0", 0], ["+0", 0], ["00", 0], ["007", 7], ["1_2_3", 123], ["１２", 12], ["\u0e51\u0e52", 12],
    ["\u{1d7d8}\u{1d7e2}", 0], ["١٢", 12], ["-3", -3], ["+5", 5],
  ];
  for (const [text, value] of cases) assert.equal(parsePyInt(text, 10), value, JSON.stringify(text));
  assert.ok(Object.is(parsePyInt("-0", 10), 0));
});

test("parsePyInt strips C whitespace and Unicode whitespace, but not \\x1c-\\x1f nor a BOM", () => {
  const ok: ReadonlyArray<readonly [string, number]> = [
    [" 42 ", 42], ["\t7\n", 7], ["\r\n1\r\n", 1], ["12\x0b", 12], ["\x0c12", 12], ["12\u3000", 12], ["\x8512\x85", 12],
    ["\u00a012\u00a0", 12], ["\u202812", 12],
  ];
  for (const [text, value] of ok) assert.equal(parsePyInt(text, 10), value, JSON.stringify(text));
  for (const text of ["12\x1c", "\x1d12", "\x1f1", "\ufeff12", "12\ufeff", "1\u200b", "1\x0b2", "1 2", "\x7f1"]) {
    assert.equal(parsePyInt(text, 10), undefined, JSON.stringify(text));
  }
});

test("parsePyInt base 10 refuses what int() refuses", () => {
  for (const text of ["", " ", "-", "+", "_", "_1", "1_", "1__0", "1.0", "1e3", "0x10", "0b1", "++1", "- 1", "-\u30001", "²", "٠x", "abc"]) {
    assert.equal(parsePyInt(text, 10), undefined, JSON.stringify(text));
  }
});

test("parsePyInt refuses digits Unicode added after 14.0, the version Python 3.11 knows", () => {
  assert.equal(parsePyInt("\u{11f50}", 10), undefined); // Kawi digit zero, Unicode 15.0
  assert.equal(parsePyInt("\u{1e4f1}", 10), undefined); // Nag Mundari digit one, Unicode 15.0
});

test("parsePyInt base 8: optional 0o prefix (one underscore may follow it), octal digits only", () => {
  const ok: ReadonlyArray<readonly [string, number]> = [
    ["0o7", 7], ["0O7", 7], [" 0o7 ", 7], ["0o_7", 7], ["-0o17", -15], ["+0o17", 15], ["017", 15], ["7_7", 63], ["٧٧", 63],
  ];
  for (const [text, value] of ok) assert.equal(parsePyInt(text, 8), value, JSON.stringify(text));
  for (const text of ["0o", "0o__7", "0_o7", "0o8", "8", "0x7", "_7", "0o7_", "-", "0o-7", "0b1", "0o7\x1c"]) {
    assert.equal(parsePyInt(text, 8), undefined, JSON.stringify(text));
  }
});

test("parsePyBigInt keeps every digit of numbers past 2**53; parsePyInt rounds them", () => {
  assert.equal(parsePyBigInt("9007199254740993", 10), 9007199254740993n);
  assert.equal(parsePyBigInt("-9007199254740993", 10), -9007199254740993n);
  assert.equal(parsePyBigInt("123456789012345678901234567890", 10), 123456789012345678901234567890n);
  assert.equal(parsePyBigInt(" 1_000 ", 10), 1000n);
  assert.equal(parsePyBigInt("-0o17", 8), -15n);
  assert.equal(parsePyBigInt("-0", 10), 0n);
  assert.equal(parsePyBigInt("1.0", 10), undefined);
  assert.equal(parsePyInt("9007199254740993", 10), 9007199254740992);
});

test("intErrorText is int()'s ValueError text with the value's repr", () => {
  assert.equal(intErrorText("abc"), "invalid literal for int() with base 10: 'abc'");
  assert.equal(intErrorText(""), "invalid literal for int() with base 10: ''");
  assert.equal(intErrorText("it's"), `invalid literal for int() with base 10: "it's"`);
  assert.equal(intErrorText("a\tb"), "invalid literal for int() with base 10: 'a\\tb'");
  assert.equal(intErrorText("8", 8), "invalid literal for int() with base 8: '8'");
});

test("intErrorText cuts the repr at 200 code points, closing quote included in the count", () => {
  const prefix = "invalid literal for int() with base 10: ";
  assert.equal(intErrorText("a".repeat(198)), `${prefix}'${"a".repeat(198)}'`);
  assert.equal(intErrorText("a".repeat(199)), `${prefix}'${"a".repeat(199)}`);
  assert.equal(intErrorText("a".repeat(250)), `${prefix}'${"a".repeat(199)}`);
  assert.equal(intErrorText("é".repeat(300)), `${prefix}'${"é".repeat(199)}`);
  assert.equal(intErrorText("a".repeat(300), 8), `invalid literal for int() with base 8: '${"a".repeat(199)}`);
  // Escapes count by their characters: 49 whole \x00 and the first three of the 50th.
  assert.equal(intErrorText("\x00".repeat(100)), `${prefix}'${"\\x00".repeat(49)}\\x0`);
  // An astral character is one code point: 150 of them fit, quotes and all.
  assert.equal(intErrorText("\u{1f600}".repeat(150)), `${prefix}'${"\u{1f600}".repeat(150)}'`);
  assert.equal(intErrorText(`${"a".repeat(198)}${"\u{1f600}".repeat(3)}`), `${prefix}'${"a".repeat(198)}\u{1f600}`);
});
