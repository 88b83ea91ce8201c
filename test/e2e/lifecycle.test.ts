/** A supervised process's life, watched through the main log (issue #3, states.md §3-§7). */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { logLines, program, startDaemon } from "../helpers/daemon";
import { isAlive } from "../helpers/processes";
import { waitFor } from "../helpers/wait-for";

const STAMP = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) /;

function timesOf(log: string, pattern: RegExp): number[] {
  return log
    .split("\n")
    .filter((line) => pattern.test(line))
    .map((line) => {
      const stamp = STAMP.exec(line)?.[1] ?? "";
      return Date.parse(stamp.replace(" ", "T").replace(",", "."));
    });
}

test("a program that stays up past startsecs goes STARTING -> RUNNING, then a stop ends it", async (t) => {
  const daemon = await startDaemon(t, `[program:web]\ncommand=${program("forever")}\nstartsecs=1\n`);
  const [, pid] = await daemon.waitForLog(/INFO spawned: 'web' with pid (\d+)/);
  await daemon.waitForLog(/INFO success: web entered RUNNING state, process has stayed up for > than 1 seconds \(startsecs\)/);
  assert.ok(isAlive(Number(pid)));
  assert.equal(await daemon.stop(), 0);
  const lines = logLines(daemon.log());
  assert.ok(lines.includes(`DEBG killing web (pid ${pid}) with signal SIGTERM`), lines.join("\n"));
  assert.ok(lines.includes("WARN stopped: web (terminated by SIGTERM)"), lines.join("\n"));
  assert.ok(!isAlive(Number(pid)));
});

test("an exit before startsecs is BACKOFF; retries wait 1, 2 s; then FATAL after startretries", async (t) => {
  const daemon = await startDaemon(t, `[program:flap]\ncommand=${program("exit-with", "1")}\nstartsecs=5\nstartretries=2\n`);
  await daemon.waitForLog(/INFO gave up: flap entered FATAL state, too many start retries too quickly/, 20_000);
  const log = daemon.log();
  const spawns = timesOf(log, /spawned: 'flap'/);
  assert.equal(spawns.length, 3, log);
  const [first = 0, second = 0, third = 0] = spawns;
  // Node needs ~50 ms to start and exit: the waits are the backoff plus that.
  assert.ok(second - first >= 1000 && second - first < 1600, `first retry after ${second - first} ms`);
  assert.ok(third - second >= 2000 && third - second < 2600, `second retry after ${third - second} ms`);
  assert.equal((log.match(/WARN exited: flap \(exit status 1; not expected\)/g) ?? []).length, 3);
});

test("autorestart=unexpected restarts on an unexpected exit code only", async (t) => {
  const daemon = await startDaemon(
    t,
    `[program:ok]\ncommand=${program("exit-with", "0")}\nstartsecs=0\n\n` +
      `[program:bad]\ncommand=${program("exit-with", "3")}\nstartsecs=0\nexitcodes=0,2\n`,
  );
  await waitFor(() => (daemon.log().match(/spawned: 'bad'/g) ?? []).length >= 3, { what: "bad to be restarted twice" });
  const log = daemon.log();
  assert.equal((log.match(/spawned: 'ok'/g) ?? []).length, 1, log);
  assert.match(log, /INFO exited: ok \(exit status 0; expected\)/);
  assert.match(log, /WARN exited: bad \(exit status 3; not expected\)/);
});

test("autorestart=true restarts every exit; autorestart=false none", async (t) => {
  const daemon = await startDaemon(
    t,
    `[program:always]\ncommand=${program("exit-with", "0")}\nstartsecs=0\nautorestart=true\n\n` +
      `[program:never]\ncommand=${program("exit-with", "1")}\nstartsecs=0\nautorestart=false\n`,
  );
  await waitFor(() => (daemon.log().match(/spawned: 'always'/g) ?? []).length >= 3, { what: "always to restart" });
  assert.equal((daemon.log().match(/spawned: 'never'/g) ?? []).length, 1);
});

