import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { test } from "node:test";
import { Deadlines } from "../../src/process/deadlines";

test("deadlines fire in the order of their times, equal ones in the order they were set, each once", async () => {
  const deadlines = new Deadlines();
  const fired: string[] = [];
  const base = performance.now() + 30;
  const done = new Promise<void>((resolve) => {
    // Set out of order, with fractions of a millisecond between them (different timer durations).
    deadlines.schedule({ n: "c" }, base + 0.9, () => fired.push("c"));
    deadlines.schedule({ n: "a" }, base + 0.1, () => fired.push("a"));
    deadlines.schedule({ n: "b1" }, base + 0.5, () => fired.push("b1"));
    deadlines.schedule({ n: "b2" }, base + 0.5, () => fired.push("b2"));
    deadlines.schedule({ n: "last" }, base + 20, () => resolve());
  });
  const moved = { n: "moved" };
  deadlines.schedule(moved, base + 0.2, () => fired.push("moved early"));
  deadlines.schedule(moved, base + 5, () => fired.push("moved"));
  const cancelled = { n: "x" };
  deadlines.schedule(cancelled, base, () => fired.push("cancelled"));
  deadlines.cancel(cancelled);
  await done;
  assert.deepEqual(fired, ["a", "b1", "b2", "c", "moved"]);
  assert.ok(performance.now() > base + 20, "nothing fires before its time");
});
