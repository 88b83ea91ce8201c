import { decodeOrBytesRepr } from "../config/python-str";
import { parsePyInt } from "../config/python-int";
import type { EventListenerStateName } from "../states";

/** Where a listener's protocol reports its changes (DEBG) and violations (WARN). */
export interface ProtocolLog {
  debug(message: string): void;
  warn(message: string): void;
}

const READY_TOKEN = Buffer.from("READY\n");
/** The result line minus this many characters is the length (`RESULT ` is not checked). */
const RESULT_PREFIX_LENGTH = "RESULT ".length;
const OK = Buffer.from("OK");
const EMPTY = Buffer.alloc(0);
const NEWLINE = 0x0a;

/**
 * What one event listener process says on its stdout, read as supervisord's
 * PEventListenerDispatcher reads it (events.md §6), fed the bytes as they arrive. It holds the
 * listener's state and the event it is busy with; the pool sends events and hears of rejected
 * ones through `onRejected`.
 */
export class ListenerProtocol<E> {
  state: EventListenerStateName = "ACKNOWLEDGED";
  /** The event sent and not answered yet (supervisord's process.event). */
  event: E | undefined;
  #buffer: Buffer = EMPTY;
  #result: Buffer = EMPTY;
  #resultLength: number | undefined;

  constructor(
    readonly name: string,
    readonly log: ProtocolLog,
    readonly onRejected: (event: E) => void,
  ) {}

  /** A new spawn: a fresh channel starts in ACKNOWLEDGED, silently, with nothing pending. */
  reset(): void {
    this.state = "ACKNOWLEDGED";
    this.event = undefined;
    this.#buffer = EMPTY;
    this.#result = EMPTY;
    this.#resultLength = undefined;
  }

  /** The pool wrote `event` to the listener: READY to BUSY (supervisord logs nothing for it). */
  sent(event: E): void {
    this.state = "BUSY";
    this.event = event;
  }

  /** The process has ended: the event it was busy with is rejected (redelivered elsewhere or later). */
  processEnded(): void {
    const event = this.event;
    this.event = undefined;
    if (event !== undefined) this.onRejected(event);
  }

  /** Bytes the listener wrote to stdout: evaluated at once, as many times as they allow. */
  feed(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const data = this.#buffer;
      if (data.length === 0) return;
      switch (this.state) {
        case "UNKNOWN":
          this.#buffer = EMPTY;
          return;
        case "ACKNOWLEDGED":
          if (data.length < READY_TOKEN.length) return;
          if (data.subarray(0, READY_TOKEN.length).equals(READY_TOKEN)) {
            this.#change("READY");
            this.#buffer = data.subarray(READY_TOKEN.length);
          } else {
            this.#change("UNKNOWN");
            this.#buffer = EMPTY;
          }
          this.event = undefined;
          break;
        case "READY":
          // Anything while READY is spurious: supervisord is strict about it.
          this.#change("UNKNOWN");
          this.#buffer = EMPTY;
          this.event = undefined;
          return;
        case "BUSY":
          if (this.#resultLength === undefined) {
            if (!this.#readResultLine(data)) return;
          } else if (!this.#readResultBody(data)) {
            return;
          }
          break;
      }
    }
  }

  /** The `RESULT L` line; false when there is none yet or it is bad (then the listener is UNKNOWN). */
  #readResultLine(data: Buffer): boolean {
    const end = data.indexOf(NEWLINE);
    if (end === -1) return false;
    const line = data.subarray(0, end);
    this.#buffer = data.subarray(end + 1);
    const length = pyIntOfBytes(line.subarray(RESULT_PREFIX_LENGTH));
    if (length === undefined) {
      this.log.warn(`${this.name}: bad result line: '${decodeOrBytesRepr(line)}'`);
      this.#change("UNKNOWN");
      this.#buffer = EMPTY;
      this.processEnded();
      return false;
    }
    this.#resultLength = length;
    return true;
  }

  /**
   * Up to L bytes of result body; at L, the result handler. Only reached with bytes in the buffer:
   * `RESULT 0\n` alone waits for the next byte before it is handled, as in supervisord.
   * False when no progress can be made with what is buffered.
   */
  #readResultBody(data: Buffer): boolean {
    const length = this.#resultLength ?? 0;
    let needed = length - this.#result.length;
    if (needed !== 0) {
      // Python's slices: a negative length (`RESULT -1`) takes from the end.
      const cut = needed < 0 ? Math.max(0, data.length + needed) : Math.min(needed, data.length);
      this.#result = Buffer.concat([this.#result, data.subarray(0, cut)]);
      this.#buffer = data.subarray(cut);
      needed = length - this.#result.length;
      // DIVERGES: with a negative length supervisord recurses until Python's recursion limit,
      // logs the traceback and stops reading the listener's stdout; we stop at once, and the
      // listener stays BUSY as it does there.
      if (needed !== 0 && (cut === 0 || needed < 0)) return false;
    }
    if (needed === 0) {
      this.#handleResult(this.#result);
      this.event = undefined;
      this.#result = EMPTY;
      this.#resultLength = undefined;
    }
    return true;
  }

  /** supervisord's default result handler: `OK` is processed, anything else rejected. */
  #handleResult(result: Buffer): void {
    if (result.equals(OK)) {
      this.log.debug(`${this.name}: event was processed`);
      this.#change("ACKNOWLEDGED");
      return;
    }
    this.log.warn(`${this.name}: event was rejected`);
    this.#change("ACKNOWLEDGED");
    const event = this.event;
    if (event !== undefined) this.onRejected(event);
  }

  #change(to: EventListenerStateName): void {
    this.log.debug(`${this.name}: ${this.state} -> ${to}`);
    this.state = to;
    if (to === "UNKNOWN") {
      this.log.warn(
        `${this.name}: has entered the UNKNOWN state and will no longer receive events, this usually indicates the process violated the eventlistener protocol`,
      );
    }
  }
}

/** Python's int() of a bytes object: ASCII only, then int()'s rules for text. */
function pyIntOfBytes(bytes: Buffer): number | undefined {
  for (const byte of bytes) if (byte >= 0x80) return undefined;
  return parsePyInt(bytes.toString("latin1"), 10);
}
