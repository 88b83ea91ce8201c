import assert from "node:assert/strict";
import { test } from "node:test";
import { echoText, pyBytesRepr } from "../../src/logging/bytes-repr";

test("pyBytesRepr writes bytes as Python's repr() does", () => {
  const cases: ReadonlyArray<[string, string]> = [
    ["", "b''"],
    ["it's", `b"it's"`],
    ['say "hi"', `b'say "hi"'`],
    [`both ' and "`, `b'both \\' and "'`],
    ["\\", "b'\\\\'"],
    ["\x00\x07\x1f\x7f\x80\xff", "b'\\x00\\x07\\x1f\\x7f\\x80\\xff'"],
    ["\t\n\r", "b'\\t\\n\\r'"],
    ["caf\xc3\xa9", "b'caf\\xc3\\xa9'"],
  ];
  for (const [input, expected] of cases) assert.equal(pyBytesRepr(Buffer.from(input, "latin1")), expected);
});

test("the main-log echo shows UTF-8 output as text after the quoted name and channel", () => {
  assert.equal(echoText("web", "stdout", Buffer.from("hello\n")), "'web' stdout output:\nhello\n");
  assert.equal(echoText("it's", "stderr", Buffer.from("café\n")), `"it's" stderr output:\ncafé\n`);
  assert.equal(echoText("web", "stdout", Buffer.from("100%\n")), "'web' stdout output:\n100%\n");
});

test("the echo keeps a byte-order mark, as Python's utf-8 codec does", () => {
  assert.equal(echoText("web", "stdout", Buffer.from("\xef\xbb\xbfbom", "latin1")), "'web' stdout output:\n\ufeffbom");
});

test("output that is not valid UTF-8 is echoed whole as Undecodable with its bytes repr", () => {
  assert.equal(echoText("web", "stdout", Buffer.from("caf\xe9\n", "latin1")), "'web' stdout output:\nUndecodable: b'caf\\xe9\\n'");
  // An encoded surrogate and an overlong NUL are invalid for Python too.
  assert.equal(echoText("web", "stdout", Buffer.from([0xed, 0xa0, 0x80])), "'web' stdout output:\nUndecodable: b'\\xed\\xa0\\x80'");
  assert.equal(echoText("web", "stdout", Buffer.from([0xc0, 0x80])), "'web' stdout output:\nUndecodable: b'\\xc0\\x80'");
});

test("an event listener's stdout is always echoed as a bytes repr", () => {
  assert.equal(echoText("listener", "stdout", Buffer.from("READY\n"), true), "'listener' stdout output:\nb'READY\\n'");
});
