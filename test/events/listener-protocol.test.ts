import assert from "node:assert/strict";
import { test } from "node:test";
import { ListenerProtocol } from "../../src/events/listener-protocol";

const UNKNOWN_WARNING =
  "WARN lis: has entered the UNKNOWN state and will no longer receive events, this usually indicates the process violated the eventlistener protocol";

function listener(): { protocol: ListenerProtocol<string>; lines: string[]; rejected: string[] } {
  const lines: string[] = [];
  const rejected: string[] = [];
  const protocol = new ListenerProtocol<string>("lis", { debug: (m) => lines.push(`DEBG ${m}`), warn: (m) => lines.push(`WARN ${m}`) }, (event) => rejected.push(event));
  return { protocol, lines, rejected };
}

function feedBytes(protocol: ListenerProtocol<string>, text: string): void {
  for (const byte of Buffer.from(text, "latin1")) protocol.feed(Buffer.from([byte]));
}

test("READY, an event, OK and READY again, fed one byte at a time", () => {
  const { protocol, lines, rejected } = listener();
  feedBytes(protocol, "READY");
  assert.equal(protocol.state, "ACKNOWLEDGED", "READY needs its newline");
  feedBytes(protocol, "\n");
  assert.equal(protocol.state, "READY");
  protocol.sent("event 0");
  feedBytes(protocol, "RESULT 2\nO");
  assert.equal(protocol.state, "BUSY");
  feedBytes(protocol, "KREADY\n");
  assert.equal(protocol.state, "READY");
  assert.equal(protocol.event, undefined);
  assert.deepEqual(rejected, []);
  assert.deepEqual(lines, ["DEBG lis: ACKNOWLEDGED -> READY", "DEBG lis: event was processed", "DEBG lis: BUSY -> ACKNOWLEDGED", "DEBG lis: ACKNOWLEDGED -> READY"]);
});

test("RESULT 2\\nOKREADY\\n in one chunk answers and asks for the next event", () => {
  const { protocol, lines } = listener();
  protocol.feed(Buffer.from("READY\n"));
  protocol.sent("e");
  protocol.feed(Buffer.from("RESULT 2\nOKREADY\n"));
  assert.equal(protocol.state, "READY");
  assert.deepEqual(lines.slice(1), ["DEBG lis: event was processed", "DEBG lis: BUSY -> ACKNOWLEDGED", "DEBG lis: ACKNOWLEDGED -> READY"]);
});

test("a body other than OK rejects the event; the listener may still ask for more", () => {
  for (const body of ["FAIL", "OK\n", "ok"]) {
    const { protocol, lines, rejected } = listener();
    protocol.feed(Buffer.from("READY\n"));
    protocol.sent("e1");
    protocol.feed(Buffer.from(`RESULT ${body.length}\n${body}READY\n`));
    assert.deepEqual(rejected, ["e1"], body);
    assert.equal(protocol.state, "READY");
    assert.deepEqual(lines.slice(1, 3), ["WARN lis: event was rejected", "DEBG lis: BUSY -> ACKNOWLEDGED"]);
  }
});

test("the result line is read without checking its word: 7 characters, then a Python int", () => {
  const { protocol, rejected } = listener();
  protocol.feed(Buffer.from("READY\n"));
  protocol.sent("e");
  protocol.feed(Buffer.from("XXXXXXX 2 \nOK"));
  assert.equal(protocol.state, "ACKNOWLEDGED");
  assert.deepEqual(rejected, []);
});

test("a bad result line: WARN with the line, UNKNOWN, the event rejected, and nothing read after", () => {
  const { protocol, lines, rejected } = listener();
  protocol.feed(Buffer.from("READY\n"));
  protocol.sent("e");
  protocol.feed(Buffer.from("GARBAGE\nREADY\n"));
  assert.equal(protocol.state, "UNKNOWN");
  assert.deepEqual(rejected, ["e"]);
  assert.deepEqual(lines.slice(1), ["WARN lis: bad result line: 'GARBAGE'", "DEBG lis: BUSY -> UNKNOWN", UNKNOWN_WARNING]);
  protocol.feed(Buffer.from("READY\n"));
  assert.equal(protocol.state, "UNKNOWN");
  assert.equal(lines.length, 4);
});

test("an undecodable bad result line is shown as its bytes repr", () => {
  const { protocol, lines } = listener();
  protocol.feed(Buffer.from("READY\n"));
  protocol.sent("e");
  protocol.feed(Buffer.from("RESULT \xff\n", "latin1"));
  assert.equal(lines[1], "WARN lis: bad result line: 'Undecodable: b'RESULT \\xff''");
});

test("garbage instead of READY, or anything while READY, is UNKNOWN", () => {
  const first = listener();
  first.protocol.feed(Buffer.from("HELLO!"));
  assert.equal(first.protocol.state, "UNKNOWN");
  assert.deepEqual(first.lines, ["DEBG lis: ACKNOWLEDGED -> UNKNOWN", UNKNOWN_WARNING]);
  const second = listener();
  second.protocol.feed(Buffer.from("READY\nREADY\n"));
  assert.equal(second.protocol.state, "UNKNOWN");
  assert.deepEqual(second.lines, ["DEBG lis: ACKNOWLEDGED -> READY", "DEBG lis: READY -> UNKNOWN", UNKNOWN_WARNING]);
});

test("RESULT 0 is only handled when the next byte arrives, as in supervisord", () => {
  const { protocol, rejected } = listener();
  protocol.feed(Buffer.from("READY\n"));
  protocol.sent("e");
  protocol.feed(Buffer.from("RESULT 0\n"));
  assert.equal(protocol.state, "BUSY");
  protocol.feed(Buffer.from("READY\n"));
  assert.deepEqual(rejected, ["e"]);
  assert.equal(protocol.state, "READY");
});

test("a negative length never completes, and never hangs", () => {
  const { protocol, rejected } = listener();
  protocol.feed(Buffer.from("READY\n"));
  protocol.sent("e");
  protocol.feed(Buffer.from("RESULT -1\nOKREADY\n"));
  protocol.feed(Buffer.from("more"));
  assert.equal(protocol.state, "BUSY");
  assert.deepEqual(rejected, []);
});

test("a listener that ends while busy rejects its event; a new spawn starts ACKNOWLEDGED", () => {
  const { protocol, rejected, lines } = listener();
  protocol.feed(Buffer.from("READY\n"));
  protocol.sent("e");
  protocol.feed(Buffer.from("RESULT 2\n"));
  protocol.processEnded();
  assert.deepEqual(rejected, ["e"]);
  protocol.processEnded();
  assert.deepEqual(rejected, ["e"], "an event is rejected once");
  protocol.reset();
  assert.equal(protocol.state, "ACKNOWLEDGED");
  protocol.feed(Buffer.from("OK"));
  assert.equal(protocol.state, "ACKNOWLEDGED", "what the old spawn left pending is forgotten");
  protocol.feed(Buffer.from("READY\n"));
  assert.equal(protocol.state, "UNKNOWN");
  assert.equal(lines.length, 3);
});
