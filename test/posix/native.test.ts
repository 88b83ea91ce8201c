import assert from "node:assert/strict";
import { closeSync, constants, fstatSync, openSync, readdirSync, readFileSync, readSync, writeSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { getRlimit, makePipe, setPipeSize, setRlimit } from "../../src/posix/native";
import { tempDir } from "../helpers/temp-dir";

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
    });
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
