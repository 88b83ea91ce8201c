import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { diff } from "./log-phases";

/**
 * Where two transcripts (one masked line per step) differ: the `-` (supervisord) and `+` (ours)
 * lines with `context` equal lines around each run of them, gaps shown as `...`; "" when they are
 * the same.
 */
export function transcriptDiff(real: readonly string[], ours: readonly string[], context = 3): string {
  const lines = diff(real, ours).split("\n");
  const changed = lines.map((line) => /^[-+] /.test(line));
  if (!changed.includes(true)) return "";
  const out: string[] = [];
  let last = -1;
  for (const [i, line] of lines.entries()) {
    if (!changed.slice(Math.max(0, i - context), i + context + 1).includes(true)) continue;
    if (last >= 0 && i > last + 1) out.push("  ...");
    out.push(line);
    last = i;
  }
  return out.join("\n");
}

/** With COMPAT_KEEP=/some/dir in the environment, write a transcript there as NAME.txt (to look into a failure). */
export function keepTranscript(name: string, lines: readonly string[]): void {
  const keep = process.env["COMPAT_KEEP"];
  if (keep === undefined) return;
  mkdirSync(keep, { recursive: true });
  writeFileSync(join(keep, `${name.replace(/[^a-z0-9.-]+/gi, "-")}.txt`), lines.map((line) => `${line}\n`).join(""));
}
