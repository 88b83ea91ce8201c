import type { ProcessStateName } from "../states";

/** What a PROCESS_STATE_* event tells about the process (events.md §2). */
export interface ProcessStateChange {
  type: "PROCESS_STATE";
  processName: string;
  groupName: string;
  from: ProcessStateName;
  to: ProcessStateName;
  /** EXITED only: whether the exit status was in `exitcodes`. */
  expected: boolean;
  /** STARTING and BACKOFF: the backoff counter at the change. */
  tries: number;
  pid: number;
}

/** Output a process wrote (PROCESS_LOG_*) or a captured message (PROCESS_COMMUNICATION_*). */
export interface ProcessOutput {
  type: "PROCESS_LOG" | "PROCESS_COMMUNICATION";
  channel: "stdout" | "stderr";
  processName: string;
  groupName: string;
  pid: number;
  data: Buffer;
}

export interface GroupChange {
  type: "PROCESS_GROUP_ADDED" | "PROCESS_GROUP_REMOVED";
  groupName: string;
}

export interface SupervisorStateChange {
  type: "SUPERVISOR_STATE_CHANGE_RUNNING" | "SUPERVISOR_STATE_CHANGE_STOPPING";
}

/** sendRemoteCommEvent: `type` and `data` as Python's str() renders what the client sent. */
export interface RemoteCommunication {
  type: "REMOTE_COMMUNICATION";
  commType: string;
  data: string;
}

/** TICK_5, TICK_60, TICK_3600: `when` is the boundary just crossed (a multiple of the period). */
export interface Tick {
  type: "TICK_5" | "TICK_60" | "TICK_3600";
  when: number;
}

export type SupervisorEvent = ProcessStateChange | ProcessOutput | GroupChange | SupervisorStateChange | RemoteCommunication | Tick;

/**
 * The daemon's event bus: one instance per daemon (never a global), so that a reload or a test
 * starts with no stale subscribers. Subscribers run synchronously, in subscription order.
 */
export class EventBus {
  readonly #subscribers: Array<(event: SupervisorEvent) => void> = [];

  subscribe(fn: (event: SupervisorEvent) => void): () => void {
    this.#subscribers.push(fn);
    return () => {
      const i = this.#subscribers.indexOf(fn);
      if (i >= 0) this.#subscribers.splice(i, 1);
    };
  }

  notify(event: SupervisorEvent): void {
    // Without a listener pool nobody hears events: they cost the daemon nothing more.
    if (this.#subscribers.length === 0) return;
    for (const fn of [...this.#subscribers]) fn(event);
  }
}
