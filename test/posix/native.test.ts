import assert from "node:assert/strict";
import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync, readlinkSync, readSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { getRlimit, makePipe, PipeReader, setPipeSize, setRlimit, spawnProcess, watchExit, type ExitStatus } from "../../src/posix/native";
import { openFds } from "../helpers/processes";
import { tempDir } from "../helpers/temp-dir";
import { waitFor } from "../helpers/wait-for";

const O_CLOEXEC = 0o2000000;

/** The open(2) flags of one of our fds, as /proc/self/fdinfo shows them (close-on-exec too). */
function fdFlags(fd: number): number {
  const row = readFileSync(`/proc/self/fdinfo/${fd}`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("flags:"));
  assert.ok(row !== undefined, `/proc/self/fdinfo/${fd} has a flags row`);
  return parseInt(row.slice("flags:".length).trim(), 8);
}

function pipeFor(t: TestContext): [number, number] {
  const ends = makePipe();
  t.after(() => {
    for (const fd of ends) closeSync(fd);
  });
  return ends;
}

/**
 * How many bytes the pipe takes before a write would block: written through a second,
 * non-blocking open file description of the write end, so the test never blocks.
 */
function capacityOf(t: TestContext, writeFd: number): number {
  const fd = openSync(`/proc/self/fd/${writeFd}`, constants.O_WRONLY | constants.O_NONBLOCK);
  t.after(() => closeSync(fd));
  const chunk = Buffer.alloc(65536);
  let total = 0;
  for (;;) {
    try {
      total += writeSync(fd, chunk);
    } catch (err) {
      if (err instanceof Error && "code" in err && err.code === "EAGAIN") return total;
      throw err;
    }
  }
}


test("makePipe gives a pipe, read end first, both ends close-on-exec", (t) => {
  const [read, write] = pipeFor(t);
  assert.ok(fstatSync(read).isFIFO());
  assert.ok(fstatSync(write).isFIFO());
  assert.equal(fdFlags(read), O_CLOEXEC | constants.O_RDONLY);
  assert.equal(fdFlags(write), O_CLOEXEC | constants.O_WRONLY);
});

test("what is written to the write end arrives on the read end", (t) => {
  const [read, write] = pipeFor(t);
  assert.equal(writeSync(write, "through the pipe\n"), 17);
  const buffer = Buffer.alloc(64);
  const n = readSync(read, buffer);
  assert.equal(buffer.toString("utf8", 0, n), "through the pipe\n");
});

test("makePipe with no fd left throws an Error whose code is EMFILE, and opens nothing", (t) => {
  const before = getRlimit("nofile");
  t.after(() => setRlimit("nofile", before.soft, before.hard));
  const fds = openFds();
  // Exactly one fd number left free below the limit: pipe2 needs two, and takes neither.
  const unused: number[] = [];
  for (let fd = 0; unused.length < 2; fd++) if (!fds.includes(fd)) unused.push(fd);
  const limit = unused[1] ?? 0;
  let thrown: unknown;
  assert.equal(setRlimit("nofile", limit, before.hard), true);
  try {
    makePipe();
  } catch (err) {
    thrown = err;
  } finally {
    assert.equal(setRlimit("nofile", before.soft, before.hard), true);
  }
  assert.ok(thrown instanceof Error);
  assert.equal((thrown as Error & { code?: unknown }).code, "EMFILE");
  assert.equal(thrown.message, "Too many open files");
  assert.deepEqual(openFds(), fds);
});

test("setPipeSize answers the capacity granted, rounded up to a power of two pages", (t) => {
  const [read, write] = pipeFor(t);
  assert.equal(setPipeSize(read, 100_000), 131072);
  assert.equal(capacityOf(t, write), 131072);
});

test("setPipeSize up to 1 MiB (Linux's default pipe-max-size), through either end", (t) => {
  const [, write] = pipeFor(t);
  assert.equal(setPipeSize(write, 1048576), 1048576);
  assert.equal(capacityOf(t, write), 1048576);
});

