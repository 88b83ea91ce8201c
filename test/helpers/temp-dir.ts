import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";

/** A fresh directory removed when the test ends. Short, so unix socket paths fit in 108 bytes. */
export function tempDir(t: TestContext | { after: (fn: () => void) => void }, prefix = "sts-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
