import { SupervisorError, type ErrorCode } from "../errors";

/** supervisord's fault numbers (xmlrpc.md §8.2); SUCCESS appears only as a result struct's `status`. */
export const FAULT_CODES: Readonly<Record<ErrorCode | "SUCCESS", number>> = Object.freeze({
  UNKNOWN_METHOD: 1,
  INCORRECT_PARAMETERS: 2,
  BAD_ARGUMENTS: 3,
  SIGNATURE_UNSUPPORTED: 4,
  SHUTDOWN_STATE: 6,
  BAD_NAME: 10,
  BAD_SIGNAL: 11,
  NO_FILE: 20,
  NOT_EXECUTABLE: 21,
  FAILED: 30,
  ABNORMAL_TERMINATION: 40,
  SPAWN_ERROR: 50,
  SUCCESS: 80,
  ALREADY_STARTED: 60,
  NOT_RUNNING: 70,
  ALREADY_ADDED: 90,
  STILL_RUNNING: 91,
  CANT_REREAD: 92,
});

/** A fault answer as a client (the ctl, the status page) sees it: `faultString` is the whole `NAME: detail` text. */
export class RpcFault extends Error {
  constructor(
    readonly faultCode: number,
    readonly faultString: string,
  ) {
    super(faultString);
    this.name = "RpcFault";
  }
}

export interface Fault {
  faultCode: number;
  faultString: string;
}

/** undefined means "not ours": the caller logs the stack at CRIT and answers HTTP 500. */
export function toFault(err: unknown): Fault | undefined {
  if (!(err instanceof SupervisorError)) return undefined;
  return { faultCode: FAULT_CODES[err.code], faultString: err.message };
}
