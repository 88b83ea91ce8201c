/**
 * One daemon under benchmark, ours or the real supervisord, in the foreground (`-n`), observed
 * from outside as a user would: the main log lines it echoes to stdout (each stamped with the
 * moment we read it), and /proc for its CPU time and resident memory. Neither daemon has to
 * offer XML-RPC for this.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export type Which = "ours" | "theirs";

/** dist/bench/daemon-run.js sits beside dist/src/. */
// Ours as users run it: through bin/supervisord (which passes Node its flags).
const OUR_DAEMON = join(__dirname, "..", "..", "bin", "supervisord");
const THEIR_DAEMON = "/usr/bin/supervisord";
/** /proc/PID/stat counts CPU time in clock ticks: 100 a second on Linux (getconf CLK_TCK). */
const TICKS_PER_SECOND = 100;

/** A main log line and the process.hrtime (ns) at which we read it. */
export interface LogLine {
  text: string;
  at: bigint;
}

/** The main log words counted line by line (a waiting benchmark asks for them at every line). */
const COUNTED = ["spawned:", "success:", "exited:", "gave up:"] as const;

/** Every daemon still running, so that an interrupted benchmark leaves none behind. */
const live = new Set<DaemonRun>();

function killLiveDaemons(): void {
  for (const daemon of live) daemon.killNow();
}
process.once("exit", killLiveDaemons);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killLiveDaemons();
    process.exit(130);
  });
}

export class DaemonRun {
  readonly lines: LogLine[] = [];
  /** The pid of every program it spawned: each leads its own process group. */
  readonly spawnedPids = new Set<number>();
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  #exitStatus: string | undefined;
  #stderr = "";
  #partial = "";
  readonly #counts = new Map<string, number>(COUNTED.map((word) => [word, 0]));
  #onLine: (() => void) | undefined;

  private constructor(
    readonly which: Which,
    readonly launchedAt: bigint,
    child: ChildProcess,
  ) {
    this.#child = child;
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (text: string) => this.#read(text));
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (text: string) => {
      this.#stderr = (this.#stderr + text).slice(-4000);
    });
    this.#exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.#exitStatus = signal === null ? `exit status ${code}` : `signal ${signal}`;
        live.delete(this);
        this.#onLine?.();
        resolve();
      });
    });
  }

  /** Launch `which` on CONFIG in the foreground, in a process group of its own. */
  static start(which: Which, config: string): DaemonRun {
    const [file, args] = which === "ours" ? [OUR_DAEMON, ["-n", "-c", config]] : [THEIR_DAEMON, ["-n", "-c", config]];
    const launchedAt = process.hrtime.bigint();
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
    const run = new DaemonRun(which, launchedAt, child);
    live.add(run);
    return run;
  }

  get pid(): number {
    return this.#child.pid ?? 0;
  }

  /** How many main log lines so far contain TEXT (counted as they come for the COUNTED words). */
  count(text: string): number {
    return this.#counts.get(text) ?? this.lines.reduce((n, line) => n + (line.text.includes(text) ? 1 : 0), 0);
  }

  /**
   * Resolves once CONDITION holds, checked at every new main log line (and at once); rejects,
   * naming WHAT, if the daemon exits first or TIMEOUT_MS passes.
   */
  waitFor(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (condition()) {
          done();
          resolve();
        } else if (this.#exitStatus !== undefined) {
          done();
          reject(this.#failure(`exited (${this.#exitStatus}) before ${what}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(this.#failure(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.#onLine = undefined;
      };
      this.#onLine = check;
      check();
    });
  }

  /** The first main log line containing TEXT, once it is there. */
  async line(text: string, timeoutMs: number): Promise<LogLine> {
    let found: LogLine | undefined;
    await this.waitFor(`a line with "${text}"`, () => (found = this.lines.find((l) => l.text.includes(text))) !== undefined, timeoutMs);
    // waitFor resolved, so the condition found the line.
    return found as LogLine;
  }

  /** The daemon's own CPU time (user + system, every thread, not its children), in seconds. */
  cpuSeconds(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, "utf8");
    // The command name in parentheses may hold spaces; the fields after it are fixed.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  }

  /** The daemon's resident memory (VmRSS), in KiB. */
  rssKiB(): number {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${this.pid}/status`, "utf8"));
    if (match === null) throw new Error(`no VmRSS for ${this.which} daemon ${this.pid}`);
    return Number(match[1]);
  }

  /**
   * SIGTERM, then wait up to TIMEOUT_MS for the daemon to exit (SIGKILL after that); then
   * SIGKILL every process group it spawned, in case one outlived it. Resolves to the seconds
   * the daemon took to exit.
   */
  async stop(timeoutMs = 60_000): Promise<number> {
    const start = process.hrtime.bigint();
    if (this.#exitStatus === undefined) this.#child.kill("SIGTERM");
    else process.stderr.write(`${this.which} daemon had already exited (${this.#exitStatus}) before SIGTERM\n`);
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      this.#exited.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (late) {
      process.stderr.write(`${this.which} daemon did not exit within ${timeoutMs} ms of SIGTERM: SIGKILL\n`);
      this.#child.kill("SIGKILL");
      await this.#exited;
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    this.killNow();
    return seconds;
  }

  /** SIGKILL the daemon's process group and every group it spawned (nothing is waited for). */
  killNow(): void {
    for (const pid of [this.pid, ...this.spawnedPids]) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // ESRCH: that group is already gone, which is what we want.
      }
    }
  }

  #read(text: string): void {
    const at = process.hrtime.bigint();
    const parts = (this.#partial + text).split("\n");
    this.#partial = parts.pop() ?? "";
    for (const part of parts) {
      this.lines.push({ text: part, at });
      for (const word of COUNTED) if (part.includes(word)) this.#counts.set(word, (this.#counts.get(word) ?? 0) + 1);
      const spawned = /spawned: '.*' with pid (\d+)$/.exec(part);
      if (spawned !== null) this.spawnedPids.add(Number(spawned[1]));
    }
    if (parts.length > 0) this.#onLine?.();
  }

  #failure(problem: string): Error {
    const tail = this.lines.slice(-5).map((l) => `  ${l.text}`);
    const stderr = this.#stderr.trim() === "" ? [] : ["stderr:", this.#stderr.trim()];
    return new Error([`${this.which} daemon ${problem}; last log lines:`, ...tail, ...stderr].join("\n"));
  }
}