test("a new pipe holds the kernel's default 64 KiB", (t) => {
  const [, write] = pipeFor(t);
  assert.equal(capacityOf(t, write), 65536);
});

test("setPipeSize on something that is not a pipe answers -EBADF", (t) => {
  const fd = openSync(join(tempDir(t), "file"), "w");
  t.after(() => closeSync(fd));
  assert.equal(setPipeSize(fd, 65536), -9);
});

test("the daemon's own limits: read, lowered, raised back within the hard limit", (t) => {
  const before = getRlimit("nofile");
  t.after(() => setRlimit("nofile", before.soft, before.hard));
  const lower = before.soft === "unlimited" ? 4096 : before.soft - 10;
  assert.equal(setRlimit("nofile", lower, before.hard), true);
  assert.deepEqual(getRlimit("nofile"), { soft: lower, hard: before.hard });
  assert.equal(setRlimit("nofile", before.hard, before.hard), true);
  assert.deepEqual(getRlimit("nofile"), { soft: before.hard, hard: before.hard });
  assert.equal(setRlimit("nofile", before.soft, before.hard), true);
  assert.deepEqual(getRlimit("nofile"), before);
});

test("getRlimit agrees with /proc/self/limits", () => {
  const rows = readFileSync("/proc/self/limits", "utf8").split("\n");
  for (const [resource, name] of [["nofile", "Max open files"], ["nproc", "Max processes"]] as const) {
    const fields = rows.find((l) => l.startsWith(`${name} `))?.slice(name.length).trim().split(/\s+/) ?? [];
    const value = (field: string | undefined): number | "unlimited" => (field === "unlimited" ? "unlimited" : Number(field));
    assert.deepEqual(getRlimit(resource), { soft: value(fields[0]), hard: value(fields[1]) }, resource);
  }
});

test("a limit the kernel refuses leaves it unchanged and answers false", () => {
  const before = getRlimit("nofile");
  const tooHigh = Number(readFileSync("/proc/sys/fs/nr_open", "utf8").trim()) + 1;
  assert.equal(setRlimit("nofile", tooHigh, tooHigh), false);
  assert.deepEqual(getRlimit("nofile"), before);
});

test("a soft limit above the hard one is refused", () => {
  const before = getRlimit("nofile");
  if (before.hard === "unlimited") return;
  assert.equal(setRlimit("nofile", before.hard + 1, before.hard), false);
  assert.deepEqual(getRlimit("nofile"), before);
});

const CHILD_ENV = ["PATH=/usr/bin:/bin"];

/** /dev/null, open for reading and writing, closed at the end of the test. */
function devNull(t: TestContext): number {
  const fd = openSync("/dev/null", "r+");
  t.after(() => closeSync(fd));
  return fd;
}

/** spawnProcess, the child watched (so reaped) at once and killed at the end of the test if still running. */
function spawnWatched(t: TestContext, path: string, argv: string[], stdio: [number, number, number]): { pid: number; exited: Promise<ExitStatus> } {
  const pid = spawnProcess(path, argv, CHILD_ENV, stdio);
  let reaped = false;
  const exited = new Promise<ExitStatus>((resolve) =>
    watchExit(pid, (status) => {
      reaped = true;
      resolve(status);
    }),
  );
  t.after(() => {
    // Once reaped, the pid may be some other process's.
    if (!reaped) process.kill(pid, "SIGKILL");
  });
  return { pid, exited };
}

/**
 * Run `argv` with its stdout a pipe (stdin and stderr /dev/null): what it wrote, and how it
 * ended. The pipe is read once the child has exited: a pipe fits what these programs write.
 */
async function output(t: TestContext, path: string, argv: string[]): Promise<{ out: string; status: ExitStatus }> {
  const [read, write] = pipeFor(t);
  const nul = devNull(t);
  const child = spawnWatched(t, path, argv, [nul, write, nul]);
  const status = await child.exited;
  return { out: drain(read), status };
}

