import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { constants } from "node:os";
import { decodeWaitStatus, describeExit, signame } from "../../src/posix/wait-status";

// Expectations checked against supervisor.options.signame and decode_wait_status on Debian's
// Python 3.11 (Linux, x86_64).

test("signame names every number 0..70 as supervisord does, 'signal N' where Python has no name", () => {
  const named: Readonly<Record<number, string>> = {
    1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE",
    9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM",
    16: "SIGSTKFLT", 17: "SIGCHLD", 18: "SIGCONT", 19: "SIGSTOP", 20: "SIGTSTP", 21: "SIGTTIN", 22: "SIGTTOU",
    23: "SIGURG", 24: "SIGXCPU", 25: "SIGXFSZ", 26: "SIGVTALRM", 27: "SIGPROF", 28: "SIGWINCH", 29: "SIGPOLL",
    30: "SIGPWR", 31: "SIGSYS", 34: "SIGRTMIN", 64: "SIGRTMAX",
  };
  for (let n = 0; n <= 70; n++) assert.equal(signame(n), named[n] ?? `signal ${n}`, String(n));
});

test("signame picks the alias Python's signal module defines last: SIGPOLL, SIGABRT, SIGCHLD", () => {
  assert.equal(signame(29), "SIGPOLL");
  assert.equal(signame(6), "SIGABRT");
  assert.equal(signame(17), "SIGCHLD");
});

test("signame of a number outside the table is 'signal N', negative ones too", () => {
  assert.equal(signame(-1), "signal -1");
  assert.equal(signame(71), "signal 71");
  assert.equal(signame(128), "signal 128");
  assert.equal(signame(1000), "signal 1000");
});

test("describeExit of an exit code is the code and 'exit status N'", () => {
  for (const code of [0, 1, 2, 3, 127, 255]) assert.deepEqual(describeExit(code, null), { es: code, text: `exit status ${code}` });
});

test("describeExit of a signal is -1 and 'terminated by' supervisord's name for its number", () => {
  assert.deepEqual(describeExit(null, "SIGTERM"), { es: -1, text: "terminated by SIGTERM" });
  assert.deepEqual(describeExit(null, "SIGKILL"), { es: -1, text: "terminated by SIGKILL" });
  // Node's aliases map through their number to the name supervisord prints.
  assert.deepEqual(describeExit(null, "SIGIO"), { es: -1, text: "terminated by SIGPOLL" });
  assert.deepEqual(describeExit(null, "SIGPOLL"), { es: -1, text: "terminated by SIGPOLL" });
  assert.deepEqual(describeExit(null, "SIGIOT"), { es: -1, text: "terminated by SIGABRT" });
  // Never "(core dumped)": Node does not tell (see the DIVERGES note in wait-status.ts).
  assert.deepEqual(describeExit(null, "SIGSEGV"), { es: -1, text: "terminated by SIGSEGV" });
});

test("describeExit names every signal Node knows as signame does for its number", () => {
  for (const [name, signum] of Object.entries(constants.signals)) {
    assert.deepEqual(describeExit(null, name as NodeJS.Signals), { es: -1, text: `terminated by ${signame(signum)}` }, name);
  }
});

test("describeExit of what Node reports for real children", async () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ["exit 7", "exit status 7"], ["kill -TERM $$", "terminated by SIGTERM"], ["kill -29 $$", "terminated by SIGPOLL"],
    ["kill -6 $$", "terminated by SIGABRT"], ["kill -9 $$", "terminated by SIGKILL"],
  ];
  for (const [script, text] of cases) {
    const child = spawn("/bin/sh", ["-c", script], { stdio: "ignore" });
    const [code, signal] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
    assert.equal(describeExit(code, signal).text, text, script);
  }
});

test("describeExit refuses an exit with neither a code nor a signal", () => {
  assert.throws(() => describeExit(null, null), { message: "an exit needs a code or a signal; Node reports one of them" });
});

test("decodeWaitStatus decodes raw wait statuses as decode_wait_status does", () => {
  const cases: ReadonlyArray<readonly [number, number, string]> = [
    [0x0000, 0, "exit status 0"], [0x0100, 1, "exit status 1"], [0x0300, 3, "exit status 3"],
    [0xff00, 255, "exit status 255"], [0x10000, 0, "exit status 0"],
    [0x000f, -1, "terminated by SIGTERM"], [0x0009, -1, "terminated by SIGKILL"], [0x0011, -1, "terminated by SIGCHLD"],
    [0x001d, -1, "terminated by SIGPOLL"], [0x0023, -1, "terminated by signal 35"], [0x0040, -1, "terminated by SIGRTMAX"],
    [0x008b, -1, "terminated by SIGSEGV (core dumped)"], [0x0086, -1, "terminated by SIGABRT (core dumped)"],
    // Stopped (WIFSTOPPED) and continued (0xffff) are neither an exit nor a signal death.
    [0x137f, -1, "unknown termination cause 0x137f"], [0xffff, -1, "unknown termination cause 0xffff"],
    [0x007f, -1, "unknown termination cause 0x007f"],
  ];
  for (const [status, es, text] of cases) assert.deepEqual(decodeWaitStatus(status), { es, text }, status.toString(16));
});
