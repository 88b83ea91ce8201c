/**
 * Our supervisorctl beside Debian's 4.2.5 (issue #5): the same command lines, against supervisord
 * 4.2.5 and again against our daemon. Each command line runs once with each client, one after the
 * other, on the same daemon in the same state: a case's `prepare` brings the daemon to the state
 * the command expects (over XML-RPC, not through either client) before each client's run, and its
 * `settle` waits for what the command set off (a signal's output, a shutdown) or puts the state
 * back. stdout, stderr and exit status, masked (pids, uptimes, dates, the temp dir, argv[0]), make
 * each client's transcript; per daemon, ours is compared with Debian's line by line.
 *
 * Self-check: COMPAT_CTL=real runs Debian's supervisorctl as "ours" too; the test must pass then:
 *   npm run build && COMPAT_CTL=real node --test dist/compat-tests/ctl/ctl-differential.test.js
 * (COMPAT_OURS=real does the same for the daemon.) COMPAT_KEEP=/some/dir keeps the transcripts.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { freePort } from "../../test/helpers/free-port";
import { dist, REPO_ROOT } from "../../test/helpers/repo";
import { rpc, type Plain, type RpcOutcome } from "../../test/helpers/rpc";
import { tempDir } from "../../test/helpers/temp-dir";
import { waitFor } from "../../test/helpers/wait-for";
import type { XmlRpcValue } from "../../src/protocol/codec";
import { againstBothDaemons, runClient, type Client } from "../harness/ctl-client";
import { maskCtlOutput } from "../harness/ctl-mask";
import { startLogDaemon, type Implementation, type LogDaemon } from "../harness/log-daemon";
import { keepTranscript } from "../harness/transcript";

const CONFIG = join(REPO_ROOT, "compat-tests/ctl/supervisord.conf");
const CLIENTS: readonly Client[] = ["debian", "ours"];

interface Session {
  t: TestContext;
  which: Implementation;
  dir: string;
  /** The inet_http_server's port (user ann, password secret). */
  port: number;
  /** A port nothing listens on. */
  closedPort: number;
  daemon: LogDaemon;
  /** Whether the current daemon has exited. */
  down: boolean;
  transcripts: Record<Client, string[]>;
  /** The client whose run a failed wait is charged to. */
  current: Client;
}

type Prep = (session: Session) => Promise<void>;

interface Case {
  /** The command line, split on spaces; @DIR@, @PORT@ and @CLOSED@ are substituted. */
  line: string;
  /** Without `-c @DIR@/supervisord.conf` in front. */
  bare?: boolean;
  /** Never reaches a daemon (usage errors, help): the same with either, so run in one session only. */
  offline?: boolean;
  /** Typed into the interactive shell (stdin piped). */
  input?: string;
  prepare?: Prep;
  settle?: Prep;
  /**
   * supervisorctl prints the results of a group or `all` as they complete, an order the daemon's
   * timing decides (xmlrpc.md §9.4): the lines of stdout are compared sorted.
   */
  unordered?: boolean;
}

type Item = Case | { setup: Prep };

function call(s: Session, method: string, ...params: XmlRpcValue[]): Promise<RpcOutcome> {
  return rpc(join(s.dir, "supervisor.sock"), `supervisor.${method}`, ...params);
}

function field(outcome: RpcOutcome, key: string): Plain | undefined {
  if (!("value" in outcome) || typeof outcome.value !== "object" || outcome.value === null) return undefined;
  return (outcome.value as Record<string, Plain>)[key];
}

/** Wait for a condition; when it never holds, say so in the transcript of the client that just ran (and go on). */
async function expect(s: Session, what: string, condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  try {
    await waitFor(condition, { timeoutMs, intervalMs: 50, what });
  } catch {
    s.transcripts[s.current].push(`!! timed out waiting for ${what}`);
  }
}

const seq =
  (...preps: Prep[]): Prep =>
  async (s) => {
    for (const prep of preps) await prep(s);
  };

const waitState =
  (name: string, ...states: string[]): Prep =>
  (s) =>
    expect(s, `${name} in ${states.join("/")}`, async () => states.includes(String(field(await call(s, "getProcessInfo", name), "statename"))));

