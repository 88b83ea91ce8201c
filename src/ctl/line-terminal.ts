import type { AsyncCompleter, Completer, Interface } from "node:readline";
import type { Terminal } from "./ctl-context";

export interface LineTerminalOptions {
  /**
   * Read lines with an editor (the shell, where supervisorctl has readline): keys echoed and
   * Ctrl-C read by us. Without it (a one-shot command, where supervisorctl reads as Python's
   * input() does without readline) the terminal stays as it is: it echoes, and Ctrl-C is the
   * SIGINT it sends, `^C` shown by it.
   */
  lineEditing?: boolean;
  /** Lines to offer with the up arrow, most recent first (readline's history). */
  history?: string[];
  completer?: Completer | AsyncCompleter;
}

/**
 * The terminal on the process's stdin and stdout: lines read through a readline interface (made
 * at the first read, so a one-shot command that reads nothing leaves stdin alone), Ctrl-C handed
 * to whoever listens for it at the time.
 */
export class LineTerminal implements Terminal {
  #rl: Interface | undefined;
  readonly #lines: string[] = [];
  #waiter: ((line: string | null) => void) | undefined;
  #ended = false;
  #muted = false;
  #pending = "";
  #stdinOpened = false;
  readonly #interruptHandlers: Array<() => void> = [];

  constructor(readonly options: LineTerminalOptions = {}) {
    process.on("SIGINT", () => this.#interrupt());
    // Node makes the stream at its first use (a millisecond or two): now, while the server is
    // still working on the first answer, rather than after it.
    void process.stdout;
  }

  /**
   * Output is gathered until the current run of code is done, then written at once: a status of
   * two hundred processes is one write, not two hundred.
   */
  write(text: string): void {
    if (this.#pending === "") queueMicrotask(() => this.flush());
    this.#pending += text;
  }

  /** Write what is gathered (before anything else reaches the terminal). */
  flush(): void {
    if (this.#pending === "") return;
    const text = this.#pending;
    this.#pending = "";
    process.stdout.write(text);
  }

  writeError(text: string): void {
    this.flush();
    process.stderr.write(text);
  }

  /** The history as readline keeps it (most recent first), for saving. */
  history(): string[] {
    return this.#history;
  }

  get #history(): string[] {
    return (this.#rl as (Interface & { history?: string[] }) | undefined)?.history ?? this.options.history ?? [];
  }

  /** Whether readline edits the line (and the terminal is in raw mode while it does). */
  get #editing(): boolean {
    return process.stdin.isTTY === true && this.options.lineEditing === true;
  }

  #interface(): Interface {
    if (this.#rl !== undefined) return this.#rl;
    // Loaded at the first read: most one-shot commands never read.
    const { createInterface } = require("node:readline") as typeof import("node:readline");
    const { Writable } = require("node:stream") as typeof import("node:stream");
    this.flush();
    this.#stdinOpened = true;
    const echo = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        if (!this.#muted) process.stdout.write(chunk);
        done();
      },
    });
    const tty = this.#editing;
    const rl = createInterface({
      input: process.stdin,
      output: echo,
      terminal: tty,
      history: this.#history,
      historySize: 100_000,
      ...(this.options.completer === undefined ? {} : { completer: this.options.completer }),
    });
    if (tty) (echo as typeof echo & { columns?: number }).columns = process.stdout.columns;
    rl.on("line", (line) => this.#deliver(line));
    rl.on("close", () => {
      if (this.#rl !== rl) return; // close() has dealt with it
      // Ctrl-D on a terminal ends this read only (readline closes on it): the next read makes a
      // new interface, as supervisorctl's next input() reads on after an EOFError.
      this.options.history = this.#history;
      this.#rl = undefined;
      if (!tty || process.stdin.readableEnded) this.#ended = true;
      this.#deliver(null);
    });
    rl.on("SIGINT", () => this.#interrupt());
    this.#rl = rl;
    return rl;
  }

  #deliver(line: string | null): void {
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter(line);
    } else if (line !== null) {
      this.#lines.push(line);
    }
  }

  #interrupt(): void {
    const handler = this.#interruptHandlers.at(-1);
    handler?.();
    if (this.#waiter !== undefined) {
      // Ctrl-C at a prompt: the read ends as at end of input.
      return this.#deliver(null);
    }
    if (handler !== undefined) return;
    // Nobody asked for Ctrl-C.
    this.endInterrupted();
  }

  /** End the run as an unhandled KeyboardInterrupt would: killed by SIGINT. */
  endInterrupted(): void {
    this.flush();
    process.removeAllListeners("SIGINT");
    process.kill(process.pid, "SIGINT");
  }

  readLine(prompt: string): Promise<string | null> {
    this.#muted = false;
    return this.#read(prompt);
  }

  /** As getpass does: the echo off before the prompt shows, a newline after the answer. */
  async readSecret(prompt: string): Promise<string | null> {
    const tty = process.stdin.isTTY === true;
    // Without line editing, the terminal's echo is turned off as getpass turns it off (its
    // ECHO flag alone: erase, Ctrl-U, Ctrl-C and Ctrl-D work as at any prompt); raw mode, the
    // one way Node has, only if stty cannot.
    const echoOff = tty && !this.#editing && setTerminalEcho(false);
    const raw = tty && !this.#editing && !echoOff;
    this.#interface();
    this.#muted = tty;
    if (raw) process.stdin.setRawMode(true);
    try {
      return await this.#read(prompt, true);
    } finally {
      if (raw) process.stdin.setRawMode(false);
      if (echoOff) setTerminalEcho(true);
      this.#muted = false;
      if (tty) this.write("\n");
    }
  }

  #read(prompt: string, secret = false): Promise<string | null> {
    this.flush();
    const rl = this.#interface();
    const queued = this.#lines.shift();
    if (queued !== undefined || this.#ended) {
      this.write(prompt);
      return Promise.resolve(queued ?? null);
    }
    return new Promise((resolve) => {
      this.#waiter = resolve;
      rl.setPrompt(secret ? "" : prompt);
      if (secret) this.write(prompt);
      // An empty prompt is not drawn: readline would clear the line (what a followed log printed
      // there) and leave a space on it.
      else if (prompt !== "" || !this.#editing) rl.prompt(true);
    });
  }

  onInterrupt(handler: () => void): () => void {
    this.#interruptHandlers.push(handler);
    return () => {
      const at = this.#interruptHandlers.lastIndexOf(handler);
      if (at >= 0) this.#interruptHandlers.splice(at, 1);
    };
  }

  /** Stop reading stdin, so that the run can end. */
  close(): void {
    this.flush();
    const rl = this.#rl;
    this.#rl = undefined;
    this.#ended = true;
    rl?.close();
    // A one-shot command that read nothing never made stdin's stream: not even now.
    if (this.#stdinOpened) process.stdin.unref?.();
  }
}

/** Turn the echo of the terminal on stdin on or off with stty; false if that failed. */
function setTerminalEcho(on: boolean): boolean {
  // Loaded here only: most runs never ask for a password.
  const { spawnSync } = require("node:child_process") as typeof import("node:child_process");
  return spawnSync("stty", [on ? "echo" : "-echo"], { stdio: ["inherit", "ignore", "ignore"] }).status === 0;
}
