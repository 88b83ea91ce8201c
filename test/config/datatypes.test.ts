import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, type Where } from "../../src/errors";
import { AUTO } from "../../src/config/model";
import {
  autoRestart, boolean, byteSize, colonSeparatedUserGroup, existingDirectory, existingDirpath, gidForUid,
  inetAddress, integer, listOfExitcodes, listOfStrings, loggingLevel, logfileName, nameToGid, nameToUid,
  octalType, processOrGroupName, signalNumber, url,
} from "../../src/config/datatypes";
import { tempDir } from "../helpers/temp-dir";

// Every value and message below was checked against supervisord 4.2.5's supervisor.datatypes on
// Debian's Python 3.11 (the ValueError's str() is the text). Users and groups are Debian's:
// root 0, nobody 65534, group nogroup 65534.

const WHERE: Where = { file: "t.conf", line: 3, section: "program:x", option: "o" };

type Converter<T> = (raw: string, where: Where) => T;

function accepts<T>(convert: Converter<T>, cases: ReadonlyArray<readonly [string, NoInfer<T>]>): void {
  for (const [raw, expected] of cases) {
    assert.deepEqual(convert(raw, WHERE), expected, `${convert.name}(${JSON.stringify(raw)})`);
  }
}

/** Python's message for each raw value; the error carries the Where it was given. */
function rejects(convert: Converter<unknown>, cases: ReadonlyArray<readonly [string, string]>): void {
  for (const [raw, text] of cases) {
    assert.throws(() => convert(raw, WHERE), (err: unknown) => {
      assert.ok(err instanceof ConfigError, `${convert.name}(${JSON.stringify(raw)}) threw ${String(err)}`);
      assert.equal(err.text, text, `${convert.name}(${JSON.stringify(raw)})`);
      assert.equal(err.where, WHERE);
      assert.equal(err.code, "CANT_REREAD");
      return true;
    });
  }
}

/** HOME set to a fresh directory for the test, as os.path.expanduser reads it. */
function withHome(t: Parameters<typeof tempDir>[0], home: string): void {
  const saved = process.env["HOME"];
  process.env["HOME"] = home;
  t.after(() => {
    if (saved === undefined) delete process.env["HOME"];
    else process.env["HOME"] = saved;
  });
}

test("processOrGroupName strips the name and refuses a space, colon or slash, quoting the raw text", () => {
  accepts(processOrGroupName, [["foo", "foo"], ["  foo  ", "foo"], ["\tfoo\n", "foo"], ["", ""], ["é", "é"], ["a'b", "a'b"], ["a\u00a0b", "a\u00a0b"]]);
  rejects(processOrGroupName, [
    ["a b", "Invalid name: 'a b' because of character: ' '"],
    [" a:b/c", "Invalid name: ' a:b/c' because of character: ':'"],
    ["a/b", "Invalid name: 'a/b' because of character: '/'"],
    ["x:y", "Invalid name: 'x:y' because of character: ':'"],
  ]);
});

test("integer is Python's int(): whitespace, sign, underscores between digits, any Unicode digits", () => {
  accepts(integer, [
    ["1", 1], [" 42 ", 42], ["\t7\n", 7], ["+5", 5], ["-3", -3], ["1_000", 1000], ["١٢", 12], ["007", 7], ["-0", 0],
    ["\u00a012\u00a0", 12], ["\u{1d7ce}\u{1d7cf}", 1],
  ]);
  rejects(integer, [
    ["1.0", "invalid literal for int() with base 10: '1.0'"],
    ["", "invalid literal for int() with base 10: ''"],
    [" ", "invalid literal for int() with base 10: ' '"],
    ["1__0", "invalid literal for int() with base 10: '1__0'"],
    ["_1", "invalid literal for int() with base 10: '_1'"],
    ["1_", "invalid literal for int() with base 10: '1_'"],
    ["0x10", "invalid literal for int() with base 10: '0x10'"],
    ["abc", "invalid literal for int() with base 10: 'abc'"],
    ["1e3", "invalid literal for int() with base 10: '1e3'"],
    ["²", "invalid literal for int() with base 10: '²'"],
    ["++1", "invalid literal for int() with base 10: '++1'"],
    ["- 1", "invalid literal for int() with base 10: '- 1'"],
    ["'q'", "invalid literal for int() with base 10: \"'q'\""],
    ["ab'c\"d", "invalid literal for int() with base 10: 'ab\\'c\"d'"],
    ["a".repeat(250), `invalid literal for int() with base 10: '${"a".repeat(199)}`],
    // A Kawi digit (Unicode 15.0): Python 3.11's Unicode 14.0 does not know it.
    ["\u{11f51}", "invalid literal for int() with base 10: '\\U00011f51'"],
  ]);
});

