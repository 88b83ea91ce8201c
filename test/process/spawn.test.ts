import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { test, type TestContext } from "node:test";
import { getRlimit, setRlimit, type ExitStatus, type PipeReader } from "../../src/posix/native";
import { describeExit } from "../../src/posix/wait-status";
import { ForkError, PIPE_CAPACITY, spawnChild, type SpawnedChild, type SpawnRequest } from "../../src/process/spawn";
import { openFds } from "../helpers/processes";
import { dist } from "../helpers/repo";
import { tempDir } from "../helpers/temp-dir";
import { waitFor } from "../helpers/wait-for";

const ENV = { PATH: "/usr/bin:/bin" };
const NOT_SPAWNED = "supervisor: child process was not spawned\n";

/** The outcome of a program that exited with `code`. */
function exitedWith(code: number): ExitStatus {
  return { code, signal: null, coreDumped: false };
}

/** The outcome of a program a signal killed (numbers, as the kernel reports them). */
function killedBy(signal: number, coreDumped = false): ExitStatus {
  return { code: null, signal, coreDumped };
}

/** What one pipe reader delivered, chunk by chunk. */
interface Collected {
  chunks: Buffer[];
  text: () => string;
}

function collect(reader: PipeReader | null): Collected {
  const chunks: Buffer[] = [];
  reader?.onData((chunk) => chunks.push(chunk));
  return { chunks, text: () => Buffer.concat(chunks).toString("utf8") };
}

/** Resolves at the reader's end (EOF or close()); rejects when a read failed. */
function endOf(reader: PipeReader | null): Promise<void> {
  if (reader === null) return Promise.resolve();
  return new Promise((resolve, reject) => {
    reader.onEnd((error) => (error === undefined ? resolve() : reject(new Error(`reading the pipe failed: ${error}`))));
  });
}

function exitOf(child: SpawnedChild): Promise<ExitStatus> {
  return new Promise((resolve) => child.onExit(resolve));
}

function killIfAlive(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch (err) {
    // ESRCH: it has exited already, which is what cleanup wants.
    if (!(err instanceof Error && "code" in err && err.code === "ESRCH")) throw err;
  }
}

function request(path: string, argv: string[], overrides: Partial<SpawnRequest> = {}): SpawnRequest {
  return { path, argv, env: ENV, cwd: null, umask: null, uid: null, redirectStderr: false, ...overrides };
}

/** spawnChild, with a cleanup that kills the child unless it was reaped already and closes our ends. */
function start(t: TestContext, req: SpawnRequest): SpawnedChild {
  const child = spawnChild(req);
  let reaped = false;
  child.onExit(() => (reaped = true));
  t.after(() => {
    // Once reaped, the pid may be some other process's.
    if (!reaped) killIfAlive(child.pid);
    child.stdin?.close();
    child.stdout.close();
    child.stderr?.close();
  });
  return child;
}

interface Run {
  child: SpawnedChild;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once the child has exited and been reaped, and both pipes have ended. */
  ended: Promise<ExitStatus>;
}

function run(t: TestContext, req: SpawnRequest): Run {
  const child = start(t, req);
  const out = collect(child.stdout);
  const err = collect(child.stderr);
  const ended = Promise.all([exitOf(child), endOf(child.stdout), endOf(child.stderr)]).then(([status]) => status);
  return { child, stdout: out.text, stderr: err.text, ended };
}


/** What an fd of `pid` refers to, as /proc shows it: "pipe:[1234]", "socket:[5678]", ... */
function fdTarget(pid: number | "self", fd: number): string {
  return readlinkSync(`/proc/${pid}/fd/${fd}`);
}

/** Fields 1-6 of /proc/PID/stat: pid, state, ppid, pgrp, session. */
function statFields(text: string): { pid: number; ppid: number; pgrp: number; session: number } {
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { pid: Number(text.split(" ")[0]), ppid: Number(rest[1]), pgrp: Number(rest[2]), session: Number(rest[3]) };
}

function nobody(): { uid: number; groups: number[] } {
  const uid = Number(execFileSync("id", ["-u", "nobody"], { encoding: "utf8" }).trim());
  const groups = execFileSync("id", ["-G", "nobody"], { encoding: "utf8" }).trim().split(/\s+/).map(Number);
  return { uid, groups };
}

