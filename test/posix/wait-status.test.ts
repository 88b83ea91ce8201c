import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, openSync } from "node:fs";
import { spawnProcess, watchExit, type ExitStatus } from "../../src/posix/native";
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

/** What watchExit reports for a program that exited with `code`. */
function exited(code: number): ExitStatus {
  return { code, signal: null, coreDumped: false };
}

/** What watchExit reports for a program killed by signal number `signal`. */
function killed(signal: number, coreDumped = false): ExitStatus {
  return { code: null, signal, coreDumped };
}

test("describeExit of an exit code is the code and 'exit status N'", () => {
  for (const code of [0, 1, 2, 3, 127, 255]) assert.deepEqual(describeExit(exited(code)), { es: code, text: `exit status ${code}` });
});

test("describeExit of a signal is -1 and 'terminated by' supervisord's name for its number", () => {
  // decode_wait_status of the raw statuses 0x0f, 0x09, 0x1d, 0x06, 0x0b, 0x11.
  assert.deepEqual(describeExit(killed(15)), { es: -1, text: "terminated by SIGTERM" });
  assert.deepEqual(describeExit(killed(9)), { es: -1, text: "terminated by SIGKILL" });
  assert.deepEqual(describeExit(killed(29)), { es: -1, text: "terminated by SIGPOLL" });
  assert.deepEqual(describeExit(killed(6)), { es: -1, text: "terminated by SIGABRT" });
  assert.deepEqual(describeExit(killed(11)), { es: -1, text: "terminated by SIGSEGV" });
  assert.deepEqual(describeExit(killed(17)), { es: -1, text: "terminated by SIGCHLD" });
});

test("describeExit of a core dump adds ' (core dumped)'", () => {
  // decode_wait_status of 0x8b, 0x86, 0x89: the signal with WCOREDUMP's 0x80.
  assert.deepEqual(describeExit(killed(11, true)), { es: -1, text: "terminated by SIGSEGV (core dumped)" });
  assert.deepEqual(describeExit(killed(6, true)), { es: -1, text: "terminated by SIGABRT (core dumped)" });
  assert.deepEqual(describeExit(killed(9, true)), { es: -1, text: "terminated by SIGKILL (core dumped)" });
});

test("describeExit of a real-time signal: SIGRTMIN, SIGRTMAX, 'signal N' between them", () => {
  // decode_wait_status of 0x22, 0x23, 0x40, then 0xa2, 0xa3, 0xc0 (the same with a core dump).
  assert.deepEqual(describeExit(killed(34)), { es: -1, text: "terminated by SIGRTMIN" });
  assert.deepEqual(describeExit(killed(35)), { es: -1, text: "terminated by signal 35" });
  assert.deepEqual(describeExit(killed(64)), { es: -1, text: "terminated by SIGRTMAX" });
  assert.deepEqual(describeExit(killed(34, true)), { es: -1, text: "terminated by SIGRTMIN (core dumped)" });
  assert.deepEqual(describeExit(killed(35, true)), { es: -1, text: "terminated by signal 35 (core dumped)" });
  assert.deepEqual(describeExit(killed(64, true)), { es: -1, text: "terminated by SIGRTMAX (core dumped)" });
  // glibc's own signals, which no glibc program is sent: 0xa1.
  assert.deepEqual(describeExit(killed(33, true)), { es: -1, text: "terminated by signal 33 (core dumped)" });
});

test("describeExit of every signal 1..64 agrees with decodeWaitStatus of the raw status, with and without a core", () => {
  for (let signal = 1; signal <= 64; signal++) {
    assert.deepEqual(describeExit(killed(signal)), { es: -1, text: `terminated by ${signame(signal)}` }, String(signal));
    assert.deepEqual(describeExit(killed(signal)), decodeWaitStatus(signal), String(signal));
    assert.deepEqual(describeExit(killed(signal, true)), decodeWaitStatus(signal | 0x80), String(signal));
  }
});

test("describeExit of an end with neither a code nor a signal (reaped by someone else) is an unknown cause", () => {
  // decode_wait_status(0xffff).
  assert.deepEqual(describeExit({ code: null, signal: null, coreDumped: false }), { es: -1, text: "unknown termination cause 0xffff" });
});

test("describeExit of what watchExit reports for real children", async (t) => {
  const devNull = openSync("/dev/null", "r+");
  t.after(() => closeSync(devNull));
  const cases: ReadonlyArray<readonly [string, string]> = [
    ["exit 7", "exit status 7"], ["kill -TERM $$", "terminated by SIGTERM"], ["kill -29 $$", "terminated by SIGPOLL"],
    ["kill -6 $$", "terminated by SIGABRT"], ["kill -9 $$", "terminated by SIGKILL"], ["kill -34 $$", "terminated by SIGRTMIN"],
    ["kill -35 $$", "terminated by signal 35"], ["kill -64 $$", "terminated by SIGRTMAX"],
  ];
  for (const [script, text] of cases) {
    const pid = spawnProcess("/bin/sh", ["sh", "-c", script], ["PATH=/usr/bin:/bin"], [devNull, devNull, devNull]);
    const status = await new Promise<ExitStatus>((resolve) => watchExit(pid, resolve));
    assert.equal(describeExit(status).text, text, script);
  }
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
