/**
 * XML-RPC: `getAllProcessInfo` and `getProcessInfo("p0001")` against a daemon supervising 200 or
 * 1,000 programs (`/bin/sleep 1000`, `startsecs=0`), over the unix socket and over HTTP on
 * 127.0.0.1, from 1 and from 8 clients at once. Each client is one keep-alive connection
 * (bench/rpc-client.ts) that sends its next request as soon as the previous answer is complete;
 * a warm-up, then a fixed time per cell. Measured per cell: the latency of each request (from
 * its write to the last byte of its answer; median and 99th percentile over every request of
 * every round) and the requests answered per second. Every answer must be HTTP 200 with a
 * methodResponse; the first of each cell is decoded whole and must list every process (or
 * name the one asked for), RUNNING.
 *
 * The daemon must keep supervising meanwhile: the config also holds `blip`, an autorestarted
 * bench/native/respawn-stamp.c that lives RESPAWN_LIVE_MS and stamps its start and exit both
 * to a file and to its stdout. The respawn intervals (next start - previous exit) while idle
 * are set beside those during the 8-client cells, and the stdout the daemon captured must hold
 * every line the program stamped until the end of the load.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { freePort } from "../test/helpers/free-port";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { decodeResponse, encodeCall, type PyValue } from "../src/protocol/codec";
import { DaemonRun, type Which } from "./daemon-run";
import type { BenchResult } from "./log-capture";
import { NativeTools } from "./native-tools";
import { KeepAliveClient, rpcRequest, type Reply, type Target } from "./rpc-client";
import { fmt, median, quantile, type Row } from "./stats";

export interface RpcLatencyOptions {
  rounds: number;
  /** The process counts measured, e.g. [200, 1000]. */
  programs: readonly number[];
  warmupMs: number;
  /** How long each cell sends requests (the requests under way at the end are waited for). */
  cellMs: number;
  /** How long each daemon idles before its first cell, for the respawn intervals at rest. */
  idleMs: number;
}

/** How long blip lives before it exits (and is restarted). */
const RESPAWN_LIVE_MS = 50;
const ASKED_FOR = "p0001";

interface Method {
  label: string;
  request: Buffer;
  /** Checks the first answer of a cell, decoded whole; throws if it is not the full answer. */
  check: (value: PyValue, programs: number) => void;
}

function field(info: PyValue | undefined, key: string): PyValue | undefined {
  return info instanceof Map ? info.get(key) : undefined;
}

const METHODS: readonly Method[] = [
  {
    label: "getAllProcessInfo",
    request: rpcRequest(encodeCall("supervisor.getAllProcessInfo", [])),
    check(value, programs) {
      if (!Array.isArray(value)) throw new Error("getAllProcessInfo did not answer an array");
      const sleeps = value.filter((info) => String(field(info, "name")).startsWith("p"));
      const running = sleeps.filter((info) => field(info, "statename") === "RUNNING").length;
      if (value.length !== programs + 1 || running !== programs) {
        throw new Error(`getAllProcessInfo listed ${value.length} processes, ${running} of the ${programs} sleeps RUNNING`);
      }
    },
  },
  {
    label: `getProcessInfo("${ASKED_FOR}")`,
    request: rpcRequest(encodeCall("supervisor.getProcessInfo", [ASKED_FOR])),
    check(value) {
      if (field(value, "name") !== ASKED_FOR || field(value, "statename") !== "RUNNING") {
        throw new Error(`getProcessInfo answered name ${String(field(value, "name"))}, ${String(field(value, "statename"))}`);
      }
    },
  },
];
const TRANSPORTS = ["unix", "http"] as const;
type Transport = (typeof TRANSPORTS)[number];
/** The client count of the cells under load, the one the respawns are watched in. */
const LOADED_BY = 8;
const CLIENT_COUNTS = [1, LOADED_BY] as const;

interface Cell {
  method: Method;
  programs: number;
  transport: Transport;
  clients: number;
}

