/** What an operator sees when supervisord refuses a config: supervisord's lines plus where. */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { run } from "../helpers/processes";
import { dist } from "../helpers/repo";
import { tempDir } from "../helpers/temp-dir";

const SUPERVISORD = dist("src/cli/supervisord.js");

test("a bad value in an included file: supervisord's error, then the file, line, section and option", async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, "conf.d"));
  writeFileSync(join(dir, "main.conf"), "[supervisord]\nlogfile=%(here)s/sd.log\n\n[include]\nfiles=conf.d/*.conf\n");
  writeFileSync(join(dir, "conf.d", "web.conf"), "; the web app\n[program:web]\ncommand=/bin/cat\nstartsecs = soon\n");
  const out = await run(process.execPath, [SUPERVISORD, "-c", "main.conf"], { cwd: dir });
  assert.equal(out.status, 2);
  assert.equal(
    out.stderr,
    `Error: invalid literal for int() with base 10: 'soon' in section 'program:web' (file: '${dir}/conf.d/web.conf')\n` +
      `  at ${dir}/conf.d/web.conf:4: [program:web] startsecs\n` +
      `For help, use ${SUPERVISORD} -h\n`,
  );
});

test("a missing option is located at its section's header", async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, "s.conf"), "[supervisord]\nlogfile=%(here)s/sd.log\n\n\n[program:web]\ndirectory=/tmp\n");
  const out = await run(process.execPath, [SUPERVISORD, "-c", "s.conf"], { cwd: dir });
  assert.equal(out.status, 2);
  assert.equal(
    out.stderr,
    "Error: program section program:web does not specify a command in section 'program:web' (file: 's.conf')\n" +
      "  at s.conf:5: [program:web] command\n" +
      `For help, use ${SUPERVISORD} -h\n`,
  );
});

test("syntax errors list their lines themselves: no extra line", async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, "s.conf"), "[supervisord]\nthis is not an option\n");
  const out = await run(process.execPath, [SUPERVISORD, "-c", "s.conf"], { cwd: dir });
  assert.equal(out.status, 2);
  assert.equal(
    out.stderr,
    "Error: Source contains parsing errors: 's.conf'\n\t[line  2]: 'this is not an option\\n'\n" + `For help, use ${SUPERVISORD} -h\n`,
  );
});

test("-h prints the usage to stdout and -v the version, both exit 0", async () => {
  const help = await run(process.execPath, [SUPERVISORD, "-h"]);
  assert.equal(help.status, 0);
  assert.match(help.stdout, new RegExp(`^supervisord -- .*\\n\\nUsage: ${SUPERVISORD.replaceAll(".", "\\.")} \\[options\\]\\n`));
  assert.match(help.stdout, /^-c\/--configuration FILENAME -- /m);
  const version = await run(process.execPath, [SUPERVISORD, "--vers"]);
  assert.deepEqual([version.status, version.stdout], [0, "4.2.5\n"]);
});
