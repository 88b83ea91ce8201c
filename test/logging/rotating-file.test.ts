import assert from "node:assert/strict";
import { closeSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { RotatingFile, type RotatingFileOptions } from "../../src/logging/rotating-file";
import { makePipe, PipeReader, setPipeSize } from "../../src/posix/native";
import { tempDir } from "../helpers/temp-dir";

/** Open a file whose background errors fail the test, closed when the test ends. */
async function openLog(t: TestContext, path: string, options: Partial<RotatingFileOptions> = {}): Promise<RotatingFile> {
  const errors: Error[] = [];
  const file = await RotatingFile.open(path, { maxbytes: 0, backups: 0, onError: (err) => errors.push(err), ...options });
  t.after(async () => {
    await file.close();
    assert.deepEqual(errors, [], "no background errors");
  });
  return file;
}

/** Name → size of `base` and its backups, as supervisord's tests of rotation look at them. */
function sizes(dir: string, base: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of readdirSync(dir).sort()) if (name.startsWith(base)) out[name] = statSync(join(dir, name)).size;
  return out;
}

/** A 35-byte line, as in the verified example of logging.md §1.4. */
function line(n: number): Buffer {
  return Buffer.from(`line ${String(n).padStart(2, "0")} ${"x".repeat(26)}\n`);
}

test("rotation with maxbytes=200, backups=2 and 35-byte lines gives supervisord's sizes (logging.md §1.4)", async (t) => {
  const dir = tempDir(t);
  const file = await openLog(t, join(dir, "rot.out"), { maxbytes: 200, backups: 2 });
  for (let n = 1; n <= 18; n++) {
    file.write(line(n));
    await file.flush();
  }
  assert.deepEqual(sizes(dir, "rot.out"), { "rot.out": 0, "rot.out.1": 210, "rot.out.2": 210 });
  assert.equal(readFileSync(join(dir, "rot.out.2"), "latin1").slice(0, 8), "line 07 ");
  assert.equal(readFileSync(join(dir, "rot.out.1"), "latin1").slice(0, 8), "line 13 ");
  for (let n = 19; n <= 20; n++) file.write(line(n));
  await file.flush();
  assert.deepEqual(sizes(dir, "rot.out"), { "rot.out": 70, "rot.out.1": 210, "rot.out.2": 210 });
});

test("chunks written without waiting are coalesced but rotate exactly as if written one by one", async (t) => {
  const dir = tempDir(t);
  const file = await openLog(t, join(dir, "rot.out"), { maxbytes: 200, backups: 2 });
  for (let n = 1; n <= 20; n++) file.write(line(n));
  await file.flush();
  assert.deepEqual(sizes(dir, "rot.out"), { "rot.out": 70, "rot.out.1": 210, "rot.out.2": 210 });
  assert.equal(readFileSync(join(dir, "rot.out"), "latin1"), `${line(19).toString()}${line(20).toString()}`);
});

test("numbered lines written fast through many rotations are all there, in order", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, "fast.log");
  const maxbytes = 64 * 1024;
  const file = await openLog(t, path, { maxbytes, backups: 100, highWaterMark: 256 * 1024 });
  const total = 300_000;
  let text = "";
  const chunkSizes: number[] = [];
  for (let n = 1; n <= total; n++) {
    text += `${n}\n`;
    // Reads of varying sizes, the way a pipe hands them over.
    if (text.length >= 100 + (n % 7) * 1000 || n === total) {
      chunkSizes.push(text.length);
      if (!file.write(Buffer.from(text))) await file.whenDrained();
      text = "";
    }
  }
  await file.flush();
  const names = readdirSync(dir).filter((name) => name.startsWith("fast.log."));
  const backups = names.length;
  assert.ok(backups > 20 && backups < 100, `rotated ${backups} times`);
  let all = "";
  for (let i = backups; i >= 1; i--) {
    const content = readFileSync(`${path}.${i}`, "latin1");
    // supervisord's slack: a file ends with the write that reached maxbytes, so never by more than one chunk.
    assert.ok(content.length >= maxbytes && content.length < maxbytes + Math.max(...chunkSizes), `${path}.${i}: ${content.length}`);
    all += content;
  }
  all += readFileSync(path, "latin1");
  const expected = Array.from({ length: total }, (_, i) => `${i + 1}\n`).join("");
  assert.equal(all.length, expected.length);
  assert.ok(all === expected, "every line once, in order");
});

