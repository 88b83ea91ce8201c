/**
 * `npm run bench`: every benchmark, ours beside the real supervisord in one run, in alternating
 * rounds; medians and the ratio as markdown for the README (progress goes to stderr).
 *   --quick            fewer rounds and 50 MiB instead of 500 MiB of log output, for development
 *   --rounds N         rounds of the config-read benchmark (default 7)
 *   --only a,b         run only these: config-read, log-capture, respawn, many-programs, rpc, ctl
 * Exits with status 1 when a benchmark found lost or reordered output or another failure.
 */
import { join } from "node:path";
import { benchConfigRead } from "./config-read";
import { benchCtlStartup } from "./ctl-startup";
import type { BenchResult } from "./log-capture";
import { benchLogCapture } from "./log-capture";
import { benchManyPrograms } from "./many-programs";
import { benchRespawn } from "./respawn";
import { benchRpcLatency } from "./rpc-latency";
import { markdownTable } from "./stats";

const BENCHMARKS = ["config-read", "log-capture", "respawn", "many-programs", "rpc", "ctl"] as const;
type Benchmark = (typeof BENCHMARKS)[number];

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
}

function print(title: string, result: BenchResult): void {
  const notes = result.notes.map((note) => `\n${note}\n`).join("");
  process.stdout.write(`${markdownTable(title, result.rows)}${notes}\n`);
}

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const rounds = Number(flag("--rounds") ?? (quick ? 2 : 7));
  const only = flag("--only")?.split(",") ?? BENCHMARKS;
  for (const name of only) {
    if (!(BENCHMARKS as readonly string[]).includes(name)) throw new Error(`--only: no benchmark "${name}" (${BENCHMARKS.join(", ")})`);
  }
  const wanted = (name: Benchmark): boolean => only.includes(name);
  const root = join(__dirname, "..", "..");
  const date = new Date().toISOString().slice(0, 10);
  process.stdout.write(`Benchmarks of ${date}${quick ? " (--quick)" : ""}, Node ${process.version}\n\n`);
  const problems: string[] = [];

  if (wanted("config-read")) {
    const rows = benchConfigRead(rounds, join(root, "bench/python/read_config.py"), join(__dirname, "config-read.js"));
    print("Reading the config", { rows, notes: [`${rounds} alternating rounds of 3 reads each.`], problems: [] });
  }
  const results: [Benchmark, string, () => Promise<BenchResult>][] = [
    ["log-capture", "Log capture", () => benchLogCapture({ rounds: quick ? 1 : 7, bytes: (quick ? 50 : 500) * 2 ** 20 })],
    ["respawn", "Respawn", () => benchRespawn({ rounds: quick ? 1 : 5, oursPerRound: 40, theirsPerRound: 2 })],
    ["many-programs", "Many programs", () => benchManyPrograms({ rounds: quick ? 1 : 5, programs: 1000, fewer: 200 })],
    [
      "rpc",
      "XML-RPC",
      () =>
        benchRpcLatency({
          rounds: quick ? 1 : 2,
          programs: [200, 1000],
          warmupMs: quick ? 200 : 300,
          cellMs: quick ? 500 : 1500,
          idleMs: quick ? 500 : 1000,
        }),
    ],
    ["ctl", "supervisorctl", () => benchCtlStartup({ rounds: quick ? 3 : 15, programs: 200 })],
  ];
  for (const [name, title, run] of results) {
    if (!wanted(name)) continue;
    const result = await run();
    problems.push(...result.problems);
    print(title, result);
  }
  if (problems.length > 0) {
    process.stderr.write(`\nFAILED:\n${problems.map((p) => `  ${p}`).join("\n")}\n`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
