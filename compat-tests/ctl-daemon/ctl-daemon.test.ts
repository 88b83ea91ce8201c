/**
 * Debian's supervisorctl 4.2.5 (/usr/bin/supervisorctl) driving our daemon as it drives
 * supervisord 4.2.5. Both daemons start on the same config (compat-tests/ctl-daemon/supervisord.conf,
 * each in its own temp dir); the same supervisorctl commands run against each, one process per
 * command as a user types them: status (all, a group, a bad name), start, stop, restart, signal,
 * tail (and tail -f), clear, avail, reread, update after an edit of the config, add, remove, pid,
 * maintail, shutdown. Each command's stdout, stderr and exit status, masked (pids, uptimes, dates,
 * the temp dir), make one transcript line; the two transcripts are compared line by line. Waits
 * for a process state poll over XML-RPC and record nothing.
 *
 * Self-check: COMPAT_OURS=real runs the real supervisord in place of ours too; the test must pass
 * then:  npm run build && COMPAT_OURS=real node --test dist/compat-tests/ctl-daemon/ctl-daemon.test.js
 * To look into a failure: COMPAT_KEEP=/some/dir keeps both transcripts there.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { run, type Finished } from "../../test/helpers/processes";
import { dist, REPO_ROOT } from "../../test/helpers/repo";
import { tempDir } from "../../test/helpers/temp-dir";
import { waitFor } from "../../test/helpers/wait-for";
import { DEBIAN_SUPERVISORCTL } from "../harness/ctl-client";
import { maskCtlOutput } from "../harness/ctl-mask";
import { startLogDaemon, type Implementation, type LogDaemon } from "../harness/log-daemon";
import { keepTranscript, transcriptDiff } from "../harness/transcript";

const CONFIG = join(REPO_ROOT, "compat-tests/ctl-daemon/supervisord.conf");
const SUPERVISORCTL = DEBIAN_SUPERVISORCTL;

interface Session {
  dir: string;
  daemon: LogDaemon;
  /** The transcript so far. */
  lines: string[];
  /** Run supervisorctl -c DIR/supervisord.conf with these arguments. */
  ctl(args: string[]): Promise<Finished>;
}

type Step = (session: Session) => Promise<void>;

/** A wait that failed: the rest would only repeat the difference. */
class Abort extends Error {}

function env(dir: string): NodeJS.ProcessEnv {
  return { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: dir, LANG: "C.UTF-8" };
}

function mask(text: string, session: Session): string {
  return maskCtlOutput(text, session.dir, session.daemon.pid);
}

/**
 * Run supervisorctl with these arguments and record what it printed and its exit status.
 * `unordered`: supervisorctl prints the results of `start all` / `stop all` as they complete,
 * an order the daemon's timing decides (xmlrpc.md §9.4): its lines are compared sorted.
 */
function ctl(args: string[], { unordered = false } = {}): Step {
  return async (session) => {
    const finished = await session.ctl(args);
    const sorted = (text: string): string => (unordered ? text.split("\n").sort().join("\n") : text);
    session.lines.push(
      JSON.stringify({ ctl: args.join(" "), status: finished.status, stdout: sorted(mask(finished.stdout, session)), stderr: mask(finished.stderr, session) }),
    );
  };
}