test("each rotated file ends exactly at the first chunk that reached maxbytes", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, "cut.log");
  const file = await openLog(t, path, { maxbytes: 100, backups: 5 });
  // 30 + 30 + 30 = 90 < 100, the fourth chunk reaches it: NAME.1 gets 120 bytes and the fifth
  // chunk starts the new file, however the chunks were batched.
  for (const ch of "abcde") file.write(Buffer.from(ch.repeat(30)));
  await file.flush();
  assert.deepEqual(sizes(dir, "cut.log"), { "cut.log": 30, "cut.log.1": 120 });
  assert.equal(readFileSync(path, "latin1"), "e".repeat(30));
});

test("backups=0 truncates the file instead of keeping a backup", async (t) => {
  const dir = tempDir(t);
  const file = await openLog(t, join(dir, "zero.out"), { maxbytes: 100, backups: 0 });
  for (let n = 0; n < 4; n++) file.write(Buffer.from(`${"y".repeat(34)}\n`));
  await file.flush();
  assert.deepEqual(sizes(dir, "zero.out"), { "zero.out": 35 });
});

test("maxbytes=0 never rotates", async (t) => {
  const dir = tempDir(t);
  const file = await openLog(t, join(dir, "plain.log"), { maxbytes: 0, backups: 3 });
  for (let n = 0; n < 100; n++) file.write(Buffer.from("0123456789"));
  await file.flush();
  assert.deepEqual(sizes(dir, "plain.log"), { "plain.log": 1000 });
});

test("an existing file already past maxbytes rotates after the first write", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, "big.out");
  writeFileSync(path, "z".repeat(500));
  const file = await openLog(t, path, { maxbytes: 200, backups: 3 });
  assert.deepEqual(sizes(dir, "big.out"), { "big.out": 500 });
  file.write(Buffer.from("!"));
  await file.flush();
  assert.deepEqual(sizes(dir, "big.out"), { "big.out": 0, "big.out.1": 501 });
});

test("an empty write still checks the size, as supervisord's write of an empty chunk does", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, "empty.out");
  writeFileSync(path, "z".repeat(50));
  const file = await openLog(t, path, { maxbytes: 20, backups: 1 });
  file.write(Buffer.alloc(0));
  await file.flush();
  assert.deepEqual(sizes(dir, "empty.out"), { "empty.out": 0, "empty.out.1": 50 });
});

test("backups beyond the configured number are left alone", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, "stale.out");
  writeFileSync(`${path}.5`, "old");
  const file = await openLog(t, path, { maxbytes: 10, backups: 2 });
  for (let n = 0; n < 3; n++) file.write(Buffer.from("0123456789"));
  await file.flush();
  assert.deepEqual(sizes(dir, "stale.out"), { "stale.out": 0, "stale.out.1": 10, "stale.out.2": 10, "stale.out.5": 3 });
});

test("the size is the file's real size: a file truncated behind our back is not rotated early", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, "copytruncate.log");
  const file = await openLog(t, path, { maxbytes: 100, backups: 1 });
  file.write(Buffer.from("a".repeat(90)));
  await file.flush();
  writeFileSync(path, ""); // logrotate's copytruncate
  file.write(Buffer.from("b".repeat(20)));
  await file.flush();
  assert.deepEqual(sizes(dir, "copytruncate.log"), { "copytruncate.log": 20 });
});

test("reopen after an external rename writes on in a new file, nothing lost or reordered", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, "app.log");
  const file = await openLog(t, path);
  file.write(Buffer.from("one\n"));
  await file.flush();
  renameSync(path, `${path}.rotated`); // logrotate, then SIGUSR2
  file.write(Buffer.from("two\n"));
  const reopened = file.reopen();
  file.write(Buffer.from("three\n"));
  await reopened;
  await file.flush();
  assert.equal(readFileSync(`${path}.rotated`, "utf8"), "one\ntwo\n");
  assert.equal(readFileSync(path, "utf8"), "three\n");
});

test("reopen of a file still in place appends to it", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, "app.log");
  const file = await openLog(t, path);
  file.write(Buffer.from("one\n"));
  await file.reopen();
  file.write(Buffer.from("two\n"));
  await file.flush();
  assert.equal(readFileSync(path, "utf8"), "one\ntwo\n");
});

test("remove deletes the file's content and logging carries on in a fresh file", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, "app.log");
  const file = await openLog(t, path, { maxbytes: 100, backups: 1 });
  file.write(Buffer.from("x".repeat(80)));
  const removed = file.remove();
  file.write(Buffer.from("after\n"));
  await removed;
  await file.flush();
  assert.equal(readFileSync(path, "utf8"), "after\n");
  // The size starts from zero again: 80 + 6 more bytes do not rotate.
  file.write(Buffer.from("y".repeat(80)));
  await file.flush();
  assert.deepEqual(sizes(dir, "app.log"), { "app.log": 86 });
});

