import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pyGlob } from "../../src/config/glob";
import { compareCodePoints } from "../../src/config/python-str";

// Every expectation below was checked with /usr/bin/python3 (3.11): sorted(glob.glob(pattern))
// on the same tree, with ROOT standing for the temp dir.

const FILES = [
  "a.conf", "b.conf", "c.txt", ".hidden.conf", "A.CONF", "x(1)+^$.conf", "back\\slash.conf",
  "[lit].conf", "brack[.conf", "a-b.conf", "]x.conf", "^x.conf", "!x.conf", "-x.conf",
  "nl\nx.conf", "é.conf", "\u{1D11E}.conf", "star*.conf", "q?.conf",
  "conf.d/one.conf", "conf.d/two.ini", "conf.d/.dot.conf",
  "etc/app1/conf.d/x.conf", "etc/app2/conf.d/y.conf", "etc/app3", "etc/.hid/conf.d/z.conf",
];

const ALL_CONF = [
  "ROOT/!x.conf", "ROOT/-x.conf", "ROOT/[lit].conf", "ROOT/]x.conf", "ROOT/^x.conf", "ROOT/a-b.conf",
  "ROOT/a.conf", "ROOT/b.conf", "ROOT/back\\slash.conf", "ROOT/brack[.conf", "ROOT/dangling.conf",
  "ROOT/nl\nx.conf", "ROOT/q?.conf", "ROOT/star*.conf", "ROOT/x(1)+^$.conf", "ROOT/é.conf",
  "ROOT/\u{1D11E}.conf",
];

let root = "";

/** Sorted glob results with the temp dir written as ROOT. */
function glob(pattern: string): string[] {
  return pyGlob(pattern.replaceAll("ROOT", root))
    .map((p) => p.replaceAll(root, "ROOT"))
    .sort(compareCodePoints);
}

function check(cases: ReadonlyArray<readonly [string, readonly string[]]>): void {
  for (const [pattern, expected] of cases) {
    assert.deepEqual(glob(pattern), expected, `pattern ${JSON.stringify(pattern)}`);
  }
}

