/**
 * Many programs: PROGRAMS programs (`/bin/sleep 1000`, `startsecs=1`, otherwise the defaults,
 * so each has its AUTO stdout and stderr log files), from the launch of the daemon until the
 * last `success:` line (all RUNNING), and the daemon's resident memory (VmRSS) at that moment.
 * The same with FEWER programs gives the memory each extra process costs.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DaemonRun, type Which } from "./daemon-run";
import type { BenchResult } from "./log-capture";
import { median, type Row } from "./stats";

export interface ManyProgramsOptions {
  rounds: number;
  programs: number;
  /** The smaller count, to take the memory per extra process from. */
  fewer: number;
}

interface Startup {
  /** From the launch to the last `spawned:` line. */
  spawnSeconds: number;
  seconds: number;
  rssKiB: number;
  cpuSeconds: number;
  stopSeconds: number;
}

function configText(dir: string, programs: number): string {
  let text = `[supervisord]
logfile=${dir}/supervisord.log
pidfile=${dir}/supervisord.pid
childlogdir=${dir}/logs
`;
  for (let n = 0; n < programs; n++) {
    text += `
[program:sleep${String(n).padStart(4, "0")}]
command=/bin/sleep 1000
startsecs=1
`;
  }
  return text;
}

/**
 * One start in a new directory under `parent`. The directory is left for the caller to remove
 * once every run is over: right after thousands of deletions, ext4 checks the recently deleted
 * inodes on each create (for a minute or more), which made the 2,000 AUTO files of the next run
 * up to 30 times slower to create for whichever daemon came next.
 */
async function startupOnce(parent: string, which: Which, programs: number): Promise<Startup> {
  const dir = mkdtempSync(join(parent, "run-"));
  mkdirSync(join(dir, "logs"));
  writeFileSync(join(dir, "supervisord.conf"), configText(dir, programs));
  const daemon = DaemonRun.start(which, join(dir, "supervisord.conf"));
  let startup: Omit<Startup, "stopSeconds">;
  try {
    await daemon.waitFor(`${programs} programs RUNNING`, () => daemon.count("success:") >= programs, 180_000);
    const rssKiB = daemon.rssKiB();
    const cpuSeconds = daemon.cpuSeconds();
    const last = (word: string): number =>
      Number((daemon.lines.filter((l) => l.text.includes(word)).at(-1)?.at ?? 0n) - daemon.launchedAt) / 1e9;
    startup = { spawnSeconds: last("spawned:"), seconds: last("success:"), rssKiB, cpuSeconds };
  } catch (err) {
    await daemon.stop();
    throw err;
  }
  return { ...startup, stopSeconds: await daemon.stop(120_000) };
}

export async function benchManyPrograms(options: ManyProgramsOptions): Promise<BenchResult> {
  const runs = new Map<string, Startup[]>();
  const parent = mkdtempSync(join(tmpdir(), "bench-many-"));
  try {
    await runRounds(parent, options, runs);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
  return summary(options, runs);
}

async function runRounds(parent: string, options: ManyProgramsOptions, runs: Map<string, Startup[]>): Promise<void> {
  for (let round = 0; round < options.rounds; round++) {
    const order: Which[] = round % 2 === 0 ? ["theirs", "ours"] : ["ours", "theirs"];
    for (const programs of [options.programs, options.fewer]) {
      for (const which of order) {
        const startup = await startupOnce(parent, which, programs);
        const key = `${which} ${programs}`;
        runs.set(key, [...(runs.get(key) ?? []), startup]);
        process.stderr.write(
          `many programs round ${round + 1}, ${which}, ${programs}: last spawn after ${startup.spawnSeconds.toFixed(2)} s, all RUNNING after ${startup.seconds.toFixed(2)} s, RSS ${(startup.rssKiB / 1024).toFixed(1)} MiB, CPU ${startup.cpuSeconds.toFixed(2)} s, stopped in ${startup.stopSeconds.toFixed(2)} s\n`,
        );
      }
    }
  }
}

function summary(options: ManyProgramsOptions, runs: Map<string, Startup[]>): BenchResult {
  const med = (which: Which, programs: number, pick: (s: Startup) => number): number =>
    median((runs.get(`${which} ${programs}`) ?? []).map(pick));
  const both = (programs: number, pick: (s: Startup) => number): Pick<Row, "ours" | "theirs"> => ({
    ours: med("ours", programs, pick),
    theirs: med("theirs", programs, pick),
  });
  const many = options.programs.toLocaleString("en-US");
  const few = options.fewer.toLocaleString("en-US");
  const extra = options.programs - options.fewer;
  const perExtra = (which: Which): number =>
    (med(which, options.programs, (s) => s.rssKiB) - med(which, options.fewer, (s) => s.rssKiB)) / extra;
  return {
    rows: [
      { measure: `launch until the last of ${many} programs is spawned`, unit: "s", ...both(options.programs, (s) => s.spawnSeconds) },
      { measure: `launch until ${many} programs RUNNING`, unit: "s", ...both(options.programs, (s) => s.seconds) },
      { measure: `daemon CPU time until then`, unit: "s", ...both(options.programs, (s) => s.cpuSeconds) },
      { measure: `daemon RSS with ${many} RUNNING`, unit: "MiB", ...both(options.programs, (s) => s.rssKiB / 1024) },
      { measure: `launch until ${few} programs RUNNING`, unit: "s", ...both(options.fewer, (s) => s.seconds) },
      { measure: `daemon RSS with ${few} RUNNING`, unit: "MiB", ...both(options.fewer, (s) => s.rssKiB / 1024) },
      { measure: `RSS per extra process (${few} to ${many})`, unit: "KiB", ours: perExtra("ours"), theirs: perExtra("theirs") },
      { measure: `SIGTERM until the daemon exits, ${many} programs`, unit: "s", ...both(options.programs, (s) => s.stopSeconds) },
    ],
    notes: [
      "Each run in a new directory, all removed only at the end (ext4 is slow to create files for a while after many deletions).",
    ],
    problems: [],
  };
}
