/** supervisord's command-line flags at work (states.md §10). */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { program, startDaemon } from "../helpers/daemon";
import { waitFor } from "../helpers/wait-for";

test("in the foreground the log is echoed to stdout; -s silences it", async (t) => {
  const loud = await startDaemon(t, "");
  await waitFor(() => loud.output().includes("supervisord started with pid"), { what: "the echo" });
  const quiet = await startDaemon(t, "", { args: ["-s"] });
  await quiet.waitForLog(/supervisord started with pid/);
  assert.equal(quiet.output(), "");
});

test("-e overrides loglevel; -i names the AUTO logs; -k keeps old ones", async (t) => {
  const daemon = await startDaemon(t, `[program:w]\ncommand=${program("forever")}\n`, {
    loglevel: "debug",
    args: ["-e", "warn", "-i", "edge", "-k"],
  });
  await waitFor(() => readdirSync(daemon.dir).some((name) => name.startsWith("w-stdout---edge-")), { what: "the AUTO log" });
  await daemon.stop();
  assert.doesNotMatch(daemon.log(), / INFO /);
  assert.match(daemon.log(), / WARN stopped: w \(terminated by SIGTERM\)/);
});

test("user= runs the program as that user, with the user's groups", async (t) => {
  const daemon = await startDaemon(t, `[program:who]\ncommand=${program("print-env")}\nuser=nobody\nstartsecs=0\nstdout_logfile=%(here)s/who.json\n`);
  await waitFor(() => readOr(join(daemon.dir, "who.json")).endsWith("\n"), { what: "the program's report" });
  const seen = JSON.parse(readOr(join(daemon.dir, "who.json"))) as { uid: number; gid: number; groups: number[] };
  assert.equal(seen.uid, 65534);
  assert.equal(seen.gid, 65534);
  assert.deepEqual([...new Set(seen.groups)].sort(), [65534]);
});

function readOr(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

test("children get supervisord's soft fd limit, not the one Node raised for itself", async (t) => {
  const body = `[program:limit]\ncommand=/bin/sh -c "ulimit -Sn; exec sleep 600"\nstartsecs=0\nstdout_logfile=%(here)s/limit.out\n`;
  const low = await startDaemon(t, body, { shimWithNofile: 1000 });
  await waitFor(() => readOr(join(low.dir, "limit.out")) !== "", { what: "the limit" });
  assert.equal(readOr(join(low.dir, "limit.out")), "1024\n"); // raised to minfds (1024), as supervisord does
  assert.match(low.log(), /INFO Increased RLIMIT_NOFILE limit to 1024/);
  const high = await startDaemon(t, body, { shimWithNofile: 2000 });
  await waitFor(() => readOr(join(high.dir, "limit.out")) !== "", { what: "the limit" });
  assert.equal(readOr(join(high.dir, "limit.out")), "2000\n");
});
