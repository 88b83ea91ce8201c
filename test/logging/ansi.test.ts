import assert from "node:assert/strict";
import { test } from "node:test";
import { stripAnsi } from "../../src/logging/ansi";

// Expected values are what supervisord 4.2.5's stripEscapes returns for the same bytes.
const CASES: ReadonlyArray<[string, string]> = [
  ["\x1b[31mred\x1b[0m plain \x1b[1;32mgreen\x1b[K", "red plain green"],
  ["no escapes", "no escapes"],
  ["a\x1b[?25lb\x1b[?25hc", "abc"],
  ["\x1b[2Jtop\x1b[Hleft", "topleft"],
  ["\x1b[m", ""],
  ["", ""],
  // Anything between "ESC [" and the first terminator goes, even bytes no terminal would accept.
  ["a\x1b[zzzzHb", "ab"],
  // A second "ESC [" inside an escape is just more of the escape.
  ["\x1b[\x1b[1mZ", "Z"],
  // ESC not followed by "[" is kept.
  ["x\x1bqy\x1b", "x\x1bqy\x1b"],
];

test("strip_ansi removes each ESC [ ... terminator sequence as supervisord does", () => {
  for (const [input, expected] of CASES) {
    assert.equal(stripAnsi(Buffer.from(input, "latin1")).toString("latin1"), expected, JSON.stringify(input));
  }
});

test("an escape left open at the end of a chunk swallows the rest; the next chunk starts afresh", () => {
  assert.equal(stripAnsi(Buffer.from("ok\x1b[31")).toString(), "ok");
  assert.equal(stripAnsi(Buffer.from("m still here")).toString(), "m still here");
});

test("a chunk without escapes comes back as the same buffer", () => {
  const chunk = Buffer.from("plain\n");
  assert.equal(stripAnsi(chunk), chunk);
});