/** Everything waiting in a pipe whose only writer left is ours (which keeps it from EOF). */
function drain(read: number): string {
  const fd = openSync(`/proc/self/fd/${read}`, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const buffer = Buffer.alloc(65536);
    let text = "";
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buffer);
      } catch (err) {
        // EAGAIN: all of it is read.
        if (err instanceof Error && "code" in err && err.code === "EAGAIN") return text;
        throw err;
      }
      if (n === 0) return text;
      text += buffer.toString("utf8", 0, n);
    }
  } finally {
    closeSync(fd);
  }
}

test("spawnProcess of a path that cannot be exec'd: the child says why on its fd 2 in supervisord's words, and exits 127", async (t) => {
  const file = join(tempDir(t), "data");
  writeFileSync(file, "not a program\n", { mode: 0o644 });
  for (const [path, errno] of [["/nonexistent/program", "ENOENT"], [file, "EACCES"]] as const) {
    const [read, write] = pipeFor(t);
    const nul = devNull(t);
    const child = spawnWatched(t, path, ["prog"], [nul, nul, write]);
    assert.deepEqual(await child.exited, { code: 127, signal: null, coreDumped: false });
    assert.equal(drain(read), `supervisor: couldn't exec prog: ${errno}\nsupervisor: child process was not spawned\n`);
  }
});

test("spawnProcess gives the child the three fds as its 0, 1 and 2, with the argv and environment given", async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, "in"), "from stdin\n");
  const stdin = openSync(join(dir, "in"), "r");
  t.after(() => closeSync(stdin));
  const stderr = openSync(join(dir, "err"), "w");
  t.after(() => closeSync(stderr));
  const [read, write] = pipeFor(t);
  const script = 'cat; echo "$0 $1 $FOO"; tr "\\0" " " </proc/$$/cmdline; echo to-stderr >&2; stat -L -c %i /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2';
  const argv = ["my-sh", "-c", script, "zero", "one"];
  const pid = spawnProcess("/bin/sh", argv, ["PATH=/usr/bin:/bin", "FOO=bar"], [stdin, write, stderr]);
  const status = await new Promise<ExitStatus>((resolve) => watchExit(pid, resolve));
  assert.deepEqual(status, { code: 0, signal: null, coreDumped: false });
  const inodes = [stdin, write, stderr].map((fd) => String(fstatSync(fd).ino));
  assert.equal(drain(read), `from stdin\nzero one bar\n${argv.join(" ")} ${inodes.join("\n")}\n`);
  assert.equal(readFileSync(join(dir, "err"), "utf8"), "to-stderr\n");
});

test("the child starts with every signal at its default but SIGPIPE and SIGXFSZ, ignored as under Python's supervisord; none blocked", async (t) => {
  // SIGPIPE (13) and SIGXFSZ (25): bits 12 and 24; nothing else, glibc's signals 32 and 33 neither.
  const { out, status } = await output(t, "/bin/grep", ["grep", "-E", "^Sig(Blk|Ign):", "/proc/self/status"]);
  assert.deepEqual(status, { code: 0, signal: null, coreDumped: false });
  assert.equal(out, "SigBlk:\t0000000000000000\nSigIgn:\t0000000001001000\n");
});

test("what the program itself ignores is what its own children inherit", async (t) => {
  // SIGUSR1 (10) and SIGTERM (15): bits 9 and 14, beside SIGPIPE's and SIGXFSZ's.
  const script = "trap '' USR1 TERM; grep -E '^Sig(Blk|Ign):' /proc/self/status";
  const { out, status } = await output(t, "/bin/sh", ["sh", "-c", script]);
  assert.deepEqual(status, { code: 0, signal: null, coreDumped: false });
  assert.equal(out, "SigBlk:\t0000000000000000\nSigIgn:\t0000000001005200\n");
});

