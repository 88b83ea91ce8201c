import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CommandError, resolveCommand, type CommandProblem } from "../../src/process/command";
import { tempDir } from "../helpers/temp-dir";

// Every expectation below is what supervisor 4.2.5's own Subprocess.get_execv_args (with
// ServerOptions.check_execv_args) answered on Debian's Python 3.11 for the same files and PATH,
// as root and, for the permission cases, as nobody.

interface Fixture {
  dir: string;
  bin: string;
  bin2: string;
}

/**
 * bin/: prog (0755), noexec (0644), dir/ and dirfirst/ (directories), dangling (a link to
 * nothing), link (to prog), grpx (0010), othx (0701), "my prog", "it's".
 * bin2/: executable prog, dirfirst, noexec and dangling. The top: an executable localprog.
 */
function fixture(t: TestContext): Fixture {
  const dir = tempDir(t, "sts-cmd-");
  chmodSync(dir, 0o755); // nobody must reach the files in the permission test
  const bin = join(dir, "bin");
  const bin2 = join(dir, "bin2");
  mkdirSync(join(bin, "dir"), { recursive: true });
  mkdirSync(join(bin, "dirfirst"));
  mkdirSync(bin2);
  const prog = join(bin, "prog");
  writeFileSync(prog, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  for (const name of ["prog", "dirfirst", "noexec", "dangling"]) copyFileSync(prog, join(bin2, name));
  for (const name of ["grpx", "othx", "my prog", "it's"]) copyFileSync(prog, join(bin, name));
  copyFileSync(prog, join(dir, "localprog"));
  writeFileSync(join(bin, "noexec"), "x", { mode: 0o644 });
  chmodSync(join(bin, "grpx"), 0o010);
  chmodSync(join(bin, "othx"), 0o701);
  symlinkSync(join(dir, "nowhere"), join(bin, "dangling"));
  symlinkSync("prog", join(bin, "link"));
  return { dir, bin, bin2 };
}

/** Run with the working directory at `dir` (relative commands resolve against it), restored after. */
function inDir(t: TestContext, dir: string): void {
  const previous = process.cwd();
  process.chdir(dir);
  t.after(() => process.chdir(previous));
}

function assertFails(command: string, searchPath: readonly string[], problem: CommandProblem, message: string): void {
  assert.throws(() => resolveCommand(command, searchPath), (err: unknown) => {
    assert.ok(err instanceof CommandError, String(err));
    assert.equal(err.name, "CommandError");
    assert.equal(err.problem, problem);
    assert.equal(err.message, message);
    return true;
  }, JSON.stringify(command));
}

test("a bare word is looked up along PATH and the first entry that exists wins", (t) => {
  const { bin, bin2, dir } = fixture(t);
  assert.deepEqual(resolveCommand("prog", [bin, bin2]), { path: `${bin}/prog`, argv: ["prog"] });
  assert.deepEqual(resolveCommand("prog a 'b c' d\\ e", [bin2, bin]), { path: `${bin2}/prog`, argv: ["prog", "a", "b c", "d e"] });
  assert.deepEqual(resolveCommand("prog", [`${bin}/`]), { path: `${bin}/prog`, argv: ["prog"] });
  // A missing directory and a file used as a directory (ENOTDIR) are skipped.
  assert.deepEqual(resolveCommand("prog", [join(dir, "nosuchdir"), `${bin}/prog`, bin2]), { path: `${bin2}/prog`, argv: ["prog"] });
  // A symlink is followed; the path returned is the link's.
  assert.deepEqual(resolveCommand("link", [bin]), { path: `${bin}/link`, argv: ["link"] });
  // An escaped space makes one word, found as a file with a space in its name.
  assert.deepEqual(resolveCommand("my\\ prog --flag", [bin]), { path: `${bin}/my prog`, argv: ["my prog", "--flag"] });
  assert.deepEqual(resolveCommand("\"it's\" x", [bin]), { path: `${bin}/it's`, argv: ["it's", "x"] });
  // A command continued over several INI lines.
  assert.deepEqual(resolveCommand("prog\n  --opt=1\n  --two", [bin]), { path: `${bin}/prog`, argv: ["prog", "--opt=1", "--two"] });
});

test("a word found nowhere along PATH is NO_FILE naming the bare word", (t) => {
  const { bin, bin2 } = fixture(t);
  assertFails("nosuchprog", [bin, bin2], "NO_FILE", "can't find command 'nosuchprog'");
  assertFails("nosuchprog", [], "NO_FILE", "can't find command 'nosuchprog'");
  assertFails("prog", [], "NO_FILE", "can't find command 'prog'");
  assertFails("café", [bin], "NO_FILE", "can't find command 'café'");
  // The word is quoted as Python's repr() quotes it.
  assertFails("\"it's\"", [bin2], "NO_FILE", "can't find command \"it's\"");
  assertFails("'no\"pe'\"'\"", [bin], "NO_FILE", "can't find command 'no\"pe\\''");
  assertFails("tab\\\tname", [bin], "NO_FILE", "can't find command 'tab\\tname'");
});

test("a dangling symlink on PATH does not exist, so the search goes on", (t) => {
  const { bin, bin2 } = fixture(t);
  assertFails("dangling", [bin], "NO_FILE", "can't find command 'dangling'");
  assert.deepEqual(resolveCommand("dangling", [bin, bin2]), { path: `${bin2}/dangling`, argv: ["dangling"] });
});

test("the first match is taken whatever its type: a directory or a file without x bits fails", (t) => {
  const { bin, bin2 } = fixture(t);
  assertFails("dir", [bin], "NOT_EXECUTABLE", `command at '${bin}/dir' is a directory`);
  assertFails("dirfirst", [bin, bin2], "NOT_EXECUTABLE", `command at '${bin}/dirfirst' is a directory`);
  assert.deepEqual(resolveCommand("dirfirst", [bin2, bin]), { path: `${bin2}/dirfirst`, argv: ["dirfirst"] });
  assertFails("noexec", [bin, bin2], "NOT_EXECUTABLE", `command at '${bin}/noexec' is not executable`);
  assert.deepEqual(resolveCommand("noexec", [bin2, bin]), { path: `${bin2}/noexec`, argv: ["noexec"] });
});

test("an empty PATH entry searches the working directory", (t) => {
  const { bin, dir } = fixture(t);
  inDir(t, dir);
  assert.deepEqual(resolveCommand("localprog", ["", bin]), { path: "localprog", argv: ["localprog"] });
  assert.deepEqual(resolveCommand("localprog", [bin, ""]), { path: "localprog", argv: ["localprog"] });
  assert.deepEqual(resolveCommand("prog", ["", bin]), { path: `${bin}/prog`, argv: ["prog"] });
});

test("a word with a slash is used as is, relative to the working directory", (t) => {
  const { bin, dir } = fixture(t);
  inDir(t, dir);
  assert.deepEqual(resolveCommand("bin/prog x", [join(dir, "bin2")]), { path: "bin/prog", argv: ["bin/prog", "x"] });
  assert.deepEqual(resolveCommand("./bin/prog", []), { path: "./bin/prog", argv: ["./bin/prog"] });
  assert.deepEqual(resolveCommand(`${bin}/prog -v`, []), { path: `${bin}/prog`, argv: [`${bin}/prog`, "-v"] });
  assert.deepEqual(
    resolveCommand("\"bin/my prog\" 'a b' c\\ d \"e\\\"f\"", []),
    { path: "bin/my prog", argv: ["bin/my prog", "a b", "c d", "e\"f"] },
  );
  assertFails("bin/missing", [bin], "NO_FILE", "can't find command 'bin/missing'");
  assertFails("bin/dangling", [], "NO_FILE", "can't find command 'bin/dangling'");
  assertFails("bin/prog/x", [], "NO_FILE", "can't find command 'bin/prog/x'");
  assertFails("bin/dir", [], "NOT_EXECUTABLE", "command at 'bin/dir' is a directory");
  assertFails("bin/dir/", [], "NOT_EXECUTABLE", "command at 'bin/dir/' is a directory");
  assertFails("/", [], "NOT_EXECUTABLE", "command at '/' is a directory");
  assertFails("bin/noexec", [], "NOT_EXECUTABLE", "command at 'bin/noexec' is not executable");
  assertFails(`${bin}/noexec`, [], "NOT_EXECUTABLE", `command at '${bin}/noexec' is not executable`);
});

test("a command with no words is 'command is empty'", () => {
  for (const command of ["", "   ", "\n\n"]) assertFails(command, ["/bin"], "NOT_EXECUTABLE", "command is empty");
});

test("an empty quoted first word is joined to each PATH entry, so the first directory is found", (t) => {
  const { bin, dir } = fixture(t);
  assertFails("''", [bin], "NOT_EXECUTABLE", `command at '${bin}/' is a directory`);
  assertFails("'' prog", [bin], "NOT_EXECUTABLE", `command at '${bin}/' is a directory`);
  inDir(t, dir);
  assertFails("''", [""], "NO_FILE", "can't find command ''");
  assertFails("''", [], "NO_FILE", "can't find command ''");
});

test("a command that cannot be split names the whole command, as repr() shows it", () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ["'abc", "can't parse command \"'abc\": No closing quotation"],
    ["prog \"unterminated", "can't parse command 'prog \"unterminated': No closing quotation"],
    ["prog\n  'multi\n  line", "can't parse command \"prog\\n  'multi\\n  line\": No closing quotation"],
    ["prog it's", "can't parse command \"prog it's\": No closing quotation"],
    ["prog trailing\\", "can't parse command 'prog trailing\\\\': No escaped character"],
    ["prog \"x\\", "can't parse command 'prog \"x\\\\': No escaped character"],
  ];
  for (const [command, message] of cases) assertFails(command, ["/bin"], "NOT_EXECUTABLE", message);
});

