import { performance } from "node:perf_hooks";
import { childEnvironment, commandSearchPath } from "../config/child-environment";
import type { ProcessConfig } from "../config/model";
import type { EventBus } from "../events/event-bus";
import type { DaemonLog } from "../logging/daemon-log";
import type { ExitStatus, PipeReader } from "../posix/native";
import { describeExit, signame } from "../posix/wait-status";
import type { ProcessStateName, SupervisorStateName } from "../states";
import { CommandError, resolveCommand } from "./command";
import { pythonObjectId, type OutputChannel } from "./output-channel";
import { ForkError, spawnChild, type SpawnedChild } from "./spawn";
import type { Deadlines } from "./deadlines";
import { STARTABLE, assertMove } from "./transitions";

/** What a process needs from the daemon around it. */
export interface ProcessHost {
  readonly log: DaemonLog;
  readonly events: EventBus;
  /** The daemon's mood: processes are only (re)started while it is RUNNING. */
  mood(): SupervisorStateName;
  /** supervisord's own environment, the base of every child's (config.md §7). */
  readonly daemonEnv: NodeJS.ProcessEnv;
  /** SUPERVISOR_SERVER_URL for children without `serverurl`. */
  readonly serverurl: string | null;
  /** Told after every change of state, once the change is complete. */
  stateChanged(proc: Subprocess): void;
  /** The soft RLIMIT_NOFILE children get (supervisord's own), when not the daemon's. */
  readonly childNofile?: number | undefined;
  /** Where processes set their deadlines, so that they fire in order. */
  readonly deadlines: Deadlines;
}

/** An fcgi-program's shared listening socket, handed to each process as stdin. */
export interface FcgiSocket {
  readonly fd: number;
}

/** The channels a process writes to; created by the group, reused by every spawn. */
export interface ProcessChannels {
  stdout: OutputChannel;
  stderr: OutputChannel | null;
  /** The log files (AUTO resolved), as getProcessInfo reports them. */
  logfiles: { stdout: string | null; stderr: string | null };
}

/** What an event listener pool hears from one of its processes (events.md §6). */
export interface ListenerHooks {
  /** A new spawn: its protocol starts over, in ACKNOWLEDGED. */
  spawned(): void;
  /** The process has ended (its state events are out): an event it was busy with is rejected. */
  ended(): void;
  /** After every change of state (a listener that reaches RUNNING may be given events). */
  changed(): void;
}

/** How long after an exit we wait for the pipes to deliver what is left in them. */
const DRAIN_GRACE_MS = 100;

function nowSeconds(): number {
  return Date.now() / 1000;
}

/**
 * One supervised process: supervisord's Subprocess (states.md §3-§7), driven by events instead
 * of a polling loop. Every transition happens when its cause happens: the child's exit, a start
 * or stop request, or a timer for startsecs, a backoff delay or stopwaitsecs.
 *
 * Durations are measured on the monotonic clock, so a change of the system time neither ends a
 * startsecs early nor makes a stop wait forever. DIVERGES: supervisord measures them on the wall
 * clock and patches them up when it notices the clock went back (the "laststart time is in the
 * future" warning); we have nothing to patch.
 */
export class Subprocess {
  state: ProcessStateName = "STOPPED";
  pid = 0;
  /** Wall-clock seconds (getProcessInfo's `start`/`stop`), 0 when never. */
  laststart = 0;
  laststop = 0;
  /** Consecutive failed starts. */
  backoff = 0;
  exitstatus: number | null = null;
  spawnerr: string | null = null;
  administrativeStop = false;
  systemStop = false;
  killing = false;
  /** Bumped at every change a status report can show (state, pid, times, errors). */
  revision = 0;
  /** Set by the pool when this process is an event listener. */
  listener: ListenerHooks | undefined;

  /** Monotonic deadlines in ms (performance.now()), 0 when none: startsecs, backoff or stopwaitsecs. */
  #startedAt = 0;
  #delay = 0;
  #laststopreport = 0;
  #transitionQueued = false;
  #child: SpawnedChild | undefined;
  readonly #objectId = pythonObjectId();