describe("pyGlob", () => {
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "pyglob-"));
    for (const file of FILES) {
      const full = path.join(root, file);
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, "");
    }
    fs.symlinkSync("app1", path.join(root, "etc/app4"));
    fs.symlinkSync("missing", path.join(root, "etc/app5"));
    fs.symlinkSync("nowhere", path.join(root, "dangling.conf"));
    fs.symlinkSync("conf.d", path.join(root, "dirlink"));
  });

  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  test("* matches every non-hidden name, including dangling symlinks and odd characters", () => {
    check([
      ["ROOT/*.conf", ALL_CONF],
      ["ROOT/**.conf", ALL_CONF],
      ["ROOT/***.ini", []],
    ]);
  });

  test("? matches exactly one character, by code point, newlines included", () => {
    check([
      ["ROOT/?.conf", ["ROOT/a.conf", "ROOT/b.conf", "ROOT/é.conf", "ROOT/\u{1D11E}.conf"]],
      ["ROOT/nl?x.conf", ["ROOT/nl\nx.conf"]],
      ["ROOT/nl*", ["ROOT/nl\nx.conf"]],
    ]);
  });

  test("sets, negated sets and ranges", () => {
    check([
      ["ROOT/[ab].conf", ["ROOT/a.conf", "ROOT/b.conf"]],
      ["ROOT/[!a].conf", ["ROOT/b.conf", "ROOT/é.conf", "ROOT/\u{1D11E}.conf"]],
      ["ROOT/[a-b].conf", ["ROOT/a.conf", "ROOT/b.conf"]],
      ["ROOT/[a-c].*", ["ROOT/a.conf", "ROOT/b.conf", "ROOT/c.txt"]],
      ["ROOT/[!a-z].conf", ["ROOT/é.conf", "ROOT/\u{1D11E}.conf"]],
      ["ROOT/[é].conf", ["ROOT/é.conf"]],
      ["ROOT/*.[!c]*", ["ROOT/A.CONF", "ROOT/c.txt", "ROOT/conf.d"]],
    ]);
  });

  test("a reversed range matches nothing, and negated matches any character", () => {
    check([
      ["ROOT/[b-a].conf", []],
      ["ROOT/[!b-a].conf", ["ROOT/a.conf", "ROOT/b.conf", "ROOT/é.conf", "ROOT/\u{1D11E}.conf"]],
    ]);
  });

  test("] first in a set is a member; - first, last or after ! is literal", () => {
    check([
      ["ROOT/[]]x.conf", ["ROOT/]x.conf"]],
      ["ROOT/[!]]x.conf", ["ROOT/!x.conf", "ROOT/-x.conf", "ROOT/^x.conf"]],
      // ] to a: a range over ] ^ _ ` a
      ["ROOT/[]-a]x.conf", ["ROOT/]x.conf", "ROOT/^x.conf"]],
      ["ROOT/[a-]*", ["ROOT/-x.conf", "ROOT/a-b.conf", "ROOT/a.conf"]],
      ["ROOT/[-]x.conf", ["ROOT/-x.conf"]],
      ["ROOT/[!-]x.conf", ["ROOT/!x.conf", "ROOT/]x.conf", "ROOT/^x.conf"]],
      ["ROOT/[^]x.conf", ["ROOT/^x.conf"]],
      ["ROOT/[\\^]x.conf", ["ROOT/^x.conf"]],
    ]);
  });

  test("a [ with no closing ] is a literal character", () => {
    check([
      ["ROOT/brack[.conf", ["ROOT/brack[.conf"]],
      ["ROOT/brack[*", ["ROOT/brack[.conf"]],
    ]);
  });

  test("brackets quote the wildcard characters", () => {
    check([
      ["ROOT/[[]lit].conf", ["ROOT/[lit].conf"]],
      ["ROOT/[[]*", ["ROOT/[lit].conf"]],
      ["ROOT/[lit].conf", []],
      ["ROOT/star[*].conf", ["ROOT/star*.conf"]],
      ["ROOT/star*.conf", ["ROOT/star*.conf"]],
      ["ROOT/q[?].conf", ["ROOT/q?.conf"]],
      ["ROOT/q?.conf", ["ROOT/q?.conf"]],
      ["ROOT/*[*?]*", ["ROOT/q?.conf", "ROOT/star*.conf"]],
    ]);
  });

  test("regex and shell specials in names are ordinary characters; backslash quotes nothing", () => {
    check([
      ["ROOT/x(1)+^$.conf", ["ROOT/x(1)+^$.conf"]],
      ["ROOT/x(*", ["ROOT/x(1)+^$.conf"]],
      ["ROOT/*+^$*", ["ROOT/x(1)+^$.conf"]],
      ["ROOT/back\\*", ["ROOT/back\\slash.conf"]],
      ["ROOT/[\\]*", []],
    ]);
  });

  test("hidden names need a component that starts with a dot", () => {
    check([
      ["ROOT/.*", ["ROOT/.hidden.conf"]],
      ["ROOT/.h*", ["ROOT/.hidden.conf"]],
      ["ROOT/*hidden*", []],
      ["ROOT/[.]hidden.conf", []],
      ["ROOT/?hidden.conf", []],
      ["ROOT/conf.d/*", ["ROOT/conf.d/one.conf", "ROOT/conf.d/two.ini"]],
      ["ROOT/conf.d/.*", ["ROOT/conf.d/.dot.conf"]],
      ["ROOT/etc/.*/conf.d/*", ["ROOT/etc/.hid/conf.d/z.conf"]],
    ]);
  });

  test("a pattern without wildcards is returned if it exists, dangling symlinks included", () => {
    check([
      ["ROOT/a.conf", ["ROOT/a.conf"]],
      ["ROOT/nope.conf", []],
      ["ROOT/dangling.conf", ["ROOT/dangling.conf"]],
      ["ROOT/dangling.c*", ["ROOT/dangling.conf"]],
      ["ROOT/etc/app5", ["ROOT/etc/app5"]],
    ]);
  });

  test("names match case-sensitively", () => {
    check([
      ["ROOT/*.CONF", ["ROOT/A.CONF"]],
      ["ROOT/A.conf", []],
      ["ROOT/a.CONF", []],
    ]);
  });

  test("wildcards in directory components descend only into directories (symlinks followed)", () => {
    check([
      ["ROOT/etc/*", ["ROOT/etc/app1", "ROOT/etc/app2", "ROOT/etc/app3", "ROOT/etc/app4", "ROOT/etc/app5"]],
      ["ROOT/etc/app[0-9]", ["ROOT/etc/app1", "ROOT/etc/app2", "ROOT/etc/app3", "ROOT/etc/app4", "ROOT/etc/app5"]],
      ["ROOT/etc/app[0-9]/conf.d", ["ROOT/etc/app1/conf.d", "ROOT/etc/app2/conf.d", "ROOT/etc/app4/conf.d"]],
      ["ROOT/etc/*/conf.d/*.conf", ["ROOT/etc/app1/conf.d/x.conf", "ROOT/etc/app2/conf.d/y.conf", "ROOT/etc/app4/conf.d/x.conf"]],
      ["ROOT/*/*/*/*", ["ROOT/etc/app1/conf.d/x.conf", "ROOT/etc/app2/conf.d/y.conf", "ROOT/etc/app4/conf.d/x.conf"]],
      ["ROOT/**/*.conf", ["ROOT/conf.d/one.conf", "ROOT/dirlink/one.conf"]],
      ["ROOT/*/*.conf", ["ROOT/conf.d/one.conf", "ROOT/dirlink/one.conf"]],
      ["ROOT/etc/app4/conf.d/*", ["ROOT/etc/app4/conf.d/x.conf"]],
      ["ROOT/dirlink/*", ["ROOT/dirlink/one.conf", "ROOT/dirlink/two.ini"]],
    ]);
  });

  test("a trailing slash matches directories only and is kept", () => {
    check([
      ["ROOT/", ["ROOT/"]],
      ["ROOT/conf.d/", ["ROOT/conf.d/"]],
      ["ROOT/a.conf/", []],
      ["ROOT/etc/app4/", ["ROOT/etc/app4/"]],
      ["ROOT/etc/app5/", []],
      ["ROOT/etc/*/", ["ROOT/etc/app1/", "ROOT/etc/app2/", "ROOT/etc/app4/"]],
      ["ROOT/*/", ["ROOT/conf.d/", "ROOT/dirlink/", "ROOT/etc/"]],
    ]);
  });

  test(". and .. components stay as written; doubled slashes collapse only before a wildcard component", () => {
    check([
      ["ROOT/conf.d/../*.txt", ["ROOT/conf.d/../c.txt"]],
      ["ROOT/./conf.d/*.ini", ["ROOT/./conf.d/two.ini"]],
      ["ROOT/etc/app1/../app2/conf.d/*", ["ROOT/etc/app1/../app2/conf.d/y.conf"]],
      ["ROOT/*/./*.ini", ["ROOT/conf.d/./two.ini", "ROOT/dirlink/./two.ini"]],
      ["ROOT/*/../c.*", ["ROOT/conf.d/../c.txt", "ROOT/dirlink/../c.txt", "ROOT/etc/../c.txt"]],
      ["ROOT//conf.d//*.ini", ["ROOT//conf.d/two.ini"]],
      ["ROOT/*//*.ini", ["ROOT/conf.d/two.ini", "ROOT/dirlink/two.ini"]],
    ]);
  });

  test("missing directories and files used as directories match nothing", () => {
    check([
      ["ROOT/nodir/*", []],
      ["ROOT/nodir/*/x", []],
      ["ROOT/a.conf/*", []],
    ]);
  });

  test("an unreadable directory matches nothing, but a literal path inside it exists", {
    skip: process.getuid?.() === 0 ? "root can list any directory" : false,
  }, (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pyglob-locked-"));
    const locked = path.join(dir, "locked");
    fs.mkdirSync(locked);
    fs.writeFileSync(path.join(locked, "secret.conf"), "");
    // Searchable but not listable.
    fs.chmodSync(locked, 0o300);
    t.after(() => {
      fs.chmodSync(locked, 0o700);
      fs.rmSync(dir, { recursive: true, force: true });
    });
    assert.deepEqual(pyGlob(`${locked}/*`), []);
    assert.deepEqual(pyGlob(`${locked}/*.conf`), []);
    assert.deepEqual(pyGlob(`${locked}/secret.conf`), [`${locked}/secret.conf`]);
  });

  test("the empty pattern matches nothing", () => {
    assert.deepEqual(pyGlob(""), []);
  });

  test("relative patterns are listed from the current directory and stay relative", (t) => {
    const cwd = process.cwd();
    process.chdir(root);
    t.after(() => process.chdir(cwd));
    check([
      ["*.txt", ["c.txt"]],
      ["./*.txt", ["./c.txt"]],
      ["[c].txt", ["c.txt"]],
      ["conf.d/*.ini", ["conf.d/two.ini"]],
      ["*/*.ini", ["conf.d/two.ini", "dirlink/two.ini"]],
      ["*/", ["conf.d/", "dirlink/", "etc/"]],
      [".*", [".hidden.conf"]],
      [".", ["."]],
      ["..", [".."]],
      ["./", ["./"]],
      [
        "*",
        [
          "!x.conf", "-x.conf", "A.CONF", "[lit].conf", "]x.conf", "^x.conf", "a-b.conf", "a.conf",
          "b.conf", "back\\slash.conf", "brack[.conf", "c.txt", "conf.d", "dangling.conf", "dirlink",
          "etc", "nl\nx.conf", "q?.conf", "star*.conf", "x(1)+^$.conf", "é.conf",
          "\u{1D11E}.conf",
        ],
      ],
    ]);
    assert.deepEqual(pyGlob("../*/c.txt").sort(), [`../${path.basename(root)}/c.txt`]);
  });
});
