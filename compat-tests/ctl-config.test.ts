/** The [supervisorctl] section (config.md §6.4): read as supervisorctl 4.2.5 reads it. */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readCtlConfig } from "../src/config/ctl-config";
import { ConfigError } from "../src/errors";
import { REPO_ROOT } from "../test/helpers/repo";
import { tempDir } from "../test/helpers/temp-dir";
import { run } from "../test/helpers/processes";
import { SYSTEM_PYTHON } from "./harness/real-supervisord";

const SECTIONS: Readonly<Record<string, string>> = {
  "defaults only": "[supervisorctl]\n",
  "unix socket relative to here": "[supervisorctl]\nserverurl = unix://%(here)s/../run/s.sock\nprompt = web-01\n",
  "http with credentials from the environment": "[supervisorctl]\nserverurl=http://127.0.0.1:9001\nusername=%(ENV_CTL_USER)s\npassword=secret ; comment\n",
  "history file with ~ and here": "[supervisorctl]\nhistory_file=~/.sc_history\n",
  "history file in here": "[supervisorctl]\nhistory_file=%(here)s/hist\nserverurl=unix://relative.sock\n",
  "no [supervisorctl] section": "[supervisord]\n",
  "bad expansion": "[supervisorctl]\nserverurl=unix://%(nope)s/s.sock\n",
  "here is not expanded in prompt": "[supervisorctl]\nprompt=%(here)s\n",
  "include is not processed": "[include]\nfiles=*.ini\n[supervisorctl]\nprompt=%(ENV_CTL_USER)s>\n",
  "a ctl plugin that cannot be loaded": "[supervisorctl]\n[ctlplugin:foo]\nsupervisor.ctl_factory = no.such:thing\n",
  // Which error comes first when several options are wrong: supervisorctl's order of reading.
  "bad prompt, history file and plugin": "[supervisorctl]\nhistory_file=%(a)s\nprompt=%(b)s\n[ctlplugin:foo]\nsupervisor.ctl_factory = no.such:thing\n",
  "bad password and history file": "[supervisorctl]\nhistory_file=%(a)s\npassword=%(c)s\n",
  "bad username and plugin": "[supervisorctl]\nusername=%(d)s\n[ctlplugin:foo]\nsupervisor.ctl_factory = no.such:thing\n",
};

for (const [name, text] of Object.entries(SECTIONS)) {
  test(`[supervisorctl] ${name}: read as supervisorctl 4.2.5 reads it`, async (t) => {
    const dir = tempDir(t, "ctlcfg-");
    const file = join(dir, "supervisord.conf");
    writeFileSync(file, text);
    const env = { PATH: "/usr/bin:/bin", HOME: "/home/ann", LANG: "C.UTF-8", CTL_USER: "ops" };
    const real = await run(SYSTEM_PYTHON, [join(REPO_ROOT, "compat-tests/harness/dump_real_ctl_config.py"), file], { env });
    assert.equal(real.status, 0, real.stderr);
    let ours: Record<string, unknown>;
    try {
      ours = { ok: true, ...readCtlConfig(file, env) };
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      ours = { ok: false, error: err.text };
    }
    assert.deepEqual(ours, JSON.parse(real.stdout));
  });
}