/** `tail -f`: what it printed once `until` has appeared (then it is killed, by pid). */
function tailFollow(args: string[], until: string): Step {
  return async (session) => {
    const child = spawn(SUPERVISORCTL, ["-c", join(session.dir, "supervisord.conf"), "tail", "-f", ...args], {
      cwd: session.dir,
      env: env(session.dir),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
    try {
      await waitFor(() => stdout.includes(until) || child.exitCode !== null, { timeoutMs: 10_000, what: `tail -f to print ${JSON.stringify(until)}` });
    } catch {
      // recorded below as what it printed until then
    } finally {
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, "SIGKILL");
      await exited;
    }
    session.lines.push(JSON.stringify({ ctl: `tail -f ${args.join(" ")}`, stdoutUntilKilled: mask(stdout, session) }));
  };
}

/** A call's HTTP status and raw XML reply; params are strings or ints. (No python per poll: it is cheaper.) */
function rpc(session: Session, method: string, ...params: Array<string | number>): Promise<{ status: number; body: string }> {
  const value = (p: string | number): string => (typeof p === "number" ? `<int>${p}</int>` : `<string>${xmlText(p)}</string>`);
  const body = `<?xml version='1.0'?><methodCall><methodName>${method}</methodName><params>${params
    .map((p) => `<param><value>${value(p)}</value></param>`)
    .join("")}</params></methodCall>`;
  return new Promise((resolve) => {
    const req = request(
      { socketPath: join(session.dir, "supervisor.sock"), path: "/RPC2", method: "POST", headers: { "Content-Type": "text/xml", "Content-Length": Buffer.byteLength(body) } },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (d: string) => (text += d));
        res.once("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.once("error", () => resolve({ status: 0, body: text }));
      },
    );
    req.once("error", (err) => resolve({ status: 0, body: String(err) }));
    req.end(body);
  });
}

