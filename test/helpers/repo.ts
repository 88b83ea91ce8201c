import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

function findRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

/** The checkout's root (tests run from dist/, data files stay in the source tree). */
export const REPO_ROOT = findRoot(__dirname);

/** A compiled entry point under dist/, e.g. dist("src/cli/supervisord.js"). */
export function dist(path: string): string {
  return join(REPO_ROOT, "dist", path);
}
