import assert from "node:assert/strict";
import { test } from "node:test";
import type { SupervisorEvent } from "../../src/events/event-bus";
import { EventBuffer } from "../../src/events/event-buffer";
import { EventSerials, SerialCounter } from "../../src/events/event-serials";

function recorder(): { lines: string[]; log: { debug(m: string): void; error(m: string): void } } {
  const lines: string[] = [];
  return { lines, log: { debug: (m) => lines.push(`DEBG ${m}`), error: (m) => lines.push(`ERRO ${m}`) } };
}

const remote = (data: string): SupervisorEvent => ({ type: "REMOTE_COMMUNICATION", commType: "t", data });

test("serials count from 0 and an event keeps the one it got first", () => {
  const serials = new EventSerials();
  const a = remote("a");
  assert.equal(serials.stamp(a).serial, 0);
  assert.equal(serials.stamp(remote("b")).serial, 1);
  assert.equal(serials.stamp(a).serial, 0);
  assert.equal(serials.stamp(a), serials.stamp(a));
  assert.equal(serials.stamp(a).payload(), "type:t\na");
  const counter = new SerialCounter();
  assert.deepEqual([counter.next(), counter.next(), counter.next()], [0, 1, 2]);
});

test("a full buffer drops its oldest event and says so at ERRO", () => {
  const serials = new EventSerials();
  const { lines, log } = recorder();
  const buffer = new EventBuffer("lis", 2, log);
  for (const data of ["a", "b", "c"]) buffer.accept(serials.stamp(remote(data)));
  assert.deepEqual(buffer.serials(), [1, 2]);
  assert.deepEqual(lines, ["ERRO pool lis event buffer overflowed, discarding event 0"]);
});

test("a re-buffered event goes at the head, keeps its poolserial, and evicts the next in line when full", () => {
  const serials = new EventSerials();
  const { lines, log } = recorder();
  const buffer = new EventBuffer("lis", 2, log);
  const first = serials.stamp(remote("a"));
  buffer.accept(first);
  buffer.accept(serials.stamp(remote("b")));
  assert.equal(buffer.shift(), first);
  buffer.accept(serials.stamp(remote("c")));
  buffer.accept(first, true);
  assert.deepEqual(buffer.serials(), [0, 2]);
  assert.equal(first.poolSerials.get("lis"), 0);
  assert.deepEqual(lines, [
    "DEBG rebuffering event 0 for pool lis (buf size=2, max=2)",
    "ERRO pool lis event buffer overflowed, discarding event 1",
  ]);
});

test("two subscriptions matching one event buffer it twice with one serial and one poolserial", () => {
  const serials = new EventSerials();
  const { lines, log } = recorder();
  const buffer = new EventBuffer("l", 10, log);
  const added: SupervisorEvent = { type: "PROCESS_GROUP_ADDED", groupName: "l" };
  buffer.accept(serials.stamp(added));
  buffer.accept(serials.stamp(added));
  assert.deepEqual(buffer.serials(), [0, 0]);
  assert.deepEqual(lines, ["DEBG rebuffering event 0 for pool l (buf size=1, max=10)"]);
});

test("each pool numbers the events it accepts on its own", () => {
  const serials = new EventSerials();
  const { log } = recorder();
  const one = new EventBuffer("one", 10, log);
  const two = new EventBuffer("two", 10, log);
  const a = serials.stamp(remote("a"));
  const b = serials.stamp(remote("b"));
  one.accept(a);
  one.accept(b);
  two.accept(b);
  assert.deepEqual([a.poolSerials.get("one"), b.poolSerials.get("one"), b.poolSerials.get("two")], [0, 1, 0]);
});
