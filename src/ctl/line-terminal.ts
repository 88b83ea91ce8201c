import type { AsyncCompleter, Completer, Interface } from "node:readline";
import type { Terminal } from "./ctl-context";

export interface LineTerminalOptions {
  /** Lines to offer with the up arrow, most recent first (readline's history). */
  history?: string[];
  completer?: Completer | AsyncCompleter;
}

/**
 * The terminal on the process's stdin and stdout: lines read through one readline interface
 * (made at the first read, so a one-shot command that reads nothing leaves stdin alone), Ctrl-C
 * handed to whoever listens for it at the time.
 */
export class LineTerminal implements Terminal {
  #rl: Interface | undefined;
  readonly #lines: string[] = [];
  #waiter: ((line: string | null) => void) | undefined;
  #ended = false;
  #muted = false;
  #pending = "";
  readonly #interruptHandlers: Array<() => void> = [];

  constructor(readonly options: LineTerminalOptions = {}) {
    process.on("SIGINT", () => this.#interrupt());
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
    return (this.#rl as (Interface & { history?: string[] }) | undefined)?.history ?? this.options.history ?? [];
  }

  #interface(): Interface {
    if (this.#rl !== undefined) return this.#rl;
    // Loaded at the first read: most one-shot commands never read.
    const { createInterface } = require("node:readline") as typeof import("node:readline");
    const { Writable } = require("node:stream") as typeof import("node:stream");
    this.flush();
    const echo = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        if (!this.#muted) process.stdout.write(chunk);
        done();
      },
    });
    const tty = process.stdin.isTTY === true;
    const rl = createInterface({
      input: process.stdin,
      output: echo,
      terminal: tty,
      history: this.options.history ?? [],
      historySize: 100_000,
      ...(this.options.completer === undefined ? {} : { completer: this.options.completer }),
    });
    if (tty) (echo as typeof echo & { columns?: number }).columns = process.stdout.columns;
    rl.on("line", (line) => this.#deliver(line));
    rl.on("close", () => {
      this.#ended = true;
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
    if (handler !== undefined) return handler();
    if (this.#waiter !== undefined) {
      // Ctrl-C at a prompt: the read ends as at end of input.
      return this.#deliver(null);
    }
    // Nobody asked for Ctrl-C: end as an unhandled KeyboardInterrupt would.
    this.flush();
    process.removeAllListeners("SIGINT");
    process.kill(process.pid, "SIGINT");
  }

  readLine(prompt: string): Promise<string | null> {
    this.#muted = false;
    return this.#read(prompt);
  }

  async readSecret(prompt: string): Promise<string | null> {
    this.write(prompt);
    this.#muted = process.stdin.isTTY === true;
    try {
      return await this.#read("");
    } finally {
      this.#muted = false;
      if (process.stdin.isTTY === true) this.write("\n");
    }
  }

  #read(prompt: string): Promise<string | null> {
    this.flush();
    const rl = this.#interface();
    const queued = this.#lines.shift();
    if (queued !== undefined || this.#ended) {
      this.write(prompt);
      return Promise.resolve(queued ?? null);
    }
    return new Promise((resolve) => {
      this.#waiter = resolve;
      rl.setPrompt(prompt);
      rl.prompt(true);
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
    if (this.#rl === undefined) return; // stdin never opened: not even its stream is made
    this.#rl.close();
    process.stdin.unref?.();
  }
}
