/**
 * Respawn: a program under `autorestart=true`, `startsecs=0` that exits at once
 * (bench/native/respawn-stamp.c appends "start NS" as it starts and "exit NS" just before it
 * exits, CLOCK_REALTIME). Each interval is the next start - the previous exit: the daemon's
 * whole turnaround, from the child's exit through the reaping, the state changes and the main
 * log lines to the next program's first instruction.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DaemonRun, type Which } from "./daemon-run";
import type { BenchResult } from "./log-capture";
import { NativeTools } from "./native-tools";
import { median, quantile } from "./stats";

export interface RespawnOptions {
  rounds: number;
  /** Intervals collected from ours in each round. */
  oursPerRound: number;
  /** Intervals collected from supervisord in each round (about a second each). */
  theirsPerRound: number;
}

interface Respawns {
  intervalsMs: number[];
  /** Exits the daemon did not count as expected (a start it took for a failure). */
  unexpected: number;
  gaveUp: number;
}

function configText(dir: string, stamp: string): string {
  return `[supervisord]
logfile=${dir}/supervisord.log
pidfile=${dir}/supervisord.pid
childlogdir=${dir}

[program:blip]
command=${stamp} ${dir}/stamps
autorestart=true
startsecs=0
`;
}

/** Next start - previous exit, in ms, from the stamps in the order they were appended. */
function intervalsFrom(text: string): number[] {
  const intervals: number[] = [];
  let lastExit: bigint | undefined;
  for (const line of text.split("\n")) {
    const [word, ns] = line.split(" ");
    if (ns === undefined) continue;
    if (word === "exit") lastExit = BigInt(ns);
    if (word === "start" && lastExit !== undefined) {
      intervals.push(Number(BigInt(ns) - lastExit) / 1e6);
      lastExit = undefined;
    }
  }
  return intervals;
}

async function respawnsOnce(tools: NativeTools, which: Which, wanted: number): Promise<Respawns> {
  const dir = mkdtempSync(join(tmpdir(), "bench-respawn-"));
  try {
    writeFileSync(join(dir, "supervisord.conf"), configText(dir, tools.path("respawn-stamp")));
    const daemon = DaemonRun.start(which, join(dir, "supervisord.conf"));
    try {
      // Once spawn wanted+2 is logged, spawn wanted+1 has exited: wanted intervals are stamped.
      const timeoutMs = which === "ours" ? 60_000 : 15_000 + wanted * 3_000;
      await daemon.waitFor(`${wanted + 2} spawns`, () => daemon.count("spawned:") >= wanted + 2, timeoutMs);
    } finally {
      await daemon.stop();
    }
    const intervalsMs = intervalsFrom(readFileSync(join(dir, "stamps"), "utf8")).slice(0, wanted);
    if (intervalsMs.length < wanted) throw new Error(`${which}: only ${intervalsMs.length} of ${wanted} respawns stamped`);
    return { intervalsMs, unexpected: daemon.count("not expected"), gaveUp: daemon.count("gave up:") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchRespawn(options: RespawnOptions): Promise<BenchResult> {
  const tools = NativeTools.compile(["respawn-stamp"]);
  try {
    const all: Record<Which, Respawns> = {
      ours: { intervalsMs: [], unexpected: 0, gaveUp: 0 },
      theirs: { intervalsMs: [], unexpected: 0, gaveUp: 0 },
    };
    for (let round = 0; round < options.rounds; round++) {
      const order: Which[] = round % 2 === 0 ? ["theirs", "ours"] : ["ours", "theirs"];
      for (const which of order) {
        const got = await respawnsOnce(tools, which, which === "ours" ? options.oursPerRound : options.theirsPerRound);
        all[which].intervalsMs.push(...got.intervalsMs);
        all[which].unexpected += got.unexpected;
        all[which].gaveUp += got.gaveUp;
        process.stderr.write(`respawn round ${round + 1}, ${which}: median ${median(got.intervalsMs).toFixed(2)} ms of ${got.intervalsMs.length}\n`);
      }
    }
    const { ours, theirs } = all;
    const problems = (["ours", "theirs"] as const)
      .filter((w) => all[w].unexpected + all[w].gaveUp > 0)
      .map((w) => `${w}: ${all[w].unexpected} exits logged "not expected", ${all[w].gaveUp} "gave up"`);
    for (const problem of problems) process.stderr.write(`RESPAWN PROBLEM: ${problem}\n`);
    return {
      rows: [
        { measure: "exit to next spawn, median", unit: "ms", ours: median(ours.intervalsMs), theirs: median(theirs.intervalsMs) },
        { measure: "exit to next spawn, 90th percentile", unit: "ms", ours: quantile(ours.intervalsMs, 0.9), theirs: quantile(theirs.intervalsMs, 0.9) },
      ],
      notes: [
        `${ours.intervalsMs.length} intervals of ours, ${theirs.intervalsMs.length} of supervisord's, over ${options.rounds} alternating rounds.`,
      ],
      problems,
    };
  } finally {
    tools.remove();
  }
}
