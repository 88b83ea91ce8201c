import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  closeSync,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { test, type TestContext } from "node:test";
import { getRlimit, setRlimit } from "../../src/posix/native";
import { EXEC_HELPER, ForkError, PIPE_CAPACITY, spawnChild, type SpawnedChild, type SpawnRequest } from "../../src/process/spawn";
import { tempDir } from "../helpers/temp-dir";
import { waitFor } from "../helpers/wait-for";

const ENV = { PATH: "/usr/bin:/bin" };
const NOT_SPAWNED = "supervisor: child process was not spawned\n";

interface Run {
  child: SpawnedChild;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once the child has exited and both pipes are drained and closed. */
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function closed(stream: Readable | Writable | null): Promise<void> {
  if (stream === null || stream.closed) return Promise.resolve();
  return new Promise((resolve) => stream.once("close", () => resolve()));
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

function run(t: TestContext, req: SpawnRequest): Run {
  const child = spawnChild(req);
  t.after(() => {
    killIfAlive(child.pid);
    child.stdin?.destroy();
  });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.process.once("exit", (code, signal) => resolve({ code, signal }));
  });
  const ended = Promise.all([exited, closed(child.stdout), closed(child.stderr)]).then(([exit]) => exit);
  return { child, stdout: () => out, stderr: () => err, ended };
}

