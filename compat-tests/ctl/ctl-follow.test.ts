/**
 * supervisorctl's following and asking commands, ours beside Debian's 4.2.5 (issue #5), against
 * supervisord 4.2.5 and against our daemon: `tail -f` and `maintail -f` on a pseudo-terminal (the
 * banner, the tail, lines made to arrive on purpose, Ctrl-C), `fg` (a typed line coming back,
 * Ctrl-C or Ctrl-D to leave), `open` and `reload` in the shell, the credentials asked after a 401,
 * and the error paths of each (on pipes, stdout and stderr apart). Terminals are driven by
 * compat-tests/clients/pty_session.py; what a step shows is what the terminal showed once escape
 * sequences are taken out, masked as ctl-differential.test.ts masks.
 *
 * `fg` runs on programs of its own, one per client and mode, side by side with the other cases:
 * Debian's supervisorctl takes up to 30 s to exit after leaving `fg` (its output thread sleeps in
 * a select), so each of its `fg` sessions is waited for that long.
 *
 * Self-check: COMPAT_CTL=real runs Debian's supervisorctl as "ours" too; the test must pass then:
 *   npm run build && COMPAT_CTL=real node --test dist/compat-tests/ctl/ctl-follow.test.js
 * COMPAT_KEEP=/some/dir keeps the transcripts.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { freePort } from "../../test/helpers/free-port";
import { run, socketAccepts, type Finished } from "../../test/helpers/processes";
import { REPO_ROOT } from "../../test/helpers/repo";
import { rpc, type RpcOutcome } from "../../test/helpers/rpc";
import { tempDir } from "../../test/helpers/temp-dir";
import { waitFor } from "../../test/helpers/wait-for";
import type { XmlRpcValue } from "../../src/protocol/codec";
import { againstBothDaemons, clientEnv, clientPath, CTL_IS_REAL, runClient, type Client } from "../harness/ctl-client";
import { maskCtlOutput } from "../harness/ctl-mask";
import { startLogDaemon, type Implementation, type LogDaemon } from "../harness/log-daemon";
import { SYSTEM_PYTHON } from "../harness/real-supervisord";
import { keepTranscript } from "../harness/transcript";

const CONFIG = join(REPO_ROOT, "compat-tests/ctl/follow.conf");
const CLIENTS: readonly Client[] = ["debian", "ours"];
const PTY_SESSION = join(REPO_ROOT, "compat-tests/clients/pty_session.py");
const XMLRPC_CALL = join(REPO_ROOT, "compat-tests/clients/xmlrpc_call.py");
/** How long Debian's supervisorctl may take to exit once `fg` has ended (its select's 30 s, and some). */
const FG_EXIT_SECONDS = 40;

interface Session {
  which: Implementation;
  dir: string;
  /** The inet_http_server's port (user ann, password secret). */
  port: number;
  daemon: LogDaemon;
}

/** One step on the terminal (see pty_session.py). */
interface Step {
  /** A command (words substituted as in a case's line) run to completion before the keys are typed. */
  run?: string[];
  send: string;
  /** Read until this matches what came since the keys (null: until the client exits). */
  expect: RegExp | null;
  /** How long to wait for `expect` (and for the exit, after the last step); default 10 s. */
  seconds?: number;
  /** Leave what it showed out of the transcript (the shell's first status, compared elsewhere). */
  hide?: true;
  /** Type the keys only once the client waits for input (pty_session.py's "idle"). */
  idle?: true;
}

interface Case {
  /** The command line, split on spaces; @DIR@, @PORT@ and @PROG@ (see `prog`) are substituted. */
  line: string;
  /** Without `-c @DIR@/supervisord.conf` in front. */
  bare?: true;
  /** On a pseudo-terminal, these steps; without them, on pipes. */
  steps?: Step[];
  /** `@PROG@` is `<prog>_1` for Debian's, `<prog>_2` for ours: each client has a program of its own. */
  prog?: string;
  /** Our client's command line and steps instead, for a difference made on purpose (not with COMPAT_CTL=real). */
  ours?: { line: string; steps: Step[]; shows: RegExp };
  prepare?: (s: Session, prog: string) => Promise<void>;
  settle?: (s: Session, prog: string) => Promise<void>;
}

function call(s: Session, method: string, ...params: XmlRpcValue[]): Promise<RpcOutcome> {
  return rpc(join(s.dir, "supervisor.sock"), `supervisor.${method}`, ...params);
}

/** `prog`'s logs emptied, then "0" through it (a line the tail starts with). */
async function oneLine(s: Session, prog: string): Promise<void> {
  await call(s, "clearProcessLogs", prog);
  await call(s, "sendProcessStdin", prog, "0\n");
  await waitFor(
    async () => {
      const log = await call(s, "readProcessStdoutLog", prog, 0, 0);
      return "value" in log && String(log.value).endsWith("0\n");
    },
    { timeoutMs: 10_000, what: `"0" in ${prog}'s log` },
  );
}

