import { RpcFault } from "../protocol/faults";

/**
 * How the web UI reaches the daemon: the same XML-RPC methods a remote client calls, in process.
 * The UI is a client of `supervisor.*` (as in supervisord, whose views call its RPC interface):
 * it never reaches into the supervisor itself.
 */

/**
 * An in-process XML-RPC call: resolves with the method's value (the struct/array/boolean the wire
 * would carry, as plain JS values); rejects with an RpcFault for a fault. A blocking call
 * (startProcess with wait=true) resolves when supervisord's XML-RPC reply would be sent.
 */
export type RpcCall = (method: string, params: unknown[]) => Promise<unknown>;

export { RpcFault };
