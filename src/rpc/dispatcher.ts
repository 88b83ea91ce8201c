import { existsSync } from "node:fs";
import { SupervisorError } from "../errors";
import type { DaemonLog } from "../logging/daemon-log";
import { compareCodePoints, pyRepr } from "../config/python-str";
import { decodeCall, encodeFault, encodeResponse, UnencodableValue, UnreadableCall, type PyValue, type XmlRpcValue } from "../protocol/codec";
import { toFault, type Fault } from "../protocol/faults";
import { methodHelpText, methodSignature } from "./method-docs";
import { PythonError, pyStrValue, pyTypeName } from "./python-values";
import type { RpcDaemon } from "./rpc-daemon";
import { splitNamespec, SupervisorNamespace } from "./supervisor-namespace";

type Answer = XmlRpcValue | Promise<XmlRpcValue>;

/** A published method: how many positional parameters Python would accept, and the body. */
interface Method {
  /** The name whose documentation it has (aliases share their target's). */
  canonical: string;
  minArgs: number;
  maxArgs: number;
  call(args: PyValue[]): Answer;
}

/** The reply to one POST /RPC2 body: 400 for a body that is not a call, 500 as supervisord's. */
export type RpcReply = { status: 200; body: Buffer } | { status: 400 } | { status: 500 };

function fault(code: ConstructorParameters<typeof SupervisorError>[0], detail?: string): SupervisorError {
  return new SupervisorError(code, detail);
}

/**
 * The method table and its dispatch (xmlrpc.md §8, §11): namespaces `system` and, with
 * `[rpcinterface:supervisor]`, `supervisor`; supervisord's rules for names, argument counts
 * (a TypeError is INCORRECT_PARAMETERS), faults, multicall, and HTTP 400/500.
 */
export class RpcDispatcher {
  readonly #methods = new Map<string, Method>();
  readonly #log: DaemonLog;
  readonly #daemon: RpcDaemon;
  /** Whole replies of frozen results (an unchanged getAllProcessInfo), encoded once. */
  readonly #replies = new WeakMap<object, Buffer>();

