/** The daemon as a whole (issue #3): ordering, logs, signals, start-up and shutdown. */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { logLines, program, startDaemon } from "../helpers/daemon";
import { childPids, isAlive, run } from "../helpers/processes";
import { dist } from "../helpers/repo";
import { tempDir } from "../helpers/temp-dir";
import { waitFor } from "../helpers/wait-for";

test("programs start in ascending priority and stop in descending priority, group by group", async (t) => {
  const dir = tempDir(t);
  const order = join(dir, "order");
  const prog = (name: string, priority: number) =>
    `[program:${name}]\ncommand=${program("append-name", order, name)}\npriority=${priority}\nstartsecs=0\n\n`;
  const daemon = await startDaemon(t, prog("p3", 30) + prog("p1", 10) + prog("p2", 20) + prog("p0", 10));
  await waitFor(() => existsSync(order) && readFileSync(order, "utf8").split("\n").length === 5, { what: "four starts" });
  // Spawned one after another in priority order (equal priorities by name); each program then
  // takes its own time to start, so the start order is read from the log.
  const spawned = logLines(daemon.log()).filter((line) => line.startsWith("INFO spawned:"));
  assert.deepEqual(spawned.map((line) => /'(\w+)'/.exec(line)?.[1]), ["p0", "p1", "p2", "p3"]);
  assert.equal(await daemon.stop(), 0);
  // Each group is stopped only once the one before it has stopped, so this order is exact.
  assert.deepEqual(readFileSync(order, "utf8").trim().split("\n").filter((line) => line.startsWith("stop")), [
    "stop p3",
    "stop p2",
    "stop p1",
    "stop p0",
  ]);
});

// Two ways through the daemon: a plain channel's pipe is moved into the file natively; one with
// events enabled (or capture mode, strip_ansi, syslog, debug echo) is read in chunks by JS.
for (const [how, option] of [
  ["moved natively", ""],
  ["read in chunks (stdout_events_enabled)", "stdout_events_enabled=true\n"],
] as const) {
  test(`a child's log rotates at maxbytes and keeps every line, in order, across the backups: ${how}`, async (t) => {
    await rotationKeepsEveryLine(t, option);
  });
}

async function rotationKeepsEveryLine(t: TestContext, option: string): Promise<void> {
  const lines = 200_000;
  const daemon = await startDaemon(
    t,
    `[program:spew]\ncommand=${program("spew", String(lines))}\nstartsecs=0\nautorestart=false\n` +
      `stdout_logfile=%(here)s/spew.log\nstdout_logfile_maxbytes=1MB\nstdout_logfile_backups=20\n${option}`,
    { loglevel: "info" },
  );
  await daemon.waitForLog(/exited: spew \(exit status 0; expected\)/, 30_000);
  await daemon.stop();
  const files = readdirSync(daemon.dir).filter((name) => name.startsWith("spew.log"));
  const backups = files.filter((name) => name !== "spew.log").sort((a, b) => Number(b.split(".").pop()) - Number(a.split(".").pop()));
  assert.ok(backups.length >= 10, `only ${backups.length} backups`);
  for (const backup of backups) assert.ok(statSync(join(daemon.dir, backup)).size >= 1024 * 1024, backup);
  const text = [...backups, "spew.log"].map((name) => readFileSync(join(daemon.dir, name), "utf8")).join("");
  const numbers = text.trim().split("\n").map((line) => Number(line.slice(5, 14)));
  assert.equal(numbers.length, lines);
  numbers.forEach((n, i) => assert.equal(n, i));
}

test("every child gets the SUPERVISOR_* variables and the configured environment", async (t) => {
  const daemon = await startDaemon(
    t,
    `[program:env]\ncommand=${program("print-env")}\nstartsecs=0\nenvironment=GREETING="hello",SUPERVISOR_ENABLED="overridden"\n` +
      `stdout_logfile=%(here)s/env.json\numask=027\ndirectory=%(here)s\n`,
    { supervisord: 'environment=GLOBAL="yes"' },
  );
  await waitFor(() => readOr(join(daemon.dir, "env.json")).endsWith("\n"), { what: "the environment" });
  const seen = JSON.parse(readOr(join(daemon.dir, "env.json"))) as { env: Record<string, string>; cwd: string; umask: number };
  assert.equal(seen.env["SUPERVISOR_ENABLED"], "overridden");
  assert.equal(seen.env["SUPERVISOR_PROCESS_NAME"], "env");
  assert.equal(seen.env["SUPERVISOR_GROUP_NAME"], "env");
  assert.equal(seen.env["SUPERVISOR_SERVER_URL"], `unix://${join(daemon.dir, "supervisor.sock")}`);
  assert.equal(seen.env["GREETING"], "hello");
  assert.equal(seen.env["GLOBAL"], "yes");
  assert.equal(seen.cwd, daemon.dir);
  assert.equal(seen.umask, 0o027);
});

