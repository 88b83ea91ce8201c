import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
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

const entry = loadBundle() ?? (require("./supervisorctl") as Entry);
// A run lasts tens of milliseconds: an optimizing compile of a hot loop (reading a status of 200
// processes starts some) is never worth it, and one still under way on a background thread holds
// up the exit by ten milliseconds or more. Switched off here, once Node's modules and ours are
// loaded: given on the command line, the flag would make V8 refuse Node's own code cache.
setFlagsFromString("--no-opt");
entry.main();