test("boolean takes yes/true/on/1 and no/false/off/0 in any case, nothing else", () => {
  accepts(boolean, [
    ["true", true], ["True", true], ["YES", true], ["on", true], ["1", true],
    ["false", false], ["No", false], ["OFF", false], ["0", false],
  ]);
  rejects(boolean, [
    ["", "not a valid boolean value: ''"],
    [" true", "not a valid boolean value: ' true'"],
    ["2", "not a valid boolean value: '2'"],
    ["tru'e", "not a valid boolean value: \"tru'e\""],
    ["İ", "not a valid boolean value: 'İ'"],
  ]);
});

test("listOfStrings splits on commas and strips each item; empty text is the empty list", () => {
  assert.deepEqual(listOfStrings(""), []);
  assert.deepEqual(listOfStrings("a"), ["a"]);
  assert.deepEqual(listOfStrings("a,b"), ["a", "b"]);
  assert.deepEqual(listOfStrings(" a , b ,"), ["a", "b", ""]);
  assert.deepEqual(listOfStrings(","), ["", ""]);
  assert.deepEqual(listOfStrings("a,,b"), ["a", "", "b"]);
  assert.deepEqual(listOfStrings(" "), [""]);
});

test("listOfExitcodes takes comma-separated ints from 0 to 255", () => {
  accepts(listOfExitcodes, [["", []], ["0", [0]], ["0,2", [0, 2]], [" 1 , 2 ", [1, 2]], ["0,255", [0, 255]], ["1_0", [10]], ["١", [1]]]);
  rejects(listOfExitcodes, [
    ["256", "not a valid list of exit codes: '256'"],
    ["-1", "not a valid list of exit codes: '-1'"],
    ["a", "not a valid list of exit codes: 'a'"],
    ["1,", "not a valid list of exit codes: '1,'"],
    [",", "not a valid list of exit codes: ','"],
  ]);
});

test("byteSize multiplies a kb/mb/gb suffix in any case; errors show the lower-cased number part", () => {
  accepts(byteSize, [
    ["50MB", 52428800], ["50 MB", 52428800], ["50mb", 52428800], ["1KB", 1024], ["2gb", 2147483648],
    ["1024", 1024], ["0", 0], ["-1", -1], ["-1kb", -1024],
  ]);
  rejects(byteSize, [
    ["1.5MB", "invalid literal for int() with base 10: '1.5'"],
    ["50M", "invalid literal for int() with base 10: '50m'"],
    ["10XB", "invalid literal for int() with base 10: '10xb'"],
    ["", "invalid literal for int() with base 10: ''"],
    ["MB", "invalid literal for int() with base 10: ''"],
    [" 5 kb ", "invalid literal for int() with base 10: ' 5 kb '"],
    ["5kb ", "invalid literal for int() with base 10: '5kb '"],
    ["b", "invalid literal for int() with base 10: 'b'"],
    ["1.5", "invalid literal for int() with base 10: '1.5'"],
  ]);
});

