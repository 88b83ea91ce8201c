import assert from "node:assert/strict";
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { test } from "node:test";
import { clearAutoChildLogs, createAutoLogFile } from "../../src/logging/auto-log";
import { tempDir } from "../helpers/temp-dir";

test("an AUTO log is NAME-CHANNEL---IDENTIFIER-XXXXXXXX.log, empty, mode 0600", (t) => {
  const dir = tempDir(t);
  const path = createAutoLogFile(dir, "sleeper", "supervisor", "stdout");
  assert.equal(join(dir, basename(path)), path);
  assert.match(basename(path), /^sleeper-stdout---supervisor-[a-z0-9_]{8}\.log$/);
  const stats = statSync(path);
  assert.equal(stats.size, 0);
  assert.equal(stats.mode & 0o777, 0o600);
});

test("each AUTO log gets its own name", (t) => {
  const dir = tempDir(t);
  const paths = new Set<string>();
  for (let i = 0; i < 50; i++) paths.add(createAutoLogFile(dir, "web", "supervisor", "stderr"));
  assert.equal(paths.size, 50);
  assert.equal(readdirSync(dir).length, 50);
});

test("a relative childlogdir gives an absolute, normalized path", (t) => {
  const dir = tempDir(t);
  const path = createAutoLogFile(`${relative(process.cwd(), dir)}/./`, "web", "supervisor", "stdout");
  assert.equal(join(dir, basename(path)), path);
});

test("a missing childlogdir throws the open error", () => {
  assert.throws(() => createAutoLogFile("/nonexistent-dir-sts", "web", "supervisor", "stdout"), { code: "ENOENT" });
});

// The entries and outcomes below were checked against supervisord 4.2.5's clear_autochildlogdir.
const KEPT = [
  "foo---other-abc.log",
  "keep.txt",
  "---supervisor-x.log", // nothing before the dashes
  "a---supervisor-.log", // nothing between the identifier and .log
  "a---supervisor-x y.log", // whitespace
  "a---supervisor-x\x1c.log", // \x1c is whitespace to Python's \s
  "A---SUPERVISOR-x.log",
  "a\n---supervisor-x.log", // Python's "." does not match \n
];
const REMOVED = [
  "foo-stdout---supervisor-abc12345.log",
  "foo---supervisor-abc.log.3",
  "a---supervisor-x.logfoo", // matched at the start only
  "a---supervisor-x.log.12345",
  "a\r---supervisor-x.log", // but it matches \r
  "a---supervisor-x\ufeff.log", // U+FEFF is not whitespace to Python
  "é---supervisor-x.log",
];

test("clearing removes every entry matching the AUTO pattern for the identifier, and keeps the rest", (t) => {
  const dir = tempDir(t);
  for (const name of [...KEPT, ...REMOVED]) writeFileSync(join(dir, name), "");
  writeFileSync(Buffer.from(`${dir}/\xff---supervisor-x.log`, "latin1"), ""); // not UTF-8
  assert.deepEqual(clearAutoChildLogs(dir, "supervisor"), []);
  assert.deepEqual(readdirSync(dir).sort(), [...KEPT].sort());
});

test("the identifier is a regex fragment, as supervisord inserts it unescaped", (t) => {
  const dir = tempDir(t);
  for (const name of ["x---aXb-1.log", "x---a.b-1.log", "x---ab-1.log"]) writeFileSync(join(dir, name), "");
  assert.deepEqual(clearAutoChildLogs(dir, "a.b"), []);
  assert.deepEqual(readdirSync(dir), ["x---ab-1.log"]);
});

test("an entry that cannot be removed is reported with its repr'd path, and the rest still go", (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, "d---supervisor-x.log"));
  mkdirSync(Buffer.from(`${dir}/\xfe---supervisor-dir.log`, "latin1"));
  writeFileSync(join(dir, "web-stdout---supervisor-12345678.log"), "");
  const warnings = clearAutoChildLogs(dir, "supervisor").sort();
  assert.deepEqual(warnings, [`Failed to clean up '${dir}/\\udcfe---supervisor-dir.log'`, `Failed to clean up '${dir}/d---supervisor-x.log'`]);
  assert.equal(readdirSync(dir).length, 2);
});

test("an unreadable childlogdir gives one warning", () => {
  assert.deepEqual(clearAutoChildLogs("/nonexistent-dir-sts", "supervisor"), ["Could not clear childlog dir"]);
});