async function stateOf(s: Session, name: string): Promise<string> {
  const outcome = await call(s, "getProcessInfo", name);
  return "value" in outcome ? String((outcome.value as Record<string, unknown>)["statename"]) : "";
}

async function processIs(s: Session, name: string, state: string): Promise<void> {
  await waitFor(async () => (await stateOf(s, name)) === state, { timeoutMs: 10_000, what: `${name} ${state}` });
}

/** The daemon back after a reload: answering, RUNNING, its programs started. */
async function reloaded(s: Session): Promise<void> {
  await waitFor(
    async () => {
      if (!(await socketAccepts(join(s.dir, "supervisor.sock")))) return false;
      // the socket is made anew during a reload: a call may find it gone
      const state = await call(s, "getState").catch(() => undefined);
      return state !== undefined && "value" in state && (state.value as Record<string, unknown>)["statename"] === "RUNNING" && (await stateOf(s, "echoer").catch(() => "")) === "RUNNING";
    },
    { timeoutMs: 15_000, what: "the daemon back after reload" },
  );
}

/** A step that makes the daemon do something (over XML-RPC, with Python's client) before typing nothing. */
function rpcStep(method: string, args: readonly unknown[], expect: RegExp): Step {
  return { run: [SYSTEM_PYTHON, XMLRPC_CALL, "unix://@DIR@/supervisor.sock", `supervisor.${method}`, ...args.map((a) => JSON.stringify(a))], send: "", expect };
}

/** Ctrl-C once the client waits (Debian's takes another path when the key lands while it prints), then its exit. */
const CTRL_C = (seconds?: number): Step => ({ send: "\x03", expect: null, idle: true, ...(seconds === undefined ? {} : { seconds }) });
const CTRL_D = "\x04";
const PROMPT = /supervisor> $/;
const EXITS: Step = { send: "", expect: null };
/** The shell's first status and prompt, left out of the transcript. */
const SHELL_START: Step = { send: "", expect: PROMPT, hide: true };
const BANNER_AND_0 = /==> Press Ctrl-C to exit <==\n(?:out: )?0\n$/;
const tailCase = (line: string, prefix: string): Case => ({
  line,
  prepare: (s) => oneLine(s, "echoer"),
  steps: [
    { send: "", expect: new RegExp(`==> Press Ctrl-C to exit <==\\n${prefix}0\\n$`) },
    rpcStep("sendProcessStdin", ["echoer", "1\n"], new RegExp(`${prefix}1\\n$`)),
    rpcStep("sendProcessStdin", ["echoer", "2\n"], new RegExp(`${prefix}2\\n$`)),
    CTRL_C(),
  ],
});

const HTTP = "-s http://127.0.0.1:@PORT@";

/** The error paths, on pipes: they change nothing, so every run of them at once. */
const AT_ONCE: Case[] = [
  { line: "tail -f nosuch" },
  { line: "tail -f nolog" },
  { line: "tail -f grp:*" },
  { line: "maintail -f x" },
  { line: "fg" },
  { line: "fg nosuch" },
  { line: "fg manual" },
  { line: "fg echoer nolog" },
  { line: "reload x" },
  { line: "open" },
  { line: "open ftp://x" },
  { line: "open unix://@DIR@/nonexist.sock" },
  { line: `${HTTP} -u ann status echoer`, bare: true },
];

