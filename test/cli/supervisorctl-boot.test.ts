/**
 * bin/supervisorctl runs supervisorctl from the one-file bundle the build makes, as long as the
 * bundle is current: after a change of one of its modules (a `tsc` without the rest of the
 * build, a partial copy), the modules themselves run, never the stale bundle.
 */
import assert from "node:assert/strict";
import { cpSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { run } from "../helpers/processes";
import { REPO_ROOT } from "../helpers/repo";
import { tempDir } from "../helpers/temp-dir";

const HELP_LINE = "supervisorctl -- control applications run by supervisord from the cmd line.";

/** A copy of the built tree (dist/, node_modules/ linked) that a test may change. */
function builtCopy(dir: string): string {
  cpSync(join(REPO_ROOT, "dist", "src"), join(dir, "dist", "src"), { recursive: true, preserveTimestamps: true });
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"));
  return join(dir, "dist", "src", "cli");
}

function replaceIn(file: string, from: string, to: string): void {
  const text = readFileSync(file, "utf8");
  assert.ok(text.includes(from), `${file} does not say ${JSON.stringify(from)}`);
  writeFileSync(file, text.replace(from, to));
}

async function helpFirstLine(cli: string): Promise<string> {
  const result = await run(process.execPath, [join(cli, "supervisorctl-boot.js"), "-h"], { timeoutMs: 10_000 });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.split("\n")[0] ?? "";
}

test("a current bundle is what runs", async (t) => {
  const cli = builtCopy(tempDir(t, "ctl-boot-"));
  replaceIn(join(cli, "supervisorctl-bundle.js"), HELP_LINE, "from the bundle");
  assert.equal(await helpFirstLine(cli), "from the bundle");
});

test("a module changed after the bundle was made runs instead of the bundle's copy of it", async (t) => {
  const cli = builtCopy(tempDir(t, "ctl-boot-"));
  assert.equal(await helpFirstLine(cli), HELP_LINE);
  replaceIn(join(cli, "supervisorctl-command-line.js"), HELP_LINE, "from the modules");
  assert.equal(await helpFirstLine(cli), "from the modules");
});
