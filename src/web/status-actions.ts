import { ctime } from "./ctime";
import { FAULT_CODES } from "../protocol/faults";
import { RpcFault, type RpcCall } from "./rpc-call";

/** `unexpected rpc fault [70] NOT_RUNNING: web`: how supervisord's UI words a fault it has no text for. */
function unexpected(fault: RpcFault): string {
  return `unexpected rpc fault [${fault.faultCode}] ${fault.faultString}`;
}

/** The reason in `ERROR: Process <namespec>: <reason>` after a failed start (web.md, Actions). */
function startFailure(fault: RpcFault): string {
  switch (fault.faultCode) {
    case FAULT_CODES.NO_FILE:
      return "no such file";
    case FAULT_CODES.NOT_EXECUTABLE:
      return "file not executable";
    case FAULT_CODES.ALREADY_STARTED:
      return "already started";
    case FAULT_CODES.SPAWN_ERROR:
      return "spawn error";
    case FAULT_CODES.ABNORMAL_TERMINATION:
      return "abnormal termination";
    default:
      return unexpected(fault);
  }
}

/** The call's fault, or undefined when it succeeded; anything but a fault is rethrown. */
async function faultOf(call: Promise<unknown>): Promise<RpcFault | undefined> {
  try {
    await call;
    return undefined;
  } catch (err) {
    if (err instanceof RpcFault) return err;
    throw err;
  }
}

/**
 * Perform a status-page action and return the message its redirect carries (web.md, Actions).
 * Each call waits as XML-RPC does with wait=true. Throws for supervisord's HTTP 500 cases: an
 * unknown action, a per-process action without a process name, and a fault of stopall or of
 * the name check other than BAD_NAME (SHUTDOWN_STATE).
 */
export async function runAction(action: string, namespec: string | undefined, call: RpcCall, now: () => Date): Promise<string> {
  switch (action) {
    case "refresh":
      return `Page refreshed at ${ctime(now())}`;
    case "stopall":
      await call("supervisor.stopAllProcesses", [true]);
      return `All stopped at ${ctime(now())}`;
    case "restartall":
      // supervisord runs both through system.multicall, which turns every failure into a result
      // that nobody reads.
      await faultOf(call("supervisor.stopAllProcesses", [true]));
      await faultOf(call("supervisor.startAllProcesses", [true]));
      return `All restarted at ${ctime(now())}`;
  }
  if (namespec === undefined || namespec === "") throw new Error(`UI action '${action}' without a process name`);
  // Only single processes: `grp:*` is "no such process" here, as in supervisord.
  const missing = await faultOf(call("supervisor.getProcessInfo", [namespec]));
  if (missing?.faultCode === FAULT_CODES.BAD_NAME) return `No such process named ${namespec}`;
  if (missing !== undefined) throw missing;
  switch (action) {
    case "start": {
      const fault = await faultOf(call("supervisor.startProcess", [namespec, true]));
      return fault === undefined ? `Process ${namespec} started` : `ERROR: Process ${namespec}: ${startFailure(fault)}`;
    }
    case "stop": {
      const fault = await faultOf(call("supervisor.stopProcess", [namespec, true]));
      return fault === undefined ? `Process ${namespec} stopped` : unexpected(fault);
    }
    case "restart":
      // A multicall of stop then start in supervisord: faults are ignored, the message is the same.
      await faultOf(call("supervisor.stopProcess", [namespec, true]));
      await faultOf(call("supervisor.startProcess", [namespec, true]));
      return `Process ${namespec} restarted`;
    case "clearlog": {
      const fault = await faultOf(call("supervisor.clearProcessLogs", [namespec]));
      return fault === undefined ? `Log for ${namespec} cleared` : unexpected(fault);
    }
    default:
      throw new Error(`unknown UI action '${action}'`);
  }
}
