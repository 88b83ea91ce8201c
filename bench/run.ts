/**
 * `npm run bench`: every benchmark, ours beside the real supervisord in one run, medians and
 * the ratio as markdown for the README. `npm run bench -- --rounds 3` for a quicker run.
 */
import { join } from "node:path";
import { benchConfigRead } from "./config-read";
import { markdownTable } from "./stats";

function main(): void {
  const roundsFlag = process.argv.indexOf("--rounds");
  const rounds = roundsFlag > 0 ? Number(process.argv[roundsFlag + 1]) : 7;
  const root = join(__dirname, "..", "..");
  const date = new Date().toISOString().slice(0, 10);
  process.stdout.write(`Benchmarks of ${date}, ${rounds} alternating rounds, Node ${process.version}\n\n`);
  process.stdout.write(
    markdownTable(
      "Reading the config",
      benchConfigRead(rounds, join(root, "bench/python/read_config.py"), join(__dirname, "config-read.js")),
    ),
  );
}

main();
