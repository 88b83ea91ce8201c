/** echo_supervisord_conf (issue #2): a sample config that supervisord 4.2.5 and we read alike. */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { PROCESS_CONFIG_KEYS } from "../src/config/model";
import { dist, REPO_ROOT } from "../test/helpers/repo";
import { tempDir } from "../test/helpers/temp-dir";
import { run } from "../test/helpers/processes";
import { SYSTEM_PYTHON } from "./harness/real-supervisord";

test("echo_supervisord_conf prints a config both supervisord 4.2.5 and our reader accept, read identically", async (t) => {
  const printed = await run(join(REPO_ROOT, "bin/echo_supervisord_conf"), []);
  assert.equal(printed.status, 0, printed.stderr);
  const dir = tempDir(t, "echo-");
  writeFileSync(join(dir, "supervisord.conf"), printed.stdout);
  const env = { PATH: "/usr/bin:/bin", HOME: dir, LANG: "C.UTF-8" };
  const real = await run(SYSTEM_PYTHON, [join(REPO_ROOT, "compat-tests/harness/dump_real_config.py"), "-c", "supervisord.conf"], { cwd: dir, env });
  const ours = await run(process.execPath, [dist("compat-tests/harness/dump-our-config.js"), "-c", "supervisord.conf"], { cwd: dir, env });
  const realModel = JSON.parse(real.stdout) as { ok: boolean };
  assert.equal(realModel.ok, true, real.stdout);
  assert.deepEqual(JSON.parse(ours.stdout), realModel);
});

test("the sample shows every section and every program option", async () => {
  const printed = await run(join(REPO_ROOT, "bin/echo_supervisord_conf"), []);
  for (const section of ["[unix_http_server]", "[inet_http_server]", "[supervisord]", "[rpcinterface:supervisor]", "[supervisorctl]", "[program:", "[eventlistener:", "[group:", "[fcgi-program:", "[include]"]) {
    assert.ok(printed.stdout.includes(section), section);
  }
  const optionNames: Partial<Record<string, string>> = { name: "process_name", uid: "user" };
  for (const key of PROCESS_CONFIG_KEYS) {
    const option = optionNames[key] ?? key;
    assert.match(printed.stdout, new RegExp(`^;${option}=`, "m"), option);
  }
  assert.match(printed.stdout, /^file=\/tmp\/supervisor\.sock/m);
});
