import { spawn } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../../test/helpers/repo";
import { waitFor } from "../../test/helpers/wait-for";
import { childPids, exited, isAlive, run, socketAccepts } from "./processes";

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

/**
 * Start the real supervisord in the foreground on `configPath` and wait until its unix socket
 * answers. The caller registers `stop` for cleanup (t.after) at once.
 */
export async function startRealSupervisord(configPath: string, socketPath: string, env: NodeJS.ProcessEnv, cwd: string): Promise<RealDaemon> {
  const child = spawn(REAL_SUPERVISORD, ["-n", "-c", configPath], { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not start the real supervisord");
  const done = exited(child);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    const children = childPids(pid);
    if (isAlive(pid)) {
      process.kill(pid, "SIGTERM");
      const timer = setTimeout(() => process.kill(pid, "SIGKILL"), 20_000);
      await done;
      clearTimeout(timer);
    }
    for (const orphan of children) if (isAlive(orphan)) process.kill(orphan, "SIGKILL");
  };
  try {
    await waitFor(async () => (child.exitCode !== null ? true : socketAccepts(socketPath)), { what: "the real supervisord's socket" });
    if (child.exitCode !== null) throw new Error(`the real supervisord exited with ${child.exitCode}:\n${output}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { pid, output: () => output, stop };
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
