import assert from "node:assert/strict";
import { test } from "node:test";
import { stopTimeText, timedeltaText } from "../../src/rpc/process-info";

test("uptimes read like Python's timedelta", () => {
  assert.equal(timedeltaText(0), "0:00:00");
  assert.equal(timedeltaText(7), "0:00:07");
  assert.equal(timedeltaText(3600 * 25 + 3 * 60 + 4 - 3600), "1 day, 0:03:04");
  assert.equal(timedeltaText(2 * 86400 + 1), "2 days, 0:00:01");
  assert.equal(timedeltaText(10 * 3600 + 59), "10:00:59");
});

test("stop times read like strftime('%b %d %I:%M %p') in local time", () => {
  const noon = new Date(2026, 10, 1, 12, 5).getTime() / 1000;
  assert.equal(stopTimeText(noon), "Nov 01 12:05 PM");
  const night = new Date(2026, 0, 21, 0, 9).getTime() / 1000;
  assert.equal(stopTimeText(night), "Jan 21 12:09 AM");
  const morning = new Date(2026, 11, 3, 9, 30).getTime() / 1000;
  assert.equal(stopTimeText(morning), "Dec 03 09:30 AM");
});
