/**
 * The XML-RPC interface, call by call, against supervisord 4.2.5's (xmlrpc.md §4–§11). The real
 * supervisord and ours start on the same config (compat-tests/xmlrpc/supervisord.conf, each in its
 * own temp dir); clients/rpc_scenario.py, Python's standard xmlrpc.client as any client of
 * supervisord, runs the same scenarios against each: every supervisor.* and system.* method, each
 * fault path, the value-decoding quirks (raw bodies), whole raw responses, log offsets, config
 * reloads, multicall, and last a shutdown. Each prints a transcript, one masked JSON line a call
 * (pids, times, dates, the temp dir...), and the two are compared line by line. One pass talks
 * over the unix socket, the other over [inet_http_server] on 127.0.0.1 with basic auth (and wrong
 * credentials, for the 401). Waits poll for a state and record nothing, so that supervisord's
 * 1-second loop and our event-driven daemon give the same transcript.
 *
 * Self-check: COMPAT_OURS=real runs the real supervisord in place of ours too; the test must pass
 * then, which shows that the masking and waits make two runs of one program compare equal:
 *   npm run build && COMPAT_OURS=real node --test dist/compat-tests/xmlrpc/xmlrpc-differential.test.js
 * To look into a failure: COMPAT_KEEP=/some/dir keeps both transcripts there.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test, type TestContext } from "node:test";
import { freePort } from "../../test/helpers/free-port";
import { run } from "../../test/helpers/processes";
import { dist, REPO_ROOT } from "../../test/helpers/repo";
import { tempDir } from "../../test/helpers/temp-dir";
import { startLogDaemon, type Implementation } from "../harness/log-daemon";
import { SYSTEM_PYTHON } from "../harness/real-supervisord";
import { keepTranscript, transcriptDiff } from "../harness/transcript";

const CONFIG = join(REPO_ROOT, "compat-tests/xmlrpc/supervisord.conf");
const SCRIPT = join(REPO_ROOT, "compat-tests/clients/rpc_scenario.py");
/** In this order, on one daemon: each scenario starts from the state the ones before leave. */
/** The line rpc_scenario.py prints once the daemon no longer accepts connections after shutdown(). */
const GONE = '{"daemon": "gone"}';
const SCENARIOS = [
  "startup", "identification", "names", "dispatch", "decoding", "wire", "start-stop",
  "signals", "io", "config", "multicall", "all", "auth", "restart", "shutdown",
];

type Transport = "unix" | "inet";

/** A fresh dir with the config (and the non-executable command file) in it; same-length names for both daemons. */
async function prepare(t: TestContext, which: Implementation): Promise<{ dir: string; port: number }> {
  const dir = tempDir(t, which === "real" ? "xr-" : "xo-");
  const port = await freePort();
  const config = readFileSync(CONFIG, "utf8")
    .replaceAll("@DIR@", dir)
    .replaceAll("@PORT@", String(port))
    .replaceAll("@NODE@", process.execPath)
    .replaceAll("@PROGRAMS@", dist("test/fixtures/programs"));
  writeFileSync(join(dir, "supervisord.conf"), config);
  writeFileSync(join(dir, "notexec.sh"), "#!/bin/sh\n", { mode: 0o644 });
  return { dir, port };
}

/** Start one daemon, run every scenario against it, and add how it ended. */
async function transcript(t: TestContext, which: Implementation, transport: Transport): Promise<string[]> {
  const { dir, port } = await prepare(t, which);
  const socket = join(dir, "supervisor.sock");
  const daemon = await startLogDaemon(t, which, dir, { readySocket: socket });
  const url = transport === "unix" ? `unix://${socket}` : `http://user:secret@127.0.0.1:${port}`;
  const finished = await run(SYSTEM_PYTHON, [SCRIPT, url, dir, String(daemon.pid), ...SCENARIOS], { timeoutMs: 150_000 });
  const lines = finished.stdout.split("\n").filter((line) => line !== "");
  if (finished.status !== 0) lines.push(`rpc_scenario.py exited with ${finished.status}: ${finished.stderr}`);
  // After shutdown() and the socket gone, the daemon must exit, and with status 0.
  let timer: NodeJS.Timeout | undefined;
  const status = lines.includes(GONE)
    ? await Promise.race([daemon.exited, new Promise<string>((resolve) => (timer = setTimeout(resolve, 10_000, "still running")))])
    : "not asked to shut down";
  clearTimeout(timer);
  lines.push(JSON.stringify({ "daemon exit status": status }));
  keepTranscript(`xmlrpc-${transport}.${which}`, lines);
  return lines;
}

async function compareOver(t: TestContext, transport: Transport): Promise<void> {
  const [real, ours] = await Promise.all([transcript(t, "real", transport), transcript(t, "ours", transport)]);
  const difference = transcriptDiff(real, ours);
  assert.ok(difference === "", `XML-RPC transcript over ${transport} differs from supervisord's (- supervisord, + ours):\n${difference}`);
}

describe("XML-RPC against supervisord 4.2.5", { concurrency: 2 }, () => {
  test("every method, fault, decoding quirk and raw response over the unix socket answers as supervisord's", (t) =>
    compareOver(t, "unix"));
  test("the same over [inet_http_server] with basic auth, and a wrong password gets supervisord's 401", (t) =>
    compareOver(t, "inet"));
});
