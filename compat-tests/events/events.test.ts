/**
 * Events and event listeners against supervisord 4.2.5's (issue #6, events.md). Each scenario runs
 * on the real supervisord and on ours at the same time, on the same config (each in its own temp
 * dir), with the same listener: clients/event_listener.py, Python's standard library only, which
 * appends every event it receives to NAME.jsonl and answers OK (or FAIL, garbage, or late, as a
 * scenario asks). The scenario is driven the same way on both: XML-RPC calls, each made once the
 * listeners have received what the one before caused (waits poll the listeners' files, never
 * sleep), then SIGTERM. Then, per scenario, compared line by line:
 * - each listener's events: header and payload as received, serials as their difference from the
 *   first (or their rank), pids as `<NAME#N>` after the Nth spawn, TICK times relative;
 * - the main log's records about each listener and pool (loglevel=debug: protocol states, sends,
 *   rebuffering, overflow, bad results, the listener's own lines), in order per listener;
 * - the answers of the calls, and the daemon's exit status.
 *
 * Self-check: COMPAT_OURS=real runs the real supervisord in place of ours too; the test must pass
 * then:  npm run build && COMPAT_OURS=real node --test dist/compat-tests/events/events.test.js
 * To look into a failure: COMPAT_KEEP=/some/dir keeps both transcripts of every scenario there.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test, type TestContext } from "node:test";
import { program, standardConfig } from "../../test/helpers/daemon";
import { REPO_ROOT } from "../../test/helpers/repo";
import { rpc } from "../../test/helpers/rpc";
import { tempDir } from "../../test/helpers/temp-dir";
import { waitFor } from "../../test/helpers/wait-for";
import type { XmlRpcValue } from "../../src/protocol/codec";
import { eventTranscript, readListenerRecords, type ListenerRecord } from "../harness/event-transcript";
import { startLogDaemon, type Implementation, type LogDaemon } from "../harness/log-daemon";
import { SYSTEM_PYTHON } from "../harness/real-supervisord";
import { keepTranscript, transcriptDiff } from "../harness/transcript";

const LISTENER = join(REPO_ROOT, "compat-tests/clients/event_listener.py");
const ECHO_CHANNELS = join(REPO_ROOT, "compat-tests/clients/echo_channels.py");

interface Session {
  dir: string;
  daemon: LogDaemon;
  scenario: Scenario;
  /** Call answers and failed waits, in order. */
  notes: string[];
  /** A listener's records so far, without those the scenario ignores. */
  records(listener: string): ListenerRecord[];
}

type Step = (session: Session) => Promise<void>;

/** A wait that failed: the rest would only repeat the difference. */
class Abort extends Error {}

interface Scenario {
  /** The config after the standard head (loglevel=debug). */
  body: string;
  /** The listener processes whose events and main-log lines are compared. */
  listeners: string[];
  steps: Step[];
  /** Records whose payload matches are left out (and waits do not count them). */
  ignore?: RegExp;
  /** See EventTranscriptInput.serials. */
  serials?: "offset" | "rank";
  /**
   * Compare only what happened before the SIGTERM (what reaches listeners during a shutdown
   * depends on supervisord's loop passes when several groups are to stop).
   */
  untilShutdown?: boolean;
  /** Compare only the first N events of these listeners, and none of their main-log lines (TICK: more may come). */
  firstOnly?: Record<string, number>;
}

/** An [eventlistener:NAME] section running clients/event_listener.py with these arguments, and these options. */
function listener(name: string, args: string, options: string): string {
  return `[eventlistener:${name}]\ncommand=${SYSTEM_PYTHON} ${LISTENER} %(here)s/${name}.jsonl ${args}\n${options}\n`;
}

function note(session: Session, entry: Record<string, unknown>): void {
  session.notes.push(JSON.stringify(entry).split(session.dir).join("<here>"));
}

/** Call a method and note its answer. */
function call(method: string, ...params: XmlRpcValue[]): Step {
  return async (session) => {
    note(session, { call: method, params, answer: await rpc(join(session.dir, "supervisor.sock"), method, ...params) });
  };
}

async function waitOr(session: Session, what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  try {
    await waitFor(condition, { timeoutMs, intervalMs: 25, what });
  } catch {
    note(session, { wait: what, failed: true });
    throw new Abort();
  }
}

/** Wait until a listener has received `count` events (those the scenario ignores left out). */
function received(name: string, count: number): Step {
  return (session) => waitOr(session, `${name} to receive ${count} event(s)`, () => session.records(name).length >= count);
}