/** The Uid, Gid and Groups rows of /proc/self/status, as printed by the child. */
function credentials(status: string): { uid: string; gid: string; groups: number[] } {
  const row = (name: string): string => status.split("\n").find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1).trim() ?? "";
  const groups = row("Groups").split(/\s+/).filter((g) => g !== "").map(Number);
  return { uid: row("Uid"), gid: row("Gid"), groups };
}

test("the pid spawnChild reports is the program's own pid, and argv[0] is the one written in the config", async (t) => {
  const r = run(t, request("/bin/sh", ["my-shell", "-c", "echo $$ $0"]));
  assert.deepEqual(await r.ended, exitedWith(0));
  assert.equal(r.stdout(), `${r.child.pid} my-shell\n`);
});

test("the child leads its own process group in the daemon's session", async (t) => {
  const r = run(t, request("/bin/cat", ["cat", "/proc/self/stat"]));
  assert.deepEqual(await r.ended, exitedWith(0));
  const child = statFields(r.stdout());
  const ours = statFields(readFileSync("/proc/self/stat", "utf8"));
  assert.deepEqual(child, { pid: r.child.pid, ppid: process.pid, pgrp: r.child.pid, session: ours.session });
});

test("stdout and stderr arrive on separate pipes", async (t) => {
  const r = run(t, request("/bin/sh", ["sh", "-c", "echo out; echo err >&2; echo out2"]));
  assert.deepEqual(await r.ended, exitedWith(0));
  assert.equal(r.stdout(), "out\nout2\n");
  assert.equal(r.stderr(), "err\n");
});

test("redirect_stderr sends stderr down the stdout pipe, in order", async (t) => {
  const r = run(t, request("/bin/sh", ["sh", "-c", "echo out; echo err >&2; echo out2"], { redirectStderr: true }));
  assert.equal(r.child.stderr, null);
  assert.deepEqual(await r.ended, exitedWith(0));
  assert.equal(r.stdout(), "out\nerr\nout2\n");
});

test("the program gets exactly the environment it was given", async (t) => {
  const env = { PATH: "/usr/bin:/bin", FOO: "bar baz", SUPERVISOR_ENABLED: "1", EMPTY: "" };
  const r = run(t, request("/usr/bin/env", ["env"], { env }));
  assert.deepEqual(await r.ended, exitedWith(0));
  assert.deepEqual(r.stdout().split("\n").filter((l) => l !== "").sort(), [
    "EMPTY=",
    "FOO=bar baz",
    "PATH=/usr/bin:/bin",
    "SUPERVISOR_ENABLED=1",
  ]);
});

test("umask is applied, and without one the daemon's is inherited", async (t) => {
  const set = run(t, request("/bin/sh", ["sh", "-c", "umask"], { umask: 0o027 }));
  const inherited = run(t, request("/bin/sh", ["sh", "-c", "umask"]));
  assert.deepEqual(await set.ended, exitedWith(0));
  assert.deepEqual(await inherited.ended, exitedWith(0));
  assert.equal(set.stdout(), "0027\n");
  assert.equal(inherited.stdout(), `${process.umask().toString(8).padStart(4, "0")}\n`);
});

test("directory is applied before exec", async (t) => {
  const dir = tempDir(t);
  const r = run(t, request("/bin/pwd", ["pwd"], { cwd: dir }));
  assert.deepEqual(await r.ended, exitedWith(0));
  assert.equal(r.stdout(), `${dir}\n`);
});

test("a missing directory: supervisord's message on stderr and exit status 127", async (t) => {
  const dir = join(tempDir(t), "missing");
  const r = run(t, request("/bin/pwd", ["pwd"], { cwd: dir }));
  assert.deepEqual(await r.ended, exitedWith(127));
  assert.equal(r.stdout(), "");
  assert.equal(r.stderr(), `supervisor: couldn't chdir to ${dir}: ENOENT\n${NOT_SPAWNED}`);
});