test("a program ignoring SIGTERM gets SIGKILL after stopwaitsecs", async (t) => {
  const daemon = await startDaemon(t, `[program:stubborn]\ncommand=${program("ignore-term")}\nstartsecs=0\nstopwaitsecs=1\n`);
  const [, pid] = await daemon.waitForLog(/spawned: 'stubborn' with pid (\d+)/);
  await waitFor(() => readFileSync(join(daemon.dir, readdirLog(daemon.dir, "stubborn-stdout")), "utf8").includes("ready"), { what: "the program to be ready" });
  const stopped = daemon.stop();
  await daemon.waitForLog(new RegExp(`WARN killing 'stubborn' \\(${pid}\\) with SIGKILL`), 5000);
  assert.equal(await stopped, 0);
  assert.match(daemon.log(), /WARN stopped: stubborn \(terminated by SIGKILL\)/);
  const [killed] = timesOf(daemon.log(), /with SIGKILL/);
  const [termed] = timesOf(daemon.log(), /with signal SIGTERM/);
  assert.ok((killed ?? 0) - (termed ?? 0) >= 1000, "SIGKILL came before stopwaitsecs");
});

test("stopasgroup reaches a grandchild; without it the grandchild is left running", async (t) => {
  const daemon = await startDaemon(
    t,
    `[program:group]\ncommand=${program("fork-grandchild")}\nstartsecs=0\nstopasgroup=true\nstdout_logfile=%(here)s/group.out\n\n` +
      `[program:single]\ncommand=${program("fork-grandchild")}\nstartsecs=0\nstdout_logfile=%(here)s/single.out\n`,
  );
  const grandchild = async (name: string): Promise<number> => {
    let pid = 0;
    await waitFor(() => {
      pid = Number(/grandchild (\d+)/.exec(readOr(join(daemon.dir, `${name}.out`)))?.[1] ?? 0);
      return pid > 0;
    }, { what: `${name}'s grandchild` });
    return pid;
  };
  const inGroup = await grandchild("group");
  const alone = await grandchild("single");
  t.after(() => {
    if (isAlive(alone)) process.kill(alone, "SIGKILL");
  });
  assert.equal(await daemon.stop(), 0);
  assert.match(daemon.log(), /killing group \(pid \d+\) process group with signal SIGTERM/);
  await waitFor(() => !isAlive(inGroup), { what: "the grandchild in the group to die" });
  assert.ok(isAlive(alone), "a grandchild outside stopasgroup should survive, as with supervisord");
});

test("a command that cannot be found: spawnerr, then FATAL after the retries", async (t) => {
  const daemon = await startDaemon(t, `[program:ghost]\ncommand=/nonexistent/ghost --flag\nstartretries=1\n`);
  await daemon.waitForLog(/INFO gave up: ghost entered FATAL state/, 10_000);
  const lines = logLines(daemon.log()).filter((line) => line.includes("ghost"));
  assert.deepEqual(lines, [
    "INFO spawnerr: can't find command '/nonexistent/ghost'",
    "INFO spawnerr: can't find command '/nonexistent/ghost'",
    "INFO gave up: ghost entered FATAL state, too many start retries too quickly",
  ]);
});

test("a bad directory is reported by the child in its own log, exit status 127", async (t) => {
  const daemon = await startDaemon(
    t,
    `[program:lost]\ncommand=${program("forever")}\ndirectory=/nonexistent_dir\nstartsecs=0\nautorestart=false\nstderr_logfile=%(here)s/lost.err\n`,
  );
  await daemon.waitForLog(/WARN exited: lost \(exit status 127; not expected\)/);
  assert.equal(
    readFileSync(join(daemon.dir, "lost.err"), "utf8"),
    "supervisor: couldn't chdir to /nonexistent_dir: ENOENT\nsupervisor: child process was not spawned\n",
  );
});

function readOr(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** The AUTO log file whose name starts with `prefix` (e.g. "web-stdout"). */
function readdirLog(dir: string, prefix: string): string {
  return readdirSync(dir).find((name) => name.startsWith(prefix)) ?? `${prefix}.missing`;
}
