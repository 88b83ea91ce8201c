/**
 * Log capture: a child (bench/native/line-writer.c) writes BYTES of numbered 64-byte lines to
 * stdout as fast as the pipe takes them, into `stdout_logfile`, once without rotation
 * (`stdout_logfile_maxbytes=0`), once rotating at 10MB with 60 backups (enough to keep
 * everything), and once without rotation but with `stdout_events_enabled=true` and no listener
 * (each chunk then becomes a PROCESS_LOG event, so ours reads it into JS). Measured per run:
 *   - throughput: BYTES / (the moment the files hold BYTES - the writer's first byte), the start
 *     stamped by the writer itself (CLOCK_MONOTONIC), the end seen by polling the files' sizes
 *     every few milliseconds;
 *   - the daemon's CPU seconds (user + system, /proc/PID/stat) over the same span, per GiB; read
 *     while the writer sleeps its first 300 ms after the spawn, and once the files are complete;
 *   - no line lost, repeated, reordered or torn: the backups are read oldest first, then the
 *     current file, by bench/native/line-check.c.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DaemonRun, type Which } from "./daemon-run";
import { NativeTools } from "./native-tools";
import { median, type Row } from "./stats";

export interface LogCaptureOptions {
  rounds: number;
  /** How much the child writes; a multiple of 64. */
  bytes: number;
}

export interface BenchResult {
  rows: Row[];
  /** Context printed under the table. */
  notes: string[];
  /** Each lost, repeated or reordered line, or a run that did not finish: the benchmark failed. */
  problems: string[];
}

/** How long the writer sleeps after its spawn, so that the daemon's CPU time is read at rest. */
const WRITER_DELAY_MS = 300;
const ROTATE_AT = "10MB";
const BACKUPS = 60;
const POLL_MS = 5;
/** A run whose files stop growing this long after the writer exited has lost output. */
const STALL_MS = 5000;
const SETTLE_MS = 1000;

/** The three configs measured. */
const VARIANTS = ["one file", "rotating", "events"] as const;
type Variant = (typeof VARIANTS)[number];

const VARIANT_TITLES: Record<Variant, string> = {
  "one file": "one file (maxbytes=0)",
  rotating: `rotating at ${ROTATE_AT}, ${BACKUPS} backups`,
  events: "one file, with stdout_events_enabled",
};

interface Capture {
  mibPerSecond: number;
  cpuPerGiB: number;
  problem: string | undefined;
}

/**
 * The unix socket is there because ours, with no socket and no child left, ends its process
 * as soon as the writer has exited, instead of waiting for a signal as supervisord does.
 */
function configText(dir: string, writer: string, bytes: number, variant: Variant): string {
  return `[supervisord]
logfile=${dir}/supervisord.log
pidfile=${dir}/supervisord.pid
childlogdir=${dir}

[unix_http_server]
file=${dir}/supervisor.sock

[program:writer]
command=${writer} ${bytes} ${WRITER_DELAY_MS} ${dir}/start.ns
autorestart=false
startsecs=0
stdout_logfile=${dir}/out.log
stdout_logfile_maxbytes=${variant === "rotating" ? ROTATE_AT : "0"}
stdout_logfile_backups=${BACKUPS}
stderr_logfile=${dir}/err.log
${variant === "events" ? "stdout_events_enabled=true\n" : ""}`;
}

/** out.log and its backups, oldest first: out.log.60 ... out.log.1, out.log. */
function logFiles(dir: string): string[] {
  const backups = readdirSync(dir)
    .map((name) => /^out\.log\.(\d+)$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => b - a);
  return [...backups.map((n) => join(dir, `out.log.${n}`)), join(dir, "out.log")];
}

function bytesInFiles(dir: string): number {
  let total = 0;
  for (const file of logFiles(dir)) {
    try {
      total += statSync(file).size;
    } catch {
      // Renamed by a rotation between the listing and the stat: counted at the next poll.
    }
  }
  return total;
}

