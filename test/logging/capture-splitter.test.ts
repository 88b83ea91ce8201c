import assert from "node:assert/strict";
import { test } from "node:test";
import { CaptureSplitter } from "../../src/logging/capture-splitter";

// The expectations were taken from supervisord 4.2.5's POutputDispatcher fed the same reads.
const BEGIN = "<!--XSUPERVISOR:BEGIN-->";
const END = "<!--XSUPERVISOR:END-->";

type Seen = Array<[kind: string, data: string]>;

function feedAll(splitter: CaptureSplitter, chunks: readonly string[]): Seen[] {
  return chunks.map((chunk) => splitter.feed(Buffer.from(chunk, "latin1")).map((o): [string, string] => [o.kind, o.data.toString("latin1")]));
}

test("without capture mode every read is logged whole, tokens included", () => {
  const splitter = new CaptureSplitter({ captureMaxbytes: 0, stripAnsi: false });
  assert.deepEqual(feedAll(splitter, [`a${BEGIN}b${END}c`, ""]), [[["log", `a${BEGIN}b${END}c`]], []]);
});

test("text before BEGIN is logged, captured text is reported, END emits the capture", () => {
  const splitter = new CaptureSplitter({ captureMaxbytes: 100, stripAnsi: false });
  assert.deepEqual(feedAll(splitter, [`hello ${BEGIN}abc${END}after\n`]), [
    [["log", "hello "], ["captured", "abc"], ["comm", "abc"]],
  ]);
  // What follows END is no longer than a token: it waits, and is lost if the process exits now.
  assert.equal(splitter.pending.toString(), "after\n");
  assert.equal(splitter.capturing, false);
});

test("tokens split across reads are still found", () => {
  const splitter = new CaptureSplitter({ captureMaxbytes: 100, stripAnsi: false });
  assert.deepEqual(feedAll(splitter, ["line one\n<!--XSUPER", "VISOR:BEGIN-->payload", "<!--XSUPERVISOR:E", "ND-->tail of output\n"]), [
    [],
    [["log", "line one\n"]],
    [["captured", "payload"]],
    [["comm", "payload"]],
  ]);
  assert.equal(splitter.pending.toString(), "tail of output\n");
});

test("output no longer than the token waits for more, even without a token in sight", () => {
  const splitter = new CaptureSplitter({ captureMaxbytes: 100, stripAnsi: false });
  assert.deepEqual(feedAll(splitter, ["short"]), [[]]);
  assert.equal(splitter.pending.toString(), "short");
});

test("a possible start of a token is held back, the rest logged", () => {
  const splitter = new CaptureSplitter({ captureMaxbytes: 100, stripAnsi: false });
  assert.deepEqual(feedAll(splitter, ["0123456789012345678901234<!--XSUP", "5"]), [[["log", "0123456789012345678901234"]], []]);
  assert.equal(splitter.pending.toString(), "<!--XSUP5");
});

test("a complete END token alone waits for one more byte before the capture is emitted", () => {
  const splitter = new CaptureSplitter({ captureMaxbytes: 30, stripAnsi: false });
  const seen = feedAll(splitter, [`${BEGIN}${"A".repeat(25)}`, "B".repeat(26), "C".repeat(23), END, "\n"]);
  assert.deepEqual(seen, [
    [["captured", "A".repeat(25)]],
    [["captured", "B".repeat(26)]],
    [["captured", "C".repeat(23)]],
    [],
    // The bound drops as many bytes from the front as the new chunk is long: 26 of A, then 23 of B.
    [["comm", `BBB${"C".repeat(23)}`]],
  ]);
  assert.equal(splitter.pending.toString(), "\n");
  assert.equal(splitter.capturing, false);
});

test("the capture buffer may exceed capture_maxbytes when a chunk is longer than the bound", () => {
  const splitter = new CaptureSplitter({ captureMaxbytes: 10, stripAnsi: false });
  const seen = feedAll(splitter, [`${BEGIN}${"D".repeat(25)}`, "E".repeat(23), `${END}!`]);
  assert.deepEqual(seen, [[["captured", "D".repeat(25)]], [["captured", "E".repeat(23)]], [["comm", `DD${"E".repeat(23)}`]]]);
  assert.equal(splitter.pending.toString(), "!");
});

test("an empty capture still emits a comm event; a new BEGIN re-enters capture mode", () => {
  const splitter = new CaptureSplitter({ captureMaxbytes: 100, stripAnsi: false });
  assert.deepEqual(feedAll(splitter, [`${BEGIN}${END}${BEGIN}x`]), [[["comm", ""]]]);
  assert.equal(splitter.capturing, true);
  assert.equal(splitter.pending.toString(), "x");
});

test("with strip_ansi, pieces are stripped after splitting, and a piece of escapes only still comes out empty", () => {
  const splitter = new CaptureSplitter({ captureMaxbytes: 100, stripAnsi: true });
  const seen = feedAll(splitter, [`\x1b[31m\x1b[0m${BEGIN}\x1b[1mbold\x1b[0m${END}\x1b[K${"x".repeat(26)}`]);
  assert.deepEqual(seen, [[["log", ""], ["captured", "bold"], ["comm", "bold"], ["log", "x".repeat(26)]]]);
});