test("root passes the permission check with any x bit set, as access(2) grants it", { skip: process.getuid?.() !== 0 }, (t) => {
  const { bin } = fixture(t);
  assert.deepEqual(resolveCommand("grpx", [bin]), { path: `${bin}/grpx`, argv: ["grpx"] });
  assert.deepEqual(resolveCommand("othx", [bin]), { path: `${bin}/othx`, argv: ["othx"] });
});

type Outcome = { path: string; argv: string[] } | { problem: CommandProblem; message: string };

/** resolveCommand for each case, as nobody when we are root (root may execute any file with an x bit). */
function resolveAsUnprivileged(dir: string, cases: ReadonlyArray<readonly [string, readonly string[]]>): Outcome[] {
  const run = (command: string, searchPath: readonly string[]): Outcome => {
    try {
      return resolveCommand(command, searchPath);
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      return { problem: err.problem, message: err.message };
    }
  };
  if (process.getuid?.() !== 0) return cases.map(([command, searchPath]) => run(command, searchPath));
  const script = `
    const { resolveCommand, CommandError } = require(${JSON.stringify(require.resolve("../../src/process/command"))});
    const out = [];
    for (const [command, searchPath] of ${JSON.stringify(cases)}) {
      try { out.push(resolveCommand(command, searchPath)); }
      catch (err) { if (!(err instanceof CommandError)) throw err; out.push({ problem: err.problem, message: err.message }); }
    }
    process.stdout.write(JSON.stringify(out));`;
  const child = spawnSync(process.execPath, ["-e", script], { cwd: dir, uid: 65534, gid: 65534, encoding: "utf8" });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as Outcome[];
}