/** The hrtime at which the files first hold BYTES, or undefined if they stall short of it. */
async function filesComplete(dir: string, bytes: number, daemon: DaemonRun): Promise<bigint | undefined> {
  let last = -1;
  let lastChange = process.hrtime.bigint();
  for (;;) {
    const total = bytesInFiles(dir);
    const now = process.hrtime.bigint();
    if (total === bytes) return now;
    if (total !== last) {
      last = total;
      lastChange = now;
    } else {
      // Once the writer has exited the files must fill up soon; before that, a stuck daemon.
      const patienceMs = daemon.count("exited:") > 0 ? STALL_MS : 60_000;
      if (now - lastChange > BigInt(patienceMs) * 1_000_000n) return undefined;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function checkLines(tools: NativeTools, files: string[], bytes: number): string | undefined {
  const check = spawnSync(tools.path("line-check"), files, { encoding: "utf8" });
  const out = check.stdout.trim();
  return check.status === 0 && out === `ok ${bytes / 64}` ? undefined : `line check: ${out || check.stderr.trim()} (expected ok ${bytes / 64})`;
}

/**
 * Before each run: write back whatever the previous run left dirty and let the disk's own work
 * (writeback, the discards of deleted files) finish, so that no run pays for the one before it.
 */
async function settle(): Promise<void> {
  spawnSync("sync");
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
}

async function captureOnce(tools: NativeTools, which: Which, variant: Variant, bytes: number): Promise<Capture> {
  await settle();
  const dir = mkdtempSync(join(tmpdir(), "bench-capture-"));
  const label = `${which}, ${variant}`;
  try {
    writeFileSync(join(dir, "supervisord.conf"), configText(dir, tools.path("line-writer"), bytes, variant));
    const daemon = DaemonRun.start(which, join(dir, "supervisord.conf"));
    let end: bigint | undefined;
    let cpu = Number.NaN;
    try {
      await daemon.line("spawned: 'writer'", 30_000);
      const cpuBefore = daemon.cpuSeconds();
      end = await filesComplete(dir, bytes, daemon);
      cpu = daemon.cpuSeconds() - cpuBefore;
      await daemon.line("exited: writer", 30_000);
    } finally {
      await daemon.stop();
    }
    const start = BigInt(readFileSync(join(dir, "start.ns"), "utf8").trim());
    const files = logFiles(dir);
    const problem = checkLines(tools, files, bytes);
    if (end === undefined) {
      return { mibPerSecond: Number.NaN, cpuPerGiB: Number.NaN, problem: `${label}: the files stalled at ${bytesInFiles(dir)} of ${bytes} bytes; ${problem ?? "lines check out"}` };
    }
    const seconds = Number(end - start) / 1e9;
    return {
      mibPerSecond: bytes / 2 ** 20 / seconds,
      cpuPerGiB: cpu / (bytes / 2 ** 30),
      problem: problem === undefined ? undefined : `${label}: ${problem} (${files.length} files)`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** For scale: the same writer into a pipe read by `cat` into a file on the same disk. */
async function catBaseline(tools: NativeTools, bytes: number): Promise<number> {
  await settle();
  const dir = mkdtempSync(join(tmpdir(), "bench-capture-"));
  try {
    const stamp = join(dir, "start.ns");
    const run = spawnSync("sh", ["-c", `"$0" "$1" 0 "$2" | cat > "$3"`, tools.path("line-writer"), String(bytes), stamp, join(dir, "out.log")]);
    const end = process.hrtime.bigint();
    if (run.status !== 0) throw new Error(`writer | cat failed: ${String(run.stderr)}`);
    return bytes / 2 ** 20 / (Number(end - BigInt(readFileSync(stamp, "utf8").trim())) / 1e9);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchLogCapture(options: LogCaptureOptions): Promise<BenchResult> {
  const tools = NativeTools.compile(["line-writer", "line-check"]);
  try {
    const runs = new Map<string, Capture[]>();
    const problems: string[] = [];
    const baseline: number[] = [];
    for (let round = 0; round < options.rounds; round++) {
      baseline.push(await catBaseline(tools, options.bytes));
      for (const variant of VARIANTS) {
        // Who goes first alternates, so that neither always meets the other's dirty pages.
        const order: Which[] = round % 2 === 0 ? ["theirs", "ours"] : ["ours", "theirs"];
        for (const which of order) {
          const capture = await captureOnce(tools, which, variant, options.bytes);
          const key = `${which} ${variant}`;
          runs.set(key, [...(runs.get(key) ?? []), capture]);
          if (capture.problem !== undefined) {
            problems.push(capture.problem);
            process.stderr.write(`LOG CAPTURE FAILED: ${capture.problem}\n`);
          }
          process.stderr.write(
            `log capture round ${round + 1}, ${which}, ${variant}: ${capture.mibPerSecond.toFixed(0)} MiB/s, ${capture.cpuPerGiB.toFixed(2)} CPU s/GiB\n`,
          );
        }
      }
    }
    const med = (which: Which, variant: Variant, pick: (c: Capture) => number): number =>
      median((runs.get(`${which} ${variant}`) ?? []).map(pick));
    const mib = `${Math.round(options.bytes / 2 ** 20)} MiB`;
    const rows: Row[] = [];
    for (const variant of VARIANTS) {
      const how = VARIANT_TITLES[variant];
      rows.push(
        { measure: `${mib} to ${how}: throughput (higher is better)`, unit: "MiB/s", ours: med("ours", variant, (c) => c.mibPerSecond), theirs: med("theirs", variant, (c) => c.mibPerSecond) },
        { measure: `${mib} to ${how}: daemon CPU per GiB`, unit: "s", ours: med("ours", variant, (c) => c.cpuPerGiB), theirs: med("theirs", variant, (c) => c.cpuPerGiB) },
      );
    }
    const notes = [
      `For scale: the same writer into \`cat > file\` on the same disk: ${median(baseline).toFixed(0)} MiB/s (median).`,
      problems.length === 0
        ? `Every run: all ${options.bytes / 64} lines present, in order, none torn (backups read oldest first).`
        : `**FAILED**: ${problems.length} run(s) lost, repeated or reordered output: ${problems.join("; ")}`,
    ];
    return { rows, notes, problems };
  } finally {
    tools.remove();
  }
}