function cellLabel(cell: Cell): string {
  const clients = cell.clients === 1 ? "1 client" : `${cell.clients} clients`;
  return `${cell.method.label}, ${cell.programs.toLocaleString("en-US")} procs, ${cell.transport}, ${clients}`;
}

/** What one daemon did in one cell of one round. */
interface CellRun {
  latenciesMs: number[];
  perSecond: number;
  /** The load generator's own CPU time over the cell, as a share of one core. */
  clientCpuShare: number;
  /** Date.now() at the start and end of the measured part. */
  window: Window;
}

type Window = readonly [number, number];

/** The measured part of an 8-client cell, and its method and process count. */
interface LoadedWindow {
  load: string;
  window: Window;
}

/** Every round's figures of one daemon in one cell. */
interface CellFigures {
  latenciesMs: number[];
  perSecond: number[];
}

interface Supervising {
  idleMs: number[];
  /** By the method and process count of the 8-client cell the exit fell in. */
  loadedMs: Map<string, number[]>;
  /** Lines blip stamped until the end of the load, and how many of them its stdout log holds. */
  stamped: number;
  captured: number;
}

function configText(dir: string, port: number, stamp: string, programs: number): string {
  let text = `[supervisord]
logfile=${dir}/supervisord.log
pidfile=${dir}/supervisord.pid
childlogdir=${dir}/logs

[unix_http_server]
file=${dir}/supervisor.sock

[inet_http_server]
port=127.0.0.1:${port}

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[program:blip]
command=${stamp} ${dir}/stamps ${RESPAWN_LIVE_MS}
autorestart=true
startsecs=0
stdout_logfile=${dir}/blip.out
stdout_logfile_maxbytes=0
`;
  for (let n = 0; n < programs; n++) {
    text += `
[program:p${String(n).padStart(4, "0")}]
command=/bin/sleep 1000
startsecs=0
`;
  }
  return text;
}

function checkReply(reply: Reply): void {
  if (reply.status !== 200 || !/<methodResponse>\s*<params>/.test(reply.head)) {
    throw new Error(`answer with HTTP ${reply.status}: ${JSON.stringify(reply.head)}`);
  }
}

/**
 * Every client sends REQUEST again and again until MS have passed (the requests then under way
 * are waited for); the latency of each answer goes to LATENCIES. With WHOLE, the first answer
 * of the first client is kept whole and given to it.
 */
async function drive(
  clients: readonly KeepAliveClient[],
  request: Buffer,
  ms: number,
  latencies: number[],
  whole?: (body: string) => void,
): Promise<{ requests: number; seconds: number }> {
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(ms) * 1_000_000n;
  let last = start;
  await Promise.all(
    clients.map(async (client, index) => {
      let keep = index === 0 && whole !== undefined;
      while (process.hrtime.bigint() < deadline || keep) {
        const sent = process.hrtime.bigint();
        const reply = await client.call(request, keep);
        const done = process.hrtime.bigint();
        checkReply(reply);
        if (keep) whole?.(reply.body ?? "");
        keep = false;
        latencies.push(Number(done - sent) / 1e6);
        if (done > last) last = done;
      }
    }),
  );
  return { requests: latencies.length, seconds: Number(last - start) / 1e9 };
}

async function runCell(target: Target, cell: Cell, options: RpcLatencyOptions): Promise<CellRun> {
  const clients = await Promise.all(Array.from({ length: cell.clients }, () => KeepAliveClient.connect(target)));
  try {
    await drive(clients, cell.method.request, options.warmupMs, [], (body) => {
      const decoded = decodeResponse(body);
      if ("fault" in decoded) throw new Error(`fault ${decoded.fault.faultCode}: ${decoded.fault.faultString}`);
      cell.method.check(decoded.value, cell.programs);
    });
    const cpuBefore = process.cpuUsage();
    const startedAt = Date.now();
    const latenciesMs: number[] = [];
    const { requests, seconds } = await drive(clients, cell.method.request, options.cellMs, latenciesMs);
    const cpu = process.cpuUsage(cpuBefore);
    return {
      latenciesMs,
      perSecond: requests / seconds,
      clientCpuShare: (cpu.user + cpu.system) / 1e6 / seconds,
      window: [startedAt, Date.now()],
    };
  } finally {
    for (const client of clients) client.close();
  }
}

