/** supervisorctl (issue #5): our ctl driving our daemon, as a user types commands in a shell. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { program, startDaemon, type TestDaemon } from "../helpers/daemon";
import { freePort } from "../helpers/free-port";
import { exited, run, type Finished } from "../helpers/processes";
import { dist, REPO_ROOT } from "../helpers/repo";
import { waitFor } from "../helpers/wait-for";

const CTL = dist("src/cli/supervisorctl.js");
const ENV = { ...process.env, SUPERVISORCTL_TS_ARGV0: "supervisorctl" };

const PROGRAMS = `
[supervisorctl]
serverurl=unix://%(here)s/supervisor.sock

[program:forever]
command=${program("forever", "hello")}
startsecs=0

[program:manual]
command=${program("forever")}
autostart=false
startsecs=0

[program:nofile]
command=/nonexistent/program
autostart=false

[program:quick]
command=${program("exit-with", "3")}
autostart=false
startsecs=1
startretries=0

[program:echo]
command=/bin/cat
startsecs=0

[group:grp]
programs=ga,gb

[program:ga]
command=${program("forever")}
startsecs=0

[program:gb]
command=${program("forever")}
startsecs=0
`;

function ctl(daemon: TestDaemon, ...args: string[]): Promise<Finished> {
  return run(process.execPath, [CTL, "-c", daemon.configPath, ...args], { env: ENV, cwd: daemon.dir });
}

async function started(t: TestContext): Promise<TestDaemon> {
  const daemon = await startDaemon(t, PROGRAMS);
  await waitFor(async () => (await ctl(daemon, "status", "forever", "echo", "grp:*")).status === 0, { what: "autostarted programs to run" });
  return daemon;
}

/** Status lines with pids and uptimes masked. */
function masked(text: string): string {
  return text.replace(/pid \d+, uptime \d+:\d\d:\d\d/g, "pid N, uptime T");
}

test("status prints supervisorctl's columns and exits 3 when a process is not running, 4 for a bad name", async (t) => {
  const daemon = await started(t);
  const all = await ctl(daemon, "status");
  assert.equal(all.status, 3);
  assert.equal(
    masked(all.stdout),
    [
      "echo                             RUNNING   pid N, uptime T",
      "forever                          RUNNING   pid N, uptime T",
      "grp:ga                           RUNNING   pid N, uptime T",
      "grp:gb                           RUNNING   pid N, uptime T",
      "manual                           STOPPED   Not started",
      "nofile                           STOPPED   Not started",
      "quick                            STOPPED   Not started",
      "",
    ].join("\n"),
  );
  const some = await ctl(daemon, "status", "nosuch:*", "grp", "forever");
  assert.deepEqual([some.status, masked(some.stdout)], [
    4,
    "nosuch: ERROR (no such group)\ngrp: ERROR (no such process)\nforever                          RUNNING   pid N, uptime T\n",
  ]);
});

test("start, stop and restart print one line per process with supervisorctl's exit statuses", async (t) => {
  const daemon = await started(t);
  const cases: Array<[string[], string, number]> = [
    [["start", "manual"], "manual: started\n", 0],
    [["start", "manual", "nosuch"], "manual: ERROR (already started)\nnosuch: ERROR (no such process)\n", 1],
    [["start", "nofile"], "nofile: ERROR (no such file)\n", 1],
    [["start", "quick"], "quick: ERROR (spawn error)\n", 7],
    [["start", "nosuch:*"], "nosuch: ERROR (no such group)\n", 2],
    [["stop", "manual"], "manual: stopped\n", 0],
    [["stop", "manual"], "manual: ERROR (not running)\n", 0],
    [["restart", "manual"], "manual: ERROR (not running)\nmanual: started\n", 0],
    [["signal", "BOGUS", "manual"], "manual: ERROR (bad signal name)\n", 1],
    [["signal", "USR1", "nofile"], "nofile: ERROR (not running)\n", 7],
  ];
  for (const [args, stdout, status] of cases) {
    const result = await ctl(daemon, ...args);
    assert.deepEqual([args, result.stdout, result.status], [args, stdout, status]);
  }
  // A group's results come in the order its processes finish stopping.
  const group = await ctl(daemon, "stop", "grp:*");
  assert.deepEqual([group.status, group.stdout.split("\n").sort()], [0, ["", "grp:ga: stopped", "grp:gb: stopped"]]);
  const help = await ctl(daemon, "start");
  assert.equal(help.status, 2);
  assert.match(help.stdout, /^Error: start requires a process name\nstart <name>\t\tStart a process\n/);
});

