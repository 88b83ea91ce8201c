/**
 * Linux signal numbers as Python 3.11's `signal` module names them. supervisord resolves
 * `stopsignal` with `getattr(signal, "SIG" + NAME)` and then checks the number against every
 * `SIG*` attribute of the module, so the handler constants (SIG_DFL, SIG_IGN, ...) count too.
 */
export const SIGNAL_ATTRIBUTES: Readonly<Record<string, number>> = Object.freeze({
  SIG_BLOCK: 0, SIG_DFL: 0, SIGHUP: 1, SIG_IGN: 1, SIG_UNBLOCK: 1, SIGINT: 2, SIG_SETMASK: 2,
  SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGIOT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9,
  SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGSTKFLT: 16,
  SIGCHLD: 17, SIGCLD: 17, SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22,
  SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28, SIGIO: 29,
  SIGPOLL: 29, SIGPWR: 30, SIGSYS: 31, SIGRTMIN: 34, SIGRTMAX: 64,
});

/** Every number some `SIG*` attribute has: the set supervisord accepts for a signal option. */
export const VALID_SIGNAL_NUMBERS: ReadonlySet<number> = new Set(Object.values(SIGNAL_ATTRIBUTES));

/** The canonical name of each real signal (Python's `signal.Signals(n).name`). */
const NAMES: ReadonlyMap<number, string> = new Map([
  [1, "SIGHUP"], [2, "SIGINT"], [3, "SIGQUIT"], [4, "SIGILL"], [5, "SIGTRAP"], [6, "SIGABRT"],
  [7, "SIGBUS"], [8, "SIGFPE"], [9, "SIGKILL"], [10, "SIGUSR1"], [11, "SIGSEGV"], [12, "SIGUSR2"],
  [13, "SIGPIPE"], [14, "SIGALRM"], [15, "SIGTERM"], [16, "SIGSTKFLT"], [17, "SIGCHLD"],
  [18, "SIGCONT"], [19, "SIGSTOP"], [20, "SIGTSTP"], [21, "SIGTTIN"], [22, "SIGTTOU"],
  [23, "SIGURG"], [24, "SIGXCPU"], [25, "SIGXFSZ"], [26, "SIGVTALRM"], [27, "SIGPROF"],
  [28, "SIGWINCH"], [29, "SIGIO"], [30, "SIGPWR"], [31, "SIGSYS"], [34, "SIGRTMIN"], [64, "SIGRTMAX"],
]);

/** `SIGTERM` for 15; undefined for a number that names no signal. */
export function signalName(signum: number): string | undefined {
  return NAMES.get(signum);
}
