import { createInterface, type AsyncCompleter, type Completer, type Interface } from "node:readline";
import { Writable } from "node:stream";
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
  readonly #interruptHandlers: Array<() => void> = [];

  constructor(readonly options: LineTerminalOptions = {}) {
    process.on("SIGINT", () => this.#interrupt());
  }

  write(text: string): void {
    process.stdout.write(text);
  }

  writeError(text: string): void {
    process.stderr.write(text);
  }

  /** The history as readline keeps it (most recent first), for saving. */
  history(): string[] {
    return (this.#rl as (Interface & { history?: string[] }) | undefined)?.history ?? this.options.history ?? [];
  }

  #interface(): Interface {
    if (this.#rl !== undefined) return this.#rl;
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
    if (tty) (echo as Writable & { columns?: number }).columns = process.stdout.columns;
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
    if (this.#rl === undefined) return; // stdin never opened: not even its stream is made
    this.#rl.close();
    process.stdin.unref?.();
  }
}