test("pid names supervisord's pid, a process's, and exits 7 for one that is not running", async (t) => {
  const daemon = await started(t);
  assert.deepEqual(await ctl(daemon, "pid"), { status: 0, stdout: `${daemon.pid}\n`, stderr: "" });
  const some = await ctl(daemon, "pid", "nofile", "nosuch");
  assert.deepEqual([some.status, some.stdout], [1, "0\nNo such process nosuch\n"]);
  assert.equal((await ctl(daemon, "pid", "nofile")).status, 7);
  assert.equal((await ctl(daemon, "pid", "all")).stdout.split("\n").length, 8);
});

test("avail, reread and update follow an edit of the config", async (t) => {
  const daemon = await started(t);
  const avail = await ctl(daemon, "avail");
  assert.match(avail.stdout, /^grp:ga                           in use    auto      999:999\n/m);
  assert.match(avail.stdout, /^manual                           in use    manual    999:999\n/m);
  appendFileSync(daemon.configPath, `\n[program:late]\ncommand=${program("forever")}\nstartsecs=0\n`);
  assert.deepEqual(await ctl(daemon, "reread"), { status: 0, stdout: "late: available\n", stderr: "" });
  assert.deepEqual(await ctl(daemon, "update", "nosuch"), { status: 1, stdout: "ERROR: no such group: nosuch\n", stderr: "" });
  assert.deepEqual(await ctl(daemon, "update", "late"), { status: 0, stdout: "late: added process group\n", stderr: "" });
  assert.deepEqual(await ctl(daemon, "add", "late"), { status: 0, stdout: "ERROR: process group already active\n", stderr: "" });
  assert.deepEqual(await ctl(daemon, "remove", "late"), { status: 1, stdout: "ERROR: process/group still running: late\n", stderr: "" });
});

test("tail prints the log's end plus a newline; tail -f follows until Ctrl-C", async (t) => {
  const daemon = await started(t);
  assert.deepEqual(await ctl(daemon, "tail", "forever"), { status: 0, stdout: "hello\n\n", stderr: "" });
  assert.deepEqual(await ctl(daemon, "tail", "-3", "forever"), { status: 0, stdout: "lo\n\n", stderr: "" });
  assert.deepEqual(await ctl(daemon, "tail", "nosuch"), { status: 1, stdout: "nosuch: ERROR (no such process name)\n", stderr: "" });
  assert.deepEqual(await ctl(daemon, "tail", "forever", "bogus"), { status: 1, stdout: "Error: bad channel 'bogus'\n", stderr: "" });
  const maintail = await ctl(daemon, "maintail", "-30");
  assert.deepEqual([maintail.status, maintail.stdout.length], [0, 31]);

  const follower = spawn(process.execPath, [CTL, "-c", daemon.configPath, "tail", "-f", "forever"], { env: ENV, stdio: ["ignore", "pipe", "pipe"] });
  t.after(() => follower.kill("SIGKILL"));
  let out = "";
  follower.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  await waitFor(() => out === "==> Press Ctrl-C to exit <==\nhello\n", { what: "tail -f to print the log" });
  follower.kill("SIGINT");
  assert.equal(await exited(follower), 0);
  assert.equal(out, "==> Press Ctrl-C to exit <==\nhello\n\n");
});

test("fg sends typed lines to the process and shows its output; end of input leaves", async (t) => {
  const daemon = await started(t);
  const fg = spawn(process.execPath, [CTL, "-c", daemon.configPath, "fg", "echo"], { env: ENV, stdio: ["pipe", "pipe", "pipe"] });
  t.after(() => fg.kill("SIGKILL"));
  let out = "";
  fg.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  await waitFor(() => out.startsWith("==> Press Ctrl-C to exit <==\n"), { what: "fg to attach" });
  fg.stdin.write("hello fg\n");
  await waitFor(() => out.includes("hello fg\n"), { what: "the echo of the typed line" });
  fg.stdin.end();
  assert.equal(await exited(fg), 0);
  assert.ok(out.endsWith("Exiting foreground\n"), out);
  const notRunning = await ctl(daemon, "fg", "manual");
  assert.deepEqual([notRunning.status, notRunning.stdout], [1, "ERROR: process not running\n"]);
});

test("the shell runs status first, then each typed line after a prompt, and exits 0", async (t) => {
  const daemon = await started(t);
  const child = spawn(process.execPath, [CTL, "-c", daemon.configPath], { env: ENV, stdio: ["pipe", "pipe", "pipe"] });
  t.after(() => child.kill("SIGKILL"));
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stdin.end("status forever\nfoo\n\nhelp quit\nversion\n");
  assert.equal(await exited(child), 0);
  const lines = masked(out).split("\n");
  assert.deepEqual(lines.slice(-6), [
    "supervisor> forever                          RUNNING   pid N, uptime T",
    "supervisor> *** Unknown syntax: foo",
    "supervisor> supervisor> quit\tExit the supervisor shell.",
    "supervisor> 4.2.5",
    "supervisor> ",
    "",
  ]);
});