test("SIGHUP reloads: everything stops in order, the new config starts, same pid", async (t) => {
  const daemon = await startDaemon(t, `[program:old]\ncommand=${program("forever")}\nstartsecs=0\n`);
  await daemon.waitForLog(/spawned: 'old'/);
  writeFileSync(
    daemon.configPath,
    readFileSync(daemon.configPath, "utf8").replace("[program:old]", "[program:new]"),
  );
  daemon.signal("SIGHUP");
  await daemon.waitForLog(/spawned: 'new'/);
  const lines = logLines(daemon.log());
  const at = (text: string) => lines.findIndex((line) => line.startsWith(text));
  assert.ok(at("WARN received SIGHUP indicating restart request") < at("WARN stopped: old"));
  assert.ok(at("WARN stopped: old") < at("INFO spawned: 'new'"));
  assert.equal(lines.filter((line) => line === `INFO supervisord started with pid ${daemon.pid}`).length, 2);
  assert.ok(isAlive(daemon.pid));
});

test("SIGHUP with a broken config keeps the running one and says why (issue #3: DIVERGES)", async (t) => {
  const daemon = await startDaemon(t, `[program:keep]\ncommand=${program("forever")}\nstartsecs=0\n`);
  const [, pid] = await daemon.waitForLog(/spawned: 'keep' with pid (\d+)/);
  writeFileSync(daemon.configPath, `${readFileSync(daemon.configPath, "utf8")}\nstartsecs = soon\n`);
  daemon.signal("SIGHUP");
  await daemon.waitForLog(/CRIT restart refused, the running configuration is kept: invalid literal for int\(\) with base 10: 'soon' in section 'program:keep' .* \(at .*supervisord\.conf:\d+: \[program:keep\] startsecs\)/);
  assert.ok(isAlive(Number(pid)));
  assert.doesNotMatch(daemon.log(), /stopped: keep/);
  assert.equal(await daemon.stop(), 0);
});

test("SIGUSR2 reopens the main log and the children's logs (logrotate's create mode)", async (t) => {
  const daemon = await startDaemon(t, `[program:talk]\ncommand=${program("forever", "first")}\nstartsecs=0\nstdout_logfile=%(here)s/talk.log\n`);
  await waitFor(() => readOr(join(daemon.dir, "talk.log")) === "first\n", { what: "the first line" });
  renameSync(join(daemon.dir, "supervisord.log"), join(daemon.dir, "supervisord.log.1"));
  renameSync(join(daemon.dir, "talk.log"), join(daemon.dir, "talk.log.1"));
  daemon.signal("SIGUSR2");
  // Both lines are written before the reopen, so they end the old file, as with supervisord.
  await waitFor(() => /INFO received SIGUSR2 indicating log reopen request\n.* INFO supervisord logreopen\n$/.test(readOr(join(daemon.dir, "supervisord.log.1"))), {
    what: "the reopen lines in the old file",
  });
  await waitFor(() => existsSync(join(daemon.dir, "supervisord.log")) && existsSync(join(daemon.dir, "talk.log")), { what: "new log files" });
  assert.equal(await daemon.stop(), 0);
  assert.match(readOr(join(daemon.dir, "supervisord.log")), /WARN received SIGTERM indicating exit request/);
});