test("watchExit calls back once, with the outcome, after which the child is reaped and its pidfd closed", async (t) => {
  const nul = devNull(t);
  const before = openFds().sort((a, b) => a - b);
  const pid = spawnProcess("/bin/sh", ["sh", "-c", "exit 5"], CHILD_ENV, [nul, nul, nul]);
  const calls: ExitStatus[] = [];
  const first = new Promise<void>((resolve) =>
    watchExit(pid, (status) => {
      calls.push(status);
      resolve();
    }),
  );
  assert.equal(openFds().length, before.length + 1, "the pidfd");
  await first;
  assert.deepEqual(calls, [{ code: 5, signal: null, coreDumped: false }]);
  assert.equal(existsSync(`/proc/${pid}`), false);
  assert.deepEqual(openFds().sort((a, b) => a - b), before);
  // A second child's whole life later, the first watch has not fired again.
  const second = spawnWatched(t, "/bin/true", ["true"], [nul, nul, nul]);
  assert.deepEqual(await second.exited, { code: 0, signal: null, coreDumped: false });
  assert.deepEqual(calls, [{ code: 5, signal: null, coreDumped: false }]);
});

test("watchExit of a child that has already exited (a zombie) calls back at once with its outcome", async (t) => {
  const nul = devNull(t);
  const pid = spawnProcess("/bin/sh", ["sh", "-c", "kill -TERM $$"], CHILD_ENV, [nul, nul, nul]);
  // Nothing reaps it meanwhile: it stays a zombie until watched.
  const state = (): string => readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] ?? "";
  await waitFor(() => state() === "Z", { what: "the child to exit" });
  const status = await new Promise<ExitStatus>((resolve) => watchExit(pid, resolve));
  assert.deepEqual(status, { code: null, signal: 15, coreDumped: false });
  assert.equal(existsSync(`/proc/${pid}`), false);
});

test("watchExit of a pid that cannot exist throws ESRCH", () => {
  // Above Linux's PID_MAX_LIMIT (2^22): never a process.
  assert.throws(() => watchExit(2 ** 22 + 1, () => undefined), { code: "ESRCH", message: "No such process" });
});

interface ReaderPipe {
  reader: PipeReader;
  writeFd: number;
  /** Close the write end now (EOF for the reader). */
  closeWrite(): void;
}

/**
 * A pipe whose read end a notifying PipeReader owns (it reads nothing itself); everything is
 * closed when the test ends.
 */
function readerFor(t: TestContext, capacity?: number): ReaderPipe {
  const [readFd, writeFd] = makePipe();
  if (capacity !== undefined) assert.equal(setPipeSize(readFd, capacity), capacity);
  const reader = new PipeReader(readFd, 65536);
  reader.onReadable(() => undefined);
  let writeOpen = true;
  t.after(() => {
    reader.close();
    if (writeOpen) closeSync(writeFd);
  });
  return {
    reader,
    writeFd,
    closeWrite() {
      writeOpen = false;
      closeSync(writeFd);
    },
  };
}