test("octalType is int(text, 8): 0o prefix optional, Unicode digits allowed", () => {
  accepts(octalType, [["022", 18], ["0o22", 18], ["0O22", 18], ["777", 511], [" 22 ", 18], ["-7", -7], ["0o_7", 7], ["0_7", 7], ["٧", 7]]);
  rejects(octalType, [
    ["8", "8 can not be converted to an octal type"],
    ["0x1", "0x1 can not be converted to an octal type"],
    ["", " can not be converted to an octal type"],
    ["abc", "abc can not be converted to an octal type"],
    ["1.0", "1.0 can not be converted to an octal type"],
  ]);
});

test("signalNumber takes a number or a name with or without SIG, in any case, stripped", () => {
  accepts(signalNumber, [
    ["TERM", 15], ["term", 15], ["SIGTERM", 15], ["sigterm", 15], [" SIGterm ", 15], ["15", 15], [" 15 ", 15],
    ["+15", 15], ["١٥", 15], ["9", 9], ["KILL", 9], ["HUP", 1], ["cld", 17], ["poll", 29], ["iot", 6],
    ["SIGRTMIN", 34], ["rtmin", 34], ["RTMAX", 64], ["64", 64],
    // Python's upper() maps the dotless ı to I.
    ["ıo", 29],
  ]);
});

test("signalNumber accepts the signal module's handler constants and 0, which supervisord counts as signals", () => {
  accepts(signalNumber, [["0", 0], ["sig_dfl", 0], ["_dfl", 0], ["SIG_IGN", 1], ["_ign", 1], ["_block", 0], ["_setmask", 2]]);
});

test("signalNumber refuses unknown names and numbers no SIG* constant has", () => {
  rejects(signalNumber, [
    ["40", "value '40' is not a valid signal number"],
    ["65", "value '65' is not a valid signal number"],
    ["-1", "value '-1' is not a valid signal number"],
    ["foo", "value 'foo' is not a valid signal name"],
    ["", "value '' is not a valid signal name"],
    ["SIG", "value 'SIG' is not a valid signal name"],
    ["1.0", "value '1.0' is not a valid signal name"],
    ["Signals", "value 'Signals' is not a valid signal name"],
    ["SIGSIG", "value 'SIGSIG' is not a valid signal name"],
    ["15x", "value '15x' is not a valid signal name"],
  ]);
});

test("autoRestart: booleans, or unexpected; the error quotes the lower-cased value", () => {
  accepts(autoRestart, [
    ["true", true], ["TRUE", true], ["1", true], ["yes", true], ["on", true],
    ["false", false], ["0", false], ["no", false], ["off", false],
    ["unexpected", "unexpected"], ["Unexpected", "unexpected"],
  ]);
  rejects(autoRestart, [
    ["sometimes", "invalid 'autorestart' value 'sometimes'"],
    ["Sometimes", "invalid 'autorestart' value 'sometimes'"],
    ["", "invalid 'autorestart' value ''"],
    [" true", "invalid 'autorestart' value ' true'"],
  ]);
});

test("loggingLevel knows supervisord's level names (not warning), any case", () => {
  accepts(loggingLevel, [
    ["critical", 50], ["error", 40], ["warn", 30], ["info", 20], ["INFO", 20], ["debug", 10], ["trace", 5],
    ["blather", 3], ["Blather", 3],
  ]);
  rejects(loggingLevel, [
    ["warning", "bad logging level name 'warning'"],
    ["foo", "bad logging level name 'foo'"],
    ["", "bad logging level name ''"],
    [" info", "bad logging level name ' info'"],
    ["CRIT", "bad logging level name 'CRIT'"],
  ]);
});