test("shutdown leaves nothing: children gone, pidfile and socket removed, exit 0", async (t) => {
  const daemon = await startDaemon(t, `[program:a]\ncommand=${program("forever")}\nnumprocs=3\nprocess_name=%(program_name)s_%(process_num)s\nstartsecs=0\n`);
  await waitFor(() => (daemon.log().match(/spawned: 'a_\d'/g) ?? []).length === 3, { what: "three processes" });
  const children = childPids(daemon.pid);
  assert.equal(children.length, 3);
  assert.equal(readFileSync(join(daemon.dir, "supervisord.pid"), "utf8"), `${daemon.pid}\n`);
  assert.equal(await daemon.stop(), 0);
  for (const pid of children) assert.ok(!isAlive(pid), `child ${pid} survived`);
  assert.ok(!existsSync(join(daemon.dir, "supervisord.pid")));
  assert.ok(!existsSync(join(daemon.dir, "supervisor.sock")));
});

test("a second daemon on the same socket refuses with supervisord's message and removes nothing", async (t) => {
  const daemon = await startDaemon(t, "");
  const second = await run(process.execPath, [dist("src/cli/supervisord.js"), "-n", "-c", daemon.configPath], { cwd: daemon.dir });
  assert.equal(second.status, 2);
  assert.equal(
    second.stderr.split("\n")[0],
    "Error: Another program is already listening on a port that one of our HTTP servers is configured to use.  Shut this program down first before starting supervisord.",
  );
  assert.ok(existsSync(join(daemon.dir, "supervisor.sock")));
  assert.ok(isAlive(daemon.pid));
});

test("old AUTO logs of this identifier are removed at start; others are kept", async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, "web-stdout---supervisor-abcdefgh.log"), "old");
  writeFileSync(join(dir, "web-stdout---supervisor-abcdefgh.log.3"), "old");
  writeFileSync(join(dir, "web-stdout---other-abcdefgh.log"), "keep");
  const daemon = await startDaemon(t, `[program:web]\ncommand=${program("forever")}\n`, { supervisord: `childlogdir=${dir}` });
  const names = readdirSync(dir).sort();
  assert.ok(!names.includes("web-stdout---supervisor-abcdefgh.log"));
  assert.ok(!names.includes("web-stdout---supervisor-abcdefgh.log.3"));
  assert.ok(names.includes("web-stdout---other-abcdefgh.log"));
  assert.equal(names.filter((name) => /^web-std(out|err)---supervisor-[a-z0-9_]{8}\.log$/.test(name)).length, 2);
  await daemon.stop();
});

test("without -n it daemonizes: the command returns 0, the daemon runs in its own session and writes its pidfile", async (t) => {
  const dir = tempDir(t);
  const config = join(dir, "supervisord.conf");
  writeFileSync(
    config,
    `[unix_http_server]\nfile=%(here)s/s.sock\n[supervisord]\nlogfile=%(here)s/sd.log\npidfile=%(here)s/sd.pid\nchildlogdir=%(here)s\ndirectory=%(here)s\n` +
      `[program:bg]\ncommand=${program("forever")}\nstartsecs=0\n`,
  );
  const started = await run(process.execPath, [dist("src/cli/supervisord.js"), "-c", config], { cwd: "/" });
  assert.equal(started.status, 0, started.stderr);
  assert.equal(started.stdout + started.stderr, "");
  const pid = Number(readFileSync(join(dir, "sd.pid"), "utf8"));
  t.after(() => {
    if (isAlive(pid)) process.kill(pid, "SIGKILL");
  });
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  assert.equal(Number(stat[3]), pid, "the daemon leads its own session");
  await waitFor(() => /spawned: 'bg'/.test(readOr(join(dir, "sd.log"))), { what: "the program" });
  assert.match(readOr(join(dir, "sd.log")), /INFO daemonizing the supervisord process\n.*INFO set current directory: '.*'\n.*INFO supervisord started with pid \d+/);
  process.kill(pid, "SIGTERM");
  await waitFor(() => !isAlive(pid), { what: "the daemon to exit" });
  assert.ok(!existsSync(join(dir, "sd.pid")));
});

test("without -n, a problem found after forking still reaches the terminal: Error: and exit 2", async (t) => {
  const dir = tempDir(t);
  const config = join(dir, "supervisord.conf");
  writeFileSync(config, `[unix_http_server]\nfile=/nonexistent-dir/s.sock\n[supervisord]\nlogfile=%(here)s/sd.log\npidfile=%(here)s/sd.pid\n`);
  const started = await run(process.execPath, [dist("src/cli/supervisord.js"), "-c", config], { cwd: dir });
  assert.equal(started.status, 2);
  assert.equal(started.stderr.split("\n")[0], "Error: Cannot open an HTTP server: socket.error reported errno.ENOENT (2)");
});

