import type { SupervisorEvent } from "./event-bus";
import { eventName } from "./event-types";
import { eventPayload } from "./payload";

/**
 * A counter handing out 0, 1, 2, ... (supervisord's new_serial). supervisord wraps to 0 after
 * Python's maxint (2**63-1); we wrap after the largest integer a double holds exactly, which
 * no daemon reaches either.
 */
export class SerialCounter {
  #last = -1;

  next(): number {
    this.#last = this.#last === Number.MAX_SAFE_INTEGER ? 0 : this.#last + 1;
    return this.#last;
  }
}

/** An event some pool accepted: its daemon-wide serial and the poolserial each pool gave it. */
export interface SerialEvent {
  readonly event: SupervisorEvent;
  readonly name: string;
  readonly serial: number;
  /** By pool name, as supervisord keys them (events.md §4). */
  readonly poolSerials: Map<string, number>;
  /** The payload, made at the first delivery and kept for redeliveries. */
  payload(): string;
}

/**
 * The daemon-wide serials (events.md §4): an event gets one the first time any pool accepts it,
 * so events nobody subscribes to consume none. One instance lives as long as the daemon process,
 * across reloads (the counter is not reset by a reload, verified).
 */
export class EventSerials {
  readonly #counter = new SerialCounter();
  readonly #stamped = new WeakMap<SupervisorEvent, SerialEvent>();

  /** The event with its serial, given one now if no pool accepted it before. */
  stamp(event: SupervisorEvent): SerialEvent {
    let stamped = this.#stamped.get(event);
    if (stamped === undefined) {
      let payload: string | undefined;
      stamped = {
        event,
        name: eventName(event),
        serial: this.#counter.next(),
        poolSerials: new Map(),
        payload: () => (payload ??= eventPayload(event)),
      };
      this.#stamped.set(event, stamped);
    }
    return stamped;
  }
}
