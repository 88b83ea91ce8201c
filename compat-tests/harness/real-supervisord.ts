import { spawn } from "node:child_process";
import { request } from "node:http";
import { join } from "node:path";
import { REPO_ROOT } from "../../test/helpers/repo";
import { waitFor } from "../../test/helpers/wait-for";
import { DaemonReaper, exited, run } from "../../test/helpers/processes";

/** Debian's supervisord 4.2.5: the reference every compat test compares against. */
export const REAL_SUPERVISORD = "/usr/bin/supervisord";
/** Debian's Python, which has the supervisor package the oracles import. */
export const SYSTEM_PYTHON = "/usr/bin/python3";

export interface RealDaemon {
  pid: number;
  /** What it printed so far. */
  output(): string;
  /** Shut it down (SIGTERM, as an operator would), then make sure no child of it survives. */
  stop(): Promise<void>;
}

/** What became of a real supervisord started on a config. */
export type RealStart = { started: true; daemon: RealDaemon } | { started: false; status: number; stderr: string };

/** Whether an XML-RPC server answers `system.listMethods` with HTTP 200 on this unix socket. */
export function rpcAnswers(socketPath: string): Promise<boolean> {
  const body = "<?xml version='1.0'?><methodCall><methodName>system.listMethods</methodName><params></params></methodCall>";
  return new Promise((resolve) => {
    const req = request(
      { socketPath, path: "/RPC2", method: "POST", headers: { "Content-Type": "text/xml", "Content-Length": Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.once("end", () => resolve(res.statusCode === 200));
        res.once("error", () => resolve(false));
      },
    );
    req.once("error", () => resolve(false));
    req.end(body);
  });
}

/**
 * Start the real supervisord in the foreground on `configPath` and wait until its RPC answers
 * on `socketPath` or it has refused to start. The caller registers `daemon.stop` for cleanup
 * (t.after) at once.
 */
export async function startRealSupervisord(configPath: string, socketPath: string, env: NodeJS.ProcessEnv, cwd: string): Promise<RealStart> {
  const child = spawn(REAL_SUPERVISORD, ["-n", "-c", configPath], { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not start the real supervisord");
  const done = exited(child);
  const reaper = new DaemonReaper(pid, done, { graceMs: 20_000 });
  const stop = (): Promise<void> => reaper.cleanUp();
  try {
    await waitFor(async () => child.exitCode !== null || (await rpcAnswers(socketPath)), {
      what: "the real supervisord to start or refuse",
    });
  } catch (err) {
    await stop();
    throw err;
  }
  if (child.exitCode !== null) {
    await stop();
    return { started: false, status: child.exitCode, stderr };
  }
  return { started: true, daemon: { pid, output: () => stdout + stderr, stop } };
}

/** One answer of xmlrpc_call.py. */
export interface PythonAnswer {
  result?: unknown;
  fault?: { faultCode: number; faultString: string };
  protocolError?: { errcode: number; errmsg: string };
}

/** Call methods with Python's xmlrpc.client; one parsed JSON answer per call. */
export async function pythonXmlRpc(serverurl: string, ...calls: Array<[string, ...unknown[]]>): Promise<PythonAnswer[]> {
  const args = calls.flatMap(([method, ...params], i) => [...(i > 0 ? ["--"] : []), method, ...params.map((p) => JSON.stringify(p))]);
  const finished = await run(SYSTEM_PYTHON, [join(REPO_ROOT, "compat-tests/clients/xmlrpc_call.py"), serverurl, ...args]);
  if (finished.status !== 0) throw new Error(`xmlrpc_call.py failed (${finished.status}): ${finished.stderr}`);
  return finished.stdout.trim().split("\n").map((line) => JSON.parse(line) as PythonAnswer);
}