test("a directory that is a file fails with ENOTDIR, in the stdout log when stderr is redirected", async (t) => {
  const file = join(tempDir(t), "file");
  writeFileSync(file, "");
  const r = run(t, request("/bin/pwd", ["pwd"], { cwd: file, redirectStderr: true }));
  assert.deepEqual(await r.ended, exitedWith(127));
  assert.equal(r.stdout(), `supervisor: couldn't chdir to ${file}: ENOTDIR\n${NOT_SPAWNED}`);
});

test("a script whose interpreter is missing fails exec with ENOENT, naming argv[0]", async (t) => {
  const script = join(tempDir(t), "bad-interpreter");
  writeFileSync(script, "#!/nonexistent/interpreter\n", { mode: 0o755 });
  const r = run(t, request(script, ["bad-interpreter", "arg"]));
  assert.deepEqual(await r.ended, exitedWith(127));
  assert.equal(r.stderr(), `supervisor: couldn't exec bad-interpreter: ENOENT\n${NOT_SPAWNED}`);
});

test("an executable text file without #! fails exec with ENOEXEC (no fallback to sh)", async (t) => {
  const script = join(tempDir(t), "badfmt");
  writeFileSync(script, "echo hello\n", { mode: 0o755 });
  const r = run(t, request(script, [script]));
  assert.deepEqual(await r.ended, exitedWith(127));
  assert.equal(r.stderr(), `supervisor: couldn't exec ${script}: ENOEXEC\n${NOT_SPAWNED}`);
});

test("the program has only fds 0, 1 and 2 open", async (t) => {
  const r = run(t, request("/bin/sh", ["sh", "-c", "ls /proc/$$/fd"]));
  assert.deepEqual(await r.ended, exitedWith(0));
  assert.equal(r.stdout(), "0\n1\n2\n");
});

test("fds the daemon inherited without close-on-exec do not reach the program", async (t) => {
  const file = join(tempDir(t), "inherited");
  writeFileSync(file, "");
  const fd = openSync(file, "r");
  t.after(() => closeSync(fd));
  // A daemon started with an extra fd open (fd 3, as a shell's `3<file` leaves it) starts a program.
  const script = `
    const { spawnChild } = require(${JSON.stringify(dist("src/process/spawn.js"))});
    const child = spawnChild({ path: "/bin/sh", argv: ["sh", "-c", "ls /proc/$$/fd"], env: ${JSON.stringify(ENV)},
      cwd: null, umask: null, uid: null, redirectStderr: false });
    child.stdout.onData((chunk) => process.stdout.write(chunk));
    child.onExit(() => undefined);
  `;
  const daemon = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "pipe", fd] });
  const pid = daemon.pid;
  assert.ok(pid !== undefined);
  t.after(() => killIfAlive(pid));
  let out = "";
  daemon.stdout?.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  const code = await new Promise((resolve) => daemon.on("close", resolve));
  assert.equal(code, 0);
  assert.equal(out, "0\n1\n2\n");
});

test("a given fd (an fcgi socket) becomes the program's stdin", async (t) => {
  const file = join(tempDir(t), "stdin");
  writeFileSync(file, "from the socket\n");
  const fd = openSync(file, "r");
  t.after(() => closeSync(fd));
  const r = run(t, request("/bin/cat", ["cat"], { stdinFd: fd }));
  assert.equal(r.child.stdin, null);
  assert.deepEqual(await r.ended, exitedWith(0));
  assert.equal(r.stdout(), "from the socket\n");
});

test("a pipe stdin carries what the daemon writes", async (t) => {
  const r = run(t, request("/bin/cat", ["cat"]));
  assert.ok(r.child.stdin !== null);
  r.child.stdin.writable().end("to the child\n");
  assert.deepEqual(await r.ended, exitedWith(0));
  assert.equal(r.stdout(), "to the child\n");
});

test("SIGPIPE and SIGXFSZ are ignored in the child, as under Python's supervisord", async (t) => {
  const r = run(t, request("/bin/grep", ["grep", "-E", "^Sig(Ign|Blk):", "/proc/self/status"]));
  assert.deepEqual(await r.ended, exitedWith(0));
  assert.equal(r.stdout(), "SigBlk:\t0000000000000000\nSigIgn:\t0000000001001000\n");
});