/** This process's open fds (without the one the listing itself used). */
function openFds(): number[] {
  return readdirSync("/proc/self/fd")
    .map(Number)
    .filter((fd) => {
      try {
        fstatSync(fd);
        return true;
      } catch {
        // EBADF: the directory listing's own fd, closed by now.
        return false;
      }
    })
    .sort((a, b) => a - b);
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

test("the pid Node reports is the program's own pid, and argv[0] is the one written in the config", async (t) => {
  const r = run(t, request("/bin/sh", ["my-shell", "-c", "echo $$ $0"]));
  assert.deepEqual(await r.ended, { code: 0, signal: null });
  assert.equal(r.stdout(), `${r.child.pid} my-shell\n`);
});

test("the child leads its own process group in the daemon's session", async (t) => {
  const r = run(t, request("/bin/cat", ["cat", "/proc/self/stat"]));
  assert.deepEqual(await r.ended, { code: 0, signal: null });
  const child = statFields(r.stdout());
  const ours = statFields(readFileSync("/proc/self/stat", "utf8"));
  assert.deepEqual(child, { pid: r.child.pid, ppid: process.pid, pgrp: r.child.pid, session: ours.session });
});

test("stdout and stderr arrive on separate pipes", async (t) => {
  const r = run(t, request("/bin/sh", ["sh", "-c", "echo out; echo err >&2; echo out2"]));
  assert.deepEqual(await r.ended, { code: 0, signal: null });
  assert.equal(r.stdout(), "out\nout2\n");
  assert.equal(r.stderr(), "err\n");
});

test("redirect_stderr sends stderr down the stdout pipe, in order", async (t) => {
  const r = run(t, request("/bin/sh", ["sh", "-c", "echo out; echo err >&2; echo out2"], { redirectStderr: true }));
  assert.equal(r.child.stderr, null);
  assert.deepEqual(await r.ended, { code: 0, signal: null });
  assert.equal(r.stdout(), "out\nerr\nout2\n");
});

test("the program gets exactly the environment it was given", async (t) => {
  const env = { PATH: "/usr/bin:/bin", FOO: "bar baz", SUPERVISOR_ENABLED: "1", EMPTY: "" };
  const r = run(t, request("/usr/bin/env", ["env"], { env }));
  assert.deepEqual(await r.ended, { code: 0, signal: null });
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
  assert.deepEqual(await set.ended, { code: 0, signal: null });
  assert.deepEqual(await inherited.ended, { code: 0, signal: null });
  assert.equal(set.stdout(), "0027\n");
  assert.equal(inherited.stdout(), `${process.umask().toString(8).padStart(4, "0")}\n`);
});

test("directory is applied before exec", async (t) => {
  const dir = tempDir(t);
  const r = run(t, request("/bin/pwd", ["pwd"], { cwd: dir }));
  assert.deepEqual(await r.ended, { code: 0, signal: null });
  assert.equal(r.stdout(), `${dir}\n`);
});

test("a missing directory: supervisord's message on stderr and exit status 127", async (t) => {
  const dir = join(tempDir(t), "missing");
  const r = run(t, request("/bin/pwd", ["pwd"], { cwd: dir }));
  assert.deepEqual(await r.ended, { code: 127, signal: null });
  assert.equal(r.stdout(), "");
  assert.equal(r.stderr(), `supervisor: couldn't chdir to ${dir}: ENOENT\n${NOT_SPAWNED}`);
});

test("a directory that is a file fails with ENOTDIR, in the stdout log when stderr is redirected", async (t) => {
  const file = join(tempDir(t), "file");
  writeFileSync(file, "");
  const r = run(t, request("/bin/pwd", ["pwd"], { cwd: file, redirectStderr: true }));
  assert.deepEqual(await r.ended, { code: 127, signal: null });
  assert.equal(r.stdout(), `supervisor: couldn't chdir to ${file}: ENOTDIR\n${NOT_SPAWNED}`);
});

test("a script whose interpreter is missing fails exec with ENOENT, naming argv[0]", async (t) => {
  const script = join(tempDir(t), "bad-interpreter");
  writeFileSync(script, "#!/nonexistent/interpreter\n", { mode: 0o755 });
  const r = run(t, request(script, ["bad-interpreter", "arg"]));
  assert.deepEqual(await r.ended, { code: 127, signal: null });
  assert.equal(r.stderr(), `supervisor: couldn't exec bad-interpreter: ENOENT\n${NOT_SPAWNED}`);
});

test("an executable text file without #! fails exec with ENOEXEC (no fallback to sh)", async (t) => {
  const script = join(tempDir(t), "badfmt");
  writeFileSync(script, "echo hello\n", { mode: 0o755 });
  const r = run(t, request(script, [script]));
  assert.deepEqual(await r.ended, { code: 127, signal: null });
  assert.equal(r.stderr(), `supervisor: couldn't exec ${script}: ENOEXEC\n${NOT_SPAWNED}`);
});

test("the program has only fds 0, 1 and 2 open", async (t) => {
  const r = run(t, request("/bin/sh", ["sh", "-c", "ls /proc/$$/fd"]));
  assert.deepEqual(await r.ended, { code: 0, signal: null });
  assert.equal(r.stdout(), "0\n1\n2\n");
});

test("the helper closes fds it inherited above 2", async (t) => {
  const file = join(tempDir(t), "inherited");
  writeFileSync(file, "");
  const fd = openSync(file, "r");
  t.after(() => closeSync(fd));
  // Extra stdio entries reach the helper as fds 3 and 4 without close-on-exec.
  const child = spawn(EXEC_HELPER, ["--", "/bin/sh", "sh", "-c", "ls /proc/$$/fd"], {
    env: ENV,
    stdio: ["ignore", "pipe", "pipe", fd, "pipe"],
  });
  const pid = child.pid;
  assert.ok(pid !== undefined);
  t.after(() => killIfAlive(pid));
  let out = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  const code = await new Promise((resolve) => child.on("close", resolve));
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
  assert.deepEqual(await r.ended, { code: 0, signal: null });
  assert.equal(r.stdout(), "from the socket\n");
});

test("a pipe stdin carries what the daemon writes", async (t) => {
  const r = run(t, request("/bin/cat", ["cat"]));
  assert.ok(r.child.stdin !== null);
  r.child.stdin.end("to the child\n");
  assert.deepEqual(await r.ended, { code: 0, signal: null });
  assert.equal(r.stdout(), "to the child\n");
});

test("SIGPIPE and SIGXFSZ are ignored in the child, as under Python's supervisord", async (t) => {
  const r = run(t, request("/bin/grep", ["grep", "-E", "^Sig(Ign|Blk):", "/proc/self/status"]));
  assert.deepEqual(await r.ended, { code: 0, signal: null });
  assert.equal(r.stdout(), "SigBlk:\t0000000000000000\nSigIgn:\t0000000001001000\n");
});

test("user= switches uid and gid and sets the user's groups", async (t) => {
  const user = nobody();
  const r = run(t, request("/bin/cat", ["cat", "/proc/self/status"], { uid: user.uid }));
  assert.deepEqual(await r.ended, { code: 0, signal: null });
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
  // A private mount namespace shows the helper a group database with memberships nobody lacks
  // on this machine; the primary group also lists the user, so it is given twice.
  const lines = readFileSync("/etc/group", "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => (l.startsWith(`${primaryName}:`) ? `${l}${l.endsWith(":") ? "" : ","}nobody` : l));
  lines.push("sts-first:x:4242:daemon,nobody", "sts-other:x:4343:daemon", "sts-second:x:4344:nobody,nobody");
  writeFileSync(groupFile, `${lines.join("\n")}\n`);
  const script = `mount --bind ${groupFile} /etc/group && exec ${EXEC_HELPER} --uid ${user.uid} -- /bin/cat cat /proc/self/status`;
  const r = run(t, request("/usr/bin/unshare", ["unshare", "-m", "/bin/sh", "-c", script]));
  assert.deepEqual(await r.ended, { code: 0, signal: null }, r.stderr());
  const primary = user.groups[0] ?? -1;
  // The kernel lists the groups sorted; duplicates stay.
  assert.deepEqual(credentials(r.stdout()).groups, [primary, primary, 4242, 4344].sort((a, b) => a - b));
});

test("user= naming the daemon's own uid changes nothing", async (t) => {
  const r = run(t, request("/bin/cat", ["cat", "/proc/self/status"], { uid: process.getuid?.() ?? 0 }));
  assert.deepEqual(await r.ended, { code: 0, signal: null });
  const ours = credentials(readFileSync("/proc/self/status", "utf8"));
  assert.deepEqual(credentials(r.stdout()), ours);
});

test("user= with a uid no passwd entry has: supervisord's message and exit status 127", async (t) => {
  const r = run(t, request("/bin/true", ["true"], { uid: 4000000 }));
  assert.deepEqual(await r.ended, { code: 127, signal: null });
  assert.equal(r.stderr(), `supervisor: couldn't setuid to 4000000: Can't find uid 4000000\n${NOT_SPAWNED}`);
});

test("user= from a daemon that is not root: Can't drop privilege as nonroot user", async (t) => {
  // The helper drops to nobody, then runs a second helper that asks for root. nobody must be
  // able to reach that copy, so it lives in a world-readable directory.
  const dir = tempDir(t);
  chmodSync(dir, 0o755);
  const helper = join(dir, "exec-helper");
  copyFileSync(EXEC_HELPER, helper);
  chmodSync(helper, 0o755);
  const r = run(t, request(helper, ["exec-helper", "--uid", "0", "--", "/bin/true", "true"], { uid: nobody().uid }));
  assert.deepEqual(await r.ended, { code: 127, signal: null });
  assert.equal(r.stderr(), `supervisor: couldn't setuid to 0: Can't drop privilege as nonroot user\n${NOT_SPAWNED}`);
});

test("the program's stdin, stdout and stderr are pipes (FIFOs), not sockets", async (t) => {
  const r = run(t, request("/usr/bin/stat", ["stat", "-L", "-c", "%F", "/proc/self/fd/0", "/proc/self/fd/1", "/proc/self/fd/2"]));
  assert.deepEqual(await r.ended, { code: 0, signal: null });
  assert.equal(r.stdout(), "fifo\nfifo\nfifo\n");
  assert.equal(r.stderr(), "");
});

test("with redirect_stderr, fd 2 is the very pipe of fd 1", async (t) => {
  const r = run(t, request("/bin/sh", ["sh", "-c", "stat -L -c %F /proc/self/fd/2; readlink /proc/self/fd/1 /proc/self/fd/2"], { redirectStderr: true }));
  assert.deepEqual(await r.ended, { code: 0, signal: null });
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
  r.child.stdin.end("from-stdin\n");
  assert.deepEqual(await r.ended, { code: 0, signal: null });
  assert.equal(r.stdout(), "from-stdin\nto-stdout\n");
  assert.equal(r.stderr(), "to-stderr\n");
});

test("the daemon keeps no copy of the child's ends of the pipes, and every fd is closed once the child is done", async (t) => {
  const before = openFds();
  const child = spawnChild(request("/bin/cat", ["cat"]));
  t.after(() => killIfAlive(child.pid));
  child.stdout.resume();
  child.stderr?.resume();
  const ends = [0, 1, 2].map((fd) => fdTarget(child.pid, fd));
  for (const end of ends) assert.match(end, /^pipe:\[\d+\]$/);
  assert.equal(new Set(ends).size, 3);
  // Each pipe is open here once: the parent's end. A second copy would be the child's end.
  const ours = openFds()
    .filter((fd) => !before.includes(fd))
    .map((fd) => fdTarget("self", fd))
    .sort();
  assert.deepEqual(ours, [...ends].sort());

  const exited = new Promise((resolve) => child.process.once("exit", resolve));
  assert.ok(child.stdin !== null);
  child.stdin.end();
  await Promise.all([exited, closed(child.stdin), closed(child.stdout), closed(child.stderr)]);
  assert.deepEqual(openFds(), before);
});

test("the stdout and stderr pipes hold PIPE_CAPACITY (1 MiB): a fast writer gets that far ahead of the daemon", async (t) => {
  assert.equal(PIPE_CAPACITY, 1048576);
  // Nobody reads stdout until the program says on stderr that its 1 MiB is written: with the
  // kernel's default 64 KiB the write would block and "written" never come.
  const child = spawnChild(request("/bin/sh", ["sh", "-c", "head -c 1048576 /dev/zero; echo written >&2"]));
  t.after(() => {
    killIfAlive(child.pid);
    child.stdin?.destroy();
    child.stdout.destroy();
    child.stderr?.destroy();
  });
  let err = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  await waitFor(() => err === "written\n", { what: "the program to finish writing", timeoutMs: 5000 });
  let bytes = 0;
  child.stdout.on("data", (chunk: Buffer) => (bytes += chunk.length));
  await closed(child.stdout);
  assert.equal(bytes, 1048576);
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
  // 0-5: one of the six pipe fds cannot be made; 6-7: the pipe libuv makes for the fork.
  for (let free = 0; free < 8; free++) {
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
  // Enough for the pipes and libuv's: the program starts.
  const r = run(t, request("/bin/echo", ["echo", "started"]));
  assert.deepEqual(await r.ended, { code: 0, signal: null });
  assert.equal(r.stdout(), "started\n");
});