const STOPPED = ["STOPPED", "EXITED", "FATAL"];

/** These processes stopped (a NOT_RUNNING fault is as good). */
const stopped =
  (...names: string[]): Prep =>
  async (s) => {
    for (const name of names) {
      await call(s, "stopProcess", name);
      await waitState(name, ...STOPPED)(s);
    }
  };

/** These processes RUNNING (an ALREADY_STARTED fault is as good). */
const running =
  (...names: string[]): Prep =>
  async (s) => {
    for (const name of names) {
      await call(s, "startProcess", name);
      await waitState(name, "RUNNING")(s);
    }
  };

const clearLogs =
  (name: string): Prep =>
  async (s) => {
    await call(s, "clearProcessLogs", name);
  };

/** echo run once on empty log files (clearProcessLogs leaves a stopped process's logs alone). */
const echoOnce: Prep = async (s) => {
  await stopped("echo")(s);
  for (const file of ["echo.out", "echo.err"]) writeFileSync(join(s.dir, file), "");
  await call(s, "startProcess", "echo");
  await waitState("echo", "EXITED")(s);
};

const waitLog =
  (name: string, text: string): Prep =>
  (s) =>
    expect(s, `${JSON.stringify(text)} in ${name}'s log`, async () => {
      const outcome = await call(s, "readProcessStdoutLog", name, 0, 0);
      return "value" in outcome && String(outcome.value).includes(text);
    });

/** Group grp active, ga and gb RUNNING (after a remove, whichever client made it). */
const grpBack: Prep = async (s) => {
  await call(s, "addProcessGroup", "grp");
  await running("grp:ga", "grp:gb")(s);
};

const grpGone: Prep = async (s) => {
  await call(s, "stopProcessGroup", "grp");
  await call(s, "removeProcessGroup", "grp");
};