test("remove of a file someone already deleted just reopens it", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, "gone.log");
  const file = await openLog(t, path);
  renameSync(path, join(dir, "elsewhere"));
  await file.remove();
  assert.deepEqual(sizes(dir, "gone.log"), { "gone.log": 0 });
});

test("a new file is created with mode 0666 less the umask", async (t) => {
  const dir = tempDir(t);
  const old = process.umask(0o027);
  t.after(() => process.umask(old));
  await openLog(t, join(dir, "mode.log"));
  assert.equal(statSync(join(dir, "mode.log")).mode & 0o777, 0o640);
});

test("an existing file keeps its mode and content, and is appended to", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, "auto.log");
  writeFileSync(path, "before\n", { mode: 0o600 });
  const file = await openLog(t, path);
  file.write(Buffer.from("after\n"));
  await file.flush();
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(readFileSync(path, "utf8"), "before\nafter\n");
});

test("open rejects with the open(2) error when the directory is missing", async () => {
  await assert.rejects(RotatingFile.open("/nonexistent-dir-sts/x.log", { maxbytes: 0, backups: 0, onError: () => undefined }), { code: "ENOENT" });
});

test("write answers false past the high-water mark and whenDrained settles once the queue is written", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, "bp.log");
  const file = await openLog(t, path, { highWaterMark: 1024 });
  // The first write is taken at once; the rest queue behind it.
  let answer = true;
  let written = 0;
  while (answer) {
    answer = file.write(Buffer.alloc(300, 0x61));
    written += 300;
  }
  assert.ok(file.queuedBytes >= 1024);
  await file.whenDrained();
  assert.ok(file.queuedBytes < 1024);
  await file.flush();
  assert.equal(statSync(path).size, written);
});

test("close writes everything queued; writing afterwards is a bug", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, "closed.log");
  const file = await RotatingFile.open(path, { maxbytes: 0, backups: 0, onError: (err) => assert.fail(err) });
  file.write(Buffer.from("last words\n"));
  await file.close();
  await file.close();
  assert.equal(file.closed, true);
  assert.equal(readFileSync(path, "utf8"), "last words\n");
  assert.throws(() => file.write(Buffer.from("more")), { message: `write to ${path} after close()` });
});

test("a rotation that cannot rename reports the error and keeps appending, losing nothing", async (t) => {
  // DIVERGES from supervisord, which stops logging to the file after a failed rename.
  const dir = tempDir(t);
  const path = join(dir, "stuck.log");
  mkdirSync(`${path}.1`);
  writeFileSync(join(`${path}.1`, "keep"), ""); // a non-empty directory cannot be removed
  const errors: NodeJS.ErrnoException[] = [];
  const file = await RotatingFile.open(path, { maxbytes: 10, backups: 1, onError: (err) => errors.push(err) });
  t.after(() => file.close());
  file.write(Buffer.from("0123456789"));
  file.write(Buffer.from("abc"));
  await file.flush();
  assert.deepEqual(errors.map((err) => err.code), ["EISDIR", "EISDIR"]);
  assert.equal(readFileSync(path, "utf8"), "0123456789abc");
});

test("a reopen that cannot open the file rejects; data is dropped with an error until the file can be opened again", async (t) => {
  const dir = tempDir(t);
  const sub = join(dir, "sub");
  mkdirSync(sub);
  const path = join(sub, "app.log");
  const errors: NodeJS.ErrnoException[] = [];
  const file = await RotatingFile.open(path, { maxbytes: 0, backups: 0, onError: (err) => errors.push(err) });
  t.after(() => file.close());
  rmSync(sub, { recursive: true });
  await assert.rejects(file.reopen(), { code: "ENOENT" });
  file.write(Buffer.from("lost\n"));
  await file.flush();
  assert.deepEqual(errors.map((err) => err.code), ["ENOENT"]);
  mkdirSync(sub);
  file.write(Buffer.from("back\n"));
  await file.flush();
  assert.equal(readFileSync(path, "utf8"), "back\n");
});

/** A pipe holding `data`, read by a notifying PipeReader (a transfer source); closed at the end. */
function pipeHolding(t: TestContext, data: Buffer, options: { end?: boolean } = {}): PipeReader {
  const [readFd, writeFd] = makePipe();
  assert.equal(setPipeSize(readFd, 1048576), 1048576);
  assert.equal(writeSync(writeFd, data), data.length);
  const reader = new PipeReader(readFd, 65536);
  reader.onReadable(() => undefined);
  if (options.end === true) closeSync(writeFd);
  t.after(() => {
    reader.close();
    if (options.end !== true) closeSync(writeFd);
  });
  return reader;
}

