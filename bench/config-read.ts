/**
 * Reading a config of 1,000 programs spread over 50 included files: our reader against the
 * real supervisord's, each timed inside its own process (the time from the command line to a
 * checked, typed config), alternating rounds so that both see the same machine.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { loadSupervisordConfig } from "../src/config/load-config";
import { median, type Row } from "./stats";

const PROGRAMS = 1000;
const FILES = 50;

/** A realistic big config: web apps, workers, listeners-free, every program with a few options set. */
export function writeBigConfig(dir: string): string {
  mkdirSync(join(dir, "conf.d"));
  mkdirSync(join(dir, "logs"));
  writeFileSync(
    join(dir, "supervisord.conf"),
    `[unix_http_server]
file=%(here)s/supervisor.sock

[supervisord]
logfile=%(here)s/supervisord.log
pidfile=%(here)s/supervisord.pid
childlogdir=%(here)s/logs
environment=APP_ENV="production",TZ="UTC"

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[include]
files = conf.d/*.conf
`,
  );
  const perFile = PROGRAMS / FILES;
  for (let f = 0; f < FILES; f++) {
    let text = "";
    for (let p = 0; p < perFile; p++) {
      const n = f * perFile + p;
      text += `[program:app${n}]
command=/usr/bin/env python3 -m http.server %(process_num)s --bind 127.0.0.1
directory=%(here)s
priority=${100 + (n % 10)}
autostart=false
autorestart=true
startsecs=1
stopwaitsecs=15
stopasgroup=true
user=nobody
stdout_logfile=%(here)s/../logs/%(program_name)s.out.log
stdout_logfile_maxbytes=10MB
stderr_logfile=%(here)s/../logs/%(program_name)s.err.log
environment=PORT="${8000 + n}",WORKER_ID="%(program_name)s",HOME="/nonexistent"

`;
    }
    writeFileSync(join(dir, "conf.d", `apps-${String(f).padStart(2, "0")}.conf`), text);
  }
  return join(dir, "supervisord.conf");
}

function timeOurs(path: string, iterations: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    loadSupervisordConfig(path);
    times.push((performance.now() - start) / 1000);
  }
  return times;
}

function timeInFreshProcess(args: string[]): number[] {
  const out = spawnSync(args[0] ?? "", args.slice(1), { encoding: "utf8" });
  if (out.status !== 0) throw new Error(`${args.join(" ")} failed: ${out.stderr}`);
  return JSON.parse(out.stdout) as number[];
}

export function benchConfigRead(rounds: number, pythonScript: string, ourScript: string): Row[] {
  const dir = mkdtempSync(join(tmpdir(), "bench-config-"));
  try {
    const path = writeBigConfig(dir);
    const ours: number[][] = [];
    const theirs: number[][] = [];
    for (let round = 0; round < rounds; round++) {
      theirs.push(timeInFreshProcess(["/usr/bin/python3", pythonScript, path, "3"]));
      ours.push(timeInFreshProcess([process.execPath, ourScript, path, "3"]));
    }
    const cold = (runs: number[][]) => median(runs.map((r) => r[0] ?? Number.NaN)) * 1000;
    const warm = (runs: number[][]) => median(runs.flatMap((r) => r.slice(1))) * 1000;
    return [
      { measure: "read 1,000 programs, first read in a fresh process", unit: "ms", ours: cold(ours), theirs: cold(theirs) },
      { measure: "read 1,000 programs, again (a reread)", unit: "ms", ours: warm(ours), theirs: warm(theirs) },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Run as a script: time our reader on FILE, ITERATIONS times; print the seconds as JSON. */
if (require.main === module) {
  const [path, iterations] = process.argv.slice(2);
  process.stdout.write(`${JSON.stringify(timeOurs(path ?? "", Number(iterations ?? 1)))}\n`);
}
