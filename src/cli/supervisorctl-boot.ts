import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Script } from "node:vm";

/**
 * What bin/supervisorctl runs: supervisorctl from the one-file bundle the build makes
 * (scripts/bundle-ctl.js), compiled with V8's cached bytecode of a typical run, which starts in
 * less time than thirty modules found, read and compiled one by one. Without the bundle (a build
 * by tsc alone) the modules are loaded as usual; a cache V8 does not take (another Node) only
 * costs the compiling it would have saved.
 */
type Entry = typeof import("./supervisorctl.js");

function loadBundle(): Entry | undefined {
  const dist = join(__dirname, "..", "..");
  const bundle = join(__dirname, "supervisorctl-bundle.js");
  let source: string;
  try {
    source = readFileSync(bundle, "utf8");
  } catch {
    return undefined;
  }
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(`${bundle}.cache`);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(source, { filename: bundle, ...(cachedData === undefined ? {} : { cachedData }) });
  const define = script.runInThisContext() as (nodeRequire: NodeJS.Require, makeRequire: typeof createRequire, root: string) => Entry;
  return define(require, createRequire, dist);
}

(loadBundle() ?? (require("./supervisorctl") as Entry)).main();
