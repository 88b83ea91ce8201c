import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { test } from "node:test";
import { program, standardConfig, startDaemon, type TestDaemon } from "../helpers/daemon";
import { postRaw, rpc, type RpcOutcome } from "../helpers/rpc";
import { waitFor } from "../helpers/wait-for";

const BODY = `
[program:cat]
command=/bin/cat
startsecs=0

[program:slow]
command=${program("forever")}
startsecs=1
autostart=false

[program:stubborn]
; SIGTERM is ignored from the first instruction on (an ignored signal stays ignored across exec)
command=/bin/sh -c "trap '' TERM; exec /bin/sleep 1000"
startsecs=0
stopwaitsecs=1

[program:quick]
command=${program("exit-with", "3")}
autostart=false
startretries=0

[program:missing]
command=/nonexistent/prog
autostart=false

[group:grp]
programs=ga,gb

[program:ga]
command=${program("forever")}
startsecs=0
priority=2

[program:gb]
command=${program("forever")}
startsecs=0
priority=1
`;

function sock(daemon: TestDaemon): string {
  return join(daemon.dir, "supervisor.sock");
}

async function stateOf(daemon: TestDaemon, name: string): Promise<unknown> {
  const info = await rpc(sock(daemon), "supervisor.getProcessInfo", name);
  return "value" in info ? (info.value as Record<string, unknown>)["statename"] : info;
}

const fault = (faultCode: number, faultString: string): RpcOutcome => ({ fault: { faultCode, faultString } });

test("starting and stopping answer when the process is there, as supervisord's blocking calls do", async (t) => {
  const daemon = await startDaemon(t, BODY);
  const s = sock(daemon);
  await waitFor(async () => (await stateOf(daemon, "stubborn")) === "RUNNING", { what: "stubborn to run" });

  const started = performance.now();
  assert.deepEqual(await rpc(s, "supervisor.startProcess", "slow"), { value: true });
  assert.ok(performance.now() - started >= 1000, "a blocking start answers after startsecs");
  assert.equal(await stateOf(daemon, "slow"), "RUNNING");
  assert.deepEqual(await rpc(s, "supervisor.startProcess", "slow"), fault(60, "ALREADY_STARTED: slow"));

  assert.deepEqual(await rpc(s, "supervisor.startProcess", "quick"), fault(50, "SPAWN_ERROR: quick"));
  assert.deepEqual(await rpc(s, "supervisor.startProcess", "missing"), fault(20, "NO_FILE: can't find command '/nonexistent/prog'"));
  assert.deepEqual(await rpc(s, "supervisor.getProcessInfo", "nosuch"), fault(10, "BAD_NAME: nosuch"));
  assert.deepEqual(await rpc(s, "supervisor.getProcessInfo", "grp:*"), fault(10, "BAD_NAME: grp:*"));

  const stopping = performance.now();
  assert.deepEqual(await rpc(s, "supervisor.stopProcess", "stubborn"), { value: true });
  assert.ok(performance.now() - stopping >= 1000, "a blocking stop waits for the SIGKILL after stopwaitsecs");
  assert.equal(await stateOf(daemon, "stubborn"), "STOPPED");
  assert.deepEqual(await rpc(s, "supervisor.stopProcess", "stubborn"), fault(70, "NOT_RUNNING: stubborn"));
  assert.match(daemon.log(), /WARN killing 'stubborn' \(\d+\) with SIGKILL/);

  // Group calls: one result per process acted on, in priority order when nothing waits.
  const ok = (name: string): Record<string, unknown> => ({ name, group: "grp", status: 80, description: "OK" });
  assert.deepEqual(await rpc(s, "supervisor.stopProcessGroup", "grp", false), { value: [ok("gb"), ok("ga")] });
  await waitFor(async () => (await stateOf(daemon, "grp:ga")) === "STOPPED", { what: "ga to stop" });
  assert.deepEqual(await rpc(s, "supervisor.startProcess", "grp:*"), { value: [ok("gb"), ok("ga")] });
  assert.deepEqual(await rpc(s, "supervisor.startProcessGroup", "grp"), { value: [] }, "all running: nothing to do");
  const signalled = await rpc(s, "supervisor.signalProcessGroup", "grp", "BOGUS");
  assert.deepEqual(signalled, { value: [{ name: "gb", group: "grp", status: 11, description: "BAD_SIGNAL: BOGUS" }, { name: "ga", group: "grp", status: 11, description: "BAD_SIGNAL: BOGUS" }] });
});

