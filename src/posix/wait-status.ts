import { signalName } from "./signals";

/**
 * supervisord builds its number→name table from every `SIG*` attribute of Python's signal module
 * in definition order, the last name for a number winning. That agrees with the canonical names
 * except where an alias is defined after the canonical one.
 */
const SIGNAME_OVERRIDES: ReadonlyMap<number, string> = new Map([[29, "SIGPOLL"]]);

/** supervisord's signame(): `SIGTERM` for 15, `signal 35` for numbers without a name (states.md §5). */
export function signame(signum: number): string {
  return SIGNAME_OVERRIDES.get(signum) ?? signalName(signum) ?? `signal ${signum}`;
}

/** The wait-status text and exit status supervisord logs and reports for a reaped child. */
export interface ExitDescription {
  /** The exit code, or -1 for a death by signal (or anything else). */
  es: number;
  /** `exit status N`, `terminated by SIGNAME`, ... (logging.md §2, TEXT). */
  text: string;
}

/** supervisord's decode_wait_status for how a child ended (states.md §5). */
export function describeExit(status: { code: number | null; signal: number | null; coreDumped: boolean }): ExitDescription {
  if (status.code !== null) return decodeWaitStatus((status.code & 0xff) << 8);
  if (status.signal !== null) return decodeWaitStatus(status.signal | (status.coreDumped ? 0x80 : 0));
  return decodeWaitStatus(0xffff); // neither: reaped by someone else; "unknown termination cause"
}

/** supervisord's decode_wait_status for a raw wait status as waitpid(2) returns it. */
export function decodeWaitStatus(status: number): ExitDescription {
  const low = status & 0x7f;
  if (low === 0) {
    const es = (status >> 8) & 0xff;
    return { es, text: `exit status ${es}` };
  }
  // 0x7f in the low bits means stopped or continued, which supervisord does not decode.
  if (low !== 0x7f) {
    const core = (status & 0x80) !== 0 ? " (core dumped)" : "";
    return { es: -1, text: `terminated by ${signame(low)}${core}` };
  }
  return { es: -1, text: `unknown termination cause 0x${status.toString(16).padStart(4, "0")}` };
}
