import type { ProcessStateName } from "../../src/states";
import { RpcFault, type RpcCall } from "../../src/web/rpc-call";

/** One process the fake daemon knows. */
export interface FakeProcess {
  group: string;
  name: string;
  statename: ProcessStateName;
  description?: string;
}

type Handler = (params: unknown[]) => unknown;

/**
 * A stub of our own RpcCall interface for web UI tests: it knows a list of processes, answers
 * the `supervisor.*` methods the UI uses as a healthy daemon would, records every call, and lets
 * a test replace any method's answer (throw an RpcFault from the handler for a fault).
 */
export class FakeRpc {
  readonly calls: Array<[string, unknown[]]> = [];
  readonly #handlers = new Map<string, Handler>();

  constructor(readonly processes: FakeProcess[] = []) {
    const find = (params: unknown[]): FakeProcess => {
      const spec = String(params[0]);
      const found = this.processes.find((p) => spec === `${p.group}:${p.name}` || (p.group === p.name && spec === p.name));
      if (found === undefined) throw new RpcFault(10, `BAD_NAME: ${spec}`);
      return found;
    };
    this.on("supervisor.getAllProcessInfo", () => this.processes.map((p) => info(p)));
    this.on("supervisor.getProcessInfo", (params) => info(find(params)));
    this.on("supervisor.getSupervisorVersion", () => "4.2.5");
    for (const method of ["startProcess", "stopProcess", "clearProcessLogs"]) {
      this.on(`supervisor.${method}`, (params) => (find(params), true));
    }
    for (const method of ["startAllProcesses", "stopAllProcesses"]) this.on(`supervisor.${method}`, () => []);
    this.on("supervisor.readProcessStdoutLog", (params) => (find(params), "log text\n"));
  }

  /** Answer `method` with `handler` from now on. */
  on(method: string, handler: Handler): this {
    this.#handlers.set(method, handler);
    return this;
  }

  /** Answer `method` with this fault from now on. */
  fault(method: string, faultCode: number, faultString: string): this {
    return this.on(method, () => {
      throw new RpcFault(faultCode, faultString);
    });
  }

  /** The calls made, without the page's own reads (process infos and version). */
  actionCalls(): Array<[string, unknown[]]> {
    const reads = new Set(["supervisor.getAllProcessInfo", "supervisor.getProcessInfo", "supervisor.getSupervisorVersion"]);
    return this.calls.filter(([method]) => !reads.has(method));
  }

  readonly call: RpcCall = async (method, params) => {
    this.calls.push([method, params]);
    const handler = this.#handlers.get(method);
    if (handler === undefined) throw new Error(`the fake daemon has no ${method}`);
    return handler(params);
  };
}

function info(p: FakeProcess): Record<string, unknown> {
  return { name: p.name, group: p.group, state: 0, statename: p.statename, description: p.description ?? "" };
}
