import assert from "node:assert/strict";
import { test } from "node:test";
import type { ProcessStateChange, SupervisorEvent } from "../../src/events/event-bus";
import { codePointLength, envelope } from "../../src/events/envelope";
import { eventName, isA, wantsTicks } from "../../src/events/event-types";
import { eventPayload } from "../../src/events/payload";

function stateChange(change: Partial<ProcessStateChange> & Pick<ProcessStateChange, "from" | "to">): ProcessStateChange {
  return { type: "PROCESS_STATE", processName: "web", groupName: "site", expected: true, tries: 0, pid: 0, ...change };
}

test("PROCESS_STATE payloads carry the values of events.md §2 for each state", () => {
  const cases: ReadonlyArray<[ProcessStateChange, string, string]> = [
    [stateChange({ from: "STOPPED", to: "STARTING" }), "PROCESS_STATE_STARTING", "processname:web groupname:site from_state:STOPPED tries:0"],
    [stateChange({ from: "STARTING", to: "BACKOFF", tries: 1 }), "PROCESS_STATE_BACKOFF", "processname:web groupname:site from_state:STARTING tries:1"],
    [stateChange({ from: "STARTING", to: "RUNNING", pid: 42 }), "PROCESS_STATE_RUNNING", "processname:web groupname:site from_state:STARTING pid:42"],
    [stateChange({ from: "RUNNING", to: "STOPPING", pid: 42 }), "PROCESS_STATE_STOPPING", "processname:web groupname:site from_state:RUNNING pid:42"],
    [stateChange({ from: "BACKOFF", to: "STOPPED" }), "PROCESS_STATE_STOPPED", "processname:web groupname:site from_state:BACKOFF pid:0"],
    [stateChange({ from: "RUNNING", to: "EXITED", expected: false, pid: 14994 }), "PROCESS_STATE_EXITED", "processname:web groupname:site from_state:RUNNING expected:0 pid:14994"],
    [stateChange({ from: "RUNNING", to: "EXITED", pid: 7 }), "PROCESS_STATE_EXITED", "processname:web groupname:site from_state:RUNNING expected:1 pid:7"],
    [stateChange({ from: "BACKOFF", to: "FATAL", pid: 0 }), "PROCESS_STATE_FATAL", "processname:web groupname:site from_state:BACKOFF"],
    [stateChange({ from: "STOPPING", to: "UNKNOWN", pid: 9 }), "PROCESS_STATE_UNKNOWN", "processname:web groupname:site from_state:STOPPING"],
  ];
  for (const [event, name, payload] of cases) {
    assert.equal(eventName(event), name);
    assert.equal(eventPayload(event), payload);
  }
});

test("output payloads decode UTF-8, and show other bytes as Undecodable with their repr", () => {
  const log: SupervisorEvent = { type: "PROCESS_LOG", channel: "stdout", processName: "emit", groupName: "emit", pid: 14219, data: Buffer.from("plain line\nbefore") };
  assert.equal(eventName(log), "PROCESS_LOG_STDOUT");
  assert.equal(eventPayload(log), "processname:emit groupname:emit pid:14219 channel:stdout\nplain line\nbefore");
  const bad: SupervisorEvent = { ...log, channel: "stderr", data: Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]) };
  assert.equal(eventName(bad), "PROCESS_LOG_STDERR");
  assert.equal(eventPayload(bad), "processname:emit groupname:emit pid:14219 channel:stderr\nUndecodable: b'caf\\xe9\\n'");
  const comm: SupervisorEvent = { type: "PROCESS_COMMUNICATION", channel: "stdout", processName: "emit", groupName: "g", pid: 3, data: Buffer.from("captured data") };
  assert.equal(eventName(comm), "PROCESS_COMMUNICATION_STDOUT");
  assert.equal(eventPayload(comm), "processname:emit groupname:g pid:3\ncaptured data");
  assert.equal(eventName({ ...comm, channel: "stderr" }), "PROCESS_COMMUNICATION_STDERR");
});

test("the other payloads: remote communication, state changes of the daemon, ticks, groups", () => {
  assert.equal(eventPayload({ type: "REMOTE_COMMUNICATION", commType: "mytype", data: "my data é" }), "type:mytype\nmy data é");
  assert.equal(eventPayload({ type: "SUPERVISOR_STATE_CHANGE_RUNNING" }), "");
  assert.equal(eventPayload({ type: "SUPERVISOR_STATE_CHANGE_STOPPING" }), "");
  assert.equal(eventPayload({ type: "TICK_5", when: 1795226510 }), "when:1795226510");
  assert.equal(eventName({ type: "TICK_3600", when: 0 }), "TICK_3600");
  assert.equal(eventPayload({ type: "PROCESS_GROUP_ADDED", groupName: "x" }), "groupname:x\n");
  assert.equal(eventPayload({ type: "PROCESS_GROUP_REMOVED", groupName: "x" }), "groupname:x\n");
});

test("a subscription to a type receives its descendants, and only those", () => {
  assert.ok(isA("PROCESS_STATE_EXITED", "PROCESS_STATE_EXITED"));
  assert.ok(isA("PROCESS_STATE_EXITED", "PROCESS_STATE"));
  assert.ok(isA("PROCESS_STATE_EXITED", "EVENT"));
  assert.ok(isA("TICK_60", "TICK"));
  assert.ok(!isA("PROCESS_STATE_EXITED", "PROCESS_LOG"));
  assert.ok(!isA("PROCESS_GROUP_ADDED", "PROCESS_GROUP_REMOVED"));
  assert.ok(!isA("PROCESS_STATE", "PROCESS_STATE_EXITED"));
  assert.ok(wantsTicks(["PROCESS_STATE", "TICK_3600"]));
  assert.ok(wantsTicks(["EVENT"]));
  assert.ok(!wantsTicks(["PROCESS_STATE", "PROCESS_GROUP"]));
});

test("the envelope is supervisord's header line, then the payload, with len in code points", () => {
  const fields = { server: "supervisor", serial: 12, pool: "lis", poolserial: 12, eventname: "TICK_5", payload: "when:1795226510" };
  assert.equal(envelope(fields).toString("utf8"), "ver:3.0 server:supervisor serial:12 pool:lis poolserial:12 eventname:TICK_5 len:15\nwhen:1795226510");
  const remote = envelope({ ...fields, eventname: "REMOTE_COMMUNICATION", payload: "type:mytype\nmy data é" });
  assert.match(remote.toString("utf8"), / len:21\ntype:mytype\nmy data é$/);
  assert.equal(remote.length - remote.indexOf(0x0a) - 1, 22, "the payload goes out UTF-8 encoded");
  assert.equal(codePointLength("a😀b"), 3);
  assert.equal(codePointLength(""), 0);
});
