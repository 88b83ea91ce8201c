import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { LogReadError, readLogSlice, tailLog } from "../../src/logging/log-reads";
import { tempDir } from "../helpers/temp-dir";

const TEXT = "0123456789ABCDEFGHIJ\n";

test("readLog offsets and lengths as supervisord reads them", async (t) => {
  const file = join(tempDir(t, "reads-"), "log");
  writeFileSync(file, TEXT);
  const read = async (offset: number, length: number): Promise<string> => {
    try {
      return (await readLogSlice(file, offset, length)).toString();
    } catch (err) {
      if (err instanceof LogReadError) return err.code;
      throw err;
    }
  };
  assert.equal(await read(0, 0), TEXT);
  assert.equal(await read(3, 0), "3456789ABCDEFGHIJ\n");
  assert.equal(await read(0, 5), "01234");
  assert.equal(await read(5, 5), "56789");
  assert.equal(await read(0, 1000), TEXT);
  assert.equal(await read(21, 5), "");
  assert.equal(await read(100, 5), "");
  assert.equal(await read(-5, 0), "GHIJ\n");
  assert.equal(await read(-100, 0), TEXT);
  assert.equal(await read(-5, 3), "BAD_ARGUMENTS");
  assert.equal(await read(5, -3), "BAD_ARGUMENTS");
  assert.equal(await (async () => {
    try {
      await readLogSlice(join(file, "missing"), 0, 0);
      return "read";
    } catch (err) {
      return err instanceof LogReadError ? err.code : "other";
    }
  })(), "FAILED");
});

test("tail answers the last bytes once the file grew past the offset, and always the size", async (t) => {
  const file = join(tempDir(t, "tail-"), "log");
  writeFileSync(file, TEXT);
  const tail = async (offset: number, length: number): Promise<[string, number, boolean]> => {
    const { bytes, size, overflow } = await tailLog(file, offset, length);
    return [bytes.toString(), size, overflow];
  };
  assert.deepEqual(await tail(0, 0), ["", 21, true]);
  assert.deepEqual(await tail(0, 5), ["GHIJ\n", 21, true]);
  assert.deepEqual(await tail(5, 5), ["GHIJ\n", 21, true]);
  assert.deepEqual(await tail(15, 10), ["BCDEFGHIJ\n", 21, false]);
  assert.deepEqual(await tail(0, 100), [TEXT, 21, false]);
  assert.deepEqual(await tail(21, 5), ["", 21, false]);
  assert.deepEqual(await tail(100, 5), ["", 21, false]);
  assert.deepEqual(await tail(-5, 0), ["", 21, true]);
  assert.deepEqual(await tail(-5, 3), ["IJ\n", 21, true]);
  assert.deepEqual(await tail(-30, 5), ["GHIJ\n", 21, true]);
  assert.deepEqual(await tail(5, -3), ["", 21, true]);
  assert.deepEqual(await tail(30, -5), ["", 21, false]);
});
