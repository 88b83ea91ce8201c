/** Listener pools (issue 6, events.md §4, §6): rejection, a listener dying busy, overflow, serials across a reload. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { logLines, program, startDaemon } from "../helpers/daemon";
import { nodeListener, pythonListener, receivedEvents } from "../helpers/event-listeners";
import { rpc } from "../helpers/rpc";
import { waitFor } from "../helpers/wait-for";

async function waitForCount(file: string, count: number): Promise<void> {
  await waitFor(() => receivedEvents(file).length >= count, { what: `${count} events in ${file}` });
}

test("a listener that rejects an event gets the same event again, with the same serials", async (t) => {
  const daemon = await startDaemon(
    t,
    `
[eventlistener:js]
command=${nodeListener("%(here)s/js.jsonl", "reject-first")}
events=REMOTE_COMMUNICATION
startsecs=0
`,
  );
  const s = join(daemon.dir, "supervisor.sock");
  await rpc(s, "supervisor.sendRemoteCommEvent", "t", "once");
  const file = join(daemon.dir, "js.jsonl");
  await waitForCount(file, 2);
  const [first, second] = receivedEvents(file);
  assert.equal(first?.line, "ver:3.0 server:supervisor serial:0 pool:js poolserial:0 eventname:REMOTE_COMMUNICATION len:11\n");
  assert.deepEqual(second, first);
  await daemon.waitForLog(/DEBG js: event was processed/);
  const lines = logLines(daemon.log());
  const from = lines.indexOf("WARN js: event was rejected");
  assert.ok(from > 0, lines.join("\n"));
  assert.deepEqual(lines.slice(from, from + 3), ["WARN js: event was rejected", "DEBG js: BUSY -> ACKNOWLEDGED", "DEBG rebuffering event 0 for pool js (buf size=0, max=10)"]);
});

test("a listener that dies busy has its event delivered again once it is back", async (t) => {
  const daemon = await startDaemon(
    t,
    `
[eventlistener:js]
command=${nodeListener("%(here)s/js.jsonl", "die-first")}
events=REMOTE_COMMUNICATION
startsecs=0
autorestart=true
`,
  );
  const s = join(daemon.dir, "supervisor.sock");
  await rpc(s, "supervisor.sendRemoteCommEvent", "t", "again");
  const file = join(daemon.dir, "js.jsonl");
  await waitForCount(file, 2);
  const [first, second] = receivedEvents(file);
  assert.equal(first?.line, "ver:3.0 server:supervisor serial:0 pool:js poolserial:0 eventname:REMOTE_COMMUNICATION len:12\n");
  assert.deepEqual(second, first);
  assert.equal((daemon.log().match(/spawned: 'js'/g) ?? []).length, 2);
});

test("a rejected event goes back to every pool whose listeners share the rejecting one's priority (supervisord's quirk)", async (t) => {
  const daemon = await startDaemon(
    t,
    `
[eventlistener:a]
command=${nodeListener("%(here)s/a.jsonl", "reject-first")}
events=REMOTE_COMMUNICATION
startsecs=0

[eventlistener:b]
command=${pythonListener("%(here)s/b.jsonl")}
events=PROCESS_GROUP_REMOVED
startsecs=0
`,
  );
  const s = join(daemon.dir, "supervisor.sock");
  await rpc(s, "supervisor.sendRemoteCommEvent", "t", "x");
  await waitForCount(join(daemon.dir, "a.jsonl"), 2);
  await waitForCount(join(daemon.dir, "b.jsonl"), 1);
  const [event] = receivedEvents(join(daemon.dir, "b.jsonl"));
  assert.equal(event?.line, "ver:3.0 server:supervisor serial:0 pool:b poolserial:0 eventname:REMOTE_COMMUNICATION len:8\n");
});

test("a full buffer drops its oldest event and logs it as supervisord does", async (t) => {
  const daemon = await startDaemon(
    t,
    `
[eventlistener:stuck]
command=${program("forever")}
events=REMOTE_COMMUNICATION
buffer_size=2
`,
  );
  const s = join(daemon.dir, "supervisor.sock");
  for (const data of ["a", "b", "c", "d"]) await rpc(s, "supervisor.sendRemoteCommEvent", "t", data);
  await daemon.waitForLog(/discarding event 1/);
  const overflows = logLines(daemon.log()).filter((line) => line.includes("overflowed"));
  assert.deepEqual(overflows, ["ERRO pool stuck event buffer overflowed, discarding event 0", "ERRO pool stuck event buffer overflowed, discarding event 1"]);
});

test("serials go on across a reload while poolserials start over; a lone pool misses its STOPPING", async (t) => {
  const daemon = await startDaemon(
    t,
    `
[eventlistener:lis]
command=${pythonListener("%(here)s/lis.jsonl")}
events=PROCESS_GROUP_ADDED,SUPERVISOR_STATE_CHANGE
startsecs=0
`,
  );
  const file = join(daemon.dir, "lis.jsonl");
  await waitForCount(file, 2);
  daemon.signal("SIGHUP");
  await waitForCount(file, 4);
  const got = receivedEvents(file).map((e) => `${e.header["serial"]}/${e.header["poolserial"]} ${e.header["eventname"]}`);
  assert.deepEqual(got, ["0/0 PROCESS_GROUP_ADDED", "1/1 SUPERVISOR_STATE_CHANGE_RUNNING", "3/0 PROCESS_GROUP_ADDED", "4/1 SUPERVISOR_STATE_CHANGE_RUNNING"]);
});

test("SUPERVISOR_STATE_CHANGE_STOPPING reaches a pool stopped after another group, even one already stopped", async (t) => {
  const daemon = await startDaemon(
    t,
    `
[eventlistener:lis]
command=${pythonListener("%(here)s/lis.jsonl")}
events=SUPERVISOR_STATE_CHANGE
startsecs=0

[program:other]
command=${program("exit-with", "0")}
startsecs=0
autorestart=false
`,
  );
  const file = join(daemon.dir, "lis.jsonl");
  await waitForCount(file, 1);
  // supervisord gives each group of the stop queue a turn of its loop, stopped or not, and
  // dispatches in that turn: the listener is still RUNNING when the STOPPING event goes out.
  await daemon.waitForLog(/exited: other/);
  assert.equal(await daemon.stop(), 0);
  assert.deepEqual(
    receivedEvents(file).map((e) => e.header["eventname"]),
    ["SUPERVISOR_STATE_CHANGE_RUNNING", "SUPERVISOR_STATE_CHANGE_STOPPING"],
  );
});