test("process info, logs and stdin", async (t) => {
  const daemon = await startDaemon(t, BODY);
  const s = sock(daemon);
  await waitFor(async () => (await stateOf(daemon, "cat")) === "RUNNING", { what: "cat to run" });
  const info = await rpc(s, "supervisor.getProcessInfo", "cat");
  assert.ok("value" in info);
  const struct = info.value as Record<string, unknown>;
  assert.deepEqual(Object.keys(struct), ["name", "group", "start", "stop", "now", "state", "statename", "spawnerr", "exitstatus", "logfile", "stdout_logfile", "stderr_logfile", "pid", "description"]);
  assert.equal(struct["state"], 20);
  assert.match(String(struct["description"]), /^pid \d+, uptime 0:00:0\d$/);
  assert.match(String(struct["stdout_logfile"]), /cat-stdout---supervisor-\w+\.log$/);

  assert.deepEqual(await rpc(s, "supervisor.sendProcessStdin", "cat", "héllo <ünicode> & more\n"), { value: true });
  const logfile = String(struct["stdout_logfile"]);
  await waitFor(() => readFileSync(logfile, "utf8").includes("more\n"), { what: "cat to echo" });
  assert.deepEqual(await rpc(s, "supervisor.readProcessStdoutLog", "cat", 0, 0), { value: "héllo <ünicode> & more\n" });
  const size = Buffer.byteLength("héllo <ünicode> & more\n");
  assert.deepEqual(await rpc(s, "supervisor.tailProcessStdoutLog", "cat", 0, 5), { value: ["ore\n".padStart(5, "m"), size, true] });
  assert.deepEqual(await rpc(s, "supervisor.readProcessStdoutLog", "cat", -5, 3), fault(3, "BAD_ARGUMENTS"));
  assert.deepEqual(await rpc(s, "supervisor.sendProcessStdin", "nosuch", 5), fault(2, "INCORRECT_PARAMETERS: 5"));
  assert.deepEqual(await rpc(s, "supervisor.sendProcessStdin", "slow", "x"), fault(70, "NOT_RUNNING: slow"));

  const all = await rpc(s, "supervisor.getAllProcessInfo");
  assert.ok("value" in all && Array.isArray(all.value));
  assert.deepEqual(
    (all.value as Record<string, unknown>[]).map((p) => `${String(p["group"])}:${String(p["name"])}`),
    ["cat:cat", "grp:ga", "grp:gb", "missing:missing", "quick:quick", "slow:slow", "stubborn:stubborn"],
  );
});