/** Each "start NS" or "exit NS" line blip stamped, with its time in ms since the epoch. */
function stampLines(text: string): { line: string; word: string; ms: number }[] {
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const [word = "", ns = "0"] = line.split(" ");
      return { line, word, ms: Number(BigInt(ns) / 1000n) / 1000 };
    });
}

/**
 * The respawn intervals by the moment of the exit they follow: within IDLE or within one of
 * LOADED; and how much of what blip stamped until LOAD_END its stdout log holds, in order.
 */
function supervisingFigures(dir: string, idle: Window, loaded: readonly LoadedWindow[], loadEnd: number): Supervising {
  const lines = stampLines(readFileSync(join(dir, "stamps"), "utf8"));
  const figures: Supervising = { idleMs: [], loadedMs: new Map(), stamped: 0, captured: 0 };
  let lastExit: number | undefined;
  for (const { word, ms } of lines) {
    if (word === "exit") lastExit = ms;
    if (word !== "start" || lastExit === undefined) continue;
    const exit = lastExit;
    const within = ([from, to]: Window): boolean => exit >= from && exit <= to;
    if (within(idle)) figures.idleMs.push(ms - exit);
    const cell = loaded.find(({ window }) => within(window));
    if (cell !== undefined) figures.loadedMs.set(cell.load, [...(figures.loadedMs.get(cell.load) ?? []), ms - exit]);
    lastExit = undefined;
  }
  const expected = lines.filter((l) => l.ms <= loadEnd).map((l) => l.line);
  const captured = readFileSync(join(dir, "blip.out"), "utf8").split("\n");
  figures.stamped = expected.length;
  while (figures.captured < expected.length && captured[figures.captured] === expected[figures.captured]) figures.captured++;
  return figures;
}

interface Tally {
  cells: Map<string, CellFigures>;
  supervising: Record<Which, Supervising[]>;
  clientCpuShares: number[];
  problems: string[];
}

/** One daemon with PROGRAMS programs: every cell, one after the other. */
async function runDaemon(parent: string, tools: NativeTools, which: Which, programs: number, round: number, options: RpcLatencyOptions, tally: Tally): Promise<void> {
  const dir = mkdtempSync(join(parent, "run-"));
  mkdirSync(join(dir, "logs"));
  const port = await freePort();
  writeFileSync(join(dir, "supervisord.conf"), configText(dir, port, tools.path("respawn-stamp"), programs));
  const daemon = DaemonRun.start(which, join(dir, "supervisord.conf"));
  const loaded: LoadedWindow[] = [];
  let idle: Window;
  try {
    await daemon.waitFor(`${programs} programs RUNNING`, () => daemon.count("success: p") >= programs, 180_000);
    idle = [Date.now(), Date.now() + options.idleMs];
    await sleep(options.idleMs);
    for (const method of METHODS) {
      for (const transport of TRANSPORTS) {
        for (const clients of CLIENT_COUNTS) {
          const cell: Cell = { method, programs, transport, clients };
          const target: Target = transport === "unix" ? { path: join(dir, "supervisor.sock") } : { host: "127.0.0.1", port };
          await measureCell(target, cell, which, round, options, tally, loaded);
        }
      }
    }
  } finally {
    await daemon.stop(120_000);
  }
  const figures = supervisingFigures(dir, idle, loaded, Math.max(...loaded.map(({ window }) => window[1])));
  tally.supervising[which].push(figures);
  if (figures.captured < figures.stamped) {
    tally.problems.push(`${which}, ${programs} procs: blip's stdout log holds ${figures.captured} of the ${figures.stamped} lines it stamped`);
  }
  const unexpected = daemon.count("not expected") + daemon.count("gave up:");
  if (unexpected > 0) tally.problems.push(`${which}, ${programs} procs: ${unexpected} main log lines "not expected" or "gave up"`);
}