test("existingDirectory expands ~ and returns the path as written when it is a directory", (t) => {
  const dir = tempDir(t);
  const home = join(dir, "home");
  mkdirSync(join(dir, "sub"));
  mkdirSync(home);
  writeFileSync(join(dir, "file"), "");
  withHome(t, home);
  accepts(existingDirectory, [
    [dir, dir], [`${dir}/`, `${dir}/`], [`${dir}/sub`, `${dir}/sub`], ["~", home], ["~/", `${home}/`],
    ["~root", "/root"], [".", "."],
  ]);
  rejects(existingDirectory, [
    [`${dir}/missing`, `${dir}/missing is not an existing directory`],
    [`${dir}/file`, `${dir}/file is not an existing directory`],
    ["~nosuchuser", "~nosuchuser is not an existing directory"],
    ["~nosuchuser/x", "~nosuchuser/x is not an existing directory"],
    ["", " is not an existing directory"],
    ["/dev/null", "/dev/null is not an existing directory"],
  ]);
});

test("existingDirpath needs only the directory part to exist; a bare name has none", (t) => {
  const dir = tempDir(t);
  const home = join(dir, "home");
  mkdirSync(home);
  withHome(t, home);
  accepts(existingDirpath, [
    [`${dir}/x.log`, `${dir}/x.log`], ["x.log", "x.log"], ["", ""], ["~/x.log", `${home}/x.log`],
    ["./x.log", "./x.log"], ["/x.log", "/x.log"], ["//x.log", "//x.log"], [`${dir}/`, `${dir}/`],
  ]);
  rejects(existingDirpath, [
    [`${dir}/missing/x.log`, `The directory named as part of the path ${dir}/missing/x.log does not exist`],
    [`${dir}/missing/`, `The directory named as part of the path ${dir}/missing/ does not exist`],
    ["~nosuchuser/x.log", "The directory named as part of the path ~nosuchuser/x.log does not exist"],
  ]);
});

test("existingDirpath resolves a relative directory part against the working directory", (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, "logs"));
  const cwd = process.cwd();
  process.chdir(dir);
  t.after(() => process.chdir(cwd));
  accepts(existingDirpath, [["logs/x.log", "logs/x.log"]]);
  rejects(existingDirpath, [["nologs/x.log", "The directory named as part of the path nologs/x.log does not exist"]]);
});

test("logfileName: NONE/OFF, AUTO, SYSLOG in any case, else a path whose directory exists", (t) => {
  const dir = tempDir(t);
  const home = join(dir, "home");
  mkdirSync(home);
  withHome(t, home);
  accepts(logfileName, [
    ["NONE", null], ["none", null], ["Off", null], ["AUTO", AUTO], ["auto", AUTO],
    ["syslog", { syslog: true }], ["SYSLOG", { syslog: true }],
    [`${dir}/a.log`, `${dir}/a.log`], ["a.log", "a.log"], ["", ""], ["~/a.log", `${home}/a.log`],
  ]);
  rejects(logfileName, [[`${dir}/missing/a.log`, `The directory named as part of the path ${dir}/missing/a.log does not exist`]]);
});

test("inetAddress: port, host:port, :port, *:port; host lower-cased, * and empty mean every interface", () => {
  accepts(inetAddress, [
    ["9001", ["", 9001]], [" 9001 ", ["", 9001]], ["127.0.0.1:9001", ["127.0.0.1", 9001]],
    ["LocalHost:9001", ["localhost", 9001]], [":9001", ["", 9001]], ["*:9001", ["", 9001]],
    ["::1:9001", ["::1", 9001]], ["[::1]:9001", ["[::1]", 9001]], ["h:p:9001", ["h:p", 9001]],
    ["host: 80 ", ["host", 80]], ["host:+80", ["host", 80]], ["host:1_0", ["host", 10]], ["host:١٢", ["host", 12]],
  ]);
});