/** `length` bytes of numbered 16-byte lines. */
function numbered(length: number): Buffer {
  const lines = Array.from({ length: Math.ceil(length / 16) }, (_, n) => `${String(n).padStart(15, "0")}\n`);
  return Buffer.from(lines.join("").slice(0, length), "latin1");
}

test("a transfer lands after what was written before it and before what is written after it", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, "mixed.log");
  const file = await openLog(t, path);
  file.write(Buffer.from("before\n"));
  const moved = file.transfer(pipeHolding(t, Buffer.from("from the pipe\n")));
  file.write(Buffer.from("after\n"));
  assert.equal(await moved, "empty");
  await file.flush();
  assert.equal(readFileSync(path, "utf8"), "before\nfrom the pipe\nafter\n");
});

test("a transfer rotates as writes do: each 128 KiB read is one write for the size check", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, "piped.log");
  const file = await openLog(t, path, { maxbytes: 100_000, backups: 5 });
  const data = numbered(300 * 1024);
  assert.equal(await file.transfer(pipeHolding(t, data)), "empty");
  await file.flush();
  // 128 KiB passes maxbytes: rotate; again; the last 44 KiB stay in the file.
  assert.deepEqual(sizes(dir, "piped.log"), { "piped.log": 45056, "piped.log.1": 131072, "piped.log.2": 131072 });
  const all = Buffer.concat([`${path}.2`, `${path}.1`, path].map((name) => readFileSync(name)));
  assert.ok(all.equals(data), "every byte once, in order");
});

test("a transfer at the pipe's end resolves end, with everything in the file", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, "end.log");
  const file = await openLog(t, path);
  const reader = pipeHolding(t, Buffer.from("bye\n"), { end: true });
  assert.equal(await file.transfer(reader), "end");
  assert.equal(reader.ended, true);
  assert.equal(readFileSync(path, "utf8"), "bye\n");
});

test("a transfer cut by a rotation goes on after a reopen queued meanwhile, into the reopened file", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, "turn.log");
  const file = await openLog(t, path, { maxbytes: 1000, backups: 1 });
  const data = numbered(200 * 1024);
  const moved = file.transfer(pipeHolding(t, data));
  renameSync(path, `${path}.moved`);
  const reopened = file.reopen();
  assert.equal(await moved, "empty");
  await reopened;
  // The first read went into the open file, renamed away; its rotation found no NAME to rename;
  // the rest followed the reopen into a new NAME, and rotated in turn.
  assert.deepEqual(sizes(dir, "turn.log"), { "turn.log": 0, "turn.log.1": data.length - 131072, "turn.log.moved": 131072 });
  assert.ok(Buffer.concat([readFileSync(`${path}.moved`), readFileSync(`${path}.1`)]).equals(data));
});

test("a transfer left over when the file closes settles as end; transferring afterwards is a bug", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, "shut.log");
  const file = await RotatingFile.open(path, { maxbytes: 1000, backups: 1, onError: (err) => assert.fail(err) });
  const moved = file.transfer(pipeHolding(t, numbered(200 * 1024)));
  await file.close();
  assert.equal(await moved, "end");
  assert.deepEqual(sizes(dir, "shut.log"), { "shut.log": 0, "shut.log.1": 131072 });
  assert.throws(() => file.transfer(pipeHolding(t, Buffer.from("x"))), { message: `transfer to ${path} after close()` });
});

test("a file that cannot be opened drops transferred data with an error; the pipe is still emptied", async (t) => {
  const dir = tempDir(t);
  const sub = join(dir, "sub");
  mkdirSync(sub);
  const path = join(sub, "app.log");
  const errors: NodeJS.ErrnoException[] = [];
  const file = await RotatingFile.open(path, { maxbytes: 0, backups: 0, onError: (err) => errors.push(err) });
  t.after(() => file.close());
  rmSync(sub, { recursive: true });
  await assert.rejects(file.reopen(), { code: "ENOENT" });
  assert.equal(await file.transfer(pipeHolding(t, Buffer.from("lost\n"))), "empty");
  assert.deepEqual(errors.map((err) => err.code), ["ENOENT"]);
  mkdirSync(sub);
  assert.equal(await file.transfer(pipeHolding(t, Buffer.from("back\n"))), "empty");
  assert.equal(readFileSync(path, "utf8"), "back\n");
});
