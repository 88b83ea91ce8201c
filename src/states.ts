/**
 * supervisord's state codes and names (states.md §1): processes, the daemon's "mood", and event
 * listeners. Names and codes are wire values (`statename`, `state`, `getState`).
 */

export const ProcessStates = Object.freeze({
  STOPPED: 0,
  STARTING: 10,
  RUNNING: 20,
  BACKOFF: 30,
  STOPPING: 40,
  EXITED: 100,
  FATAL: 200,
  UNKNOWN: 1000,
});
export type ProcessStateName = keyof typeof ProcessStates;
export type ProcessState = (typeof ProcessStates)[ProcessStateName];

/** Not running and not about to: a group is "stopped" when all its processes are in these. */
export const STOPPED_STATES: ReadonlySet<ProcessStateName> = new Set(["STOPPED", "EXITED", "FATAL", "UNKNOWN"]);
/** Running or trying to: `startProcess` refuses these with ALREADY_STARTED. */
export const RUNNING_STATES: ReadonlySet<ProcessStateName> = new Set(["RUNNING", "BACKOFF", "STARTING"]);
/** A signal can be sent in these. */
export const SIGNALLABLE_STATES: ReadonlySet<ProcessStateName> = new Set(["RUNNING", "STARTING", "STOPPING"]);

export const SupervisorStates = Object.freeze({
  FATAL: 2,
  RUNNING: 1,
  RESTARTING: 0,
  SHUTDOWN: -1,
});
export type SupervisorStateName = keyof typeof SupervisorStates;

export const EventListenerStates = Object.freeze({
  READY: 10,
  BUSY: 20,
  ACKNOWLEDGED: 30,
  UNKNOWN: 40,
});
export type EventListenerStateName = keyof typeof EventListenerStates;