test("shutdown stops the daemon; then the socket is gone and commands say so", async (t) => {
  const daemon = await started(t);
  assert.deepEqual(await ctl(daemon, "shutdown"), { status: 0, stdout: "Shut down\n", stderr: "" });
  await daemon.exited;
  const url = `unix://${join(daemon.dir, "supervisor.sock")}`;
  assert.deepEqual(await ctl(daemon, "status"), { status: 4, stdout: `${url} no such file\n`, stderr: "" });
  assert.deepEqual(await ctl(daemon, "pid"), { status: 7, stdout: `${url} no such file\n`, stderr: "" });
  assert.deepEqual(await ctl(daemon, "shutdown"), { status: 1, stdout: `ERROR: ${url} no such file (already shut down?)\n`, stderr: "" });
  const avail = await ctl(daemon, "avail");
  assert.equal(
    avail.stdout,
    "error: <class 'FileNotFoundError'>, [Errno 2] No such file or directory: file: /usr/lib/python3/dist-packages/supervisor/xmlrpc.py line: 557\n",
  );
});

test("an HTTP server with credentials: 401 without them, the commands with them", async (t) => {
  const port = await freePort();
  const daemon = await startDaemon(t, `[inet_http_server]\nport=127.0.0.1:${port}\nusername=ann\npassword=secret\n`);
  const url = `http://127.0.0.1:${port}`;
  const noSection = await run(process.execPath, [CTL, "-s", url, "-c", "/dev/null", "version"], { env: ENV });
  assert.deepEqual([noSection.status, noSection.stderr], [2, "Error: .ini file does not include supervisorctl section\nFor help, use supervisorctl -h\n"]);
  const refused = await run(process.execPath, [CTL, "-c", join(daemon.dir, "none.conf"), "version"], { env: ENV });
  assert.deepEqual([refused.status, refused.stderr], [2, `Error: could not find config file ${join(daemon.dir, "none.conf")}\nFor help, use supervisorctl -h\n`]);
  const conf = join(daemon.dir, "ctl.conf");
  writeFileSync(conf, "[supervisorctl]\n");
  const anonymous = await run(process.execPath, [CTL, "-c", conf, "-s", url, "version"], { env: ENV });
  assert.deepEqual([anonymous.status, anonymous.stdout], [
    1,
    "Server requires authentication\nerror: <class 'xmlrpc.client.ProtocolError'>, <ProtocolError for 127.0.0.1/RPC2: 401 Unauthorized>: file: /usr/lib/python3/dist-packages/supervisor/xmlrpc.py line: 539\n",
  ]);
  const known = await run(process.execPath, [CTL, "-c", conf, "-s", url, "-u", "ann", "--password=secret", "version"], { env: ENV });
  assert.deepEqual([known.status, known.stdout], [0, "4.2.5\n"]);
});

test("the password asked on a terminal: erased characters are not part of it, Ctrl-C ends the run", async (t) => {
  const port = await freePort();
  const daemon = await startDaemon(t, `[inet_http_server]\nport=127.0.0.1:${port}\nusername=ann\npassword=secret\n`);
  const conf = join(daemon.dir, "ctl.conf");
  writeFileSync(conf, `[supervisorctl]\nserverurl=http://127.0.0.1:${port}\nusername=ann\n`);
  const onTerminal = async (keys: string): Promise<{ status: number; killed: boolean; steps: Array<{ output: string; matched: boolean }> }> => {
    const steps = [
      { send: "", expect: "Password:$" },
      { send: keys, expect: null, idle: true },
    ];
    const session = await run("/usr/bin/python3", [join(REPO_ROOT, "compat-tests/clients/pty_session.py"), JSON.stringify(steps), process.execPath, CTL, "-c", conf, "version"], {
      env: ENV,
      timeoutMs: 60_000,
    });
    assert.equal(session.status, 0, session.stderr);
    return JSON.parse(session.stdout) as { status: number; killed: boolean; steps: Array<{ output: string; matched: boolean }> };
  };
  const corrected = await onTerminal("secrx\x7fet\r");
  assert.deepEqual([corrected.status, corrected.steps[1]?.output], [0, "\n4.2.5\n"]);
  const interrupted = await onTerminal("\x03");
  assert.deepEqual([interrupted.status, interrupted.killed, interrupted.steps[1]?.output], [-2, false, "\n"]);
});
