/**
 * supervisord's command line (states.md §10, config.md §1 and §3): for each bad command line,
 * the real supervisord 4.2.5 and ours both exit 2 with the same `Error:` line.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { dist, REPO_ROOT } from "../../test/helpers/repo";
import { tempDir } from "../../test/helpers/temp-dir";
import { run } from "../../test/helpers/processes";
import { REAL_SUPERVISORD } from "../harness/real-supervisord";

const COMMAND_LINES: ReadonlyArray<readonly string[]> = [
  ["-Z"],
  ["--loglevel"],
  ["--nodaemon=1"],
  ["--noda=yes"],
  ["--no"],
  ["-c"],
  ["-c", "ok.conf", "foo"],
  ["-c", "ok.conf", "-c", "ok.conf"],
  ["-n", "-n", "-c", "ok.conf"],
  ["-c", "ok.conf", "-e", "bogus"],
  ["-c", "ok.conf", "--loglevel=warning"],
  ["-c", "ok.conf", "-l", "/nonexist/x.log"],
  ["-c", "ok.conf", "-q", "/nonexist"],
  ["-c", "ok.conf", "-a", "abc"],
  ["-c", "ok.conf", "--minprocs", "1.5"],
  ["-c", "ok.conf", "-y", "1XB"],
  ["-c", "ok.conf", "-z", "x"],
  ["-c", "ok.conf", "-m", "9"],
  ["-c", "ok.conf", "-d", "/nonexist"],
  ["-c", "ok.conf", "-j", "/nonexist/x.pid"],
  ["-c", "ok.conf", "-u", "nosuchuserx"],
  ["-c", "ok.conf", "-u", "99999"],
  ["-c", "missing.conf"],
  ["-c", "."],
  ["-c", "nosection.conf"],
  ["-c", "syntax.conf"],
];

for (const args of COMMAND_LINES) {
  test(`supervisord ${args.join(" ")}: the same usage error as supervisord 4.2.5`, async (t) => {
    const dir = tempDir(t, "usage-");
    // A config that would start: only reached by the command lines that get past option parsing.
    writeFileSync(join(dir, "ok.conf"), "[supervisord]\nlogfile=%(here)s/sd.log\npidfile=%(here)s/sd.pid\n");
    writeFileSync(join(dir, "nosection.conf"), "[program:x]\ncommand=/bin/cat\n");
    writeFileSync(join(dir, "syntax.conf"), "[supervisord]\nlogfile=%(here)s/sd.log\nnot an option\n[program:x]\ncommand = /bin/cat\n  ok\nbad line two\n");
    const env = { PATH: "/usr/bin:/bin", HOME: dir, LANG: "C.UTF-8" };
    const [real, ours] = await Promise.all([
      run(REAL_SUPERVISORD, ["-n", ...args], { cwd: dir, env, timeoutMs: 10_000 }),
      run(process.execPath, [dist("src/cli/supervisord.js"), "-n", ...args], { cwd: dir, env, timeoutMs: 10_000 }),
    ]);
    assert.equal(real.status, 2, `the real supervisord accepted it:\n${real.stdout}${real.stderr}`);
    assert.equal(ours.status, 2, ours.stderr);
    const errorOf = (stderr: string) => stderr.split("\nFor help")[0]?.split("\n  at ")[0];
    assert.equal(errorOf(ours.stderr), errorOf(real.stderr));
    assert.match(ours.stderr, /\nFor help, use .*supervisord\.js -h\n$/);
  });
}

test("bin/supervisord, the command users run, writes nothing of its own: its stderr is supervisord's to the byte", async (t) => {
  // The shim runs Node with flags of its own (lite mode); Node must not say anything about them.
  const dir = tempDir(t, "usage-");
  const env = { PATH: `${process.env["PATH"] ?? "/usr/bin:/bin"}`, HOME: dir, LANG: "C.UTF-8" };
  const shim = join(REPO_ROOT, "bin", "supervisord");
  const [real, ours] = await Promise.all([
    run(REAL_SUPERVISORD, ["-c", "missing.conf"], { cwd: dir, env, timeoutMs: 10_000 }),
    run(shim, ["-c", "missing.conf"], { cwd: dir, env, timeoutMs: 10_000 }),
  ]);
  assert.equal(real.status, 2);
  assert.equal(ours.status, 2);
  assert.equal(ours.stdout, "");
  assert.equal(ours.stderr, real.stderr.replaceAll(REAL_SUPERVISORD, shim));
});