function xmlText(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** Poll over XML-RPC until `check` holds of the reply's body; record nothing unless it never does. */
function poll(what: string, method: string, params: Array<string | number>, check: (body: string) => boolean): Step {
  return async (session) => {
    let last = { status: 0, body: "" };
    try {
      await waitFor(async () => {
        last = await rpc(session, method, ...params);
        if (last.status !== 200 || last.body.includes("<fault>")) throw new Abort(); // no use waiting
        return check(last.body);
      }, { timeoutMs: 15_000, intervalMs: 50, what });
    } catch {
      session.lines.push(JSON.stringify({ wait: what, failed: last }));
      throw new Abort();
    }
  };
}

function waitState(name: string, ...states: string[]): Step {
  return poll(`${name} in ${states.join("/")}`, "supervisor.getProcessInfo", [name], (body) =>
    states.includes(/<name>statename<\/name>\s*<value>(?:<string>)?(\w+)</.exec(body)?.[1] ?? ""));
}

function waitLog(name: string, text: string): Step {
  return poll(`${JSON.stringify(text)} in ${name}'s log`, "supervisor.readProcessStdoutLog", [name, 0, 0], (body) => body.includes(xmlText(text)));
}

function editConfig(label: string, change: (text: string) => string): Step {
  return async (session) => {
    const path = join(session.dir, "supervisord.conf");
    writeFileSync(path, change(readFileSync(path, "utf8")));
    session.lines.push(JSON.stringify({ config: label }));
  };
}

/** After shutdown: the daemon's exit status, once it has exited. */
const daemonExit: Step = async (session) => {
  let timer: NodeJS.Timeout | undefined;
  const status = await Promise.race([session.daemon.exited, new Promise<string>((resolve) => (timer = setTimeout(resolve, 15_000, "still running")))]);
  clearTimeout(timer);
  session.lines.push(JSON.stringify({ "daemon exit status": status }));
};

const SCENARIO: Step[] = [
  ...["grp:ga", "grp:gb", "sig", "ticker"].map((name) => waitState(name, "RUNNING")),
  ctl(["status"]),
  ctl(["status", "grp:*"]),
  ctl(["status", "nosuch"]),
  ctl(["status", "grp:nosuch", "sig"]),
  ctl(["start", "manual"]),
  ctl(["start", "manual"]),
  ctl(["start", "quick"]),
  waitState("quick", "FATAL"),
  ctl(["start", "nofile"]),
  ctl(["start", "nosuch"]),
  ctl(["start", "nosuch:*"]),
  ctl(["start"]),
  ctl(["stop", "manual"]),
  ctl(["stop", "manual"]),
  ctl(["restart", "manual"]),
  ctl(["restart", "grp:ga", "grp:gb"]),
  ctl(["status", "grp:*", "manual"]),
  ctl(["signal", "HUP", "sig"]),
  waitLog("sig", "got SIGHUP\n"),
  ctl(["signal", "BOGUS", "sig"]),
  ctl(["signal", "HUP", "quick"]),
  ctl(["signal", "HUP"]),
  ctl(["start", "echo"]),
  waitState("echo", "EXITED"),
  ctl(["tail", "echo"]),
  ctl(["tail", "echo", "stderr"]),
  ctl(["tail", "-8", "echo"]),
  ctl(["tail", "nosuch"]),
  tailFollow(["echo"], "line two <&>\n"),
  ctl(["tail", "sig"]),
  ctl(["clear", "echo"]),
  ctl(["tail", "echo"]),
  ctl(["clear", "sig"]),
  ctl(["tail", "sig"]),
  ctl(["avail"]),
  ctl(["pid"]),
  ctl(["pid", "sig"]),
  ctl(["pid", "all"]),
  ctl(["pid", "quick"]),
  ctl(["pid", "nosuch"]),
  ctl(["maintail"]),
  ctl(["reread"]),
  editConfig("[program:added] appended, [program:echo] removed, manual's startsecs changed", (text) =>
    text.replace(/\n; a known log[^[]*\[program:echo\][^[]*/, "\n").replace("startsecs=1\n", "startsecs=2\n") +
    "\n[program:added]\ncommand=/bin/cat\nstartsecs=0\n"),
  ctl(["reread"]),
  ctl(["avail"]),
  ctl(["update"]),
  waitState("added", "RUNNING"),
  ctl(["status"]),
  ctl(["add", "added"]),
  ctl(["add", "nosuch"]),
  ctl(["remove", "grp"]),
  ctl(["stop", "grp:ga", "grp:gb"]),
  ctl(["remove", "grp"]),
  ctl(["remove", "grp"]),
  ctl(["add", "grp"]),
  waitState("grp:ga", "RUNNING"),
  waitState("grp:gb", "RUNNING"),
  ctl(["update"]),
  ctl(["stop", "all"], { unordered: true }),
  ctl(["start", "all"], { unordered: true }),
  waitState("quick", "FATAL"),
  ctl(["status"]),
  ctl(["shutdown"]),
  daemonExit,
  ctl(["status"]),
];

/** Start one daemon, run the scenario against it with supervisorctl. */
async function transcript(t: TestContext, which: Implementation): Promise<string[]> {
  const dir = tempDir(t, which === "real" ? "cr-" : "co-");
  const configPath = join(dir, "supervisord.conf");
  writeFileSync(
    configPath,
    readFileSync(CONFIG, "utf8").replaceAll("@DIR@", dir).replaceAll("@NODE@", process.execPath).replaceAll("@PROGRAMS@", dist("test/fixtures/programs")),
  );
  const daemon = await startLogDaemon(t, which, dir, { readySocket: join(dir, "supervisor.sock") });
  const state: Session = {
    dir,
    daemon,
    lines: [],
    ctl: (args) => run(SUPERVISORCTL, ["-c", configPath, ...args], { cwd: dir, env: env(dir), timeoutMs: 30_000 }),
  };
  for (const step of SCENARIO) {
    try {
      await step(state);
    } catch (err) {
      if (!(err instanceof Abort)) throw err;
      state.lines.push(JSON.stringify({ aborted: "a wait failed" }));
      break;
    }
  }
  keepTranscript(`ctl-daemon.${which}`, state.lines);
  return state.lines;
}

test("Debian's supervisorctl prints the same, and exits with the same status, against ours as against supervisord 4.2.5", async (t) => {
  const [real, ours] = await Promise.all([transcript(t, "real"), transcript(t, "ours")]);
  const difference = transcriptDiff(real, ours);
  assert.ok(difference === "", `supervisorctl's transcript differs (- against supervisord, + against ours):\n${difference}`);
});
