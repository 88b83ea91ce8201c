import { syslog } from "../posix/native";
import { RotatingFile } from "./rotating-file";

/**
 * supervisord's main ("activity") log (logging.md §1): `YYYY-MM-DD HH:MM:SS,mmm LEVL MESSAGE`
 * lines, local time, milliseconds truncated; levels CRIT..BLAT; a file (rotating when
 * `logfile_maxbytes` > 0) or syslog, echoed to stdout in the foreground unless silent.
 */

export const LEVEL_CODES = Object.freeze({ 50: "CRIT", 40: "ERRO", 30: "WARN", 20: "INFO", 10: "DEBG", 5: "TRAC", 3: "BLAT" });
export const Levels = Object.freeze({ CRIT: 50, ERRO: 40, WARN: 30, INFO: 20, DEBG: 10, TRAC: 5, BLAT: 3 });
export type LevelNumber = keyof typeof LEVEL_CODES;

/** Where formatted records go. `emit` must not block and must keep the order of records. */
export interface LogHandler {
  /** `text` is the formatted record; `message` the bare message, for handlers that format per line. */
  emit(text: string, level: LevelNumber, message: string, when: Date): void;
  /** SIGUSR2: reopen the file (after what was queued is written); resolves once it is open. */
  reopen(): void | Promise<void>;
  /** RPC clearLog: delete the file and start a new one. */
  remove(): void;
  /** Write what is queued and let go of the file. */
  close(): Promise<void>;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** One record as supervisord formats it, newline included. */
export function formatRecord(level: LevelNumber, message: string, when: Date = new Date()): string {
  const stamp =
    `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())} ` +
    `${pad(when.getHours())}:${pad(when.getMinutes())}:${pad(when.getSeconds())},${pad(when.getMilliseconds(), 3)}`;
  return `${stamp} ${LEVEL_CODES[level]} ${message}\n`;
}

export class DaemonLog {
  constructor(
    readonly level: number,
    readonly handlers: LogHandler[] = [],
  ) {}

  /** Whether a record of this level would be written (callers skip building costly messages). */
  enabled(level: number): boolean {
    return level >= this.level;
  }

  log(level: LevelNumber, message: string): void {
    if (!this.enabled(level)) return;
    const when = new Date();
    const text = formatRecord(level, message, when);
    for (const handler of this.handlers) handler.emit(text, level, message, when);
  }

  critical(message: string): void {
    this.log(50, message);
  }
  error(message: string): void {
    this.log(40, message);
  }
  warn(message: string): void {
    this.log(30, message);
  }
  info(message: string): void {
    this.log(20, message);
  }
  debug(message: string): void {
    this.log(10, message);
  }
  trace(message: string): void {
    this.log(5, message);
  }
  blather(message: string): void {
    this.log(3, message);
  }

  /** Reopen every file (SIGUSR2, clearLog); resolves once they are open again. */
  async reopen(): Promise<void> {
    await Promise.all(this.handlers.map((handler) => handler.reopen()));
  }

  async close(): Promise<void> {
    await Promise.all(this.handlers.map((handler) => handler.close()));
  }
}

/** The foreground echo: records to stdout as they come (stdout writes are synchronous on Linux). */
export class StdoutHandler implements LogHandler {
  #broken = false;

  constructor(readonly stream: NodeJS.WriteStream = process.stdout) {
    // A reader that went away (EPIPE) must not take the daemon down: the log file still has it all.
    stream.on("error", () => {
      this.#broken = true;
    });
  }

  emit(text: string): void {
    if (!this.#broken) this.stream.write(text);
  }

  reopen(): void {}
  remove(): void {}
  async close(): Promise<void> {}
}

/**
 * The main log file: rotating when `logfile_maxbytes` > 0 (logging.md §1.4). A write that fails
 * is reported on stderr, the only place left to say it.
 */
export class FileHandler implements LogHandler {
  private constructor(readonly file: RotatingFile) {}

  /** Open (create) the log file; rejects with the open(2) error. */
  static async open(path: string, maxbytes: number, backups: number): Promise<FileHandler> {
    const file = await RotatingFile.open(path, {
      maxbytes,
      backups,
      onError: (err) => process.stderr.write(`supervisord: could not write ${path}: ${err.message}\n`),
    });
    return new FileHandler(file);
  }

  emit(text: string): void {
    if (!this.file.closed) this.file.write(Buffer.from(text, "utf8"));
  }

  reopen(): Promise<void> {
    return this.file.reopen().catch((err: unknown) => {
      process.stderr.write(`supervisord: could not reopen ${this.file.path}: ${String(err)}\n`);
    });
  }

  remove(): void {
    this.file.remove().catch((err: unknown) => process.stderr.write(`supervisord: could not clear ${this.file.path}: ${String(err)}\n`));
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

/** `logfile=syslog`: one syslog call per line of the message, each line formatted (logging.md §1.1). */
export class SyslogHandler implements LogHandler {
  emit(_text: string, level: LevelNumber, message: string, when: Date): void {
    for (const line of message.replace(/\n+$/, "").split("\n")) syslog(formatRecord(level, line, when));
  }

  reopen(): void {}
  remove(): void {}
  async close(): Promise<void> {}
}
