import type { EventBus } from "../events/event-bus";
import type { PipeReader } from "../posix/native";
import { stripAnsi } from "../logging/ansi";
import { echoText } from "../logging/bytes-repr";
import { CaptureSplitter } from "../logging/capture-splitter";
import type { DaemonLog } from "../logging/daemon-log";
import { RotatingFile } from "../logging/rotating-file";

/** How one channel (stdout or stderr) of one process is logged (logging.md §3). */
export interface ChannelOptions {
  processName: string;
  groupName: string;
  channel: "stdout" | "stderr";
  /** The log file (AUTO already resolved), or null for NONE. */
  file: string | null;
  maxbytes: number;
  backups: number;
  /** Also send each line to syslog as `NAME LINE`. */
  syslog: boolean;
  captureMaxbytes: number;
  eventsEnabled: boolean;
  stripAnsi: boolean;
  /** An event listener's stdout: the protocol; logged raw, no capture, events or syslog. */
  listenerStdout: boolean;
  log: DaemonLog;
  events: EventBus;
  /** Where syslog lines go (the daemon's syslog sink); required when `syslog` is set. */
  sendSyslog?: (line: string) => void;
}

/** How long output left in a dead process's pipe may delay reading the next spawn's. */
const HANDOVER_MS = 1000;

/**
 * One channel of one process: reads the child's pipe, strips ANSI, splits out capture-mode
 * messages, writes the log file (rotating it), echoes to the main log at debug level, and emits
 * PROCESS_LOG / PROCESS_COMMUNICATION events (logging.md §3.8). Reading pauses while the file
 * is behind, so a child that writes faster than the disk waits instead of losing output.
 *
 * The file is opened at the first spawn and reopened at every later one (so a file moved away
 * by logrotate is recreated, as with supervisord); it stays open between spawns, so writes of
 * one spawn and the next can never overtake each other.
 */
export class OutputChannel {
  #file: Promise<RotatingFile | undefined> | undefined;
  /** The file once open: writes go straight to it. */
  #opened: RotatingFile | undefined;
  #stream: PipeReader | undefined;
  #pid = 0;
  #splitter: CaptureSplitter | undefined;
  /** Called with each chunk an event listener writes to stdout (the listener protocol). */
  onListenerData: ((chunk: Buffer) => void) | undefined;
  /** supervisord's repr of the process this channel belongs to (for its debug lines). */
  describeOwner: (() => string) | undefined;
  /** A stand-in for Python's id() of supervisord's dispatcher object, in its repr. */
  readonly #objectId = pythonObjectId();

  constructor(readonly options: ChannelOptions) {}

  /**
   * Start logging a new spawn's pipe. Output still in the previous spawn's pipe is logged first
   * (for at most HANDOVER_MS, in case a grandchild holds that pipe open).
   */
  attach(stream: PipeReader, pid: number): void {
    const previous = this.#stream;
    this.#stream = stream;
    this.#pid = pid;
    // Hold the chunks back until the file is open and the previous spawn's output is logged.
    stream.pause();
    const start = (): void => {
      if (this.#passThrough()) {
        stream.onReadable(() => this.#transfer(stream));
      } else {
        this.#splitter = this.options.listenerStdout
          ? undefined
          : new CaptureSplitter({ captureMaxbytes: this.options.captureMaxbytes, stripAnsi: this.options.stripAnsi });
        stream.onData((chunk) => this.#record(chunk, stream));
      }
      stream.onEnd(() => this.#closedDebug(stream));
      stream.resume();
    };
    const previousDone =
      previous === undefined || previous.ended
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              previous.close();
              resolve();
            }, HANDOVER_MS);
            previous.onEnd(() => {
              clearTimeout(timer);
              resolve();
            });
          });
    Promise.all([this.#openFile(), previousDone]).then(start, start);
  }

  /**
   * The process has been reaped. Output still in the pipe keeps being logged until the pipe
   * ends (or the next spawn takes over).
   */
  detach(): void {
    this.#pid = 0;
  }

  /** SIGUSR2: reopen the file. */
  reopen(): void {
    void this.#file?.then((file) => file?.reopen().catch((err: unknown) => this.#fileError(err)));
  }

  /** clearProcessLogs: delete the file and start an empty one. */
  async remove(): Promise<void> {
    const file = await this.#file;
    await file?.remove().catch((err: unknown) => this.#fileError(err));
  }

  /** Stop reading and close the file (the group is going away). */
  async close(): Promise<void> {
    this.#opened = undefined;
    this.#stream?.close();
    this.#stream = undefined;
    const file = await this.#file;
    this.#file = undefined;
    this.#opened = undefined;
    await file?.close().catch((err: unknown) => this.#fileError(err));
  }

  /** Open the file at the first spawn, reopen it at the others; resolves when writes may go. */
  #openFile(): Promise<unknown> {
    const path = this.options.file;
    if (path === null) return Promise.resolve();
    if (this.#file !== undefined) {
      return this.#file.then((file) => file?.reopen().catch((err: unknown) => this.#fileError(err)));
    }
    this.#file = RotatingFile.open(path, {
      maxbytes: this.options.maxbytes,
      backups: this.options.backups,
      onError: (err) => this.#fileError(err),
    }).then(
      (file) => (this.#opened = file),
      (err: unknown) => {
        this.#fileError(err);
        return undefined;
      },
    );
    return this.#file;
  }

  /** supervisord's DEBG line when a channel's pipe closes (logging.md §2.2). */
  #closedDebug(stream: PipeReader): void {
    const fd = stream.fd;
    const { log, listenerStdout, channel } = this.options;
    if (!log.enabled(10)) return;
    const kind = listenerStdout ? "PEventListenerDispatcher" : "POutputDispatcher";
    log.debug(`fd ${fd} closed, stopped monitoring <${kind} at ${this.#objectId} for ${this.describeOwner?.() ?? "?"} (${channel})>`);
  }

