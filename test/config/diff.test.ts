import assert from "node:assert/strict";
import { test } from "node:test";
import { diffGroups, groupsEqual, processesEqual } from "../../src/config/diff";
import type { GroupConfig, ProcessConfig } from "../../src/config/model";
import { processConfig as proc } from "../helpers/process-config";


function group(name: string, processes: ProcessConfig[], priority = 999): GroupConfig {
  return { type: "process", name, priority, processes };
}

test("a reread reports added, changed and removed groups by name, in supervisord's order", () => {
  const current = [group("web", [proc("web")]), group("cache", [proc("cache")]), group("old", [proc("old")])];
  const next = [group("new", [proc("new")]), group("web", [proc("web", { startsecs: 5 })]), group("cache", [proc("cache")])];
  const diff = diffGroups(current, next);
  assert.deepEqual(diff.added.map((g) => g.name), ["new"]);
  assert.deepEqual(diff.changed.map((g) => g.name), ["web"]);
  assert.deepEqual(diff.removed.map((g) => g.name), ["old"]);
});

test("an AUTO log file equals any path, a path does not equal another path", () => {
  assert.ok(processesEqual(proc("a", { stdout_logfile: "/var/log/a.log" }), proc("a")));
  assert.ok(!processesEqual(proc("a", { stdout_logfile: "/var/log/a.log" }), proc("a", { stdout_logfile: "/var/log/b.log" })));
  assert.ok(!processesEqual(proc("a", { stderr_logfile: null }), proc("a", { stderr_logfile: "/x" })));
});

test("environment, exit codes and the group's own settings are compared by value", () => {
  assert.ok(processesEqual(proc("a", { environment: { A: "1", B: "2" } }), proc("a", { environment: { B: "2", A: "1" } })));
  assert.ok(!processesEqual(proc("a", { environment: { A: "1" } }), proc("a", { environment: { A: "2" } })));
  assert.ok(!processesEqual(proc("a", { exitcodes: [0, 2] }), proc("a", { exitcodes: [2, 0] })));
  assert.ok(!groupsEqual(group("g", [proc("a")], 1), group("g", [proc("a")], 2)));
  assert.ok(!groupsEqual(group("g", [proc("a")]), group("g", [proc("a"), proc("b")])));
});

test("a pool's subscriptions compare as a set; a change of kind is a change", () => {
  const pool = (events: string[], buffer_size = 10): GroupConfig => ({
    type: "eventlistener", name: "l", priority: -1, processes: [proc("l")], buffer_size, events,
    result_handler: "supervisor.dispatchers:default_handler",
  });
  assert.ok(groupsEqual(pool(["TICK_5", "PROCESS_STATE"]), pool(["PROCESS_STATE", "TICK_5"])));
  assert.ok(!groupsEqual(pool(["TICK_5"]), pool(["TICK_60"])));
  assert.ok(!groupsEqual(pool(["TICK_5"], 10), pool(["TICK_5"], 20)));
  assert.ok(!groupsEqual(group("l", [proc("l")], -1), pool(["TICK_5"])));
  const fcgi = (url: string): GroupConfig => ({
    type: "fcgi", name: "f", priority: 999, processes: [proc("f")],
    socket: { family: "inet", url, host: "127.0.0.1", port: 9000, backlog: null },
  });
  assert.ok(groupsEqual(fcgi("tcp://127.0.0.1:9000"), fcgi("tcp://127.0.0.1:9000")));
  assert.ok(!groupsEqual(fcgi("tcp://127.0.0.1:9000"), fcgi("tcp://127.0.0.1:9001")));
  assert.ok(!groupsEqual(group("f", [proc("f")]), fcgi("tcp://127.0.0.1:9000")));
});
