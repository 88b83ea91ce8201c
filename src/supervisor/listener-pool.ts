import type { EventListenerPoolConfig } from "../config/model";
import type { SupervisorEvent } from "../events/event-bus";
import { EventBuffer } from "../events/event-buffer";
import type { EventSerials, SerialEvent } from "../events/event-serials";
import { eventName, isA, wantsTicks } from "../events/event-types";
import { envelope } from "../events/envelope";
import { ListenerProtocol } from "../events/listener-protocol";
import type { ProcessHost, Subprocess } from "../process/subprocess";
import { ProcessGroup, type ChannelFactory } from "./process-group";

/** What a pool needs from the daemon besides what its processes need. */
export interface PoolHost extends ProcessHost {
  /** `[supervisord] identifier`, the `server:` of every envelope. */
  readonly identifier: string;
  /** The daemon-wide serials (they outlive a reload). */
  readonly serials: EventSerials;
  /** A listener rejected `event`: every pool is told, as supervisord's EventRejectedEvent is. */
  eventRejected(proc: Subprocess, event: SerialEvent): void;
}

/**
 * An `[eventlistener:x]` pool (events.md §4, supervisord's EventListenerPool): it subscribes
 * once per name of its `events=` line, buffers what matches, and gives the oldest event to the
 * first of its processes, in process order, that is RUNNING and READY.
 *
 * supervisord dispatches on every turn of its loop; we dispatch on the next turn of Node's loop
 * after something that may allow it: an event buffered, a listener RUNNING; and at once when a
 * listener's output makes it READY. That keeps
 * its order (events buffered in one turn go out after the changes of that turn, so a listener
 * stopped in the turn a SUPERVISOR_STATE_CHANGE_STOPPING is emitted never gets it) and lets a
 * listener that rejects in a tight loop share the daemon with everything else.
 */
export class ListenerPool extends ProcessGroup {
  readonly #buffer: EventBuffer;
  readonly #listeners: Array<{ proc: Subprocess; protocol: ListenerProtocol<SerialEvent> }> = [];
  readonly #subscriptions: readonly string[];
  readonly wantsTicks: boolean;
  #unsubscribe: (() => void) | undefined;
  #dispatchQueued = false;

  constructor(
    override readonly config: EventListenerPoolConfig,
    readonly host: PoolHost,
    makeChannels: ChannelFactory,
  ) {
    super(config, host, makeChannels);
    this.#buffer = new EventBuffer(config.name, config.buffer_size, host.log);
    this.#subscriptions = config.events;
    this.wantsTicks = wantsTicks(config.events);
    for (const proc of this.processes.values()) {
      const protocol = new ListenerProtocol<SerialEvent>(proc.name, host.log, (event) => host.eventRejected(proc, event));
      this.#listeners.push({ proc, protocol });
      proc.channels.stdout.onListenerData = (chunk) => {
        protocol.feed(chunk);
        // At once: supervisord dispatches in the turn that read the READY, before the other
        // groups' transitions of that turn (a state change queued meanwhile comes after it).
        if (protocol.state === "READY") this.#dispatchGuarded();
      };
      proc.listener = {
        spawned: () => protocol.reset(),
        ended: () => protocol.processEnded(),
        changed: () => {
          if (proc.state === "RUNNING") this.scheduleDispatch();
        },
      };
    }
    // Subscribed as the pool is made, so it hears of its own PROCESS_GROUP_ADDED (events.md §3).
    this.#unsubscribe = host.events.subscribe((event) => this.#notified(event));
  }

  /** Whether one of the processes has this priority (supervisord's `process in procs`, §6.1). */
  hasPriority(priority: number): boolean {
    for (const proc of this.processes.values()) if (proc.config.priority === priority) return true;
    return false;
  }

  /** A rejected event goes back at the head, to be redelivered on a later turn. */
  rebuffer(event: SerialEvent): void {
    this.#buffer.accept(event, true);
    this.scheduleDispatch();
  }

  /** The serials waiting in the buffer, oldest first. */
  buffered(): number[] {
    return this.#buffer.serials();
  }

  /** Dispatch on the next turn, if a listener may take an event then. */
  scheduleDispatch(): void {
    if (this.#dispatchQueued || this.#buffer.length === 0 || !this.#capable()) return;
    this.#dispatchQueued = true;
    setImmediate(() => {
      this.#dispatchQueued = false;
      this.#dispatchGuarded();
    });
  }

  #dispatchGuarded(): void {
    try {
      this.#dispatch();
    } catch (err) {
      // A bug of ours, not a listener's doing: the events stay buffered and the daemon goes on.
      this.host.log.critical(`dispatch of pool ${this.name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }

  override async dispose(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    await super.dispose();
  }

  /** Every subscription that matches buffers the event: overlapping names buffer it twice. */
  #notified(event: SupervisorEvent): void {
    const type = eventName(event);
    let accepted = false;
    for (const name of this.#subscriptions) {
      if (!isA(type, name)) continue;
      this.#buffer.accept(this.host.serials.stamp(event));
      accepted = true;
    }
    if (accepted) this.scheduleDispatch();
  }

  #capable(): boolean {
    return this.#listeners.some(({ proc, protocol }) => proc.state === "RUNNING" && protocol.state === "READY");
  }

  /** supervisord's dispatch: oldest first, until no listener takes the next one. */
  #dispatch(): void {
    if (!this.#capable()) return;
    for (let event = this.#buffer.shift(); event !== undefined; event = this.#buffer.shift()) {
      if (!this.#send(event)) {
        this.#buffer.accept(event, true);
        return;
      }
    }
  }

  #send(event: SerialEvent): boolean {
    for (const { proc, protocol } of this.#listeners) {
      if (proc.state !== "RUNNING" || protocol.state !== "READY") continue;
      const bytes = envelope({
        server: this.host.identifier,
        serial: event.serial,
        pool: this.name,
        poolserial: event.poolSerials.get(this.name) ?? 0,
        eventname: event.name,
        payload: event.payload(),
      });
      // A process being killed has no stdin for supervisord either (process.write raises EPIPE).
      if (proc.killing || !proc.writeStdin(bytes)) {
        this.host.log.debug(`epipe occurred while sending event ${event.serial} to listener ${proc.name}, listener state unchanged`);
        continue;
      }
      protocol.sent(event);
      this.host.log.debug(`event ${event.serial} sent to listener ${proc.name}`);
      return true;
    }
    return false;
  }
}
