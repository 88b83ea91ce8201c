import { performance } from "node:perf_hooks";
import type { FastCGIGroupConfig, GroupConfig, ProcessConfig, SupervisordConfig } from "../config/model";
import type { EventBus } from "../events/event-bus";
import type { EventSerials, SerialEvent } from "../events/event-serials";
import { TickTimer } from "../events/tick-timer";
import type { DaemonLog } from "../logging/daemon-log";
import { Deadlines } from "../process/deadlines";
import type { FcgiSocket, Subprocess } from "../process/subprocess";
import type { SupervisorStateName } from "../states";
import { ListenerPool, type PoolHost } from "./listener-pool";
import { ProcessGroup, type ChannelFactory } from "./process-group";

/** Processes started at boot before the event loop gets a turn. */
const SPAWNS_PER_TURN = 8;

/** How often `waiting for ... to die` is repeated while a shutdown waits (supervisord: 3 s). */
const SHUTDOWN_REPORT_MS = 3000;

export interface SupervisorOptions {
  config: SupervisordConfig;
  log: DaemonLog;
  events: EventBus;
  /** The daemon-wide event serials: made once per daemon process, they survive reloads. */
  serials: EventSerials;
  daemonEnv: NodeJS.ProcessEnv;
  makeChannels: ChannelFactory;
  /** The soft RLIMIT_NOFILE children get, when not the daemon's (see rlimits.ts). */
  childNofile?: number | undefined;
  /** Opens an fcgi-program's socket when its group is created; throws FcgiSocketError. */
  openFcgiSocket?: (group: FastCGIGroupConfig) => FcgiSocket & { close(): void };
}

/**
 * The daemon's core (supervisord's Supervisor): the groups, the mood, start-up in priority
 * order and the ordered stop of shutdown and reload (states.md §2, §7.3-§7.4), driven by events:
 * a shutdown moves to the next group the moment the current one has stopped.
 */
export class Supervisor implements PoolHost {
  #mood: SupervisorStateName = "RUNNING";
  readonly groups = new Map<string, ProcessGroup>();
  readonly log: DaemonLog;
  readonly events: EventBus;
  readonly daemonEnv: NodeJS.ProcessEnv;
  readonly serverurl: string | null;
  readonly childNofile: number | undefined;
  readonly deadlines = new Deadlines();
  readonly identifier: string;
  readonly serials: EventSerials;
  readonly #ticks: TickTimer;

  /**
   * The log files made for each process config a group was ever created from (AUTO names
   * resolved): supervisord writes them into the config object, so getAllConfigInfo reports them
   * as long as that config is the available one, even after the group is removed.
   */
  readonly logfilesOf = new WeakMap<ProcessConfig, { stdout: string | null; stderr: string | null }>();
  readonly #stateWatchers = new Set<(proc: Subprocess) => void>();
  #stopQueue: ProcessGroup[] | undefined;
  #stopQueued = false;
  #lastShutdownReport = Number.NEGATIVE_INFINITY;
  #reportTimer: NodeJS.Timeout | undefined;
  #stopped: Promise<void>;
  #resolveStopped: () => void = () => {};

  constructor(readonly options: SupervisorOptions) {
    this.log = options.log;
    this.events = options.events;
    this.daemonEnv = options.daemonEnv;
    this.serverurl = options.config.serverurl;
    this.childNofile = options.childNofile;
    this.identifier = options.config.identifier;
    this.serials = options.serials;
    this.#ticks = new TickTimer((tick) => this.events.notify(tick));
    this.#stopped = new Promise((resolve) => (this.#resolveStopped = resolve));
  }

  /** The daemon's state (getState): processes start only while it is RUNNING. */
  mood(): SupervisorStateName {
    return this.#mood;
  }

  /** Resolves when a shutdown or restart has stopped every process. */
  whenStopped(): Promise<void> {
    return this.#stopped;
  }

  /** Create a group (AUTO log files, fcgi socket) unless one of that name exists. */
  async addProcessGroup(config: GroupConfig): Promise<boolean> {
    if (this.groups.has(config.name)) return false;
    const fcgi = config.type === "fcgi" && this.options.openFcgiSocket ? this.options.openFcgiSocket(config) : undefined;
    const group =
      config.type === "eventlistener" ? new ListenerPool(config, this, this.options.makeChannels) : new ProcessGroup(config, this, this.options.makeChannels, fcgi);
    this.groups.set(config.name, group);
    if (group instanceof ListenerPool && group.wantsTicks) this.#ticks.want(true);
    for (const proc of group.processes.values()) this.logfilesOf.set(proc.config, proc.channels.logfiles);
    this.events.notify({ type: "PROCESS_GROUP_ADDED", groupName: config.name });
    return true;
  }

  /** Remove a group whose processes are all stopped; false if some still run. */
  async removeProcessGroup(name: string): Promise<boolean> {
    const group = this.groups.get(name);
    if (group === undefined || group.unstopped().length > 0) return false;
    this.groups.delete(name);
    const disposed = group.dispose(); // a pool unsubscribes at once: it does not hear of its own removal
    if (group instanceof ListenerPool && group.wantsTicks) this.#ticks.want(this.#pools().some((pool) => pool.wantsTicks));
    await disposed;
    this.events.notify({ type: "PROCESS_GROUP_REMOVED", groupName: name });
    return true;
  }