async function measureCell(target: Target, cell: Cell, which: Which, round: number, options: RpcLatencyOptions, tally: Tally, loaded: LoadedWindow[]): Promise<void> {
  const label = cellLabel(cell);
  let run: CellRun;
  try {
    run = await runCell(target, cell, options);
  } catch (err) {
    const problem = `${which}, ${label}: ${err instanceof Error ? err.message : String(err)}`;
    process.stderr.write(`RPC PROBLEM: ${problem}\n`);
    tally.problems.push(problem);
    return;
  }
  if (cell.clients === LOADED_BY) loaded.push({ load: `${cell.method.label}, ${cell.programs.toLocaleString("en-US")} procs`, window: run.window });
  if (which === "ours") tally.clientCpuShares.push(run.clientCpuShare);
  const key = `${which} ${label}`;
  const figures = tally.cells.get(key) ?? { latenciesMs: [], perSecond: [] };
  figures.latenciesMs.push(...run.latenciesMs);
  figures.perSecond.push(run.perSecond);
  tally.cells.set(key, figures);
  process.stderr.write(
    `rpc round ${round + 1}, ${which}, ${label}: median ${fmt(median(run.latenciesMs))} ms, p99 ${fmt(quantile(run.latenciesMs, 0.99))} ms, ${fmt(run.perSecond)}/s (${run.latenciesMs.length} requests)\n`,
  );
}

export async function benchRpcLatency(options: RpcLatencyOptions): Promise<BenchResult> {
  const tools = NativeTools.compile(["respawn-stamp"]);
  const parent = mkdtempSync(join(tmpdir(), "bench-rpc-"));
  const tally: Tally = { cells: new Map(), supervising: { ours: [], theirs: [] }, clientCpuShares: [], problems: [] };
  try {
    for (let round = 0; round < options.rounds; round++) {
      const order: Which[] = round % 2 === 0 ? ["theirs", "ours"] : ["ours", "theirs"];
      for (const programs of options.programs) {
        for (const which of order) await runDaemon(parent, tools, which, programs, round, options, tally);
      }
    }
  } finally {
    // Each run in its own directory, all removed at the end, as in the many-programs benchmark.
    rmSync(parent, { recursive: true, force: true });
    tools.remove();
  }
  return summary(options, tally);
}

function allCells(options: RpcLatencyOptions): Cell[] {
  return METHODS.flatMap((method) =>
    options.programs.flatMap((programs) =>
      TRANSPORTS.flatMap((transport) => CLIENT_COUNTS.map((clients) => ({ method, programs, transport, clients }))),
    ),
  );
}

