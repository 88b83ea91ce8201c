import assert from "node:assert/strict";
import { test } from "node:test";
import { ConnectError, HttpStatusError, RpcFault, UnknownProtocol } from "../../src/protocol/client";
import { errorLine } from "../../src/ctl/error-line";
import { availLine, changeLines, exitStatusAfter, signalResultLine, splitNamespec, startResultLine, statusLines } from "../../src/ctl/format";
import { columnize, HELP_TEXTS } from "../../src/ctl/help-texts";
import { parseLine } from "../../src/ctl/controller";
import { completions, completionWord } from "../../src/ctl/shell";

const info = (group: string, name: string, statename: string, description: string) =>
  new Map<string, string | number>([["group", group], ["name", name], ["statename", statename], ["description", description]]);

test("status columns are at least 33 wide, widen to the longest name plus 3, and count characters", () => {
  assert.deepEqual(statusLines([info("cat", "cat", "RUNNING", "pid 1, uptime 0:00:03"), info("s", "s", "STARTING", "")]), [
    "cat                              RUNNING   pid 1, uptime 0:00:03",
    "s                                STARTING  ",
  ]);
  const long = "a_very_long_program_name_exceeding_thirty_chars";
  assert.deepEqual(statusLines([info(long, long, "RUNNING", "x"), info("ünï", "ünï", "RUNNING", "y")]), [
    `${long}   RUNNING   x`,
    `ünï${" ".repeat(47)}RUNNING   y`,
  ]);
});

test("avail lines: 32-wide names that are never cut, in use / avail, auto / manual, priorities", () => {
  const config = new Map<string, string | number | boolean>([["group", "grp"], ["name", "ga"], ["inuse", true], ["autostart", false], ["group_prio", 999], ["process_prio", 10]]);
  assert.equal(availLine(config), "grp:ga                           in use    manual    999:10");
});

test("reread lists groups by name with available, changed or disappeared; nothing changed says so", () => {
  assert.deepEqual(changeLines(["newprog", "newlazy"], ["sleeper"], ["manual"]), [
    "manual: disappeared",
    "newlazy: available",
    "newprog: available",
    "sleeper: changed",
  ]);
  assert.deepEqual(changeLines([], [], []), ["No config updates to processes"]);
});

test("result lines: group specs render their missing process as None; FAILED is the fault string alone", () => {
  assert.deepEqual(splitNamespec("grp:*"), ["grp", null]);
  assert.equal(startResultLine({ group: "grp", name: null, status: 10, description: "" }), "grp:None: ERROR (no such process)");
  assert.equal(signalResultLine({ group: "a", name: "a", status: 30, description: "FAILED: oops" }), "FAILED: oops");
  assert.equal(signalResultLine({ group: "a", name: "b", status: 80, description: "" }, "stopped"), "a:b: stopped");
  assert.throws(() => startResultLine({ group: "a", name: "a", status: 6, description: "" }), { message: "Unknown result code 6 for a" });
});

test("exit statuses: the ignored fault and SUCCESS keep it, dead-program faults make it 7, others 1", () => {
  assert.equal(exitStatusAfter(0, 60, 60), 0);
  assert.equal(exitStatusAfter(1, 80), 1);
  assert.equal(exitStatusAfter(0, 50), 7);
  assert.equal(exitStatusAfter(7, 10), 1);
});

test("unhandled errors print the error line of the Python client", () => {
  assert.equal(
    errorLine(new RpcFault(92, "CANT_REREAD: a 'b'")),
    `error: <class 'xmlrpc.client.Fault'>, <Fault 92: "CANT_REREAD: a 'b'">: file: /usr/lib/python3.11/xmlrpc/client.py line: 668`,
  );
  assert.equal(
    errorLine(new HttpStatusError(500, "Internal Server Error")),
    "error: <class 'xmlrpc.client.ProtocolError'>, <ProtocolError for 127.0.0.1/RPC2: 500 Internal Server Error>: file: /usr/lib/python3/dist-packages/supervisor/xmlrpc.py line: 539",
  );
  assert.equal(
    errorLine(new ConnectError("ECONNREFUSED", "inet")),
    "error: <class 'ConnectionRefusedError'>, [Errno 111] Connection refused: file: /usr/lib/python3.11/socket.py line: 836",
  );
  assert.equal(
    errorLine(new ConnectError("ENOTFOUND", "inet")),
    "error: <class 'socket.gaierror'>, [Errno -2] Name or service not known: file: /usr/lib/python3.11/socket.py line: 962",
  );
  assert.equal(
    errorLine(new UnknownProtocol("ftp://x")),
    "error: <class 'ValueError'>, Unknown protocol for serverurl ftp://x: file: /usr/lib/python3/dist-packages/supervisor/xmlrpc.py line: 505",
  );
});

test("a line's command word is its leading run of letters, digits and _; ? is help, ! has no command", () => {
  assert.deepEqual(parseLine("  status-cat "), ["status", "-cat", "status-cat"]);
  assert.deepEqual(parseLine("?start"), ["help", "start", "help start"]);
  assert.deepEqual(parseLine("!ls"), [null, "", "!ls"]);
  assert.deepEqual(parseLine("   "), [null, "", ""]);
});

test("help lists the commands in cmd.Cmd's columns, trailing spaces included", () => {
  const names = Object.keys(HELP_TEXTS).filter((n) => n !== "help").sort();
  assert.deepEqual(columnize(names, 79), [
    "add    exit      open  reload  restart   start   tail   ",
    "avail  fg        pid   remove  shutdown  status  update ",
    "clear  maintail  quit  reread  signal    stop    version",
  ]);
});

test("TAB completes commands, then group names or process names as supervisorctl does", async () => {
  const infos = async () => [info("cat", "cat", "RUNNING", ""), info("grp", "ga", "RUNNING", ""), info("grp", "gb", "RUNNING", "")];
  assert.deepEqual(completions("st", "st", infos), ["start ", "status ", "stop "]);
  assert.deepEqual(await completions("stop ", "", infos), ["cat ", "grp:ga ", "grp:* ", "grp:gb "]);
  assert.deepEqual(await completions("stop grp:", "grp:", infos), ["grp:ga ", "grp:* ", "grp:gb "]);
  assert.deepEqual(await completions("update g", "g", infos), ["grp "]);
  assert.equal(completionWord("stop my-prog:*"), "my-prog:*");
});