  /** Groups by priority; equal priorities in creation order (supervisord's stable sort). */
  groupsByPriority(): ProcessGroup[] {
    return [...this.groups.values()].sort((a, b) => a.priority - b.priority);
  }

  /**
   * Start-up: SUPERVISOR_STATE_CHANGE_RUNNING, then every group's autostart in priority order.
   * The event loop gets a turn every few spawns: with a thousand programs, the first ones'
   * startsecs, output and signals are handled while the last ones start.
   */
  async run(): Promise<void> {
    this.events.notify({ type: "SUPERVISOR_STATE_CHANGE_RUNNING" });
    this.#ticks.start();
    let started = 0;
    for (const group of this.groupsByPriority()) {
      for (const proc of group.processes.values()) {
        if (this.#mood !== "RUNNING" || this.groups.get(group.name) !== group) break;
        proc.transition();
        if (++started % SPAWNS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  /** SIGTERM, SIGINT, SIGQUIT, RPC shutdown. */
  shutdown(): void {
    this.#mood = "SHUTDOWN";
    this.#beginStopping();
  }

  /** SIGHUP, RPC restart: stop everything, then the caller reloads. Ignored during a shutdown. */
  restart(): boolean {
    if (this.#mood === "SHUTDOWN") return false;
    this.#mood = "RESTARTING";
    this.#beginStopping();
    return true;
  }

  /**
   * Call `watch` after every change of any process's state (blocking RPC calls wait this way),
   * until the returned function is called.
   */
  watchStates(watch: (proc: Subprocess) => void): () => void {
    this.#stateWatchers.add(watch);
    return () => this.#stateWatchers.delete(watch);
  }

  stateChanged(proc: Subprocess): void {
    if (this.#stateWatchers.size > 0) for (const watch of [...this.#stateWatchers]) watch(proc);
    if (this.#stopQueue !== undefined) this.#queueAdvanceStop();
  }

  #queueAdvanceStop(): void {
    if (this.#stopQueued) return;
    this.#stopQueued = true;
    setImmediate(() => {
      this.#stopQueued = false;
      this.#advanceStop();
    });
  }

  #beginStopping(): void {
    if (this.#stopQueue !== undefined) return;
    this.#stopQueue = this.groupsByPriority();
    this.events.notify({ type: "SUPERVISOR_STATE_CHANGE_STOPPING" });
    this.#advanceStop();
  }

  /**
   * The ordered stop (states.md §7.3): the group with the highest priority number first, the next
   * only once every process of it is stopped; `waiting for ... to die` every 3 s meanwhile.
   */
  #advanceStop(): void {
    const queue = this.#stopQueue;
    if (queue === undefined) return;
    let advanced = false;
    for (let group = queue.at(-1); group !== undefined; group = queue.at(-1)) {
      // supervisord stops one group per turn of its loop and dispatches events in each turn: a
      // pool after another group still gets SUPERVISOR_STATE_CHANGE_STOPPING (events.md §3).
      if (advanced && group instanceof ListenerPool) {
        this.#queueAdvanceStop();
        break;
      }
      group.stopAll();
      if (group.unstopped().length > 0) break;
      queue.pop();
      advanced = true;
    }
    // Every group of the queue before the current one is stopped: only with the queue empty,
    // or for the report, is it worth looking at all of them (a group may have been added since).
    const unstopped = (): Subprocess[] => [...this.groups.values()].flatMap((group) => group.unstopped());
    if (queue.length === 0 && unstopped().length === 0) {
      clearTimeout(this.#reportTimer);
      this.#resolveStopped();
      return;
    }
    const now = performance.now();
    if (now > this.#lastShutdownReport + SHUTDOWN_REPORT_MS) {
      this.#lastShutdownReport = now;
      const waiting = unstopped();
      this.log.info(`waiting for ${waiting.map((proc) => proc.name).join(", ")} to die`);
      for (const proc of waiting) this.log.blather(`${proc.name} state: ${proc.state}`);
    }
    clearTimeout(this.#reportTimer);
    this.#reportTimer = setTimeout(() => this.#advanceStop(), this.#lastShutdownReport + SHUTDOWN_REPORT_MS + 1 - now);
  }

  /**
   * A listener rejected an event, or died busy with it (events.md §6.1): every pool holding a
   * process of the same priority buffers it again at its head. supervisord's membership test
   * compares processes by priority, so with the default -1 that is usually every pool, those
   * that never subscribed to the event included (verified); a drop-in does the same.
   */
  eventRejected(proc: Subprocess, event: SerialEvent): void {
    for (const pool of this.#pools()) if (pool.hasPriority(proc.config.priority)) pool.rebuffer(event);
  }

  /** The listener pools, in the order they were made (supervisord's subscription order). */
  #pools(): ListenerPool[] {
    return [...this.groups.values()].filter((group): group is ListenerPool => group instanceof ListenerPool);
  }

  /** SIGUSR2: the main log, then every process's files. */
  reopenLogs(): void {
    this.log.info("supervisord logreopen");
    void this.log.reopen();
    for (const group of this.groups.values()) group.reopenLogs();
  }

  /** Let go of every group (after a shutdown or before a reload). */
  async dispose(): Promise<void> {
    clearTimeout(this.#reportTimer);
    this.#ticks.stop();
    await Promise.all([...this.groups.values()].map((group) => group.dispose()));
    this.groups.clear();
  }
}