test("bad requests get supervisord's HTTP errors and faults, and the daemon keeps serving", async (t) => {
  const daemon = await startDaemon(t, BODY);
  const s = sock(daemon);
  assert.equal((await postRaw(s, "hello")).status, 400);
  assert.equal((await postRaw(s, "<methodCall><methodName></methodName></methodCall>")).status, 400);
  assert.match(daemon.log(), /ERRO XML-RPC request data 'hello' is invalid: unmarshallable/);
  assert.deepEqual(await rpc(s, "supervisor.getProcessInfo", 5), { status: 500 });
  assert.deepEqual(await rpc(s, "supervisor.getState", 1), fault(2, "INCORRECT_PARAMETERS"));
  assert.deepEqual(await rpc(s, "supervisor"), fault(1, "UNKNOWN_METHOD"));
  assert.deepEqual(await rpc(s, "supervisor._update"), fault(1, "UNKNOWN_METHOD"));
  assert.deepEqual(await rpc(s, "system.methodSignature", "supervisor.readLog"), { value: ["string", "int", "int"] });
  assert.deepEqual(await rpc(s, "system.methodHelp", "nosuch"), fault(4, "SIGNATURE_UNSUPPORTED"));
  const multi = await rpc(s, "system.multicall", [
    { methodName: "supervisor.getAPIVersion" },
    { methodName: "supervisor.getProcessInfo", params: ["nosuch"] },
    { methodName: "system.multicall" },
    { params: [] },
    { methodName: "supervisor.getState", params: [1, 2] },
    { methodName: "bogus" },
  ]);
  assert.deepEqual(multi, {
    value: [
      "3.0",
      { faultCode: 10, faultString: "BAD_NAME: nosuch" },
      { faultCode: 2, faultString: "INCORRECT_PARAMETERS: Recursive system.multicall forbidden" },
      { faultCode: 2, faultString: "INCORRECT_PARAMETERS: No methodName" },
      { faultCode: 2, faultString: "INCORRECT_PARAMETERS" },
      { faultCode: 1, faultString: "UNKNOWN_METHOD" },
    ],
  });
  assert.deepEqual(await rpc(s, "supervisor.getState"), { value: { statecode: 1, statename: "RUNNING" } });
});

test("reloadConfig reports the differences; addProcessGroup and removeProcessGroup apply them", async (t) => {
  const daemon = await startDaemon(t, "[program:one]\ncommand=/bin/cat\nstartsecs=0\n");
  const s = sock(daemon);
  writeFileSync(daemon.configPath, standardConfig("[program:two]\ncommand=/bin/cat\nstartsecs=0\n"));
  assert.deepEqual(await rpc(s, "supervisor.reloadConfig"), { value: [[["two"], [], ["one"]]] });
  assert.deepEqual(await rpc(s, "supervisor.addProcessGroup", "two"), { value: true });
  assert.deepEqual(await rpc(s, "supervisor.addProcessGroup", "two"), fault(90, "ALREADY_ADDED: two"));
  await waitFor(async () => (await stateOf(daemon, "two")) === "RUNNING", { what: "the added group to start" });
  assert.deepEqual(await rpc(s, "supervisor.removeProcessGroup", "one"), fault(91, "STILL_RUNNING: one"));
  assert.deepEqual(await rpc(s, "supervisor.stopProcess", "one"), { value: true });
  assert.deepEqual(await rpc(s, "supervisor.removeProcessGroup", "one"), { value: true });
  assert.deepEqual(await rpc(s, "supervisor.getProcessInfo", "one"), fault(10, "BAD_NAME: one"));

  writeFileSync(daemon.configPath, standardConfig("[program:bad]\n"));
  const refused = await rpc(s, "supervisor.reloadConfig");
  assert.ok("fault" in refused && refused.fault.faultCode === 92 && refused.fault.faultString.startsWith("CANT_REREAD: program section program:bad does not specify a command"), JSON.stringify(refused));
});

test("shutdown answers, then every call faults SHUTDOWN_STATE until the daemon is gone", async (t) => {
  const daemon = await startDaemon(t, BODY);
  const s = sock(daemon);
  await waitFor(async () => (await stateOf(daemon, "stubborn")) === "RUNNING", { what: "stubborn to run" });
  assert.deepEqual(await rpc(s, "supervisor.shutdown"), { value: true });
  assert.deepEqual(await rpc(s, "supervisor.getState"), fault(6, "SHUTDOWN_STATE"));
  assert.deepEqual(await rpc(s, "system.listMethods").then((r) => "value" in r && Array.isArray(r.value) && r.value.length), 41);
  assert.equal(await daemon.exited, 0);
});
