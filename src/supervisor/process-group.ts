import type { GroupConfig, ProcessConfig } from "../config/model";
import { Subprocess, type FcgiSocket, type ProcessChannels, type ProcessHost } from "../process/subprocess";
import { STOPPED_STATES } from "../states";

/**
 * Makes the output channels of one process of a group (its log files are the group's to create;
 * a listener pool's stdout is its protocol).
 */
export type ChannelFactory = (proc: ProcessConfig, group: GroupConfig) => ProcessChannels;

/**
 * A group of processes: a program's own, a `[group:x]`, a listener pool or an fcgi-program
 * (supervisord's ProcessGroupBase). Processes keep the config's order; a later process with the
 * same name replaces an earlier one, as in supervisord's dict.
 */
export class ProcessGroup {
  readonly processes = new Map<string, Subprocess>();

  constructor(
    readonly config: GroupConfig,
    host: ProcessHost,
    makeChannels: ChannelFactory,
    readonly fcgi?: FcgiSocket & { close(): void },
  ) {
    for (const proc of config.processes) {
      this.processes.get(proc.name)?.dispose();
      this.processes.set(proc.name, new Subprocess(proc, config.name, host, makeChannels(proc, config), fcgi));
    }
  }

  get name(): string {
    return this.config.name;
  }

  get priority(): number {
    return this.config.priority;
  }

  /** The automatic rules of every process, in order: at boot this is the autostart. */
  transition(): void {
    for (const proc of this.processes.values()) proc.transition();
  }

  /**
   * supervisord's stop_all (states.md §7.2): highest process priority first (equal priorities in
   * reverse order); RUNNING and STARTING are stopped, BACKOFF gives up.
   */
  stopAll(): void {
    const byPriority = [...this.processes.values()].sort((a, b) => a.config.priority - b.config.priority).reverse();
    for (const proc of byPriority) {
      if (proc.state === "RUNNING" || proc.state === "STARTING") {
        proc.stop();
      } else if (proc.state === "BACKOFF") {
        proc.giveUp();
      }
    }
  }

  /** Processes not in a stopped state. */
  unstopped(): Subprocess[] {
    return [...this.processes.values()].filter((proc) => !STOPPED_STATES.has(proc.state));
  }

  /** SIGUSR2: every process's log files reopened. */
  reopenLogs(): void {
    for (const proc of this.processes.values()) {
      proc.channels.stdout.reopen();
      proc.channels.stderr?.reopen();
    }
  }

  /** The group is going away: timers stopped, log files closed. */
  async dispose(): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const proc of this.processes.values()) {
      proc.dispose();
      closing.push(proc.channels.stdout.close());
      if (proc.channels.stderr !== null) closing.push(proc.channels.stderr.close());
    }
    await Promise.all(closing);
    this.fcgi?.close();
  }
}