test("inetAddress errors: each of Python's texts, the bare-port one with its trailing space", () => {
  rejects(inetAddress, [
    ["host:", "no port number specified in ''"],
    ["*:", "no port number specified in ''"],
    ["host:abc", "invalid literal for int() with base 10: 'abc'"],
    ["host:0", "0 is below lower bound (1)"],
    ["*:0", "0 is below lower bound (1)"],
    ["host:-1", "-1 is below lower bound (1)"],
    ["host:65536", "65536 is above upper bound (65535)"],
    // Python's int is unbounded: the message repeats every digit.
    ["host:9999999999999999999999999", "9999999999999999999999999 is above upper bound (65535)"],
    ["host:-9999999999999999999999999", "-9999999999999999999999999 is below lower bound (1)"],
    ["0", "not a valid port number: '0' "],
    ["65536", "not a valid port number: '65536' "],
    ["abc", "not a valid port number: 'abc' "],
    ["", "not a valid port number: '' "],
    ["Host", "not a valid port number: 'Host' "],
    ["a'b", "not a valid port number: \"a'b\" "],
    ["9999999999999999999999999", "not a valid port number: '9999999999999999999999999' "],
  ]);
});

test("nameToUid takes a user name or an existing uid", () => {
  accepts(nameToUid, [["root", 0], ["nobody", 65534], ["0", 0], ["65534", 65534], [" 0 ", 0], ["+0", 0]]);
  rejects(nameToUid, [
    ["nosuchuser", "Invalid user name nosuchuser"],
    ["ROOT", "Invalid user name ROOT"],
    ["root ", "Invalid user name root "],
    ["0x0", "Invalid user name 0x0"],
    ["1.0", "Invalid user name 1.0"],
    ["", "Invalid user name "],
    ["123456", "Invalid user id 123456"],
    ["-1", "Invalid user id -1"],
    ["99999999999", "Invalid user id 99999999999"],
  ]);
});

test("nameToGid takes a group name or an existing gid", () => {
  accepts(nameToGid, [["root", 0], ["nogroup", 65534], ["0", 0], ["65534", 65534], [" 0 ", 0]]);
  rejects(nameToGid, [
    ["nosuchgroup", "Invalid group name nosuchgroup"],
    ["", "Invalid group name "],
    ["123456", "Invalid group id 123456"],
    ["-1", "Invalid group id -1"],
  ]);
});

test("gidForUid is the user's primary group", () => {
  assert.equal(gidForUid(0, WHERE), 0);
  assert.equal(gidForUid(65534, WHERE), 65534);
});

test("colonSeparatedUserGroup: user or user:group, gid -1 without a group; one message for every failure", () => {
  accepts(colonSeparatedUserGroup, [
    ["root", [0, -1]], ["0", [0, -1]], ["root:root", [0, 0]], ["0:0", [0, 0]],
    ["nobody:nogroup", [65534, 65534]], ["65534:65534", [65534, 65534]],
  ]);
  rejects(colonSeparatedUserGroup, [
    ["root:", "Invalid user:group definition root:"],
    [":root", "Invalid user:group definition :root"],
    ["nosuchuser", "Invalid user:group definition nosuchuser"],
    ["root:nosuchgroup", "Invalid user:group definition root:nosuchgroup"],
    ["nosuchuser:root", "Invalid user:group definition nosuchuser:root"],
    ["root:root:root", "Invalid user:group definition root:root:root"],
    ["123456", "Invalid user:group definition 123456"],
    ["", "Invalid user:group definition "],
  ]);
});