  constructor(daemon: RpcDaemon) {
    this.#daemon = daemon;
    this.#log = daemon.supervisor.log;
    if (daemon.config.rpcinterfaces.some((rpc) => rpc.name === "supervisor")) this.#addSupervisor(new SupervisorNamespace(daemon));
    this.#add("system.listMethods", 0, 0, () => [...this.#methods.keys()].sort(compareCodePoints));
    this.#add("system.methodHelp", 1, 1, ([name]) => {
      const method = typeof name === "string" ? this.#methods.get(name) : undefined;
      const text = method === undefined ? undefined : methodHelpText(method.canonical);
      if (text === undefined) throw fault("SIGNATURE_UNSUPPORTED");
      return text;
    });
    this.#add("system.methodSignature", 1, 1, ([name]) => {
      const method = typeof name === "string" ? this.#methods.get(name) : undefined;
      const signature = method === undefined ? undefined : methodSignature(method.canonical);
      if (signature === undefined) throw fault("SIGNATURE_UNSUPPORTED");
      return signature;
    });
    this.#add("system.multicall", 1, 1, ([calls]) => this.#multicall(calls ?? null));
  }

  #add(name: string, minArgs: number, maxArgs: number, call: (args: PyValue[]) => Answer, canonical = name): void {
    this.#methods.set(name, { canonical, minArgs, maxArgs, call });
  }

  #addSupervisor(ns: SupervisorNamespace): void {
    const add = (name: string, minArgs: number, maxArgs: number, call: (args: PyValue[]) => Answer, aliases: string[] = []): void => {
      this.#add(`supervisor.${name}`, minArgs, maxArgs, call);
      for (const alias of aliases) this.#add(`supervisor.${alias}`, minArgs, maxArgs, call, `supervisor.${name}`);
    };
    const a = (args: PyValue[], i: number): PyValue => args[i] ?? null;
    add("getAPIVersion", 0, 0, () => ns.getAPIVersion(), ["getVersion"]);
    add("getSupervisorVersion", 0, 0, () => ns.getSupervisorVersion());
    add("getIdentification", 0, 0, () => ns.getIdentification());
    add("getState", 0, 0, () => ns.getState());
    add("getPID", 0, 0, () => ns.getPID());
    add("readLog", 2, 2, (args) => ns.readLog(a(args, 0), a(args, 1)), ["readMainLog"]);
    add("clearLog", 0, 0, () => ns.clearLog());
    add("shutdown", 0, 0, () => ns.shutdown());
    add("restart", 0, 0, () => ns.restart());
    add("reloadConfig", 0, 0, () => ns.reloadConfig());
    add("addProcessGroup", 1, 1, (args) => ns.addProcessGroup(a(args, 0)));
    add("removeProcessGroup", 1, 1, (args) => ns.removeProcessGroup(a(args, 0)));
    const wait = (args: PyValue[], i: number): PyValue => (args.length > i ? a(args, i) : true);
    add("startProcess", 1, 2, (args) => ns.startProcess(a(args, 0), wait(args, 1)));
    add("startProcessGroup", 1, 2, (args) => ns.startProcessGroup(a(args, 0), wait(args, 1)));
    add("startAllProcesses", 0, 1, (args) => ns.startAllProcesses(wait(args, 0)));
    add("stopProcess", 1, 2, (args) => ns.stopProcess(a(args, 0), wait(args, 1)));
    add("stopProcessGroup", 1, 2, (args) => ns.stopProcessGroup(a(args, 0), wait(args, 1)));
    add("stopAllProcesses", 0, 1, (args) => ns.stopAllProcesses(wait(args, 0)));
    add("signalProcess", 2, 2, (args) => ns.signalProcess(a(args, 0), a(args, 1)));
    add("signalProcessGroup", 2, 2, (args) => ns.signalProcessGroup(a(args, 0), a(args, 1)));
    add("signalAllProcesses", 1, 1, (args) => ns.signalAllProcesses(a(args, 0)));
    add("getAllConfigInfo", 0, 0, () => ns.getAllConfigInfo());
    add("getProcessInfo", 1, 1, (args) => ns.getProcessInfo(a(args, 0)));
    add("getAllProcessInfo", 0, 0, () => ns.getAllProcessInfo());
    add("readProcessStdoutLog", 3, 3, (args) => ns.readProcessStdoutLog(a(args, 0), a(args, 1), a(args, 2)), ["readProcessLog"]);
    add("readProcessStderrLog", 3, 3, (args) => ns.readProcessStderrLog(a(args, 0), a(args, 1), a(args, 2)));
    add("tailProcessStdoutLog", 3, 3, (args) => ns.tailProcessStdoutLog(a(args, 0), a(args, 1), a(args, 2)), ["tailProcessLog"]);
    add("tailProcessStderrLog", 3, 3, (args) => ns.tailProcessStderrLog(a(args, 0), a(args, 1), a(args, 2)));
    add("clearProcessLogs", 1, 1, (args) => ns.clearProcessLogs(a(args, 0)), ["clearProcessLog"]);
    add("clearAllProcessLogs", 0, 0, () => ns.clearAllProcessLogs());
    add("sendProcessStdin", 2, 2, (args) => ns.sendProcessStdin(a(args, 0), a(args, 1)));
    add("sendRemoteCommEvent", 2, 2, (args) => ns.sendRemoteCommEvent(a(args, 0), a(args, 1)));
  }

  /**
   * supervisord's traverse(): `namespace.method` exactly, no leading underscore; a wrong number
   * of arguments, or a TypeError inside, is INCORRECT_PARAMETERS.
   */
  #traverse(name: string, params: PyValue[]): Answer {
    const parts = name.split(".");
    if (parts.length !== 2 || (parts[1] ?? "").startsWith("_")) throw fault("UNKNOWN_METHOD");
    const method = this.#methods.get(name);
    if (method === undefined) throw fault("UNKNOWN_METHOD");
    if (params.length < method.minArgs || params.length > method.maxArgs) throw fault("INCORRECT_PARAMETERS");
    const typeError = (err: unknown): never => {
      if (err instanceof PythonError && err.pyClass === "TypeError") throw fault("INCORRECT_PARAMETERS");
      throw err;
    };
    try {
      const answer = method.call(params);
      return answer instanceof Promise ? answer.catch(typeError) : answer;
    } catch (err) {
      return typeError(err);
    }
  }

  /**
   * The file `/logtail/<namespec>[/<channel>]` follows (served with or without the supervisor
   * namespace, as in supervisord), or null for 404: no such process, a channel other than stdout
   * or stderr, no log file, or none on disk yet.
   */
  logFileFor(namespec: string, channel: string): string | null {
    const [groupName, processName] = splitNamespec(namespec);
    const proc = processName === undefined ? undefined : this.#daemon.supervisor.groups.get(groupName)?.processes.get(processName);
    if (proc === undefined || (channel !== "stdout" && channel !== "stderr")) return null;
    const file = proc.channels.logfiles[channel];
    return file !== null && existsSync(file) ? file : null;
  }

  /** One call in process (the web UI's way in): the value, or a rejection with the SupervisorError. */
  async call(method: string, params: PyValue[]): Promise<XmlRpcValue> {
    return this.#traverse(method, params);
  }

  /** system.multicall: in order, each result bare or a fault struct (xmlrpc.md §11). */
  #multicall(calls: PyValue): Answer {
    if (!Array.isArray(calls)) {
      if (typeof calls === "string") throw new PythonError("AttributeError", "'str' object has no attribute 'copy'");
      throw new PythonError("TypeError", `'${pyTypeName(calls)}' object is not subscriptable`);
    }
    const run = async (): Promise<XmlRpcValue> => {
      const results: XmlRpcValue[] = [];
      for (const call of calls) {
        if (!(call instanceof Map)) throw new PythonError("AttributeError", "object has no attribute 'get'");
        const name = call.has("methodName") ? (call.get("methodName") ?? null) : undefined;
        const params = call.has("params") ? (call.get("params") ?? null) : [];
        try {
          if (name === undefined) throw fault("INCORRECT_PARAMETERS", "No methodName");
          if (name === "system.multicall") throw fault("INCORRECT_PARAMETERS", "Recursive system.multicall forbidden");
          if (!Array.isArray(params)) throw fault("INCORRECT_PARAMETERS");
          if (typeof name !== "string") throw new PythonError("AttributeError", `'${pyTypeName(name)}' object has no attribute 'split'`);
          results.push(await this.#traverse(name, params));
        } catch (err) {
          const { faultCode, faultString } = multicallFault(err);
          results.push({ faultCode, faultString });
        }
      }
      return results;
    };
    return run();
  }

  /** Decode, dispatch and encode one request body; 400 and 500 as supervisord answers them. */
  async handle(body: Buffer): Promise<RpcReply> {
    const text = body.toString("utf8");
    let methodName: string;
    let params: PyValue[];
    try {
      ({ methodName, params } = decodeCall(text));
    } catch (err) {
      if (!(err instanceof UnreadableCall)) throw err;
      this.#log.error(`XML-RPC request data ${pyRepr(text)} is invalid: ${err.reason}`);
      return { status: 400 };
    }
    let response: string;
    try {
      this.#log.trace(`XML-RPC method called: ${methodName}()`);
      let value: XmlRpcValue;
      try {
        value = await this.#traverse(methodName, params);
        this.#log.trace(`XML-RPC method ${methodName}() returned successfully`);
        if (typeof value === "object" && Object.isFrozen(value)) {
          const reply = this.#replies.get(value) ?? Buffer.from(encodeResponse(value), "utf8");
          this.#replies.set(value, reply);
          return { status: 200, body: reply };
        }
        response = encodeResponse(value);
      } catch (err) {
        const f = toFault(err);
        if (f === undefined) throw err;
        this.#log.trace(`XML-RPC method ${methodName}() returned fault: [${f.faultCode}] ${f.faultString}`);
        response = encodeFault(f.faultCode, f.faultString);
      }
    } catch (err) {
      const trace = err instanceof Error ? (err.stack ?? err.message) : String(err);
      if (!(err instanceof PythonError || err instanceof UnencodableValue)) {
        // Not one of supervisord's own 500s: a bug of ours, logged with its stack.
        this.#log.critical(`Handling XML-RPC request with data ${pyRepr(text)} raised an unexpected exception: ${trace}`);
      } else {
        this.#log.critical(`Handling XML-RPC request with data ${pyRepr(text)} raised an unexpected exception: ${err.name}: ${err.message}`);
      }
      return { status: 500 };
    }
    return { status: 200, body: Buffer.from(response, "utf8") };
  }
}

/** A failed call inside a multicall: its fault, or FAILED with the Python class and message. */
function multicallFault(err: unknown): Fault {
  const f = toFault(err);
  if (f !== undefined) return f;
  const cls = err instanceof PythonError ? err.pyClass : "Exception";
  const message = err instanceof Error ? err.message : pyStrValue(String(err));
  return { faultCode: 30, faultString: `FAILED: <class '${cls}'>:${message}` };
}