/** The config edit `reread` and `update` see: nofile removed, added added, manual changed. */
function editedConfig(text: string): string {
  return (
    text.replace(/\n; a missing command\n\[program:nofile\]\n[^[]*/, "\n").replace("[program:manual]\n", "[program:manual]\nstartretries=5\n") +
    "\n[program:added]\ncommand=/bin/cat\nstartsecs=0\n"
  );
}

function configText(s: Session): string {
  return readFileSync(CONFIG, "utf8")
    .replaceAll("@DIR@", s.dir)
    .replaceAll("@NODE@", process.execPath)
    .replaceAll("@PROGRAMS@", dist("test/fixtures/programs"))
    .replaceAll("@PORT@", String(s.port));
}

const editConfig: Prep = async (s) => writeFileSync(join(s.dir, "supervisord.conf"), editedConfig(configText(s)));

/** The original config written back and made active again, as `update` would (over XML-RPC). */
const originalConfig: Prep = async (s) => {
  writeFileSync(join(s.dir, "supervisord.conf"), configText(s));
  const outcome = await call(s, "reloadConfig");
  const [added = [], changed = [], removed = []] = ("value" in outcome ? ((outcome.value as Plain[][])[0] ?? []) : []) as string[][];
  for (const group of [...removed, ...changed]) {
    await call(s, "stopProcessGroup", group);
    await call(s, "removeProcessGroup", group);
  }
  for (const group of [...changed, ...added]) await call(s, "addProcessGroup", group);
};

/** A daemon running (a new one in the same dir after a shutdown). */
const daemonUp: Prep = async (s) => {
  if (!s.down) return;
  await startDaemon(s);
};

const daemonDown: Prep = async (s) => {
  const daemon = s.daemon;
  await expect(s, "the daemon to exit", async () => s.down && daemon === s.daemon, 15_000);
};

const ALWAYS_RUNNING = ["grp:ga", "grp:gb", "queue_consumer_with_a_long_name", "sig", "ticker"];

const c = (line: string, options: Omit<Case, "line"> = {}): Case => ({ line, ...options });
const bare = (line: string, options: Omit<Case, "line" | "bare"> = {}): Case => ({ line, bare: true, ...options });
/** A command line that never reaches a daemon: run against supervisord 4.2.5 only. */
const offline = (line: string): Case => ({ line, bare: true, offline: true });

const HELP_TOPICS = "add avail clear exit fg help maintail open pid quit reload remove reread restart shutdown signal start status stop tail update version EOF nosuch";

const SCENARIO: Item[] = [
  { setup: seq(...ALWAYS_RUNNING.map((name) => waitState(name, "RUNNING"))) },
  // the main log, while nothing happens that supervisord would log
  c("maintail -200"),
  // options, config file, server URL and credentials
  offline("-h"),
  offline("-v"),
  offline("-s notaurl status"),
  offline("-c @DIR@/nonexist.conf status"),
  offline("-c @DIR@/noctl.conf status"),
  bare("status"),
  bare("-s unix://@DIR@/supervisor.sock status sig"),
  bare("-s http://127.0.0.1:@PORT@ -u ann -p secret status grp:*"),
  bare("--serverurl=http://127.0.0.1:@PORT@ --username=ann --password=wrong pid"),
  bare("-c @DIR@/ctl.conf version"),
  // a server that is down
  bare("-s unix://@DIR@/nonexist.sock status"),
  bare("-s unix://@DIR@/nonexist.sock avail"),
  bare("-s http://127.0.0.1:@CLOSED@ status"),
  // status
  c("status sig grp:ga queue_consumer_with_a_long_name"),
  c("status nosuch"),
  c("status manual", { prepare: stopped("manual") }),
  c("status nosuch:* sig"),
  // start
  c("start manual", { prepare: stopped("manual") }),
  c("start sig"),
  c("start grp:*", { prepare: stopped("grp:ga", "grp:gb"), unordered: true }),
  c("start manual grp:ga", { prepare: stopped("manual", "grp:ga") }),
  c("start quick", { settle: waitState("quick", "FATAL") }),
  c("start nofile"),
  c("start nosuch"),
  c("start"),
  c("start all", { prepare: stopped("manual", "echo"), unordered: true }),
  // stop
  c("stop manual", { prepare: running("manual") }),
  c("stop manual", { prepare: stopped("manual") }),
  c("stop grp:*", { prepare: running("grp:ga", "grp:gb"), settle: running("grp:ga", "grp:gb"), unordered: true }),
  c("stop grp:ga nosuch", { prepare: running("grp:ga"), settle: running("grp:ga") }),
  c("stop all", { prepare: seq(running("manual"), stopped("echo")), settle: running(...ALWAYS_RUNNING), unordered: true }),
  // restart
  c("restart manual grp:*", { prepare: running("manual"), settle: running("grp:ga", "grp:gb"), unordered: true }),
  c("restart nosuch"),
  c("restart all", { prepare: stopped("echo"), settle: running(...ALWAYS_RUNNING), unordered: true }),
  // signal
  c("signal HUP sig", { prepare: clearLogs("sig"), settle: waitLog("sig", "got SIGHUP\n") }),
  c("signal BOGUS sig"),
  c("signal HUP manual", { prepare: stopped("manual") }),
  // pid
  c("pid"),
  c("pid sig"),
  c("pid all"),
  c("pid manual nosuch"),
  // avail, reread, update, add, remove
  c("avail"),
  c("reread"),
  c("reread", { prepare: editConfig, settle: originalConfig }),
  c("update", { prepare: editConfig, settle: seq(originalConfig, waitState("manual", "STOPPED")) }),
  c("update nosuch"),
  c("add grp"),
  c("add nosuch"),
  c("remove grp"),
  c("remove grp", { prepare: async (s) => void (await call(s, "stopProcessGroup", "grp")), settle: grpBack }),
  c("add grp", { prepare: grpGone, settle: grpBack }),
  // tail and clear: echo's logs hold one run's output
  { setup: echoOnce },
  c("tail echo"),
  c("tail -24 echo"), // the cut falls inside é: supervisord answers HTTP 500
  c("tail -100 echo stderr"),
  c("tail nosuch"),
  c("tail echo bogus"),
  c("clear echo"),
  c("clear grp:*"),
  c("clear all"),
  // version, help, unknown commands, argument errors
  c("version"),
  offline("help"),
  offline("help stop"),
  c("", { input: HELP_TOPICS.split(" ").map((topic) => `help ${topic}\n`).join("") }),
  offline("-c @DIR@/supervisord.conf foo bar"),
  c("shutdown x"),
  // last: shutdown (each client's against a daemon of its own), then a server that is gone
  c("status", { prepare: stopped("echo") }),
  c("shutdown", { prepare: daemonUp, settle: daemonDown }),
  c("status"),
  c("shutdown"),
];

function render(s: Session, item: Case, args: readonly string[], finished: { status: number; stdout: string; stderr: string }): string[] {
  const mask = (text: string): string => maskCtlOutput(text, s.dir, s.daemon.pid);
  const lines = (text: string, prefix: string): string[] => {
    if (text === "") return [];
    const all = mask(text).split("\n");
    const complete = all.at(-1) === "";
    if (complete) all.pop();
    const shown = item.unordered === true && prefix === "  " ? all.sort() : all;
    const visible = (line: string): string => line.replaceAll("\t", "\\t").replace(/ +$/, (spaces) => "␠".repeat(spaces.length));
    return [...shown.map((line) => `${prefix}${visible(line)}`), ...(complete ? [] : [`${prefix}\\ no newline at end`])];
  };
  const typed = item.input === undefined ? "" : ` <<< ${JSON.stringify(item.input)}`;
  return [`$ supervisorctl ${mask(args.join(" "))}${typed}`, ...lines(finished.stdout, "  "), ...lines(finished.stderr, "! "), `exit ${finished.status}`];
}

async function startDaemon(s: Session): Promise<void> {
  const daemon = await startLogDaemon(s.t, s.which, s.dir, { readySocket: join(s.dir, "supervisor.sock") });
  s.daemon = daemon;
  s.down = false;
  void daemon.exited.then(() => {
    if (s.daemon === daemon) s.down = true;
  });
}

async function runCase(s: Session, item: Case): Promise<void> {
  const words = item.line.replaceAll("@DIR@", s.dir).replaceAll("@PORT@", String(s.port)).replaceAll("@CLOSED@", String(s.closedPort)).split(" ").filter((w) => w !== "");
  const args = item.bare === true ? words : ["-c", join(s.dir, "supervisord.conf"), ...words];
  for (const client of CLIENTS) {
    s.current = client;
    await item.prepare?.(s);
    const finished = await runClient(client, args, s.dir, item.input);
    s.transcripts[client].push(...render(s, item, args, finished));
    await item.settle?.(s);
  }
}

/** Start one daemon and run every case against it with both clients. */
async function session(t: TestContext, which: Implementation): Promise<Record<Client, string[]>> {
  const dir = tempDir(t, which === "real" ? "ccr-" : "cco-");
  const s: Session = {
    t,
    which,
    dir,
    port: await freePort(),
    closedPort: await freePort(),
    daemon: undefined as unknown as LogDaemon, // set by startDaemon before any use
    down: true,
    transcripts: { debian: [], ours: [] },
    current: "debian",
  };
  writeFileSync(join(dir, "supervisord.conf"), configText(s));
  writeFileSync(join(dir, "ctl.conf"), `[supervisorctl]\nserverurl=http://127.0.0.1:${s.port}\nusername=ann\npassword=secret\n`);
  writeFileSync(join(dir, "noctl.conf"), "[supervisord]\n");
  await startDaemon(s);
  for (const item of SCENARIO) {
    if ("setup" in item) await item.setup(s);
    else if (item.offline !== true || which === "real") await runCase(s, item);
  }
  for (const client of CLIENTS) keepTranscript(`ctl-differential.${which}.${client}`, s.transcripts[client]);
  return s.transcripts;
}

test("our supervisorctl prints what Debian's prints, and exits with the same status", { concurrency: 2 }, async (t) => {
  // The two daemons side by side: each runs its cases in turn.
  await againstBothDaemons(t, session);
});