  constructor(
    readonly config: ProcessConfig,
    readonly groupName: string,
    readonly host: ProcessHost,
    readonly channels: ProcessChannels,
    readonly fcgi?: FcgiSocket,
  ) {
    const describe = (): string => `<Subprocess at ${this.#objectId} with name ${this.name} in state ${this.state}>`;
    channels.stdout.describeOwner = describe;
    if (channels.stderr !== null) channels.stderr.describeOwner = describe;
  }

  get name(): string {
    return this.config.name;
  }

  /** sendProcessStdin: false when there is no stdin or the child has closed it. */
  writeStdin(bytes: Buffer): boolean {
    return this.#child?.stdin?.write(bytes) ?? false;
  }

  #changeState(to: ProcessStateName, expected = true): void {
    const from = this.state;
    if (from === to) return;
    assertMove(this.name, from, to);
    this.state = to;
    this.revision += 1;
    if (to === "BACKOFF") {
      this.backoff += 1;
      this.#delay = performance.now() + this.backoff * 1000;
    }
    // The event goes out before the log line that reports the change (states.md §3).
    this.host.events.notify({
      type: "PROCESS_STATE",
      processName: this.name,
      groupName: this.groupName,
      from,
      to,
      expected,
      tries: this.backoff,
      pid: this.pid,
    });
  }

  #changed(): void {
    this.revision += 1;
    this.listener?.changed();
    this.host.stateChanged(this);
    this.scheduleTransition();
  }

  /** Run the automatic rules soon (after the current change has been reported everywhere). */
  scheduleTransition(): void {
    if (this.#transitionQueued) return;
    this.#transitionQueued = true;
    setImmediate(() => {
      this.#transitionQueued = false;
      this.transition();
    });
  }

  /**
   * supervisord's transition(): autostart, autorestart, backoff retry and give-up, STARTING to
   * RUNNING after startsecs, SIGKILL after stopwaitsecs. Sets a timer for the next deadline.
   */
  transition(): void {
    this.host.deadlines.cancel(this);
    const now = performance.now();
    const state = this.state;
    if (this.host.mood() === "RUNNING") {
      if (state === "EXITED") {
        const { autorestart, exitcodes } = this.config;
        if (autorestart === true || (autorestart === "unexpected" && !exitcodes.includes(this.exitstatus ?? -1))) {
          this.spawn();
        }
      } else if (state === "STOPPED" && this.laststart === 0) {
        if (this.config.autostart) this.spawn();
      } else if (state === "BACKOFF" && this.backoff <= this.config.startretries) {
        if (now > this.#delay) this.spawn();
        else this.#wakeAt(this.#delay);
      }
    }
    if (state === "STARTING" && this.state === "STARTING") {
      const runningAt = this.#startedAt + this.config.startsecs * 1000;
      if (now > runningAt) {
        this.#delay = 0;
        this.backoff = 0;
        this.#changeState("RUNNING");
        this.host.log.info(
          `success: ${this.name} entered RUNNING state, process has stayed up for > than ${this.config.startsecs} seconds (startsecs)`,
        );
        this.#changed();
      } else {
        this.#wakeAt(runningAt);
      }
    }
    if (state === "BACKOFF" && this.state === "BACKOFF" && this.backoff > this.config.startretries) {
      this.#giveUp();
      this.host.log.info(`gave up: ${this.name} entered FATAL state, too many start retries too quickly`);
      this.#changed();
    } else if (state === "STOPPING" && this.state === "STOPPING") {
      if (this.#delay - now <= 0) {
        this.host.log.warn(`killing '${this.name}' (${this.pid}) with SIGKILL`);
        this.kill(9);
      } else {
        this.#wakeAt(this.#delay);
      }
    }
  }

  #wakeAt(deadline: number): void {
    this.host.deadlines.schedule(this, deadline, () => this.transition());
  }

  /** Start the process now (supervisord's spawn()); returns the pid, or undefined if it failed. */
  spawn(): number | undefined {
    if (this.pid) {
      this.host.log.warn(`process '${this.name}' already running`);
      return undefined;
    }
    if (!STARTABLE.has(this.state)) throw new Error(`spawn of ${this.name} in state ${this.state}`);
    this.killing = false;
    this.spawnerr = null;
    this.exitstatus = null;
    this.systemStop = false;
    this.administrativeStop = false;
    this.laststart = nowSeconds();
    this.#startedAt = performance.now();
    this.#changeState("STARTING");

    let path: string;
    let argv: string[];
    try {
      ({ path, argv } = resolveCommand(this.config.command, commandSearchPath(this.host.daemonEnv, this.config)));
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      return this.#spawnFailed(err.message);
    }

    let child: SpawnedChild;
    const stdinFd = this.fcgi?.fd;
    try {
      child = spawnChild({
        path,
        argv,
        env: childEnvironment(this.host.daemonEnv, this.host.serverurl, this.groupName, this.config),
        cwd: this.config.directory,
        umask: this.config.umask,
        uid: this.config.uid,
        redirectStderr: this.config.redirect_stderr && this.channels.stderr === null,
        ...(stdinFd === undefined ? {} : { stdinFd }),
        ...(this.host.childNofile === undefined ? {} : { nofile: this.host.childNofile }),
      });
    } catch (err) {
      if (!(err instanceof ForkError)) throw err;
      let message: string;
      if (err.stage === "pipes") {
        message = err.code === "EMFILE" ? `too many open files to spawn '${this.name}'` : `unknown error making dispatchers for '${this.name}': ${err.code}`;
      } else {
        message = err.code === "EAGAIN" ? `Too many processes in process table to spawn '${this.name}'` : `unknown error during fork for '${this.name}': ${err.code}`;
      }
      return this.#spawnFailed(message);
    }

    this.#child = child;
    this.pid = child.pid;
    this.listener?.spawned();
    this.channels.stdout.attach(child.stdout, this.pid);
    if (child.stderr !== null) this.channels.stderr?.attach(child.stderr, this.pid);
    child.onExit((status) => this.#exited(child, status));
    this.host.log.info(`spawned: '${this.name}' with pid ${this.pid}`);
    this.spawnerr = null;
    this.#delay = this.#startedAt + this.config.startsecs * 1000;
    this.#changed();
    return this.pid;
  }

  #spawnFailed(message: string): undefined {
    this.spawnerr = message;
    this.host.log.info(`spawnerr: ${message}`);
    this.#changeState("BACKOFF");
    this.#changed();
    return undefined;
  }

  /** An administrative stop (RPC stop, shutdown): the stop signal, then SIGKILL after stopwaitsecs. */
  stop(): string | undefined {
    this.administrativeStop = true;
    this.#laststopreport = 0;
    return this.kill(this.config.stopsignal);
  }

  /** `waiting for NAME to stop`, at most every 2 seconds (a blocking RPC stop calls this). */
  stopReport(): void {
    if (this.state !== "STOPPING") return;
    const now = performance.now();
    if (now > this.#laststopreport + 2000) {
      this.host.log.info(`waiting for ${this.name} to stop`);
      this.#laststopreport = now;
    }
  }

  /** From BACKOFF to FATAL: no more retries (supervisord's give_up; a stop-all during shutdown). */
  giveUp(): void {
    this.#giveUp();
    this.#changed();
  }

  #giveUp(): void {
    this.#delay = 0;
    this.backoff = 0;
    this.systemStop = true;
    this.host.deadlines.cancel(this);
    this.#changeState("FATAL");
  }

  /**
   * Send a signal meant to end the process (supervisord's kill()): from BACKOFF straight to
   * STOPPED; otherwise to STOPPING, the process group with stopasgroup/killasgroup. Returns an
   * error text, or undefined when the signal went out (or the process was already gone).
   */
  kill(sig: number): string | undefined {
    if (this.state === "BACKOFF") {
      this.host.log.debug(`Attempted to kill ${this.name}, which is in BACKOFF state.`);
      this.host.deadlines.cancel(this);
      this.#changeState("STOPPED");
      this.#changed();
      return undefined;
    }
    if (!this.pid) {
      const message = `attempted to kill ${this.name} with sig ${signame(sig)} but it wasn't running`;
      this.host.log.debug(message);
      return message;
    }
    const asGroup = this.state === "STOPPING" ? this.config.killasgroup : this.config.stopasgroup;
    this.host.log.debug(`killing ${this.name} (pid ${this.pid}) ${asGroup ? "process group " : ""}with signal ${signame(sig)}`);
    this.killing = true;
    this.#delay = performance.now() + this.config.stopwaitsecs * 1000;
    this.#changeState("STOPPING");
    const target = asGroup ? -this.pid : this.pid;
    try {
      process.kill(target, sig);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ESRCH") {
        this.host.log.debug(`unable to signal ${this.name} (pid ${this.pid}), it probably just exited on its own: ${errnoText(err)}`);
        this.#changed();
        return undefined;
      }
      const message = `unknown problem killing ${this.name} (${this.pid}):${stackOf(err)}`;
      this.host.log.critical(message);
      this.#changeState("UNKNOWN");
      this.killing = false;
      this.#delay = 0;
      this.#changed();
      return message;
    }
    this.#changed();
    return undefined;
  }

  /** A signal that is not a stop (RPC signalProcess): to the pid only, no change of state. */
  signal(sig: number): string | undefined {
    if (!this.pid) {
      const message = `attempted to send ${this.name} sig ${signame(sig)} but it wasn't running`;
      this.host.log.debug(message);
      return message;
    }
    this.host.log.debug(`sending ${this.name} (pid ${this.pid}) sig ${signame(sig)}`);
    try {
      process.kill(this.pid, sig);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ESRCH") {
        this.host.log.debug(`unable to signal ${this.name} (pid ${this.pid}), it probably just now exited on its own: ${errnoText(err)}`);
        return undefined;
      }
      const message = `unknown problem sending sig ${this.name} (${this.pid}):${stackOf(err)}`;
      this.host.log.critical(message);
      this.#changeState("UNKNOWN");
      this.#changed();
      return message;
    }
    return undefined;
  }

  /** The child is gone: let its pipes deliver what is left, then handle the exit. */
  #exited(child: SpawnedChild, status: ExitStatus): void {
    const open = [child.stdout, child.stderr].filter((reader): reader is PipeReader => reader !== null && !reader.ended);
    if (open.length === 0) {
      this.#finish(child, status);
      return;
    }
    // A grandchild may hold the pipes open: then we go on without it, as supervisord does.
    let pending = open.length;
    const timer = setTimeout(() => this.#finish(child, status), DRAIN_GRACE_MS);
    for (const reader of open) {
      reader.onEnd(() => {
        pending -= 1;
        if (pending === 0) {
          clearTimeout(timer);
          this.#finish(child, status);
        }
      });
    }
  }

  /** supervisord's finish() (states.md §5). */
  #finish(child: SpawnedChild, status: ExitStatus): void {
    if (this.#child !== child) return; // already finished (timeout and close both fired)
    this.#child = undefined;
    const { es, text } = describeExit(status);
    const now = performance.now();
    this.laststop = nowSeconds();
    const tooQuickly = now - this.#startedAt < this.config.startsecs * 1000;
    const expected = this.config.exitcodes.includes(es);
    this.host.deadlines.cancel(this);

    if (this.killing) {
      this.killing = false;
      this.#delay = 0;
      this.exitstatus = es;
      this.#changeState("STOPPED");
      if (expected) this.host.log.info(`stopped: ${this.name} (${text})`);
      else this.host.log.warn(`stopped: ${this.name} (${text})`);
    } else if (tooQuickly && this.state === "STARTING") {
      this.exitstatus = null;
      this.spawnerr = "Exited too quickly (process log may have details)";
      this.#changeState("BACKOFF");
      this.host.log.warn(`exited: ${this.name} (${text}; not expected)`);
    } else {
      this.#delay = 0;
      this.backoff = 0;
      this.exitstatus = es;
      if (this.state === "STARTING") this.#changeState("RUNNING");
      if (expected) {
        this.#changeState("EXITED", true);
        this.host.log.info(`exited: ${this.name} (${text}; expected)`);
      } else {
        this.spawnerr = `Bad exit code ${es}`;
        this.#changeState("EXITED", false);
        this.host.log.warn(`exited: ${this.name} (${text}; not expected)`);
      }
    }
    this.pid = 0;
    this.channels.stdout.detach();
    this.channels.stderr?.detach();
    child.stdin?.close();
    this.listener?.ended();
    this.#changed();
  }

  /** Stop every timer: the process is being dropped (its group removed or the daemon exiting). */
  dispose(): void {
    this.host.deadlines.cancel(this);
  }
}

/** Python's str(OSError) for what kill(2) can fail with. */
function errnoText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ESRCH") return "[Errno 3] No such process";
  if (code === "EPERM") return "[Errno 1] Operation not permitted";
  return String(err);
}

function stackOf(err: unknown): string {
  return err instanceof Error ? `\n${err.stack ?? err.message}` : String(err);
}