test("a file with x bits the user may not use is 'no permission to run command'", (t) => {
  const { bin, dir } = fixture(t);
  const cases: ReadonlyArray<readonly [string, readonly string[]]> = [
    ["grpx", [bin]], [`${bin}/grpx`, []], ["othx", [bin]], ["noexec", [bin]],
  ];
  assert.deepEqual(resolveAsUnprivileged(dir, cases), [
    { problem: "NOT_EXECUTABLE", message: `no permission to run command '${bin}/grpx'` },
    { problem: "NOT_EXECUTABLE", message: `no permission to run command '${bin}/grpx'` },
    // 0701: the owner and everybody else may execute it.
    { path: `${bin}/othx`, argv: ["othx"] },
    { problem: "NOT_EXECUTABLE", message: `command at '${bin}/noexec' is not executable` },
  ]);
});

test("a NUL byte in the command word is a file that cannot exist (supervisord crashes instead)", () => {
  // DIVERGES (see command.ts): supervisord's os.stat raises ValueError and the daemon dies.
  assertFails("/bin/ec\0ho hi", [], "NO_FILE", "can't find command '/bin/ec\\x00ho'");
  assertFails("ec\0ho hi", ["/bin", "/usr/bin"], "NO_FILE", "can't find command 'ec\\x00ho'");
});