test("user= switches uid and gid and sets the user's groups", async (t) => {
  const user = nobody();
  const r = run(t, request("/bin/cat", ["cat", "/proc/self/status"], { uid: user.uid }));
  assert.deepEqual(await r.ended, exitedWith(0));
  const got = credentials(r.stdout());
  const primary = user.groups[0];
  assert.equal(got.uid, [user.uid, user.uid, user.uid, user.uid].join("\t"));
  assert.equal(got.gid, [primary, primary, primary, primary].join("\t"));
  assert.deepEqual([...new Set(got.groups)].sort((a, b) => a - b), [...user.groups].sort((a, b) => a - b));
});

function canUnshareMounts(): boolean {
  try {
    execFileSync("unshare", ["-m", "true"], { stdio: "ignore" });
    return true;
  } catch {
    // A container without CAP_SYS_ADMIN: the test below is skipped, the one above still runs.
    return false;
  }
}

const UNSHARE_SKIP = canUnshareMounts() ? false : "needs a private mount namespace (unshare -m)";

test("user= gives every group whose member list names the user, primary group first", { skip: UNSHARE_SKIP }, async (t) => {
  const user = nobody();
  const primaryName = execFileSync("id", ["-gn", "nobody"], { encoding: "utf8" }).trim();
  const dir = tempDir(t);
  const groupFile = join(dir, "group");
  // A private mount namespace shows the daemon (which looks the user up for the helper) a group
  // database with memberships nobody lacks on this machine; the primary group also lists the
  // user, so it is given twice, as supervisord gives it.
  const lines = readFileSync("/etc/group", "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => (l.startsWith(`${primaryName}:`) ? `${l}${l.endsWith(":") ? "" : ","}nobody` : l));
  lines.push("sts-first:x:4242:daemon,nobody", "sts-other:x:4343:daemon", "sts-second:x:4344:nobody,nobody");
  writeFileSync(groupFile, `${lines.join("\n")}\n`);
  const probe = join(dir, "probe.js");
  writeFileSync(
    probe,
    `const { spawnChild } = require(${JSON.stringify(join(__dirname, "../../src/process/spawn.js"))});
const child = spawnChild({ path: "/bin/cat", argv: ["cat", "/proc/self/status"], env: {}, cwd: null, umask: null, uid: ${user.uid}, redirectStderr: false });
child.stdout.onData((chunk) => process.stdout.write(chunk));
child.stderr.onData((chunk) => process.stderr.write(chunk));
child.onExit((status) => { process.exitCode = status.code ?? 1; });\n`,
  );
  const script = `mount --bind ${groupFile} /etc/group && exec ${process.execPath} ${probe}`;
  const r = run(t, request("/usr/bin/unshare", ["unshare", "-m", "/bin/sh", "-c", script]));
  assert.deepEqual(await r.ended, exitedWith(0), r.stderr());
  const primary = user.groups[0] ?? -1;
  // The kernel lists the groups sorted; duplicates stay.
  assert.deepEqual(credentials(r.stdout()).groups, [primary, primary, 4242, 4344].sort((a, b) => a - b));
});

test("user= naming the daemon's own uid changes nothing", async (t) => {
  const r = run(t, request("/bin/cat", ["cat", "/proc/self/status"], { uid: process.getuid?.() ?? 0 }));
  assert.deepEqual(await r.ended, exitedWith(0));
  const ours = credentials(readFileSync("/proc/self/status", "utf8"));
  assert.deepEqual(credentials(r.stdout()), ours);
});

test("user= with a uid no passwd entry has: supervisord's message and exit status 127", async (t) => {
  const r = run(t, request("/bin/true", ["true"], { uid: 4000000 }));
  assert.deepEqual(await r.ended, exitedWith(127));
  assert.equal(r.stderr(), `supervisor: couldn't setuid to 4000000: Can't find uid 4000000\n${NOT_SPAWNED}`);
});

/** True when any user can reach and read `path`: every directory above it searchable by others. */
function worldReadable(path: string): boolean {
  for (let at = path; at !== dirname(at); at = dirname(at)) {
    const mode = statSync(at).mode;
    if ((mode & (at === path ? 0o004 : 0o001)) === 0) return false;
  }
  return true;
}

const NOBODY_CANNOT_READ = worldReadable(dist("src/process/spawn.js")) ? false : "user nobody cannot read this checkout's dist/";

test("user= from a daemon that is not root: Can't drop privilege as nonroot user", { skip: NOBODY_CANNOT_READ }, async (t) => {
  // A daemon running as nobody is asked to start a program as root.
  const script = `
    const { spawnChild } = require(${JSON.stringify(dist("src/process/spawn.js"))});
    const child = spawnChild({ path: "/bin/true", argv: ["true"], env: ${JSON.stringify(ENV)},
      cwd: null, umask: null, uid: 0, redirectStderr: false });
    let text = "";
    child.stderr.onData((chunk) => (text += chunk));
    const ended = new Promise((resolve) => child.stderr.onEnd(resolve));
    child.onExit((status) => ended.then(() => process.stdout.write(text + "exit " + status.code + "\\n")));
  `;
  const { uid, groups } = nobody();
  const gid = groups[0];
  const daemon = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"], uid, gid, cwd: "/" });
  const pid = daemon.pid;
  assert.ok(pid !== undefined);
  t.after(() => killIfAlive(pid));
  let out = "";
  daemon.stdout?.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  assert.equal(await new Promise((resolve) => daemon.on("close", resolve)), 0);
  assert.equal(out, `supervisor: couldn't setuid to 0: Can't drop privilege as nonroot user\n${NOT_SPAWNED}exit 127\n`);
});

test("the program's stdin, stdout and stderr are pipes (FIFOs), not sockets", async (t) => {
  const r = run(t, request("/usr/bin/stat", ["stat", "-L", "-c", "%F", "/proc/self/fd/0", "/proc/self/fd/1", "/proc/self/fd/2"]));
  assert.deepEqual(await r.ended, exitedWith(0));
  assert.equal(r.stdout(), "fifo\nfifo\nfifo\n");
  assert.equal(r.stderr(), "");
});

test("with redirect_stderr, fd 2 is the very pipe of fd 1", async (t) => {
  const r = run(t, request("/bin/sh", ["sh", "-c", "stat -L -c %F /proc/self/fd/2; readlink /proc/self/fd/1 /proc/self/fd/2"], { redirectStderr: true }));
  assert.deepEqual(await r.ended, exitedWith(0));
  const [type, one, two, rest] = r.stdout().split("\n");
  assert.equal(type, "fifo");
  assert.match(one ?? "", /^pipe:\[\d+\]$/);
  assert.equal(two, one);
  assert.equal(rest, "");
});

test("a program that opens /dev/stdout, /dev/stderr and /dev/stdin by name works (nginx's access_log /dev/stdout)", async (t) => {
  const script = "cat /dev/stdin > /dev/stdout; echo to-stderr > /dev/stderr; echo to-stdout >> /dev/stdout";
  const r = run(t, request("/bin/sh", ["sh", "-c", script]));
  assert.ok(r.child.stdin !== null);
  r.child.stdin.writable().end("from-stdin\n");
  assert.deepEqual(await r.ended, exitedWith(0));
  assert.equal(r.stdout(), "from-stdin\nto-stdout\n");
  assert.equal(r.stderr(), "to-stderr\n");
});

test("the daemon keeps no copy of the child's ends of the pipes, and every fd is closed once the child is done", async (t) => {
  const before = openFds();
  const child = start(t, request("/bin/cat", ["cat"]));
  const out = collect(child.stdout);
  const ended = Promise.all([exitOf(child), endOf(child.stdout), endOf(child.stderr)]);
  const ends = [0, 1, 2].map((fd) => fdTarget(child.pid, fd));
  for (const end of ends) assert.match(end, /^pipe:\[\d+\]$/);
  assert.equal(new Set(ends).size, 3);
  const ours = openFds()
    .filter((fd) => !before.includes(fd))
    .map((fd) => fdTarget("self", fd));
  // Each pipe is open here once: the parent's end. A second copy would be the child's end.
  assert.deepEqual(ours.filter((target) => target.startsWith("pipe:")).sort(), [...ends].sort());
  // And the pidfd that reports the child's exit.
  const others = ours.filter((target) => !target.startsWith("pipe:"));
  assert.equal(others.length, 1, others.join(", "));
  assert.match(others[0] ?? "", /pidfd/);

  assert.ok(child.stdin !== null);
  const stdin = child.stdin;
  await new Promise<void>((resolve) => stdin.writable().end("written, then closed\n", resolve));
  stdin.close();
  assert.deepEqual(await ended, [exitedWith(0), undefined, undefined]);
  assert.equal(out.text(), "written, then closed\n");
  assert.deepEqual(openFds(), before);
});

test("the stdout and stderr pipes hold PIPE_CAPACITY (1 MiB): a fast writer gets that far ahead of the daemon", async (t) => {
  assert.equal(PIPE_CAPACITY, 1048576);
  // Nobody reads stdout until the program says on stderr that its 1 MiB is written: with the
  // kernel's default 64 KiB the write would block and "written" never come.
  const child = start(t, request("/bin/sh", ["sh", "-c", "head -c 1048576 /dev/zero; echo written >&2"]));
  child.stdout.pause();
  const err = collect(child.stderr);
  await waitFor(() => err.text() === "written\n", { what: "the program to finish writing", timeoutMs: 5000 });
  const out = collect(child.stdout);
  assert.equal(out.chunks.length, 0);
  child.stdout.resume();
  await endOf(child.stdout);
  assert.equal(Buffer.concat(out.chunks).length, 1048576);
});

/**
 * A soft RLIMIT_NOFILE under which exactly `free` fd numbers are still unused: fds are handed
 * out lowest first and must be below the limit, while those already open stay open.
 */
function limitLeaving(free: number): number {
  const open = new Set(openFds());
  let unused = 0;
  for (let fd = 0; ; fd++) {
    if (open.has(fd)) continue;
    if (unused === free) return fd;
    unused += 1;
  }
}

test("no fds left for the pipes: spawnChild throws ForkError EMFILE, whichever fd runs out, and leaks none", async (t) => {
  const before = getRlimit("nofile");
  t.after(() => setRlimit("nofile", before.soft, before.hard));
  // One of the six pipe fds cannot be made. posix_spawn needs no fd of its own, and the pidfd
  // that watches the exit is made once our copies of the child's ends are closed.
  for (let free = 0; free < 6; free++) {
    const fds = openFds();
    let thrown: unknown;
    assert.equal(setRlimit("nofile", limitLeaving(free), before.hard), true);
    try {
      spawnChild(request("/bin/true", ["true"]));
    } catch (err) {
      thrown = err;
    } finally {
      // Nothing may need a new fd while the limit is down: no await in between.
      assert.equal(setRlimit("nofile", before.soft, before.hard), true);
    }
    assert.ok(thrown instanceof ForkError, `with ${free} fds free: ${String(thrown)}`);
    assert.equal(thrown.code, "EMFILE");
    assert.equal(thrown.stage, "pipes");
    assert.deepEqual(openFds(), fds, `with ${free} fds free`);
  }
  // Exactly enough for the six pipe fds: the program starts.
  assert.equal(setRlimit("nofile", limitLeaving(6), before.hard), true);
  let r: Run;
  try {
    r = run(t, request("/bin/echo", ["echo", "started"]));
  } finally {
    assert.equal(setRlimit("nofile", before.soft, before.hard), true);
  }
  assert.deepEqual(await r.ended, exitedWith(0));
  assert.equal(r.stdout(), "started\n");
});

test("the exit outcome of a program that exits: its code, no signal", async (t) => {
  const r = run(t, request("/bin/sh", ["sh", "-c", "exit 7"]));
  assert.deepEqual(await r.ended, exitedWith(7));
  assert.deepEqual(describeExit(exitedWith(7)), { es: 7, text: "exit status 7" });
});

test("the exit outcome of a program killed from outside with SIGKILL: signal 9, no code, no core", async (t) => {
  const r = run(t, request("/bin/sleep", ["sleep", "100"]));
  process.kill(r.child.pid, "SIGKILL");
  assert.deepEqual(await r.ended, killedBy(9));
  assert.deepEqual(describeExit(killedBy(9)), { es: -1, text: "terminated by SIGKILL" });
});

/**
 * Whether the kernel reports a core dump (WCOREDUMP) for `script` run by /bin/sh in `cwd`, as
 * a plain fork + waitpid sees it: whether a core is written depends on core_pattern and the
 * limits, not on us.
 */
function referenceCoreDumped(script: string, cwd: string): boolean {
  const reference = [
    "import os",
    "pid = os.fork()",
    "if pid == 0:",
    `    os.execv("/bin/sh", ["sh", "-c", ${JSON.stringify(script)}])`,
    "_, status = os.waitpid(pid, 0)",
    "print(os.WTERMSIG(status), os.WCOREDUMP(status))",
  ].join("\n");
  const [signal, dumped] = execFileSync("python3", ["-c", reference], { cwd, encoding: "utf8" }).trim().split(" ");
  assert.equal(signal, "11");
  return dumped === "True";
}

for (const [limit, dumps] of [["unlimited", true], ["0", false]] as const) {
  test(`a program that dies of SIGSEGV with ulimit -c ${limit}: coreDumped exactly when the wait status says so`, async (t) => {
    const script = `ulimit -c ${limit}; kill -SEGV $$`;
    const ours = tempDir(t);
    const theirs = tempDir(t);
    const r = run(t, request("/bin/sh", ["sh", "-c", script], { cwd: ours }));
    const status = await r.ended;
    const dumped = referenceCoreDumped(script, theirs);
    assert.deepEqual(status, killedBy(11, dumped));
    assert.deepEqual(describeExit(status), { es: -1, text: `terminated by SIGSEGV${dumped ? " (core dumped)" : ""}` });
    // Where cores are files named relative to the crashing process's directory (this machine's
    // "core"), the outcome is certain: one core file with the limit raised, none without.
    const pattern = readFileSync("/proc/sys/kernel/core_pattern", "utf8").trim();
    if (!pattern.startsWith("|") && !pattern.includes("/")) {
      assert.equal(dumped, dumps);
      assert.equal(readdirSync(ours).length, dumps ? 1 : 0);
    }
  });
}

test("real-time signals: the number as the kernel reports it, and supervisord's name for it", async (t) => {
  const texts: ReadonlyArray<readonly [number, string]> = [
    [34, "terminated by SIGRTMIN"],
    [35, "terminated by signal 35"],
    [64, "terminated by SIGRTMAX"],
  ];
  for (const [signal, text] of texts) {
    const r = run(t, request("/bin/sh", ["sh", "-c", `kill -${signal} $$`]));
    const status = await r.ended;
    assert.deepEqual(status, killedBy(signal), String(signal));
    assert.deepEqual(describeExit(status), { es: -1, text }, String(signal));
  }
  // Sent from outside too.
  const r = run(t, request("/bin/sleep", ["sleep", "100"]));
  process.kill(r.child.pid, 50);
  assert.deepEqual(await r.ended, killedBy(50));
});

test("the child is reaped by the time onExit is called: no zombie left in /proc", async (t) => {
  const r = run(t, request("/bin/true", ["true"]));
  const child = r.child;
  let seen: boolean | undefined;
  child.onExit(() => (seen = existsSync(`/proc/${child.pid}`)));
  assert.deepEqual(await r.ended, exitedWith(0));
  assert.equal(seen, false);
  // onExit after the exit is called at once, with the same outcome.
  let late: ExitStatus | undefined;
  child.onExit((status) => (late = status));
  assert.deepEqual(late, exitedWith(0));
});

test("a child that exits before anything reads its pipes still has all of its output delivered", async (t) => {
  const child = start(t, request("/bin/sh", ["sh", "-c", "seq 1 10000; echo err >&2; exit 3"]));
  child.stdout.pause();
  child.stderr?.pause();
  assert.deepEqual(await exitOf(child), exitedWith(3));
  assert.equal(existsSync(`/proc/${child.pid}`), false);
  const out = collect(child.stdout);
  const err = collect(child.stderr);
  assert.equal(out.chunks.length + err.chunks.length, 0);
  child.stdout.resume();
  child.stderr?.resume();
  await Promise.all([endOf(child.stdout), endOf(child.stderr)]);
  assert.equal(out.text(), `${Array.from({ length: 10000 }, (_, i) => i + 1).join("\n")}\n`);
  assert.equal(err.text(), "err\n");
});

test("large output arrives complete and in order, read in chunks as big as the pipe holds (more than 64 KiB)", async (t) => {
  const file = join(tempDir(t), "numbers");
  const expected = Buffer.from(`${Array.from({ length: 400000 }, (_, i) => i + 1).join("\n")}\n`);
  assert.ok(expected.length > 2 * PIPE_CAPACITY);
  writeFileSync(file, expected);
  // The first MiB fills the pipe while nothing reads; the rest follows as fast as it is read.
  const script = `head -c ${PIPE_CAPACITY} ${file}; echo written >&2; tail -c +${PIPE_CAPACITY + 1} ${file}`;
  const child = start(t, request("/bin/sh", ["sh", "-c", script]));
  child.stdout.pause();
  const out = collect(child.stdout);
  const err = collect(child.stderr);
  await waitFor(() => err.text() === "written\n", { what: "the first MiB to be written", timeoutMs: 5000 });
  assert.equal(out.chunks.length, 0, "nothing is delivered while paused");
  child.stdout.resume();
  assert.deepEqual(await Promise.all([exitOf(child), endOf(child.stdout), endOf(child.stderr)]), [exitedWith(0), undefined, undefined]);
  assert.equal(out.chunks[0]?.length, PIPE_CAPACITY, "one read takes the whole full pipe");
  for (const chunk of out.chunks) assert.ok(chunk.length > 0 && chunk.length <= PIPE_CAPACITY, String(chunk.length));
  assert.ok(Buffer.concat(out.chunks).equals(expected), "the bytes, complete and in order");
});

test("pause() holds back what is in the pipe, even past the child's exit, until resume()", async (t) => {
  const child = start(t, request("/bin/sh", ["sh", "-c", "echo held; echo sent >&2"]));
  child.stdout.pause();
  const out = collect(child.stdout);
  const err = collect(child.stderr);
  // stderr was written after stdout, and its end read after that: stdout's data was waiting.
  await Promise.all([exitOf(child), endOf(child.stderr)]);
  assert.equal(err.text(), "sent\n");
  assert.equal(out.chunks.length, 0);
  assert.equal(child.stdout.ended, false);
  child.stdout.resume();
  await endOf(child.stdout);
  assert.equal(out.text(), "held\n");
  assert.equal(child.stdout.ended, true);
});

test("close() releases the pipe at once: the fd is closed, onEnd is called, and the program's writes fail", async (t) => {
  const child = start(t, request("/bin/sh", ["sh", "-c", 'read line; echo "$line"; echo "echo: $?" >&2']));
  const err = collect(child.stderr);
  const pipe = fdTarget("self", child.stdout.fd);
  assert.match(pipe, /^pipe:\[\d+\]$/);
  const ends: Array<string | undefined> = [];
  child.stdout.onEnd((error) => ends.push(error));
  child.stdout.close();
  assert.deepEqual(ends, [undefined]);
  assert.equal(child.stdout.ended, true);
  assert.equal(
    openFds().some((fd) => fdTarget("self", fd) === pipe),
    false,
  );
  // No reader left: the program's write fails with EPIPE (SIGPIPE is ignored in it).
  assert.ok(child.stdin !== null);
  child.stdin.writable().end("to nobody\n");
  await Promise.all([exitOf(child), endOf(child.stderr)]);
  assert.equal(err.text(), "sh: 1: echo: echo: I/O error\necho: 1\n");
  child.stdout.close(); // a second close does nothing
  assert.deepEqual(ends, [undefined]);
});

test("onData set late gets the chunks that came before it; onEnd after the end is called at once", async (t) => {
  const child = start(t, request("/bin/sh", ["sh", "-c", "echo early; echo more"]));
  await Promise.all([exitOf(child), endOf(child.stdout), endOf(child.stderr)]);
  assert.equal(child.stdout.ended, true);
  const chunks: Buffer[] = [];
  child.stdout.onData((chunk) => chunks.push(chunk));
  assert.equal(Buffer.concat(chunks).toString("utf8"), "early\nmore\n");
  const ends: Array<string | undefined> = [];
  child.stdout.onEnd((error) => ends.push(error));
  assert.deepEqual(ends, [undefined]);
});
