import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Script } from "node:vm";

/**
 * What bin/supervisorctl runs: supervisorctl from the one-file bundle the build makes
 * (scripts/bundle-ctl.js), compiled with V8's cached bytecode of a typical run, which starts in
 * less time than thirty modules found, read and compiled one by one. Without a current bundle (a
 * build by tsc alone) the modules are loaded as usual; a cache V8 does not take (another Node) only
 * costs the compiling it would have saved.
 */
type Entry = typeof import("./supervisorctl.js");
type Early = typeof import("./supervisorctl-early.js");

/** A module of dist/ by its path there (`src/cli/supervisorctl.js`), from the bundle or the file. */
type Load = (id: string) => unknown;

const DIST = join(__dirname, "..", "..");

const SOURCES_PREFIX = "// sources: ";

/**
 * Whether every module the bundle was made from is still the file it was, as its first line
 * lists them (size, and mtime within a millisecond: a copy keeping times may round them): after a
 * `tsc` without the rest of the build, the modules run.
 */
function current(source: string, dist: string): boolean {
  const firstLine = source.slice(0, source.indexOf("\n"));
  if (!firstLine.startsWith(SOURCES_PREFIX)) return false;
  const sources = JSON.parse(firstLine.slice(SOURCES_PREFIX.length)) as Array<[string, number, number]>;
  return sources.every(([id, mtimeMs, size]) => {
    const stat = statSync(join(dist, id), { throwIfNoEntry: false });
    return stat !== undefined && Math.abs(stat.mtimeMs - mtimeMs) < 1 && stat.size === size;
  });
}

function loadBundle(): Load | undefined {
  const bundle = join(__dirname, "supervisorctl-bundle.js");
  let source: string;
  try {
    source = readFileSync(bundle, "utf8");
  } catch {
    return undefined;
  }
  if (!current(source, DIST)) return undefined;
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(`${bundle}.cache`);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(source, { filename: bundle, ...(cachedData === undefined ? {} : { cachedData }) });
  const define = script.runInThisContext() as (nodeRequire: NodeJS.Require, makeRequire: typeof createRequire, root: string) => Load;
  return define(require, createRequire, DIST);
}

const load: Load = loadBundle() ?? ((id) => require(join(DIST, id)));
// The first calls go out now (supervisorctl-early.ts), and the connections get to write them
// (one turn of the event loop) before the rest is loaded while the server answers.
const early = (load("src/cli/supervisorctl-early.js") as Early).sendEarlyCalls(process.argv.slice(2));
const run = (): void => {
  const entry = load("src/cli/supervisorctl.js") as Entry;
  // A run lasts tens of milliseconds: an optimizing compile of a hot loop (reading a status of 200
  // processes starts some) is never worth it, and one still under way on a background thread
  // holds up the exit by ten milliseconds or more. Switched off here, once Node's modules and
  // ours are loaded: given on the command line, the flag would make V8 refuse Node's own code cache.
  // node:v8 is required here, after the first calls are out: loading it takes a millisecond or two.
  (require("node:v8") as typeof import("node:v8")).setFlagsFromString("--no-opt");
  entry.main(early);
};
if (early === undefined) run();
else setImmediate(run);
