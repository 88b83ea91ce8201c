import { stripAnsi } from "./ansi";

export const BEGIN_TOKEN = Buffer.from("<!--XSUPERVISOR:BEGIN-->", "latin1");
export const END_TOKEN = Buffer.from("<!--XSUPERVISOR:END-->", "latin1");

/**
 * What one piece of a channel's output becomes (logging.md §3.7, §3.8), in the order supervisord
 * does it:
 * - `log`: "log" it normally: the channel's file/syslog, the main-log echo, a PROCESS_LOG event;
 * - `captured`: it went into the capture buffer instead of the file, but supervisord still echoes
 *   it to the main log and still emits a PROCESS_LOG event for it;
 * - `comm`: an END token closed a capture: `data` is the capture buffer's content, for a
 *   PROCESS_COMMUNICATION event and DEBG `'NAME' stdout emitted a comm event`.
 *
 * With `stripAnsi`, `log` and `captured` data is already stripped, and may then be empty:
 * supervisord tests for emptiness before stripping, so an all-escape chunk is still echoed (with
 * no text) and still makes an event, though it writes nothing.
 */
export type CaptureOutput =
  | { kind: "log"; data: Buffer }
  | { kind: "captured"; data: Buffer }
  | { kind: "comm"; data: Buffer };

export interface CaptureSplitterOptions {
  /** `stdout_capture_maxbytes` / `stderr_capture_maxbytes`; 0 turns capture mode off. */
  captureMaxbytes: number;
  stripAnsi: boolean;
}

/**
 * One channel's capture-mode state machine (logging.md §3.7), without I/O: feed it each read,
 * carry out what it returns. Without capture mode every read comes back whole as one `log`.
 * Returned data may share memory with the buffers fed in: do not reuse a buffer after feeding it.
 */
export class CaptureSplitter {
  readonly #maxbytes: number;
  readonly #strip: boolean;
  #pending: Buffer = Buffer.alloc(0);
  #capturing = false;
  #captured: Buffer = Buffer.alloc(0);

  constructor(options: CaptureSplitterOptions) {
    this.#maxbytes = options.captureMaxbytes;
    this.#strip = options.stripAnsi;
  }

  /** True between a BEGIN token and its END token. */
  get capturing(): boolean {
    return this.#capturing;
  }

  /**
   * Bytes held back because they may start a token. supervisord never logs them when the
   * process ends (at most a token's length is lost: a quirk kept on purpose).
   */
  get pending(): Buffer {
    return this.#pending;
  }

  feed(data: Buffer): CaptureOutput[] {
    const out: CaptureOutput[] = [];
    if (this.#maxbytes <= 0) {
      this.#log(data, out);
      return out;
    }
    this.#pending = this.#pending.length === 0 ? data : Buffer.concat([this.#pending, data]);
    for (;;) {
      const token = this.#capturing ? END_TOKEN : BEGIN_TOKEN;
      // supervisord waits while the buffer is no longer than the token, even if it holds a
      // complete token or cannot start one.
      if (this.#pending.length <= token.length) break;
      const buffer = this.#pending;
      const at = buffer.indexOf(token);
      if (at === -1) {
        const keep = longestTokenPrefixAtEnd(buffer, token);
        this.#pending = buffer.subarray(buffer.length - keep);
        this.#log(buffer.subarray(0, buffer.length - keep), out);
        break;
      }
      this.#log(buffer.subarray(0, at), out);
      this.#toggle(out);
      this.#pending = buffer.subarray(at + token.length);
      if (this.#pending.length === 0) break;
    }
    // At most a token's length stays behind: copy it so the caller's read buffer is not pinned.
    this.#pending = Buffer.from(this.#pending);
    return out;
  }

  #log(raw: Buffer, out: CaptureOutput[]): void {
    if (raw.length === 0) return;
    const data = this.#strip ? stripAnsi(raw) : raw;
    if (!this.#capturing) {
      out.push({ kind: "log", data });
      return;
    }
    // supervisord's BoundIO: when the chunk would overflow, drop as many bytes from the front as
    // the chunk is long (not a strict ring buffer: the result may still exceed the bound).
    const kept = this.#captured.length + data.length > this.#maxbytes ? this.#captured.subarray(data.length) : this.#captured;
    this.#captured = Buffer.concat([kept, data]);
    out.push({ kind: "captured", data });
  }

  #toggle(out: CaptureOutput[]): void {
    this.#capturing = !this.#capturing;
    if (this.#capturing) return;
    out.push({ kind: "comm", data: this.#captured });
    this.#captured = Buffer.alloc(0);
  }
}

/** The length of the longest proper prefix of `token` that `data` ends with (0 if none). */
function longestTokenPrefixAtEnd(data: Buffer, token: Buffer): number {
  for (let length = Math.min(token.length - 1, data.length); length > 0; length--) {
    if (data.subarray(data.length - length).equals(token.subarray(0, length))) return length;
  }
  return 0;
}
