/** Listener pools (issue 6, events.md §4, §6): rejection, a listener dying busy, overflow, serials across a reload. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { logLines, program, startDaemon } from "../helpers/daemon";
import { listenerSection, nodeListener, pythonListener, receivedEvents, startWithListener, waitForEvents } from "../helpers/event-listeners";
import { rpc } from "../helpers/rpc";
import { waitFor } from "../helpers/wait-for";

for (const [mode, why] of [
  ["reject-first", "rejects an event gets it again"],
  ["die-first", "dies busy gets its event again once it is back"],
] as const) {
  test(`a listener that ${why}, with the same serials`, async (t) => {
    const { daemon, file, sock } = await startWithListener(t, "REMOTE_COMMUNICATION", { node: mode });
    await rpc(sock, "supervisor.sendRemoteCommEvent", "t", "once");
    const [first, second] = await waitForEvents(file, 2);
    assert.equal(first?.line, "ver:3.0 server:supervisor serial:0 pool:lis poolserial:0 eventname:REMOTE_COMMUNICATION len:11\n");
    assert.deepEqual(second, first);
    await daemon.waitForLog(/DEBG lis: event was processed/);
    const lines = logLines(daemon.log());
    if (mode === "die-first") {
      assert.equal(lines.filter((line) => line.startsWith("INFO spawned: 'lis'")).length, 2);
      assert.ok(lines.includes("DEBG rebuffering event 0 for pool lis (buf size=0, max=10)"), lines.join("\n"));
      return;
    }
    const from = lines.indexOf("WARN lis: event was rejected");
    assert.deepEqual(lines.slice(from, from + 3), ["WARN lis: event was rejected", "DEBG lis: BUSY -> ACKNOWLEDGED", "DEBG rebuffering event 0 for pool lis (buf size=0, max=10)"]);
  });
}

test("a rejected event goes back to every pool whose listeners share the rejecting one's priority (supervisord's quirk)", async (t) => {
  const daemon = await startDaemon(
    t,
    listenerSection("a", nodeListener("%(here)s/a.jsonl", "reject-first"), "REMOTE_COMMUNICATION") +
      listenerSection("b", pythonListener("%(here)s/b.jsonl"), "PROCESS_GROUP_REMOVED"),
  );
  await rpc(join(daemon.dir, "supervisor.sock"), "supervisor.sendRemoteCommEvent", "t", "x");
  await waitForEvents(join(daemon.dir, "a.jsonl"), 2);
  const [event] = await waitForEvents(join(daemon.dir, "b.jsonl"), 1);
  assert.equal(event?.line, "ver:3.0 server:supervisor serial:0 pool:b poolserial:0 eventname:REMOTE_COMMUNICATION len:8\n");
});

test("a full buffer drops its oldest event and logs it as supervisord does", async (t) => {
  const daemon = await startDaemon(t, listenerSection("stuck", program("forever"), "REMOTE_COMMUNICATION", "buffer_size=2"));
  for (const data of ["a", "b", "c", "d"]) await rpc(join(daemon.dir, "supervisor.sock"), "supervisor.sendRemoteCommEvent", "t", data);
  await daemon.waitForLog(/discarding event 1/);
  const overflows = logLines(daemon.log()).filter((line) => line.includes("overflowed"));
  assert.deepEqual(overflows, ["ERRO pool stuck event buffer overflowed, discarding event 0", "ERRO pool stuck event buffer overflowed, discarding event 1"]);
});

test("serials go on across a reload while poolserials start over; a lone pool misses its STOPPING", async (t) => {
  const { daemon, file } = await startWithListener(t, "PROCESS_GROUP_ADDED,SUPERVISOR_STATE_CHANGE");
  await waitForEvents(file, 2);
  daemon.signal("SIGHUP");
  const got = (await waitForEvents(file, 4)).map((e) => `${e.header["serial"]}/${e.header["poolserial"]} ${e.header["eventname"]}`);
  assert.deepEqual(got, ["0/0 PROCESS_GROUP_ADDED", "1/1 SUPERVISOR_STATE_CHANGE_RUNNING", "3/0 PROCESS_GROUP_ADDED", "4/1 SUPERVISOR_STATE_CHANGE_RUNNING"]);
});

test("SUPERVISOR_STATE_CHANGE_STOPPING reaches a pool stopped after another group, even one already stopped", async (t) => {
  const { daemon, file } = await startWithListener(t, "SUPERVISOR_STATE_CHANGE", {
    rest: `\n[program:other]\ncommand=${program("exit-with", "0")}\nstartsecs=0\nautorestart=false\n`,
  });
  await waitForEvents(file, 1);
  // supervisord gives each group of the stop queue a turn of its loop, stopped or not, and
  // dispatches in that turn: the listener is still RUNNING when the STOPPING event goes out,
  // provided it is READY again after the first event (as with supervisord, else it is missed).
  await daemon.waitForLog(/exited: other/);
  await daemon.waitForLog(/lis: ACKNOWLEDGED -> READY[\s\S]*lis: ACKNOWLEDGED -> READY/);
  assert.equal(await daemon.stop(), 0);
  // The event is written to the listener before it is told to stop. Whether the listener reads
  // it before the SIGTERM that follows is up to the kernel's scheduling (as with supervisord, which
  // signals it one turn of its loop later): what the listener recorded is not asserted beyond the
  // first event.
  const lines = logLines(daemon.log());
  const sent = lines.map((line, i) => (/^DEBG event \d+ sent to listener lis$/.test(line) ? i : -1)).filter((i) => i >= 0);
  const stopped = lines.findIndex((line) => / stopped: lis /.test(line));
  assert.equal(sent.length, 2, lines.join("\n"));
  assert.ok(stopped > (sent[1] ?? Infinity), lines.join("\n"));
  assert.equal(receivedEvents(file)[0]?.header["eventname"], "SUPERVISOR_STATE_CHANGE_RUNNING");
});

test("a pool of two listeners: the first READY one in process order gets every event, the other only when it is gone", async (t) => {
  const command = pythonListener("%(here)s/%(process_num)d.jsonl");
  const daemon = await startDaemon(t, listenerSection("pair", command, "REMOTE_COMMUNICATION", "numprocs=2\nprocess_name=%(program_name)s_%(process_num)d"));
  const sock = join(daemon.dir, "supervisor.sock");
  const [first, second] = [join(daemon.dir, "0.jsonl"), join(daemon.dir, "1.jsonl")];
  const readyTimes = (name: string): number => logLines(daemon.log()).filter((line) => line === `DEBG ${name}: ACKNOWLEDGED -> READY`).length;
  await waitFor(() => readyTimes("pair_0") === 1 && readyTimes("pair_1") === 1, { what: "both listeners READY" });
  // No round robin (events.md §4): each event goes to pair_0, READY again before the next comes.
  for (const [n, data] of ["a", "b", "c"].entries()) {
    await rpc(sock, "supervisor.sendRemoteCommEvent", "t", data);
    await waitFor(() => readyTimes("pair_0") === n + 2, { what: `pair_0 READY after event ${n}` });
  }
  assert.deepEqual(receivedEvents(first).map((e) => e.payload), ["type:t\na", "type:t\nb", "type:t\nc"]);
  await rpc(sock, "supervisor.stopProcess", "pair:pair_0");
  await rpc(sock, "supervisor.sendRemoteCommEvent", "t", "d");
  const [got] = await waitForEvents(second, 1);
  assert.equal(got?.line, "ver:3.0 server:supervisor serial:3 pool:pair poolserial:3 eventname:REMOTE_COMMUNICATION len:8\n");
  assert.equal(receivedEvents(first).length, 3);
});

test("what a dead listener left in its pipe is logged but never read as the next spawn's protocol", async (t) => {
  // The first spawn exits at once, leaving a background job on its stdout that writes READY only
  // once the second spawn (silent for good) is up.
  const here = "%(here)s";
  const script =
    `if [ -e ${here}/first ]; then : > ${here}/second; exec sleep 1000; fi; : > ${here}/first; ` +
    `(while [ ! -e ${here}/second ]; do sleep 0.05; done; printf "READY\\n") & exit 0`;
  const daemon = await startDaemon(t, listenerSection("lis", `/bin/sh -c '${script}'`, "REMOTE_COMMUNICATION", "autorestart=true"));
  await daemon.waitForLog(/DEBG 'lis' stdout output:\nb'READY\\n'[\s\S]*stopped monitoring <PEventListenerDispatcher/);
  const lines = logLines(daemon.log());
  assert.equal(lines.filter((line) => line.startsWith("INFO spawned: 'lis'")).length, 2, lines.join("\n"));
  assert.ok(!lines.some((line) => line.includes("-> READY")), lines.join("\n"));
});