function summary(options: RpcLatencyOptions, tally: Tally): BenchResult {
  const figures = (which: Which, cell: Cell): CellFigures => tally.cells.get(`${which} ${cellLabel(cell)}`) ?? { latenciesMs: [], perSecond: [] };
  const pick = (cell: Cell, measure: (f: CellFigures) => number): Pick<Row, "ours" | "theirs"> => ({
    ours: measure(figures("ours", cell)),
    theirs: measure(figures("theirs", cell)),
  });
  const of = (values: number[], measure: (v: number[]) => number): number => (values.length === 0 ? Number.NaN : measure(values));
  const medianMs = (f: CellFigures): number => of(f.latenciesMs, median);
  const p99Ms = (f: CellFigures): number => of(f.latenciesMs, (v) => quantile(v, 0.99));
  const perSecond = (f: CellFigures): number => of(f.perSecond, median);
  const cells = allCells(options);
  const rows: Row[] = cells.flatMap((cell) => [
    { measure: `${cellLabel(cell)}: median latency`, unit: "ms", ...pick(cell, medianMs) },
    { measure: `${cellLabel(cell)}: p99 latency`, unit: "ms", ...pick(cell, p99Ms) },
    { measure: `${cellLabel(cell)}: requests/s (higher is better)`, unit: "/s", ...pick(cell, perSecond) },
  ]);
  const ratios = (subset: Cell[], measure: (f: CellFigures) => number): number[] =>
    subset.map((cell) => measure(figures("ours", cell)) / measure(figures("theirs", cell)));
  const range = (values: number[]): string => `from ${fmt(Math.min(...values))} to ${fmt(Math.max(...values))}`;
  const fewest = Math.min(...cells.map((cell) => figures("theirs", cell).latenciesMs.length));
  const loadedCells = cells.filter((cell) => cell.clients === LOADED_BY);
  return {
    rows,
    notes: [
      `Each daemon supervises N programs \`/bin/sleep 1000\` (\`startsecs=0\`, AUTO log files) and \`blip\` (below); ${options.rounds} alternating rounds, each cell ${options.warmupMs} ms of warm-up, then ${options.cellMs} ms of requests (those under way at the end are waited for); a Node load generator, one keep-alive HTTP/1.1 connection per client, each client sending its next request as soon as the previous answer is in. Latency: from the request's write to the last byte of its answer, median and p99 over every request of every round; requests/s: the median over the rounds. Every answer was HTTP 200 with a methodResponse; the first of each cell was decoded whole and listed every process RUNNING. Supervisord answered as few as ${fewest} requests in a cell, so its p99 there is near its maximum.`,
      `Against the targets: ours / theirs median latency of getAllProcessInfo ${range(ratios(cells.filter((c) => c.method === METHODS[0]), medianMs))} over its cells (target: at most 0.1); ours / theirs requests/s with ${LOADED_BY} clients ${range(ratios(loadedCells, perSecond))} over those cells (target: at least 10). The load generator used at most ${fmt(100 * Math.max(...tally.clientCpuShares))} % of a core in any cell of ours.`,
      supervisingNote(tally),
    ],
    problems: tally.problems,
  };
}

/** The respawn intervals of both daemons, idle and in each kind of 8-client cell, as a table. */
function supervisingNote(tally: Tally): string {
  const intervals = (which: Which, load: string | undefined): number[] =>
    tally.supervising[which].flatMap((r) => (load === undefined ? r.idleMs : (r.loadedMs.get(load) ?? [])));
  const span = (values: number[]): string =>
    values.length === 0 ? "n/a | n/a | 0" : `${fmt(median(values))} ms | ${fmt(Math.max(...values))} ms | ${values.length}`;
  const loads = [...new Set(tally.supervising.ours.flatMap((r) => [...r.loadedMs.keys()]))];
  const rows = [undefined, ...loads].map(
    (load) => `| ${load === undefined ? "idle" : `${load}, ${LOADED_BY} clients`} | ${span(intervals("ours", load))} | ${span(intervals("theirs", load))} |`,
  );
  const lines = (which: Which, key: "stamped" | "captured"): number => tally.supervising[which].reduce((n, r) => n + r[key], 0);
  return [
    `Supervising under load: \`blip\` (\`autorestart=true\`, \`startsecs=0\`) lives ${RESPAWN_LIVE_MS} ms and stamps its start and exit to a file and to its stdout. Its restarts, exit to next start, while the daemon idles and during the ${LOADED_BY}-client cells:`,
    "",
    "| While | ours: median | max | restarts | supervisord: median | max | restarts |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows,
    "",
    `Its stdout log held ${lines("ours", "captured")} of the ${lines("ours", "stamped")} lines it stamped until the end of the load with ours, ${lines("theirs", "captured")} of ${lines("theirs", "stamped")} with supervisord, in order.`,
  ].join("\n");
}
