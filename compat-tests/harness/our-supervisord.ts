import { spawn } from "node:child_process";
import { dist } from "../../test/helpers/repo";
import { waitFor } from "../../test/helpers/wait-for";
import { DaemonReaper, exited, socketAccepts } from "../../test/helpers/processes";

/** What became of our supervisord started on a config. */
export type OurStart =
  | { started: true; pid: number; output: () => string; stop: () => Promise<number> }
  | { started: false; status: number; stderr: string };

/**
 * Start our supervisord in the foreground on `configPath` and wait until its unix socket accepts
 * connections or it has refused to start. The caller registers `stop` for cleanup at once; stop
 * sends SIGTERM (an orderly shutdown) and resolves with the exit status.
 */
export async function startOurSupervisord(configPath: string, socketPath: string, env: NodeJS.ProcessEnv, cwd: string): Promise<OurStart> {
  const child = spawn(process.execPath, [dist("src/cli/supervisord.js"), "-n", "-c", configPath], { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not start our supervisord");
  const done = exited(child);
  const reaper = new DaemonReaper(pid, done);
  const stop = async (): Promise<number> => {
    await reaper.cleanUp();
    return done;
  };
  try {
    await waitFor(async () => child.exitCode !== null || (await socketAccepts(socketPath)), { what: "our supervisord to start or refuse" });
  } catch (err) {
    await stop();
    throw err;
  }
  if (child.exitCode !== null) {
    await reaper.cleanUp(); // nothing runs, but its watch timer must stop
    return { started: false, status: child.exitCode, stderr };
  }
  return { started: true, pid, output: () => stdout + stderr, stop };
}