  #fileError(err: unknown): void {
    // A full disk or a removed directory must not stop the daemon; say so and go on.
    this.options.log.critical(`could not write log file ${this.options.file}: ${String(err)}`);
  }

  /**
   * True when nothing but the file sees this channel's output (no capture mode, events, ANSI
   * stripping, syslog or debug echo, not a listener's protocol): the pipe is then moved into
   * the file natively, each read one write as in supervisord, and no chunk reaches JS.
   */
  #passThrough(): boolean {
    const { options } = this;
    return (
      !options.listenerStdout &&
      options.captureMaxbytes <= 0 &&
      !options.eventsEnabled &&
      !options.stripAnsi &&
      !options.syslog &&
      !options.log.enabled(10)
    );
  }

  /** The pipe has data: move it into the file (or drop it, with no file), then watch again. */
  #transfer(stream: PipeReader): void {
    const file = this.#opened;
    const moved = file !== undefined && !file.closing ? file.transfer(stream) : drain(stream);
    moved.then(
      (state) => {
        if (state === "empty") stream.resume();
      },
      (err: unknown) => {
        // A bug, not the child's doing: say so, and stop reading this pipe rather than spin.
        this.options.log.critical(`could not move output of '${this.options.processName}' ${this.options.channel}: ${String(err)}`);
        stream.close();
      },
    );
  }

  #record(chunk: Buffer, stream: PipeReader): void {
    const { options } = this;
    if (options.listenerStdout) {
      this.#write(chunk, stream);
      if (options.log.enabled(10)) options.log.debug(echoText(options.processName, options.channel, chunk, true));
      // What a previous spawn left in its pipe is logged, but is no message of the listener now
      // running (supervisord closes a dead process's pipes: nothing of it reaches the next one).
      if (stream === this.#stream) this.onListenerData?.(chunk);
      return;
    }
    const pieces = this.#splitter?.feed(chunk) ?? [{ kind: "log" as const, data: options.stripAnsi ? stripAnsi(chunk) : chunk }];
    for (const piece of pieces) {
      if (piece.kind === "comm") {
        this.#emit("PROCESS_COMMUNICATION", piece.data);
        options.log.debug(`'${options.processName}' ${options.channel} emitted a comm event`);
        continue;
      }
      if (piece.kind === "log" && piece.data.length > 0) {
        this.#write(piece.data, stream);
        if (options.syslog) this.#syslog(piece.data);
      }
      if (options.log.enabled(10)) options.log.debug(echoText(options.processName, options.channel, piece.data));
      if (options.eventsEnabled) this.#emit("PROCESS_LOG", piece.data);
    }
  }

  #write(data: Buffer, stream: PipeReader): void {
    const file = this.#opened;
    if (file === undefined || data.length === 0) return;
    if (!file.write(data)) {
      stream.pause();
      file.whenDrained().then(
        () => stream.resume(),
        () => stream.resume(),
      );
    }
  }

  #syslog(data: Buffer): void {
    const send = this.options.sendSyslog;
    if (send === undefined) return;
    for (const line of data.toString("utf8").replace(/\n+$/, "").split("\n")) send(`${this.options.processName} ${line}`);
  }

  #emit(type: "PROCESS_LOG" | "PROCESS_COMMUNICATION", data: Buffer): void {
    this.options.events.notify({
      type,
      channel: this.options.channel,
      processName: this.options.processName,
      groupName: this.options.groupName,
      pid: this.#pid,
      data,
    });
  }
}

/** Read and drop what the pipe holds (NONE, or a file that could not be opened). */
async function drain(stream: PipeReader): Promise<"empty" | "end"> {
  for (;;) {
    const { state } = await stream.transferTo(-1, 0);
    if (state === "empty" || state === "end") return state;
  }
}

let nextObjectId = 140_000_000_000_000 + Math.floor(Math.random() * 1_000_000) * 4096;

/** A number shaped like CPython's id() of an object (its address), unique in this daemon. */
export function pythonObjectId(): number {
  nextObjectId += 64;
  return nextObjectId;
}
