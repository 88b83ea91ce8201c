/**
 * Our config reader against supervisord 4.2.5's, config by config (issue #2). For each case
 * directory (a supervisord.conf and the files it includes):
 * - the whole model: Debian's supervisor package reads the config in Python (the reference
 *   code itself, via harness/dump_real_config.py) and our reader reads it; every field of every
 *   section, process and server, and the parse messages, must be identical;
 * - getAllConfigInfo: the real supervisord is started on it and asked over XML-RPC with
 *   python3's xmlrpc.client; our model must give the same structs;
 * - a config supervisord refuses: both refuse, exit 2, same first error line.
 */
import assert from "node:assert/strict";
import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { freePort } from "../../test/helpers/free-port";
import { dist, REPO_ROOT } from "../../test/helpers/repo";
import { tempDir } from "../../test/helpers/temp-dir";
import { maskConfigInfo } from "../harness/config-info";
import { startOurSupervisord } from "../harness/our-supervisord";
import { run } from "../../test/helpers/processes";
import { pythonXmlRpc, REAL_SUPERVISORD, startRealSupervisord, SYSTEM_PYTHON } from "../harness/real-supervisord";

const CASES = join(REPO_ROOT, "compat-tests/config-differential/cases");

/** The same small environment for both readers: ENV_* names appear in their error texts. */
function environment(home: string): NodeJS.ProcessEnv {
  return {
    PATH: "/usr/local/bin:/usr/bin:/bin",
    HOME: home,
    LANG: "C.UTF-8", // else Python adds LC_CTYPE to its environment (PEP 538)
    APP_ROOT: "/srv/app",
    APP_WORKERS: "3",
    APP_USER: "nobody",
    APP_GREETING: "hello world",
  };
}

/** Copy a case into a fresh directory, filling in @PORT@ with a free loopback port. */
async function prepare(t: { after: (fn: () => void) => void }, name: string): Promise<string> {
  const dir = tempDir(t, "cfgdiff-");
  cpSync(join(CASES, name), dir, { recursive: true });
  const port = String(await freePort());
  for (const file of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    if (!file.endsWith(".conf") && !file.endsWith(".ini")) continue;
    const path = join(dir, file);
    writeFileSync(path, readFileSync(path, "utf8").replaceAll("@PORT@", port));
  }
  return dir;
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? "";
}

for (const name of readdirSync(CASES).sort()) {
  test(`config ${name}: read exactly as supervisord 4.2.5 reads it`, async (t) => {
    const dir = await prepare(t, name);
    const env = environment(dir);
    const args = ["-c", "supervisord.conf"];

    const realDump = await run(SYSTEM_PYTHON, [join(REPO_ROOT, "compat-tests/harness/dump_real_config.py"), ...args], { cwd: dir, env });
    assert.equal(realDump.status, 0, realDump.stderr);
    const ourDump = await run(process.execPath, [dist("compat-tests/harness/dump-our-config.js"), ...args], { cwd: dir, env });
    assert.equal(ourDump.status, 0, ourDump.stderr);
    const real = JSON.parse(realDump.stdout) as { ok: boolean };
    assert.deepEqual(JSON.parse(ourDump.stdout), real);

    if (!real.ok) {
      const [refused, ours] = await Promise.all([
        run(REAL_SUPERVISORD, ["-n", ...args], { cwd: dir, env }),
        run(process.execPath, [dist("src/cli/supervisord.js"), "-n", ...args], { cwd: dir, env }),
      ]);
      assert.equal(refused.status, 2, refused.stderr);
      assert.equal(ours.status, 2, ours.stderr);
      assert.equal(firstLine(ours.stderr), firstLine(refused.stderr));
      return;
    }

    const socket = join(dir, "supervisor.sock");
    const start = await startRealSupervisord(join(dir, "supervisord.conf"), socket, env, dir);
    if (start.started) t.after(() => start.daemon.stop());
    // Ours runs after the real one has let go of the socket path (or never took it).
    const ourDir = await prepare(t, name);
    const ours = await startOurSupervisord(join(ourDir, "supervisord.conf"), join(ourDir, "supervisor.sock"), environment(ourDir), ourDir);
    if (ours.started) t.after(() => ours.stop());
    if (!start.started) {
      // Refused after reading the config (e.g. when it builds its HTTP servers): so must we be.
      assert.equal(start.status, 2, start.stderr);
      assert.equal(ours.started, false, "ours started where supervisord refused");
      if (!ours.started) {
        assert.equal(ours.status, 2, ours.stderr);
        assert.equal(firstLine(ours.stderr), firstLine(start.stderr));
      }
      return;
    }
    assert.ok(ours.started, ours.started ? "" : `ours refused where supervisord started: ${ours.stderr}`);
    const [answer] = await pythonXmlRpc(`unix://${socket}`, ["supervisor.getAllConfigInfo"]);
    const ourInfo = await run(process.execPath, [dist("compat-tests/harness/dump-our-config.js"), "--getAllConfigInfo", ...args], { cwd: dir, env });
    assert.equal(ourInfo.status, 0, ourInfo.stderr);
    const ourStructs = JSON.parse(ourInfo.stdout) as Record<string, unknown>[] | { fault: unknown };
    if (answer?.protocolError !== undefined) {
      // supervisord answers HTTP 500 when a value does not fit XML-RPC's 32-bit int (xmlrpc.md
      // §5): the config must then hold such a value for us too.
      assert.equal(answer.protocolError.errcode, 500);
      assert.ok(Array.isArray(ourStructs));
      assert.ok(ourStructs.some((s) => Object.values(s).some((v) => typeof v === "number" && Math.abs(v) >= 2 ** 31)));
      return;
    }
    if (answer?.fault !== undefined) {
      // No [rpcinterface:supervisor]: only system.* exists (xmlrpc.md §8.1).
      assert.deepEqual(ourStructs, { fault: answer.fault });
      return;
    }
    assert.deepEqual(ourStructs, (answer?.result as Record<string, unknown>[]).map(maskConfigInfo));
  });
}