async function statename(session: Session, name: string): Promise<unknown> {
  const answer = await rpc(join(session.dir, "supervisor.sock"), "supervisor.getProcessInfo", name);
  return "value" in answer ? (answer.value as { statename?: string }).statename : answer;
}

function state(name: string, wanted: string): Step {
  return (session) => waitOr(session, `${name} in ${wanted}`, async () => (await statename(session, name)) === wanted);
}

/** Note a process's state name. */
function noteState(name: string): Step {
  return async (session) => note(session, { process: name, statename: await statename(session, name) });
}

function logged(pattern: RegExp): Step {
  return (session) => waitOr(session, `the main log to match ${pattern}`, () => pattern.test(session.daemon.read()));
}

function touch(file: string): Step {
  return async (session) => writeFileSync(join(session.dir, file), "");
}

function appendConfig(text: string): Step {
  return async (session) => {
    const path = join(session.dir, "supervisord.conf");
    writeFileSync(path, readFileSync(path, "utf8") + text);
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Wait until the main log shows every listener's answer to every event it recorded (the record
 * is written before the answer), so that the transcripts do not depend on when SIGTERM comes.
 */
const answersLogged: Step = async (session) => {
  for (const name of session.scenario.listeners) {
    const count = readListenerRecords(join(session.dir, `${name}.jsonl`)).length;
    const busyEnded = new RegExp(`^\\S+ \\S+ DEBG ${escapeRegExp(name)}: BUSY -> `, "gm");
    await waitOr(session, `${count} answer(s) of ${name} in the main log`, () => (session.daemon.read().match(busyEnded)?.length ?? 0) >= count);
  }
};

/** Run a scenario on one daemon; returns its transcript sections. */
async function run(t: TestContext, which: Implementation, scenario: Scenario): Promise<Map<string, string[]>> {
  const dir = tempDir(t, which === "real" ? "evr-" : "evo-");
  writeFileSync(join(dir, "supervisord.conf"), standardConfig(scenario.body, { loglevel: "debug" }));
  const daemon = await startLogDaemon(t, which, dir);
  const ignore = scenario.ignore;
  const session: Session = {
    dir,
    daemon,
    scenario,
    notes: [],
    records: (name) => readListenerRecords(join(dir, `${name}.jsonl`)).filter((r) => ignore === undefined || !ignore.test(r.payload)),
  };
  try {
    for (const step of [...scenario.steps, answersLogged]) await step(session);
  } catch (err) {
    if (!(err instanceof Abort)) throw err;
    note(session, { aborted: "a wait failed" });
  }
  const atShutdown = new Map(scenario.listeners.map((name) => [name, readListenerRecords(join(dir, `${name}.jsonl`)).length]));
  daemon.signal("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const status = await Promise.race([daemon.exited, new Promise<string>((resolve) => (timer = setTimeout(resolve, 20_000, "still running")))]);
  clearTimeout(timer);
  note(session, { "daemon exit status": status });
  let mainLog = daemon.read();
  const sigterm = mainLog.search(/^\S+ \S+ WARN received SIGTERM indicating exit request$/m);
  if (scenario.untilShutdown === true && sigterm >= 0) mainLog = mainLog.slice(0, sigterm);
  const records = new Map(
    scenario.listeners.map((name) => {
      const all = readListenerRecords(join(dir, `${name}.jsonl`));
      const first = scenario.firstOnly?.[name];
      return [name, all.slice(0, first ?? (scenario.untilShutdown === true ? atShutdown.get(name) : undefined))];
    }),
  );
  const sections = eventTranscript({ records, mainLog, dir, daemonPid: daemon.pid, ...(ignore === undefined ? {} : { ignore }), ...(scenario.serials === undefined ? {} : { serials: scenario.serials }) });
  for (const name of Object.keys(scenario.firstOnly ?? {})) sections.delete(`main log about ${name}`);
  sections.set("calls and waits", session.notes);
  return sections;
}

/** Past this, a section's diff is cut: the first difference is what matters. */
const MAX_DIFF_LINES = 40;

async function compare(t: TestContext, scenario: Scenario): Promise<void> {
  const [real, ours] = await Promise.all([run(t, "real", scenario), run(t, "ours", scenario)]);
  const slug = t.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 40);
  const problems: string[] = [];
  const realSteps = real.get("calls and waits") ?? [];
  if (realSteps.some((line) => line.includes('"aborted"'))) {
    // Both daemons failing the same wait would compare equal: the scenario itself is wrong.
    problems.push(`the scenario does not run to its end on supervisord 4.2.5 itself:\n${realSteps.join("\n")}`);
  }
  for (const title of new Set([...real.keys(), ...ours.keys()])) {
    const realLines = real.get(title) ?? [];
    const ourLines = ours.get(title) ?? [];
    keepTranscript(`events.${slug}.${title}.real`, realLines);
    keepTranscript(`events.${slug}.${title}.ours`, ourLines);
    const difference = transcriptDiff(realLines, ourLines).split("\n");
    const shown = difference.slice(0, MAX_DIFF_LINES);
    if (difference.length > MAX_DIFF_LINES) shown.push(`  ... ${difference.length - MAX_DIFF_LINES} more lines (COMPAT_KEEP=/some/dir keeps both transcripts)`);
    if (difference.join("") !== "") problems.push(`${title}:\n${shown.join("\n")}`);
  }
  assert.ok(problems.length === 0, `scenario "${t.name}" differs from supervisord's (- supervisord, + ours):\n\n${problems.join("\n\n")}`);
}

/**
 * A shell command that runs until SIGTERM, then takes 0.3 s to exit: its STOPPING event reaches
 * a listener before its STOPPED is emitted (supervisord dispatches once per loop pass; a child
 * that died at once could have both in the buffer, or not, as timing goes).
 */
const SLOW_TO_STOP = `/bin/sh -c "trap 'kill $!; sleep 0.3; exit 0' TERM; sleep 600 & wait"`;

/** A shell command that exits with 2 after 0.3 s the first time, and runs (as sleep) from then on. */
const CRASH_ONCE = `/bin/sh -c "if [ -e %(here)s/crashed ]; then exec sleep 600; fi; touch %(here)s/crashed; sleep 0.3; exit 2"`;

/** A program whose output keeps supervisord's 1-second loop awake: its passes notice startsecs and backoff at once. */
const TICKER = `[program:ticker]
command=${program("tick", "100")}
priority=-10
startsecs=0
stdout_logfile=NONE
`;

const STARTUP: Scenario = {
  // A ticker keeps supervisord's 1-second loop awake (startsecs and backoff are noticed by its
  // passes); its own state changes are left out, they interleave with the rest by timing. lis
  // has startsecs=2: its RUNNING must come after auto's (startsecs=0) even when a loaded machine
  // delays supervisord's second pass.
  body: `${TICKER}
${listener("lis", "", "events=PROCESS_STATE,SUPERVISOR_STATE_CHANGE,PROCESS_GROUP\nbuffer_size=50\nstartsecs=2")}
[program:auto]
command=${SLOW_TO_STOP}
priority=1
startsecs=0

[program:crash]
command=${CRASH_ONCE}
priority=2
autostart=false
startsecs=0

[program:never]
command=/bin/sh -c "sleep 0.2; exit 3"
priority=3
autostart=false
startsecs=1
startretries=1
`,
  listeners: ["lis"],
  ignore: /^processname:ticker /,
  serials: "rank",
  untilShutdown: true,
  steps: [
    // GROUP_ADDED lis auto crash never, SUPERVISOR_STATE_CHANGE_RUNNING, STARTING lis auto, RUNNING auto lis
    received("lis", 9),
    call("supervisor.startProcess", "crash"),
    // STARTING RUNNING EXITED(expected:0) STARTING RUNNING
    received("lis", 14),
    call("supervisor.startProcess", "never", false),
    // STARTING BACKOFF STARTING BACKOFF FATAL
    received("lis", 19),
    call("supervisor.stopProcess", "auto"),
    received("lis", 21),
    call("supervisor.startProcess", "auto"),
    received("lis", 23),
  ],
};

const REJECTION: Scenario = {
  // events.md §6.1: the rejected event goes back to the head of every pool that has a process of
  // the rejecting one's priority (other, at the listeners' default -1 too; not third), whether
  // that pool subscribed to it or not. other holds on to its first copy until told, so that the
  // second rejection finds it busy whatever the timing.
  body: `${listener("lis", "--reject 2", "events=REMOTE_COMMUNICATION\nstartsecs=0")}
${listener("other", "--hold %(here)s/go", "events=PROCESS_GROUP_REMOVED\nstartsecs=0")}
${listener("third", "", "events=PROCESS_GROUP_REMOVED\nstartsecs=0\npriority=5")}
`,
  listeners: ["lis", "other", "third"],
  steps: [
    state("lis", "RUNNING"),
    state("other", "RUNNING"),
    state("third", "RUNNING"),
    call("supervisor.sendRemoteCommEvent", "test", "first"),
    // FAIL, FAIL, then OK: the same serial and poolserial three times
    received("lis", 3),
    logged(/ lis: event was processed$/m),
    touch("go"),
    received("other", 2),
    call("supervisor.sendRemoteCommEvent", "test", "second"),
    received("lis", 4),
  ],
};

const OVERFLOW: Scenario = {
  // events.md §4: buffer_size=2 and a listener that holds on to the first event until told.
  body: listener("slow", "--hold %(here)s/go", "events=REMOTE_COMMUNICATION\nbuffer_size=2\nstartsecs=0"),
  listeners: ["slow"],
  steps: [
    state("slow", "RUNNING"),
    call("supervisor.sendRemoteCommEvent", "n", "one"),
    received("slow", 1),
    call("supervisor.sendRemoteCommEvent", "n", "two"),
    call("supervisor.sendRemoteCommEvent", "n", "three"),
    call("supervisor.sendRemoteCommEvent", "n", "four"),
    call("supervisor.sendRemoteCommEvent", "n", "five"),
    logged(/discarding event 2$/m),
    touch("go"),
    received("slow", 3),
  ],
};

const REJECTED_INTO_FULL: Scenario = {
  // events.md §4, §6.1: the first event is held, then rejected, while two more fill buffer_size=2:
  // put back at the head of a full buffer, it pushes out the oldest waiting one (two), with the
  // same ERRO line as an overflow, and is delivered again before three.
  body: listener("slow", "--hold %(here)s/go --reject 1", "events=REMOTE_COMMUNICATION\nbuffer_size=2\nstartsecs=0"),
  listeners: ["slow"],
  steps: [
    state("slow", "RUNNING"),
    call("supervisor.sendRemoteCommEvent", "n", "one"),
    received("slow", 1),
    call("supervisor.sendRemoteCommEvent", "n", "two"),
    call("supervisor.sendRemoteCommEvent", "n", "three"),
    touch("go"),
    received("slow", 3),
    logged(/discarding event 1$/m),
  ],
};

const GARBAGE: Scenario = {
  // events.md §6: a bad result line puts the listener in UNKNOWN: it gets nothing from then on.
  body: listener("garb", "--garbage 1", "events=REMOTE_COMMUNICATION\nstartsecs=0"),
  listeners: ["garb"],
  steps: [
    state("garb", "RUNNING"),
    call("supervisor.sendRemoteCommEvent", "g", "one"),
    received("garb", 1),
    logged(/has entered the UNKNOWN state/),
    call("supervisor.sendRemoteCommEvent", "g", "two"),
    noteState("garb"),
  ],
};

/** Write a chunk to a channel of `emit` (clients/echo_channels.py) through its stdin. */
function emit(channel: "stdout" | "stderr", text: string, encoding?: string): Step {
  return call("supervisor.sendProcessStdin", "emit", `${JSON.stringify(encoding === undefined ? [channel, text] : [channel, text, encoding])}\n`);
}

const OUTPUT: Scenario = {
  // PROCESS_LOG_* for each chunk (*_events_enabled), PROCESS_COMMUNICATION_* for captured
  // messages (*_capture_maxbytes), REMOTE_COMMUNICATION; len counts code points (events.md §5).
  body: `[program:emit]
command=${SYSTEM_PYTHON} ${ECHO_CHANNELS}
startsecs=0
stdout_events_enabled=true
stderr_events_enabled=true
stdout_capture_maxbytes=1MB
stderr_capture_maxbytes=1MB

${listener("logs", "", "events=PROCESS_LOG,PROCESS_COMMUNICATION,REMOTE_COMMUNICATION\nstartsecs=0")}
`,
  listeners: ["logs"],
  steps: [
    state("emit", "RUNNING"),
    state("logs", "RUNNING"),
    // With capture on, supervisord holds output no longer than the BEGIN token (24 bytes)
    // until more comes (logging.md §3.7): the short chunk comes out with the next one.
    emit("stdout", "short\n"),
    emit("stdout", "a line long enough to be logged at once\n"),
    received("logs", 1),
    emit("stderr", "on stderr, long enough to be logged at once\n"),
    received("logs", 2),
    emit("stdout", "café ünïcode 😀, long enough to be logged\n"),
    received("logs", 3),
    emit("stdout", "undecodable \u00ff, long enough to be logged\n", "latin-1"),
    received("logs", 4),
    // before, captured data (PROCESS_LOG then PROCESS_COMMUNICATION), after
    emit("stdout", "before <!--XSUPERVISOR:BEGIN-->captured data<!--XSUPERVISOR:END--> and after, long enough to be logged\n"),
    received("logs", 8),
    emit("stderr", "<!--XSUPERVISOR:BEGIN-->on stderr é<!--XSUPERVISOR:END--> and a tail long enough to be logged\n"),
    received("logs", 11),
    emit("stdout", "the end of the output, long enough to be logged\n"),
    received("logs", 12),
    call("supervisor.sendRemoteCommEvent", "mytype", "my data é"),
    received("logs", 13),
    call("supervisor.sendRemoteCommEvent", "astral", "😀 and ü\nsecond line"),
    received("logs", 14),
  ],
};

const GROUPS: Scenario = {
  // PROCESS_GROUP_ADDED/REMOVED through reloadConfig, addProcessGroup and removeProcessGroup; a
  // pool added later gets its own GROUP_ADDED, and its poolserials start again when re-added.
  body: `[program:keep]
command=/bin/sleep 600
autostart=false

${listener("lis", "", "events=PROCESS_GROUP\nstartsecs=0")}
`,
  listeners: ["lis", "late"],
  steps: [
    received("lis", 2),
    appendConfig(`
[program:newbie]
command=/bin/sleep 600
autostart=false

${listener("late", "", "events=PROCESS_GROUP\nstartsecs=0")}`),
    call("supervisor.reloadConfig"),
    call("supervisor.addProcessGroup", "newbie"),
    received("lis", 3),
    call("supervisor.addProcessGroup", "late"),
    received("lis", 4),
    received("late", 1),
    call("supervisor.removeProcessGroup", "newbie"),
    received("lis", 5),
    received("late", 2),
    call("supervisor.stopProcessGroup", "late"),
    call("supervisor.removeProcessGroup", "late"),
    received("lis", 6),
    call("supervisor.addProcessGroup", "late"),
    received("lis", 7),
    received("late", 3),
  ],
};

const TICKS: Scenario = {
  // events.md §3: TICK_5 at each 5-second boundary the loop crosses, \`when\` that boundary.
  body: listener("ticks", "", "events=TICK_5\nstartsecs=0"),
  listeners: ["ticks"],
  firstOnly: { ticks: 2 },
  steps: [received("ticks", 2)],
};

const STOPPING_ALONE: Scenario = {
  // events.md §3: the pool is the first group to stop: its listener is signalled in the pass
  // that notifies SUPERVISOR_STATE_CHANGE_STOPPING, which never reaches it.
  body: listener("solo", "", "events=SUPERVISOR_STATE_CHANGE\nstartsecs=0"),
  listeners: ["solo"],
  steps: [received("solo", 1)],
};

const STOPPING_AFTER: Scenario = {
  // events.md §3: a group stopped before the pool: SUPERVISOR_STATE_CHANGE_STOPPING is delivered.
  // supervisord dispatches after its poll, and stops the pool in the pass after last has gone:
  // the ticker wakes the poll at once, and last takes 0.3 s to stop, time for the listener to
  // answer before it is stopped in turn.
  body: `${TICKER}
${listener("lis", "", "events=SUPERVISOR_STATE_CHANGE\nstartsecs=0")}
[program:last]
command=${SLOW_TO_STOP}
startsecs=0
priority=10
`,
  listeners: ["lis"],
  steps: [received("lis", 1), state("last", "RUNNING")],
};

describe("events and listeners against supervisord 4.2.5", { concurrency: 3 }, () => {
  test("start-up (GROUP_ADDED, RUNNING, STARTING), a crash and restart, backoff to FATAL, stop and start", (t) => compare(t, STARTUP));
  test("a rejected event comes back with the same serial and poolserial, to every pool of the same priority", (t) => compare(t, REJECTION));
  test("buffer_size=2 and a slow listener: the oldest events are discarded with an ERRO line", (t) => compare(t, OVERFLOW));
  test("a rejected event put back into a full buffer pushes out the oldest waiting one", (t) => compare(t, REJECTED_INTO_FULL));
  test("a garbage answer: WARN lines, the listener in UNKNOWN gets nothing more", (t) => compare(t, GARBAGE));
  test("PROCESS_LOG, PROCESS_COMMUNICATION and REMOTE_COMMUNICATION, len in code points", (t) => compare(t, OUTPUT));
  test("PROCESS_GROUP_ADDED and _REMOVED through reloadConfig, addProcessGroup, removeProcessGroup", (t) => compare(t, GROUPS));
  test("TICK_5 on 5-second boundaries", (t) => compare(t, TICKS));
  test("SUPERVISOR_STATE_CHANGE_STOPPING does not reach a pool that is the first group to stop", (t) => compare(t, STOPPING_ALONE));
  test("SUPERVISOR_STATE_CHANGE_STOPPING reaches the pool when another group stops first", (t) => compare(t, STOPPING_AFTER));
});
