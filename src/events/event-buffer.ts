import { SerialCounter, type SerialEvent } from "./event-serials";

/** Where a pool's buffer reports re-buffering (DEBG) and overflow (ERRO). */
export interface BufferLog {
  debug(message: string): void;
  error(message: string): void;
}

/**
 * One pool's FIFO of events waiting for a listener (events.md §4): bounded by buffer_size, the
 * oldest event dropped on overflow, and the pool's own poolserial given to each event the first
 * time this pool accepts it.
 */
export class EventBuffer {
  readonly #events: SerialEvent[] = [];
  readonly #poolSerials = new SerialCounter();

  constructor(
    readonly pool: string,
    readonly capacity: number,
    readonly log: BufferLog,
  ) {}

  get length(): number {
    return this.#events.length;
  }

  /**
   * supervisord's _acceptEvent: a new event goes at the tail; a rejected or undeliverable one at
   * the head. An event this pool has seen before (re-buffered, or a second subscription matching
   * it) keeps its poolserial and is logged as re-buffered. A full buffer drops its oldest first.
   */
  accept(event: SerialEvent, head = false): void {
    if (!event.poolSerials.has(this.pool)) {
      event.poolSerials.set(this.pool, this.#poolSerials.next());
    } else {
      this.log.debug(`rebuffering event ${event.serial} for pool ${this.pool} (buf size=${this.#events.length}, max=${this.capacity})`);
    }
    if (this.#events.length >= this.capacity) {
      const discarded = this.#events.shift();
      if (discarded !== undefined) this.log.error(`pool ${this.pool} event buffer overflowed, discarding event ${discarded.serial}`);
    }
    if (head) this.#events.unshift(event);
    else this.#events.push(event);
  }

  /** The oldest event, taken out. */
  shift(): SerialEvent | undefined {
    return this.#events.shift();
  }

  /** The serials waiting, oldest first. */
  serials(): number[] {
    return this.#events.map((event) => event.serial);
  }
}