test("url needs a scheme and a netloc or a path, and returns the text unchanged", () => {
  accepts(url, [
    ["http://localhost:9001", "http://localhost:9001"], ["unix:///tmp/supervisor.sock", "unix:///tmp/supervisor.sock"],
    ["localhost:9001", "localhost:9001"], ["http:/path", "http:/path"], ["HTTP://X", "HTTP://X"], ["file:/a", "file:/a"],
    ["a+b-c.d:x", "a+b-c.d:x"], ["http:///", "http:///"], ["http:////x", "http:////x"], ["http://é", "http://é"],
    ["http://[::1]:9001", "http://[::1]:9001"], ["http://u@[::1]:9", "http://u@[::1]:9"], ["http://[::1]:", "http://[::1]:"],
    ["http://[fe80::1%eth0]:9001/", "http://[fe80::1%eth0]:9001/"], ["http://[v1.x]:9001/", "http://[v1.x]:9001/"],
    ["http://x#[", "http://x#["], ["http://x;y", "http://x;y"],
  ]);
  rejects(url, [
    ["http://", "value 'http://' is not a URL"],
    ["http:", "value 'http:' is not a URL"],
    ["foo", "value 'foo' is not a URL"],
    ["", "value '' is not a URL"],
    ["/tmp/x.sock", "value '/tmp/x.sock' is not a URL"],
    ["1http://x", "value '1http://x' is not a URL"],
    ["-x:y", "value '-x:y' is not a URL"],
    ["x y:z", "value 'x y:z' is not a URL"],
    ["http:?q", "value 'http:?q' is not a URL"],
    ["http:#f", "value 'http:#f' is not a URL"],
  ]);
});

test("url: leading controls and spaces are dropped, and tabs and newlines anywhere, before parsing", () => {
  accepts(url, [
    [" http://x", " http://x"], ["\thttp://x", "\thttp://x"], ["\x01 http://x", "\x01 http://x"],
    ["ht\ttp://x", "ht\ttp://x"], ["h\nt\rtp://x", "h\nt\rtp://x"], ["http://x/\n", "http://x/\n"],
  ]);
  rejects(url, [
    [" \x7fhttp://x", "value ' \\x7fhttp://x' is not a URL"],
    ["\x85http://x", "value '\\x85http://x' is not a URL"],
    ["x:\t", "value 'x:\\t' is not a URL"],
  ]);
});

test("url: `;params` do not count as a path for the schemes urlparse splits them from", () => {
  accepts(url, [["unix:;x", "unix:;x"], ["http:a/b;c", "http:a/b;c"], ["http:a;b/c", "http:a;b/c"], ["http:;/x", "http:;/x"]]);
  rejects(url, [
    ["http:;x", "value 'http:;x' is not a URL"],
    ["HTTP:;x", "value 'HTTP:;x' is not a URL"],
    ["sip:;x", "value 'sip:;x' is not a URL"],
  ]);
});

test("url: urlparse's own errors for brackets and NFKC tricks in the netloc are the message", () => {
  rejects(url, [
    ["http://[::1", "Invalid IPv6 URL"],
    ["http://x]", "Invalid IPv6 URL"],
    ["http://a[::1]", "Invalid IPv6 URL"],
    ["http://[::1]x", "Invalid IPv6 URL"],
    ["http://[[::1]]:9001/", "Invalid IPv6 URL"],
    ["http://[x]", "'x' does not appear to be an IPv4 or IPv6 address"],
    ["http://[]:9001/", "'' does not appear to be an IPv4 or IPv6 address"],
    ["http://[12345::]:9001/", "'12345::' does not appear to be an IPv4 or IPv6 address"],
    ["http://[fe80::1%]:9001/", "'fe80::1%' does not appear to be an IPv4 or IPv6 address"],
    ["http://[V1.x]:9001/", "'V1.x' does not appear to be an IPv4 or IPv6 address"],
    ["http://[a]@h", "'h' does not appear to be an IPv4 or IPv6 address"],
    ["http://[a@h]", "'h]' does not appear to be an IPv4 or IPv6 address"],
    ["http://[1.2.3.4]:9001/", "An IPv4 address cannot be in brackets"],
    ["http://[v1.]:9001/", "IPvFuture address is invalid"],
    ["http://\u2100x", "netloc '\u2100x' contains invalid characters under NFKC normalization"],
    ["http://x\uff0fy", "netloc 'x\uff0fy' contains invalid characters under NFKC normalization"],
  ]);
});
