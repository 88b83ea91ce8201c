import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import {
  normalizePath, pyAbspath, pyDirname, pyExists, pyExpanduser, pyIsabs, pyIsdir, pyJoin, pyNormpath,
} from "../../src/posix/python-path";
import { tempDir } from "../helpers/temp-dir";

// Every expectation below was checked against posixpath on Debian's Python 3.11 (users as on
// Debian: root's home /root, nobody's /nonexistent).

test("pyDirname is posixpath.dirname: '' for a bare name, trailing slashes of the head dropped unless all slashes", () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ["", ""], ["/", "/"], ["//", "//"], ["///", "///"], ["////", "////"], ["a", ""], ["a/", "a"], ["/a", "/"],
    ["//a", "//"], ["///a", "///"], ["//a/b", "//a"], ["///a/b", "///a"], ["a/b/c", "a/b"], ["a/b/", "a/b"],
    ["a//b", "a"], ["/a/b/", "/a/b"], ["/a//b//", "/a//b"], ["./a", "."], ["../a", ".."], ["a/../b", "a/.."],
    ["/..", "/"], ["/../a", "/.."], [".", ""], ["..", ""], ["./", "."], ["a/./b", "a/."], ["foo.conf", ""],
  ];
  for (const [path, expected] of cases) assert.equal(pyDirname(path), expected, JSON.stringify(path));
});

test("pyNormpath is posixpath.normpath: exactly two leading slashes survive, three or more become one", () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ["", "."], ["/", "/"], ["//", "//"], ["///", "/"], ["////", "/"], ["a", "a"], ["a/", "a"], ["/a", "/a"],
    ["//a", "//a"], ["///a", "/a"], ["//a/b", "//a/b"], ["///a/b", "/a/b"], ["//a//b", "//a/b"], ["a//b", "a/b"],
    ["/a//b//", "/a/b"], ["./a", "a"], ["../a", "../a"], ["a/../b", "b"], ["a/../../b", "../b"], ["/..", "/"],
    ["/../a", "/a"], ["//..", "//"], ["//../a", "//a"], ["///..", "/"], [".", "."], ["..", ".."], ["./", "."],
    ["a/./b", "a/b"], ["a/b/..", "a"], ["/a/b/../..", "/"], ["/a/b/../../..", "/"], ["../../x", "../../x"], ["a/..", "."],
  ];
  for (const [path, expected] of cases) assert.equal(pyNormpath(path), expected, JSON.stringify(path));
});

test("pyJoin is posixpath.join: an absolute part restarts, a slash is added only when missing", () => {
  const cases: ReadonlyArray<readonly [readonly string[], string]> = [
    [["a", "b"], "a/b"], [["a/", "b"], "a/b"], [["", "b"], "b"], [["a", "/b"], "/b"], [["a", ""], "a/"],
    [["/", "x"], "/x"], [["a", "b", "/c", "d"], "/c/d"], [["a", "", "b"], "a/b"], [["", ""], ""], [["//", "x"], "//x"],
  ];
  for (const [[first = "", ...rest], expected] of cases) assert.equal(pyJoin(first, ...rest), expected, JSON.stringify([first, ...rest]));
});

test("pyAbspath joins a relative path to the working directory and normalizes", () => {
  const cwd = "/w/sub";
  const cases: ReadonlyArray<readonly [string, string]> = [
    ["", "/w/sub"], [".", "/w/sub"], ["x", "/w/sub/x"], ["../x", "/w/x"], ["/a/../b", "/b"], ["//x", "//x"], ["a/./b/", "/w/sub/a/b"],
  ];
  for (const [path, expected] of cases) assert.equal(pyAbspath(path, cwd), expected, JSON.stringify(path));
  assert.equal(pyAbspath("x"), join(process.cwd(), "x"));
});

test("pyIsabs is true for a leading slash only", () => {
  assert.equal(pyIsabs("/x"), true);
  assert.equal(pyIsabs("//x"), true);
  assert.equal(pyIsabs("x/"), false);
  assert.equal(pyIsabs("~/x"), false);
  assert.equal(pyIsabs(""), false);
});

test("pyExpanduser replaces ~ with HOME, its trailing slashes dropped, and '/' when that leaves nothing", () => {
  const cases: ReadonlyArray<readonly [string, ReadonlyArray<readonly [string, string]>]> = [
    ["/home/x/", [["~", "/home/x"], ["~/", "/home/x/"], ["~/x", "/home/x/x"], ["~//x", "/home/x//x"], ["~/..", "/home/x/.."]]],
    ["", [["~", "/"], ["~/", "/"], ["~/x", "/x"], ["~//x", "//x"], ["~/..", "/.."]]],
    ["/", [["~", "/"], ["~/", "/"], ["~/x", "/x"]]],
    ["//", [["~", "/"], ["~/x", "/x"]]],
  ];
  for (const [home, paths] of cases) {
    for (const [path, expected] of paths) assert.equal(pyExpanduser(path, { HOME: home }), expected, `HOME=${home} ${path}`);
  }
  assert.equal(pyExpanduser("x~", { HOME: "/h" }), "x~");
  assert.equal(pyExpanduser("/~", { HOME: "/h" }), "/~");
});

test("pyExpanduser without HOME uses the passwd entry of the current user", () => {
  const home = userInfo().homedir.replace(/\/+$/, "") || "/";
  assert.equal(pyExpanduser("~", {}), home);
  assert.equal(pyExpanduser("~/x", {}), `${home === "/" ? "" : home}/x`);
});

test("pyExpanduser resolves ~user from the passwd database and leaves an unknown user alone", () => {
  assert.equal(pyExpanduser("~root"), "/root");
  assert.equal(pyExpanduser("~root/x"), "/root/x");
  assert.equal(pyExpanduser("~root//"), "/root//");
  assert.equal(pyExpanduser("~nobody"), "/nonexistent");
  assert.equal(pyExpanduser("~nosuchuser"), "~nosuchuser");
  assert.equal(pyExpanduser("~nosuchuser/x"), "~nosuchuser/x");
});

test("normalizePath is normpath(abspath(expanduser(path)))", () => {
  assert.equal(normalizePath("~root/a/../b"), "/root/b");
  assert.equal(normalizePath("x/./y/"), `${process.cwd()}/x/y`);
  assert.equal(normalizePath("~nosuchuser/x"), `${process.cwd()}/~nosuchuser/x`);
  assert.equal(normalizePath("~/a", { HOME: "/home/ann/" }), "/home/ann/a");
});

test("pyIsdir and pyExists follow symlinks and answer false to every error", (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, "d"));
  writeFileSync(join(dir, "f"), "");
  symlinkSync(join(dir, "d"), join(dir, "link"));
  symlinkSync(join(dir, "missing"), join(dir, "dangling"));
  assert.equal(pyIsdir(join(dir, "d")), true);
  assert.equal(pyIsdir(join(dir, "link")), true);
  assert.equal(pyIsdir(join(dir, "f")), false);
  assert.equal(pyIsdir(join(dir, "f", "x")), false);
  assert.equal(pyIsdir(join(dir, "dangling")), false);
  assert.equal(pyIsdir("a\0b"), false);
  assert.equal(pyExists(join(dir, "f")), true);
  assert.equal(pyExists(join(dir, "link")), true);
  assert.equal(pyExists(join(dir, "dangling")), false);
  assert.equal(pyExists(join(dir, "missing")), false);
  assert.equal(pyExists("a\0b"), false);
});