/** The cases run one after the other, each with one client then the other. */
const IN_TURN: Case[] = [
  // tail -f: the last bytes, lines as they come, Ctrl-C
  tailCase("tail -f echoer", "out: "),
  tailCase("tail -f echoer stderr", "err: "),
  // maintail -f: a line caused on purpose (a start)
  {
    line: "maintail -f",
    prepare: async (s) => {
      await call(s, "clearLog");
    },
    steps: [
      { send: "", expect: /==> Press Ctrl-C to exit <==\n$/ },
      rpcStep("startProcess", ["manual"], /success: manual entered RUNNING state, process has stayed up for > than 0 seconds \(startsecs\)\n$/),
      CTRL_C(),
    ],
    settle: async (s) => {
      await call(s, "stopProcess", "manual");
      await processIs(s, "manual", "STOPPED");
    },
  },
  // a 401: one-shot, -u without -p (ours asks for the password on a terminal: the right one, a wrong one)
  {
    line: `${HTTP} -u ann -p secret status echoer`,
    bare: true,
    steps: [EXITS],
    ours: { line: `${HTTP} -u ann status echoer`, steps: [{ send: "", expect: /Password:$/ }, { send: "secret\r", expect: null }], shows: /^Password:\n/ },
  },
  {
    line: `${HTTP} -u ann -p wrong status echoer`,
    bare: true,
    steps: [EXITS],
    ours: { line: `${HTTP} -u ann status echoer`, steps: [{ send: "", expect: /Password:$/ }, { send: "wrong\r", expect: null }], shows: /^Password:\n/ },
  },
  // -i with a command: a 401 asks for both
  {
    line: `-i ${HTTP} status echoer`,
    bare: true,
    steps: [
      { send: "", expect: /Username:$/ },
      { send: "ann\r", expect: /Password:$/ },
      { send: "secret\r", expect: null },
    ],
  },
  // the shell: a 401 asks, a wrong password asks again, the right one works
  {
    line: HTTP,
    bare: true,
    steps: [
      { send: "", expect: /Username:$/ },
      { send: "ann\r", expect: /Password:$/ },
      { send: "wrong\r", expect: /Username:$/ },
      { send: "ann\r", expect: /Password:$/ },
      { send: "secret\r", expect: PROMPT },
      { send: "status echoer\r", expect: PROMPT },
      { send: CTRL_D, expect: null },
    ],
  },
  // open in the shell: another server, its 401, a bad URL, a missing socket
  {
    line: "",
    steps: [
      SHELL_START,
      { send: `open ${HTTP.slice(3)}\r`, expect: /Username:$/ },
      { send: "ann\r", expect: /Password:$/ },
      { send: "secret\r", expect: PROMPT },
      { send: "open ftp://x\r", expect: PROMPT },
      { send: "open unix://@DIR@/nonexist.sock\r", expect: PROMPT },
      { send: "open unix://@DIR@/supervisor.sock\r", expect: PROMPT },
      { send: CTRL_D, expect: null },
    ],
  },
];

/** After both lanes: reload restarts the daemon, which kills what fg follows. */
const RELOADS: Case[] = [
  { line: "reload", settle: reloaded },
  {
    line: "",
    steps: [
      SHELL_START,
      { send: "reload\r", expect: /y\/N\? $/ },
      { send: "n\r", expect: PROMPT },
      { send: "reload\r", expect: /y\/N\? $/ },
      { send: "y\r", expect: PROMPT },
      { send: CTRL_D, expect: null },
    ],
    settle: reloaded,
  },
];

/** fg, each client on its own program, side by side with the cases above. */
const SIDE_BY_SIDE: Case[] = [
  {
    line: "fg @PROG@",
    prog: "fg_once",
    prepare: oneLine,
    steps: [
      { send: "", expect: BANNER_AND_0 },
      { send: "hello\r", expect: /hello\nhello\n$/ },
      CTRL_C(FG_EXIT_SECONDS),
    ],
  },
  {
    line: "",
    prog: "fg_shell",
    prepare: oneLine,
    steps: [
      SHELL_START,
      { send: "fg @PROG@\r", expect: BANNER_AND_0 },
      { send: "hello\r", expect: /hello\nhello\n$/ },
      // Ctrl-D, not Ctrl-C: Debian's shows ^C or not as the key falls in or out of its readline
      { send: CTRL_D, expect: /Exiting foreground\nsupervisor> $/, idle: true },
      { send: "fg @PROG@ x\r", expect: PROMPT },
      { send: CTRL_D, expect: null, seconds: FG_EXIT_SECONDS },
    ],
  },
];

function substitute(s: Session, text: string, prog: string): string {
  return text.replaceAll("@DIR@", s.dir).replaceAll("@PORT@", String(s.port)).replaceAll("@PROG@", prog);
}

function visible(line: string): string {
  return line.replaceAll("\t", "\\t").replace(/ +$/, (spaces) => "␠".repeat(spaces.length));
}

function mask(s: Session, text: string): string {
  return maskCtlOutput(text, s.dir, s.daemon.pid)
    .replace(/\b(fg_(?:once|shell))_[12]\b/g, "$1_N")
    .replace(/ pid \d+\b/g, " pid <pid>")
    .replace(/:\d+\b/g, (port) => (port === `:${s.port}` ? ":<port>" : port));
}

/** Masked lines of `text`, each after `prefix`; a last line without its newline is said so. */
function lines(s: Session, text: string, prefix: string): string[] {
  if (text === "") return [];
  const all = mask(s, text).split("\n");
  const complete = all.at(-1) === "";
  if (complete) all.pop();
  return [...all.map((line) => `${prefix}${visible(line)}`), ...(complete ? [] : [`${prefix}\\ no newline at end`])];
}

interface PtyResult {
  steps: Array<{ output: string; matched: boolean }>;
  status: number;
  killed: boolean;
}

/**
 * The transcript of a client on a terminal. With `asked` (ours, where it asks for what Debian's
 * is given), what every step showed is one step, the question taken out (it must be there).
 */
