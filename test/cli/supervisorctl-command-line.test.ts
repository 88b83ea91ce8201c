import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { isUrl, parseSupervisorctlCommandLine } from "../../src/cli/supervisorctl-command-line";
import { tempDir } from "../helpers/temp-dir";

test("-s must be a URL as supervisor's urlparse check has it", () => {
  assert.deepEqual(["http://x:1", "unix:///a.sock", "localhost:9001", "notaurl", "http:", "http://"].map(isUrl), [true, true, true, false, false, false]);
  assert.throws(() => parseSupervisorctlCommandLine(["-s", "notaurl"], "ctl", {}), {
    text: "invalid value for -s 'notaurl': value 'notaurl' is not a URL",
  });
});

test("an option given twice, an unknown one, --history-file: supervisorctl's usage errors", () => {
  assert.throws(() => parseSupervisorctlCommandLine(["-s", "http://a", "-s", "http://b"], "ctl", {}), { text: "conflicting command line option '-s'" });
  assert.throws(() => parseSupervisorctlCommandLine(["-i", "-i"], "ctl", {}), { text: "conflicting command line option '-i'" });
  assert.throws(() => parseSupervisorctlCommandLine(["--history-file=x"], "ctl", {}), { text: "option --history-file not recognized" });
  assert.throws(() => parseSupervisorctlCommandLine(["-v"], "ctl", {}), { text: "option -v not recognized" });
});

test("-h wins only when reached before a bad option value", () => {
  assert.deepEqual(parseSupervisorctlCommandLine(["-h", "-s", "bad"], "ctl", {}), { action: "help" });
  assert.throws(() => parseSupervisorctlCommandLine(["-s", "bad", "-h"], "ctl", {}));
});

test("the command line wins over [supervisorctl]; options stop at the first word", (t) => {
  const dir = tempDir(t);
  const conf = join(dir, "sv.conf");
  writeFileSync(conf, "[supervisorctl]\nserverurl=unix://%(here)s/s.sock\nusername=ann\nprompt=web\nhistory_file=%(here)s/h\n");
  const parsed = parseSupervisorctlCommandLine(["-c", conf, "--user=bob", "status", "cat", "-i"], "ctl", {});
  assert.deepEqual(parsed, {
    action: "run",
    args: ["status", "cat", "-i"],
    options: { serverurl: `unix://${dir}/s.sock`, username: "bob", password: null, interactive: false, prompt: "web", history_file: join(dir, "h") },
  });
  const shell = parseSupervisorctlCommandLine(["-c", conf, "-r", "ignored"], "ctl", {});
  assert.equal(shell.action === "run" && shell.options.interactive, true);
});
