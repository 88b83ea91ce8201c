/**
 * supervisorctl (issue #5): the wall time of one `supervisorctl status` against a supervisord
 * 4.2.5 supervising PROGRAMS programs (`/bin/sleep 1000`, `startsecs=0`), and of one
 * `supervisorctl pid`, from the spawn of the client to its exit: ours (bin/supervisorctl, as users
 * run it) beside Debian's (/usr/bin/supervisorctl), alternating, one warm-up run each first. Both
 * talk to the same daemon over its unix socket. Each run must exit 0 and print what was asked
 * (PROGRAMS status lines, the daemon's pid); a client that does not is reported in the table
 * (n/a) and among the problems, and is not timed again.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { standardConfig } from "../test/helpers/daemon";
import { DaemonRun, type Which } from "./daemon-run";
import type { BenchResult } from "./log-capture";
import { median, type Row } from "./stats";

export interface CtlStartupOptions {
  rounds: number;
  programs: number;
}

const CLIENTS: Readonly<Record<Which, string>> = {
  // dist/bench/ctl-startup.js sits two levels below the checkout's root.
  ours: join(__dirname, "..", "..", "bin", "supervisorctl"),
  theirs: "/usr/bin/supervisorctl",
};

interface Command {
  measure: string;
  args: string[];
  /** Why an output is not the answer asked for; undefined when it is. */
  wrong: (stdout: string, daemonPid: number) => string | undefined;
}

function commands(programs: number): Command[] {
  return [
    {
      measure: `\`supervisorctl status\`, ${programs} processes`,
      args: ["status"],
      wrong: (stdout) => {
        const running = stdout.split("\n").filter((line) => / RUNNING +pid \d+, uptime /.test(line)).length;
        return running === programs ? undefined : `${running} RUNNING lines instead of ${programs}`;
      },
    },
    {
      measure: "`supervisorctl pid`",
      args: ["pid"],
      wrong: (stdout, daemonPid) => (stdout === `${daemonPid}\n` ? undefined : `printed ${JSON.stringify(stdout.slice(0, 200))}`),
    },
  ];
}

function configText(programs: number): string {
  let body = "[supervisorctl]\nserverurl=unix://%(here)s/supervisor.sock\n";
  for (let n = 0; n < programs; n++) body += `\n[program:p${String(n).padStart(4, "0")}]\ncommand=/bin/sleep 1000\nstartsecs=0\n`;
  return standardConfig(body, { loglevel: "info" });
}

interface Timed {
  ms: number;
  status: number;
  stdout: string;
  stderr: string;
}

/** One client run, from its spawn to its exit. */
function timedRun(file: string, args: readonly string[], dir: string): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const env = { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: dir, LANG: "C.UTF-8" };
    const child = spawn(file, args, { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.once("error", reject);
    child.once("close", (code) => resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, status: code ?? 128, stdout, stderr }));
  });
}

/**
 * Both clients against supervisord 4.2.5, then both against ours: against supervisord, its own
 * answer (a `getAllProcessInfo` of 200 processes takes it tens of ms) is part of every run;
 * against ours the clients' own cost shows.
 */
export async function benchCtlStartup(options: CtlStartupOptions): Promise<BenchResult> {
  const result: BenchResult = { rows: [], notes: [], problems: [] };
  for (const server of ["theirs", "ours"] as const) {
    const dir = mkdtempSync(join(tmpdir(), "bench-ctl-"));
    const config = join(dir, "supervisord.conf");
    writeFileSync(config, configText(options.programs));
    const daemon = DaemonRun.start(server, config);
    try {
      await daemon.waitFor(`${options.programs} programs RUNNING`, () => daemon.count("success:") >= options.programs, 120_000);
      const part = await measure(options, dir, config, daemon.pid, server === "theirs" ? "supervisord 4.2.5" : "supervisord-ts");
      result.rows.push(...part.rows);
      result.problems.push(...part.problems);
      result.notes.push(...part.notes.filter((note) => !result.notes.includes(note)));
    } finally {
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return result;
}

async function measure(options: CtlStartupOptions, dir: string, config: string, daemonPid: number, server: string): Promise<BenchResult> {
  const rows: Row[] = [];
  const problems: string[] = [];
  for (const command of commands(options.programs)) {
    const times: Record<Which, number[]> = { ours: [], theirs: [] };
    const failed: Partial<Record<Which, string>> = {};
    const once = async (which: Which): Promise<number | undefined> => {
      if (failed[which] !== undefined) return undefined;
      const run = await timedRun(CLIENTS[which], ["-c", config, ...command.args], dir);
      const wrong = run.status !== 0 ? `exit status ${run.status}: ${(run.stderr || run.stdout).trim().split("\n")[0] ?? ""}` : command.wrong(run.stdout, daemonPid);
      if (wrong === undefined) return run.ms;
      failed[which] = wrong;
      return undefined;
    };
    for (const which of ["theirs", "ours"] as const) await once(which); // warm-up: disk cache, bytecode
    for (let round = 0; round < options.rounds; round++) {
      for (const which of round % 2 === 0 ? (["ours", "theirs"] as const) : (["theirs", "ours"] as const)) {
        const ms = await once(which);
        if (ms !== undefined) times[which].push(ms);
      }
    }
    const med = (which: Which): number => (times[which].length === 0 ? Number.NaN : median(times[which]));
    rows.push({ measure: `${command.measure}, against ${server}`, unit: "ms", ours: med("ours"), theirs: med("theirs") });
    for (const which of ["ours", "theirs"] as const) {
      const why = failed[which];
      if (why !== undefined) problems.push(`${which === "ours" ? "our" : "Debian's"} supervisorctl ${command.args.join(" ")}: ${why}`);
    }
    const shown = (which: Which): string => (failed[which] === undefined ? `${med(which).toFixed(1)} ms` : "failed");
    process.stderr.write(`ctl ${command.args.join(" ")} against ${server}: ours ${shown("ours")}, theirs ${shown("theirs")}\n`);
  }
  return {
    rows,
    notes: [
      `Wall time from spawn to exit, median of ${options.rounds} alternating runs each, over the daemon's unix socket. Issue #5's target: ours at most 0.4 of Debian's.`,
      ...problems.map((problem) => `Not measured: ${problem}`),
    ],
    problems,
  };
}