async function onTerminal(s: Session, client: Client, args: readonly string[], steps: readonly Step[], prog: string, asked?: RegExp): Promise<string[]> {
  const wire = steps.map((step) => ({
    send: substitute(s, step.send, prog),
    expect: step.expect?.source ?? null,
    ...(step.run === undefined ? {} : { run: step.run.map((word) => substitute(s, word, prog)) }),
    ...(step.seconds === undefined ? {} : { seconds: step.seconds }),
    ...(step.idle === undefined ? {} : { idle: true }),
  }));
  const finished = await run(SYSTEM_PYTHON, [PTY_SESSION, JSON.stringify(wire), clientPath(client), ...args], {
    cwd: s.dir,
    env: { ...clientEnv(s.dir), TERM: "xterm" },
    timeoutMs: 120_000,
  });
  if (finished.status !== 0) return [`!! pty_session failed: ${finished.stderr}`];
  const result = JSON.parse(finished.stdout) as PtyResult;
  const exit = result.killed ? "killed" : `exit ${result.status}`;
  if (asked !== undefined) {
    const shown = result.steps.map((step) => step.output).join("");
    if (!asked.test(shown) || !result.steps.every((step) => step.matched)) return [`!! ours did not ask ${asked}: ${JSON.stringify(shown)}`, exit];
    return [`> ""`, ...lines(s, shown.replace(asked, ""), "  "), exit];
  }
  const out: string[] = [];
  for (const [n, step] of result.steps.entries()) {
    const asked = steps[n];
    out.push(`> ${JSON.stringify(mask(s, wire[n]?.send ?? ""))}${step.matched ? "" : ` !! no ${String(asked?.expect ?? "exit")}`}`);
    out.push(...(asked?.hide === true ? ["  (hidden)"] : lines(s, step.output, "  ")));
  }
  out.push(exit);
  return out;
}

function onPipes(s: Session, finished: Finished): string[] {
  return [...lines(s, finished.stdout, "  "), ...lines(s, finished.stderr, "! "), `exit ${finished.status}`];
}

/** One client's run of a case: its transcript. */
async function runOnce(s: Session, item: Case, client: Client): Promise<string[]> {
  const prog = item.prog === undefined ? "" : `${item.prog}_${client === "debian" ? 1 : 2}`;
  const divergent = client === "ours" && !CTL_IS_REAL ? item.ours : undefined;
  const words = substitute(s, divergent?.line ?? item.line, prog).split(" ").filter((w) => w !== "");
  const args = item.bare === true ? words : ["-c", join(s.dir, "supervisord.conf"), ...words];
  await item.prepare?.(s, prog);
  const steps = divergent?.steps ?? item.steps;
  const head = `$ supervisorctl ${mask(s, substitute(s, item.line, prog))}`;
  const body = steps === undefined ? onPipes(s, await runClient(client, args, s.dir)) : await onTerminal(s, client, args, steps, prog, divergent?.shows);
  await item.settle?.(s, prog);
  return [head, ...body];
}

async function session(t: TestContext, which: Implementation): Promise<Record<Client, string[]>> {
  const dir = tempDir(t, which === "real" ? "cfr-" : "cfo-");
  const port = await freePort();
  writeFileSync(join(dir, "supervisord.conf"), readFileSync(CONFIG, "utf8").replaceAll("@DIR@", dir).replaceAll("@PORT@", String(port)));
  const daemon = await startLogDaemon(t, which, dir, { readySocket: join(dir, "supervisor.sock") });
  const s: Session = { which, dir, port, daemon };
  for (const name of ["echoer", "nolog", "fg_once_1", "fg_once_2", "fg_shell_1", "fg_shell_2"]) await processIs(s, name, "RUNNING");
  const transcripts: Record<Client, string[]> = { debian: [], ours: [] };
  const inTurn = async (cases: readonly Case[]): Promise<void> => {
    for (const item of cases) for (const client of CLIENTS) transcripts[client].push(...(await runOnce(s, item, client)));
  };
  const together = (cases: readonly Case[]): Promise<string[][][]> => Promise.all(cases.map((item) => Promise.all(CLIENTS.map((client) => runOnce(s, item, client)))));
  const record = (results: string[][][]): void => {
    for (const result of results) for (const [i, client] of CLIENTS.entries()) transcripts[client].push(...(result[i] ?? []));
  };
  const sideBySide = together(SIDE_BY_SIDE);
  record(await together(AT_ONCE));
  await inTurn(IN_TURN);
  record(await sideBySide);
  await inTurn(RELOADS);
  for (const client of CLIENTS) keepTranscript(`ctl-follow.${which}.${client}`, transcripts[client]);
  return transcripts;
}

test("tail -f, maintail -f, fg, open, reload and the 401 prompt: our supervisorctl shows what Debian's shows", { concurrency: 2 }, async (t) => {
  await againstBothDaemons(t, session);
});