function readOr(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

test("an fcgi-program's processes share the daemon's listening socket on stdin", async (t) => {
  const acceptor = `python3 -c "import socket,os; s=socket.socket(fileno=0); c,_=s.accept(); c.sendall(str(os.getpid()).encode()); c.close(); import time; time.sleep(600)"`;
  const daemon = await startDaemon(
    t,
    `[fcgi-program:app]\ncommand=${acceptor}\nsocket=unix://%(here)s/app.sock\nnumprocs=2\nprocess_name=%(program_name)s_%(process_num)s\nstartsecs=0\n`,
  );
  await daemon.waitForLog(/INFO Creating socket unix:\/\/.*\/app\.sock/);
  await waitFor(() => (daemon.log().match(/spawned: 'app_\d'/g) ?? []).length === 2, { what: "two workers" });
  const { connect } = await import("node:net");
  const answer = await new Promise<string>((resolve, reject) => {
    const sock = connect(join(daemon.dir, "app.sock"));
    let data = "";
    sock.setEncoding("utf8").on("data", (d: string) => (data += d));
    sock.once("end", () => resolve(data));
    sock.once("error", reject);
  });
  const workers = childPids(daemon.pid);
  assert.ok(workers.includes(Number(answer)), `answered by ${answer}, workers ${workers.join(",")}`);
  assert.equal(await daemon.stop(), 0);
  assert.match(daemon.log(), /INFO Closing socket unix:\/\/.*\/app\.sock/);
});

test("the main log rotates at logfile_maxbytes, keeping logfile_backups files", async (t) => {
  const daemon = await startDaemon(t, `[program:chatty]\ncommand=${program("exit-with", "0", "x".repeat(200))}\nstartsecs=0\nautorestart=true\n`, {
    supervisord: "logfile_maxbytes=2000\nlogfile_backups=2",
  });
  await waitFor(() => existsSync(join(daemon.dir, "supervisord.log.2")), { what: "two rotations", timeoutMs: 20_000 });
  await daemon.stop();
  assert.ok(!existsSync(join(daemon.dir, "supervisord.log.3")));
  for (const name of ["supervisord.log.1", "supervisord.log.2"]) {
    const size = statSync(join(daemon.dir, name)).size;
    assert.ok(size >= 2000 && size < 3000, `${name} is ${size} bytes`);
  }
});

test("strip_ansi (-t) removes escape sequences from child output, in its log and the debug echo", async (t) => {
  const daemon = await startDaemon(
    t,
    `[program:color]\ncommand=/bin/printf "\\033[31mred\\033[0m and \\033[1;32mgreen\\033[K\\n"\nstartsecs=0\nautorestart=false\nstdout_logfile=%(here)s/color.log\n`,
    { args: ["-t"] },
  );
  await daemon.waitForLog(/exited: color/);
  assert.equal(readFileSync(join(daemon.dir, "color.log"), "utf8"), "red and green\n");
  assert.match(daemon.log(), /DEBG 'color' stdout output:\nred and green\n\n/);
});

test("with no server and nothing running, the daemon still waits for a signal", async (t) => {
  const dir = tempDir(t);
  const config = join(dir, "supervisord.conf");
  writeFileSync(config, `[supervisord]\nlogfile=%(here)s/sd.log\npidfile=%(here)s/sd.pid\n[program:idle]\ncommand=/bin/true\nautostart=false\n`);
  const { spawn } = await import("node:child_process");
  const child = spawn(process.execPath, [dist("src/cli/supervisord.js"), "-n", "-c", config], { cwd: dir, stdio: "ignore" });
  t.after(() => child.kill("SIGKILL"));
  await waitFor(() => /supervisord started with pid/.test(readOr(join(dir, "sd.log"))), { what: "start-up" });
  const stillRunning = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(true), 1000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  assert.ok(stillRunning, "the daemon exited on its own");
  child.kill("SIGTERM");
  const status = await new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  assert.equal(status, 0);
  assert.ok(!existsSync(join(dir, "sd.pid")));
});
