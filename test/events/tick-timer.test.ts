import assert from "node:assert/strict";
import { test } from "node:test";
import type { Tick } from "../../src/events/event-bus";
import { TickTimer, timeslice } from "../../src/events/tick-timer";
import { waitFor } from "../helpers/wait-for";

test("timeslice is the start of the period the time falls in", () => {
  assert.equal(timeslice(5, 1795226514.999), 1795226510);
  assert.equal(timeslice(5, 1795226515), 1795226515);
  assert.equal(timeslice(60, 1795226515.5), 1795226460);
  assert.equal(timeslice(3600, 1795226515), 1795226400);
});

/** A TickTimer on a wall clock the test moves: each look reads the next of `times`. */
function timerOn(times: number[]): { ticks: Tick[]; timer: TickTimer; looks: () => number } {
  const ticks: Tick[] = [];
  let looks = 0;
  const timer = new TickTimer(
    (tick) => ticks.push(tick),
    () => times[Math.min(looks++, times.length - 1)] ?? 0,
  );
  return { ticks, timer, looks: () => looks };
}

test("the first look is a baseline; a late look ticks once per period, never a burst", async (t) => {
  // Start just before a minute boundary; the next look comes 22 s late.
  const { ticks, timer, looks } = timerOn([1795226459.99, 1795226482, 1795226482.5]);
  t.after(() => timer.stop());
  timer.want(true);
  timer.start();
  await waitFor(() => looks() >= 2);
  assert.deepEqual(ticks, [
    { type: "TICK_5", when: 1795226480 },
    { type: "TICK_60", when: 1795226460 },
  ]);
});

test("no tick, and no timer, while nobody subscribes", async (t) => {
  const { ticks, timer, looks } = timerOn([1795226454.999, 1795226455]);
  t.after(() => timer.stop());
  timer.start();
  assert.equal(looks(), 0, "not even a baseline is taken for nobody");
  timer.want(true);
  await waitFor(() => ticks.length === 1);
  assert.deepEqual(ticks, [{ type: "TICK_5", when: 1795226455 }]);
  timer.want(false);
});
