/** Events reaching event listeners (issue 6, events.md §2-§5): what each event says, and when. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { program, startDaemon } from "../helpers/daemon";
import {
  listenerEnvironment,
  listenerSection,
  nodeListener,
  pythonListener,
  receivedEvents,
  startWithListener,
  waitForEvents,
  type ReceivedEvent,
} from "../helpers/event-listeners";
import { rpc } from "../helpers/rpc";
import { waitFor } from "../helpers/wait-for";

const about = (name: string) => (event: ReceivedEvent): boolean => event.payload.startsWith(`processname:${name} `);
const named = (eventname: string) => (event: ReceivedEvent): boolean => event.header["eventname"] === eventname;
const described = (event: ReceivedEvent): string => `${event.header["eventname"]} ${event.payload}`;

test("a Python and a Node listener both see a crashing program's PROCESS_STATE changes in order", async (t) => {
  const daemon = await startDaemon(
    t,
    listenerSection("py", pythonListener("%(here)s/py.jsonl"), "PROCESS_STATE") +
      listenerSection("js", nodeListener("%(here)s/js.jsonl"), "PROCESS_STATE") +
      `
[program:crash]
command=${program("exit-with", "3")}
startsecs=1
startretries=1
priority=10

[program:once]
command=${program("exit-with", "0")}
startsecs=0
autorestart=false
priority=20
`,
  );
  const [, once] = await daemon.waitForLog(/spawned: 'once' with pid (\d+)/);
  for (const file of ["py.jsonl", "js.jsonl"].map((name) => join(daemon.dir, name))) {
    assert.deepEqual((await waitForEvents(file, 5, about("crash"))).map(described), [
      "PROCESS_STATE_STARTING processname:crash groupname:crash from_state:STOPPED tries:0",
      "PROCESS_STATE_BACKOFF processname:crash groupname:crash from_state:STARTING tries:1",
      "PROCESS_STATE_STARTING processname:crash groupname:crash from_state:BACKOFF tries:1",
      "PROCESS_STATE_BACKOFF processname:crash groupname:crash from_state:STARTING tries:2",
      "PROCESS_STATE_FATAL processname:crash groupname:crash from_state:BACKOFF",
    ]);
    assert.deepEqual((await waitForEvents(file, 3, about("once"))).map(described), [
      "PROCESS_STATE_STARTING processname:once groupname:once from_state:STOPPED tries:0",
      `PROCESS_STATE_RUNNING processname:once groupname:once from_state:STARTING pid:${once}`,
      `PROCESS_STATE_EXITED processname:once groupname:once from_state:RUNNING expected:1 pid:${once}`,
    ]);
    // Serials are daemon-wide and rise; each pool numbers its own from 0 without gaps.
    const all = receivedEvents(file);
    assert.deepEqual(all.map((e) => Number(e.header["poolserial"])), all.map((_, i) => i), file);
    const serials = all.map((e) => Number(e.header["serial"]));
    assert.deepEqual(serials, [...serials].sort((a, b) => a - b), file);
  }
  // Both pools accepted each event: one serial for both.
  const serialsOf = (name: string): string[] => receivedEvents(join(daemon.dir, name)).filter(about("crash")).map((e) => e.header["serial"] ?? "");
  assert.deepEqual(serialsOf("py.jsonl"), serialsOf("js.jsonl"));
  assert.deepEqual(listenerEnvironment(join(daemon.dir, "py.jsonl")), {
    SUPERVISOR_ENABLED: "1",
    SUPERVISOR_SERVER_URL: `unix://${join(daemon.dir, "supervisor.sock")}`,
    SUPERVISOR_PROCESS_NAME: "py",
    SUPERVISOR_GROUP_NAME: "py",
  });
});

test("a pool hears of its own group and later ones, then RUNNING, then the first start; removal is PROCESS_GROUP_REMOVED", async (t) => {
  const { file, sock } = await startWithListener(t, "PROCESS_GROUP,SUPERVISOR_STATE_CHANGE,PROCESS_STATE_STARTING", {
    rest: `priority=500

[program:early]
command=${program("forever")}
priority=1
startsecs=0

[program:late]
command=${program("forever")}
priority=999
autostart=false
`,
  });
  const events = await waitForEvents(file, 5);
  assert.deepEqual(
    events.slice(0, 5).map((e) => e.line),
    [
      "ver:3.0 server:supervisor serial:0 pool:lis poolserial:0 eventname:PROCESS_GROUP_ADDED len:14\n",
      "ver:3.0 server:supervisor serial:1 pool:lis poolserial:1 eventname:PROCESS_GROUP_ADDED len:15\n",
      "ver:3.0 server:supervisor serial:2 pool:lis poolserial:2 eventname:SUPERVISOR_STATE_CHANGE_RUNNING len:0\n",
      "ver:3.0 server:supervisor serial:3 pool:lis poolserial:3 eventname:PROCESS_STATE_STARTING len:60\n",
      "ver:3.0 server:supervisor serial:4 pool:lis poolserial:4 eventname:PROCESS_STATE_STARTING len:56\n",
    ],
  );
  assert.deepEqual(events.slice(0, 4).map((e) => e.payload), ["groupname:lis\n", "groupname:late\n", "", "processname:early groupname:early from_state:STOPPED tries:0"]);
  assert.deepEqual(await rpc(sock, "supervisor.removeProcessGroup", "late"), { value: true });
  const [removed] = await waitForEvents(file, 1, named("PROCESS_GROUP_REMOVED"));
  assert.equal(removed?.payload, "groupname:late\n");
  assert.equal(removed?.header["len"], "15");
});

test("output events: PROCESS_LOG_STDOUT with stdout_events_enabled, PROCESS_COMMUNICATION_STDOUT from capture mode", async (t) => {
  const { daemon, file, sock } = await startWithListener(t, "PROCESS_LOG,PROCESS_COMMUNICATION", {
    node: "ok",
    rest: `
[program:talk]
command=${program("exit-with", "0", "<!--XSUPERVISOR:BEGIN-->hello-comm<!--XSUPERVISOR:END-->")}
stdout_capture_maxbytes=1KB
startsecs=0
autorestart=false
autostart=false

[program:chatty]
command=${program("exit-with", "0", "plain")}
stdout_events_enabled=true
startsecs=0
autorestart=false
autostart=false
`,
  });
  await waitFor(async () => {
    const info = await rpc(sock, "supervisor.getProcessInfo", "lis");
    return "value" in info && (info.value as { statename: string }).statename === "RUNNING";
  });
  await rpc(sock, "supervisor.startProcess", "talk");
  const [, talk] = await daemon.waitForLog(/spawned: 'talk' with pid (\d+)/);
  const [comm] = await waitForEvents(file, 1, named("PROCESS_COMMUNICATION_STDOUT"));
  assert.equal(comm?.payload, `processname:talk groupname:talk pid:${talk}\nhello-comm`);
  await rpc(sock, "supervisor.startProcess", "chatty");
  const [, chatty] = await daemon.waitForLog(/spawned: 'chatty' with pid (\d+)/);
  const [log] = await waitForEvents(file, 1, named("PROCESS_LOG_STDOUT"));
  assert.equal(log?.payload, `processname:chatty groupname:chatty pid:${chatty} channel:stdout\nplain\n`);
  // talk's output had no events enabled: the only PROCESS_LOG is chatty's.
  assert.equal(receivedEvents(file).filter((e) => e.header["eventname"]?.startsWith("PROCESS_LOG")).length, 1);
  assert.match(daemon.log(), /DEBG 'talk' stdout emitted a comm event/);
});

test("REMOTE_COMMUNICATION carries sendRemoteCommEvent's type and data, len in characters", async (t) => {
  const { file, sock } = await startWithListener(t, "REMOTE_COMMUNICATION");
  assert.deepEqual(await rpc(sock, "supervisor.sendRemoteCommEvent", "mytype", "my data é"), { value: true });
  const [event] = await waitForEvents(file, 1);
  assert.equal(event?.line, "ver:3.0 server:supervisor serial:0 pool:lis poolserial:0 eventname:REMOTE_COMMUNICATION len:21\n");
  assert.equal(event?.payload, "type:mytype\nmy data é");
});

test("TICK_5 arrives with when: a multiple of 5", async (t) => {
  const { file } = await startWithListener(t, "TICK_5");
  const [tick] = await waitForEvents(file, 1);
  assert.equal(tick?.header["eventname"], "TICK_5");
  const when = Number(/^when:(\d+)$/.exec(tick?.payload ?? "")?.[1]);
  assert.equal(when % 5, 0, tick?.payload);
  assert.ok(when <= Date.now() / 1000 && when > Date.now() / 1000 - 15, tick?.payload);
  assert.equal(tick?.header["serial"], "0", "events nobody subscribes to (TICK_60, the groups, the states) consume no serial");
});
