import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { exited, isAlive, run } from "../helpers/processes";
import { dist } from "../helpers/repo";
import { tempDir } from "../helpers/temp-dir";
import { waitFor } from "../helpers/wait-for";

const PIDPROXY = dist("src/cli/pidproxy.js");

test("pidproxy without arguments prints its usage and exits 1", async () => {
  const out = await run(process.execPath, [PIDPROXY]);
  assert.equal(out.status, 1);
  assert.match(out.stdout, /Usage: .*pidproxy\.js <pidfile name> <command> \[<cmdarg1> \.\.\.\]\n/);
});

test("pidproxy passes SIGTERM to the pid in the pid file, then exits 0", async (t) => {
  const dir = tempDir(t);
  const pidfile = join(dir, "daemon.pid");
  const launcher = join(dir, "launcher.sh");
  // A launcher that starts a "daemon" in the background, records its pid, and waits.
  writeFileSync(launcher, `#!/bin/sh\nsleep 600 &\necho $! > ${pidfile}\ntrap 'exit 0' TERM\nwait\n`);
  chmodSync(launcher, 0o755);
  const proxy = spawn(process.execPath, [PIDPROXY, pidfile, launcher], { cwd: dir, stdio: "ignore" });
  const done = exited(proxy);
  t.after(() => {
    if (proxy.pid !== undefined && isAlive(proxy.pid)) proxy.kill("SIGKILL");
  });
  await waitFor(() => existsSync(pidfile) && readFileSync(pidfile, "utf8").trim() !== "", { what: "the pid file" });
  const daemonPid = Number(readFileSync(pidfile, "utf8"));
  t.after(() => {
    if (isAlive(daemonPid)) process.kill(daemonPid, "SIGKILL");
  });
  proxy.kill("SIGTERM");
  assert.equal(await done, 0);
  await waitFor(() => !isAlive(daemonPid), { what: "the daemon to get SIGTERM" });
});

test("pidproxy exits 0 when its command ends", async (t) => {
  const dir = tempDir(t);
  const out = await run(process.execPath, [PIDPROXY, join(dir, "none.pid"), "/bin/true"], { cwd: dir });
  assert.equal(out.status, 0);
});