/** True while `fd` is a pipe of this process. */
function isOpenPipe(fd: number): boolean {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`).startsWith("pipe:");
  } catch {
    return false; // no such fd
  }
}

function fileFor(t: TestContext, flags = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND): { path: string; fd: number } {
  const path = join(tempDir(t), "out.log");
  const fd = openSync(path, flags, 0o644);
  t.after(() => closeSync(fd));
  return { path, fd };
}

test("a notifying reader reads nothing itself: it says the pipe is readable, once per resume", async (t) => {
  const { reader, writeFd } = readerFor(t);
  let calls = 0;
  reader.onReadable(() => calls++);
  writeSync(writeFd, "abc");
  await waitFor(() => calls === 1, { what: "the readable call" });
  writeSync(writeFd, "def");
  await new Promise((resolve) => setTimeout(resolve, 50)); // not watching: no second call may come
  assert.equal(calls, 1);
  reader.resume();
  await waitFor(() => calls === 2, { what: "the call after resume" });
  const { path, fd } = fileFor(t);
  assert.deepEqual(await reader.transferTo(fd, 0), { moved: 6, position: 6, state: "empty", error: undefined });
  assert.equal(readFileSync(path, "utf8"), "abcdef");
});

test("transferTo writes each read of up to 128 KiB with one write and stops once the file reaches stopAt", async (t) => {
  const { reader, writeFd } = readerFor(t, 1048576);
  const data = Buffer.alloc(300_000);
  for (let i = 0; i < data.length; i++) data[i] = 97 + (i % 26);
  assert.equal(writeSync(writeFd, data), data.length);
  const { path, fd } = fileFor(t);
  writeSync(fd, "x".repeat(10));
  // The first read fills 128 KiB: past stopAt after that one write, so the transfer stops there.
  assert.deepEqual(await reader.transferTo(fd, 100), { moved: 131072, position: 131082, state: "full", error: undefined });
  assert.deepEqual(await reader.transferTo(fd, 0), { moved: 300_000 - 131072, position: 300_010, state: "empty", error: undefined });
  assert.ok(readFileSync(path).equals(Buffer.concat([Buffer.from("x".repeat(10)), data])));
});

test("transferTo to fd -1 reads and drops what the pipe holds", async (t) => {
  const { reader, writeFd } = readerFor(t);
  writeSync(writeFd, "dropped");
  assert.deepEqual(await reader.transferTo(-1, 0), { moved: 7, position: -1, state: "empty", error: undefined });
  assert.deepEqual(await reader.transferTo(-1, 0), { moved: 0, position: -1, state: "empty", error: undefined });
});

test("a write that fails is answered with its errno name; that read is lost, the rest stays in the pipe", async (t) => {
  const { reader, writeFd } = readerFor(t);
  writeSync(writeFd, "lost");
  const { fd } = fileFor(t, constants.O_RDONLY | constants.O_CREAT);
  const moved = await reader.transferTo(fd, 0);
  assert.equal(moved.state, "more");
  assert.equal(moved.moved, 4);
  assert.equal(moved.error?.code, "EBADF");
  assert.equal(reader.ended, false);
});

test("at the pipe's end the reader ends (its fd closed) before transferTo settles as end", async (t) => {
  const pipe = readerFor(t);
  const { reader } = pipe;
  const { path, fd } = fileFor(t);
  writeSync(pipe.writeFd, "last");
  pipe.closeWrite();
  const endedFirst: boolean[] = [];
  reader.onEnd((error) => endedFirst.push(error === undefined));
  const readFd = reader.fd;
  assert.deepEqual(await reader.transferTo(fd, 0), { moved: 4, position: 4, state: "end", error: undefined });
  assert.deepEqual(endedFirst, [true]);
  assert.equal(reader.ended, true);
  assert.equal(readFileSync(path, "utf8"), "last");
  assert.equal(isOpenPipe(readFd), false);
  assert.deepEqual(await reader.transferTo(fd, 0), { moved: 0, position: -1, state: "end", error: undefined });
});

test("a reader closed while its transfer runs keeps its fd until the transfer is done", async (t) => {
  const { reader, writeFd } = readerFor(t, 1048576);
  writeSync(writeFd, Buffer.alloc(1048576, 120));
  const { path, fd } = fileFor(t);
  const readFd = reader.fd;
  const moving = reader.transferTo(fd, 0);
  reader.close();
  assert.equal(reader.ended, true);
  // The job read the whole pipe: the fd was not closed under it (that would be EBADF, or worse,
  // another file opened meanwhile under the same number). It is closed once the job is done.
  assert.deepEqual(await moving, { moved: 1048576, position: 1048576, state: "empty", error: undefined });
  assert.equal(readFileSync(path).length, 1048576);
  assert.equal(isOpenPipe(readFd), false);
});
