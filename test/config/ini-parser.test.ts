import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError } from "../../src/errors";
import { IniParser, splitLines } from "../../src/config/ini-parser";

// Every value and message below was checked against supervisord 4.2.5's UnhosedConfigParser on
// Debian's Python 3.11, reading each text from a real file (text mode, universal newlines, utf-8)
// with read_file(f, source=NAME), which is how supervisord reads its files. read_string() would
// differ for CR line endings: its StringIO does not translate them.

function parse(...texts: string[]): IniParser {
  const parser = new IniParser();
  texts.forEach((text, index) => parser.read(text, index === 0 ? "t.conf" : `inc${index}.conf`));
  return parser;
}

/** (name, value) pairs in RawConfigParser.options order: the section's own, then DEFAULT's. */
function values(parser: IniParser, section: string): [string, string][] {
  return parser.options(section).map((key) => [key, parser.get(section, key)?.value ?? "<missing>"]);
}

function readError(parser: IniParser, text: string, fpname = "t.conf"): ConfigError {
  let caught: unknown;
  assert.throws(() => parser.read(text, fpname), (err: unknown) => {
    caught = err;
    return err instanceof ConfigError;
  });
  return caught as ConfigError; // assert.throws only returns once the predicate accepted it
}

test("`=` and `:` both separate a key from its value, with or without spaces", () => {
  assert.deepEqual(values(parse("[s]\na=1\nb:2\nc = 3\nd : 4\n"), "s"), [["a", "1"], ["b", "2"], ["c", "3"], ["d", "4"]]);
});

test("the first `=` or `:` on the line separates; later ones belong to the value", () => {
  assert.deepEqual(values(parse("[s]\na=b:c\nd:e=f\n"), "s"), [["a", "b:c"], ["d", "e=f"]]);
  assert.deepEqual(values(parse("[s]\na==b\nc::d\ne:=f\ng=:h\n"), "s"), [
    ["a", "=b"], ["c", ":d"], ["e", "=f"], ["g", ":h"],
  ]);
});

test("keys are right-stripped and lower-cased, may hold spaces, and values are stripped", () => {
  assert.deepEqual(values(parse("[s]\nKey Name = v\nMiXeD:V\nTrail   =  x  \n"), "s"), [
    ["key name", "v"], ["mixed", "V"], ["trail", "x"],
  ]);
  // str.lower(): a final sigma, and the dotted capital I becoming two code points.
  assert.deepEqual(values(parse("[s]\nΣΑΣ=1\nİ=2\n"), "s"), [["σας", "1"], ["i\u0307", "2"]]);
});

test("a key given twice in different case is one key: the last value wins", () => {
  assert.deepEqual(values(parse("[s]\nA=1\na=2\n"), "s"), [["a", "2"]]);
});

test("stripping uses Python's whitespace: no-break space, vertical tab, form feed, separators", () => {
  assert.deepEqual(values(parse("[s]\na=1 \x0b\x0c\x1c\n"), "s"), [["a", "1"]]);
  // U+3000 is whitespace too, so the indented line continues the value.
  assert.deepEqual(values(parse("[s]\na\u00a0=\u00a0v\u00a0\n\u3000b=1\n"), "s"), [["a", "v\nb=1"]]);
});

test("lines starting with # or ; are comments, also when indented", () => {
  assert.deepEqual(values(parse("[s]\na=1\n# full\n; full\n   # indented\n\t; tab\nb=2\n"), "s"), [["a", "1"], ["b", "2"]]);
  assert.deepEqual(values(parse("[s]\n#a=1\n;b=2\n;\n#\n"), "s"), []);
});

test("an inline comment starts only at column 0 or after whitespace", () => {
  const parser = parse("[s]\na=b;c\nb=b ;c\nc=b\t#c\nd=;x\ne= ;x\nx=http://h/#frag\ny=x # comment\nz=x; comment\n");
  assert.deepEqual(values(parser, "s"), [
    ["a", "b;c"], ["b", "b"], ["c", "b"], ["d", ";x"], ["e", ""], ["x", "http://h/#frag"], ["y", "x"], ["z", "x; comment"],
  ]);
});

test("quotes do not protect a comment character", () => {
  assert.deepEqual(values(parse("[s]\ncommand=bash -c 'foo ; bar'\n"), "s"), [["command", "bash -c 'foo"]]);
});

test("inline comments are searched round by round, not for the earliest valid prefix", () => {
  // Round 1 finds `#` at x#y (not a comment) and `;` after a space (a comment): the scan stops
  // there, so the earlier ` #z` found only in round 2 is never considered.
  assert.deepEqual(values(parse("[s]\na=x#y #z ;w\n"), "s"), [["a", "x#y #z"]]);
  assert.deepEqual(values(parse("[s]\na=x#y ;z #w\nb=x;y ;z #w\nc=p#q;r #s\nd=x;y #z\ne=a;b;c ;d\n"), "s"), [
    ["a", "x#y"], ["b", "x;y ;z"], ["c", "p#q;r"], ["d", "x;y"], ["e", "a;b;c"],
  ]);
});

test("a section header may carry an inline comment", () => {
  assert.deepEqual(values(parse("[s] ; comment\na=1\n"), "s"), [["a", "1"]]);
});

test("lines indented deeper than the option line continue its value", () => {
  assert.deepEqual(values(parse("[s]\na=/bin/sleep\n  30\n\n  x\nb=1\n"), "s"), [["a", "/bin/sleep\n30\n\nx"], ["b", "1"]]);
  assert.deepEqual(values(parse("[s]\n  a=1\n  b=2\n    c\n d=3\n"), "s"), [["a", "1"], ["b", "2\nc"], ["d", "3"]]);
  assert.deepEqual(values(parse("[s]\n\ta=1\n\t\tcont\n"), "s"), [["a", "1\ncont"]]);
  assert.deepEqual(values(parse("[s]\na=\n  x\n"), "s"), [["a", "\nx"]]);
});

test("an indented line right after a header is an option, not a continuation", () => {
  assert.deepEqual(values(parse("[s]\n\n  a=1\n"), "s"), [["a", "1"]]);
  assert.deepEqual(values(parse("  [s]\na=1\n"), "s"), [["a", "1"]]);
});

test("blank lines inside a value are kept and trailing ones removed", () => {
  assert.deepEqual(values(parse("[s]\na=1\n  2\n\n\n"), "s"), [["a", "1\n2"]]);
  assert.deepEqual(values(parse("[s]\na=1\n\n\n[t]\nb=2\n"), "s"), [["a", "1"]]);
  assert.deepEqual(values(parse("[s]\na=1\n\t\n  x\n"), "s"), [["a", "1\n\nx"]]);
  assert.deepEqual(values(parse("[s]\na=\n\n"), "s"), [["a", ""]]);
});

test("comment-only lines inside a value are skipped without ending it", () => {
  assert.deepEqual(values(parse("[s]\na=1\n  # comment in value\n  2\n  ; another\n\n  3\n"), "s"), [["a", "1\n2\n\n3"]]);
  assert.deepEqual(values(parse("[s]\na=1\n  #x\n  y #z\n"), "s"), [["a", "1\ny"]]);
});

test("an indented [section] line after an option is continuation text", () => {
  const parser = parse("[s]\na=1\n   [t]\nb=2\n");
  assert.deepEqual(parser.sections(), ["s"]);
  assert.deepEqual(values(parser, "s"), [["a", "1\n[t]"], ["b", "2"]]);
});

test("section names are kept verbatim: case, spaces, dots, colons; text after the last ] is dropped", () => {
  const parser = parse("[Program:X]\na=1\n[program: d ] trailing\nb=2\n[a.b:c]\nc=3\n[x]]y]\nd=4\n[ s ]\ne=5\n");
  assert.deepEqual(parser.sections(), ["Program:X", "program: d ", "a.b:c", "x]]y", " s "]);
  assert.deepEqual(values(parser, "program: d "), [["b", "2"]]);
  assert.deepEqual(values(parser, "x]]y"), [["d", "4"]]);
  assert.equal(parser.hasSection("program:X"), false);
  assert.equal(parser.hasSection("s"), false);
});

test("a header is `[` then anything then the last `]`: [[x]] and [x]=1 are sections", () => {
  const parser = new IniParser();
  const err = readError(parser, "[s]\n[]\n[[x]]\na=1\n[x]=1\nb=2\n");
  assert.equal(err.text, "Source contains parsing errors: 't.conf'\n\t[line  2]: '[]\\n'");
  assert.deepEqual(parser.sections(), ["s", "[x]", "x"]);
  assert.deepEqual(values(parser, "[x]"), [["a", "1"]]);
  assert.deepEqual(values(parser, "x"), [["b", "2"]]);
});

test("a re-opened section merges into the first one and keeps its place", () => {
  const parser = parse("[s]\na=1\n[t]\nb=2\n[s]\nc=3\na=4\n");
  assert.deepEqual(parser.sections(), ["s", "t"]);
  assert.deepEqual(values(parser, "s"), [["a", "4"], ["c", "3"]]);
});

test("a section re-opened by a second read (an included file) merges too", () => {
  const parser = parse("[s]\na=1\nb=2\n", "[t]\nx=1\n[s]\nc=3\na=5\n");
  assert.deepEqual(parser.sections(), ["s", "t"]);
  assert.deepEqual(values(parser, "s"), [["a", "5"], ["b", "2"], ["c", "3"]]);
  assert.deepEqual(values(parser, "t"), [["x", "1"]]);
});

test("a repeated key takes the last value and keeps its first position", () => {
  assert.deepEqual(values(parse("[s]\na=1\nb=2\na=3\n"), "s"), [["a", "3"], ["b", "2"]]);
});

test("DEFAULT values are seen by every section: get, and options (own first)", () => {
  const parser = parse("[DEFAULT]\nd1=x\nshared=def\n[s]\na=1\nshared=own\n[t]\n");
  assert.deepEqual(parser.sections(), ["s", "t"]);
  assert.equal(parser.hasSection("DEFAULT"), false);
  assert.deepEqual(values(parser, "s"), [["a", "1"], ["shared", "own"], ["d1", "x"]]);
  assert.deepEqual(values(parser, "t"), [["d1", "x"], ["shared", "def"]]);
  assert.equal(parser.get("s", "shared")?.value, "own");
  assert.equal(parser.get("t", "shared")?.value, "def");
  assert.equal(parser.get("s", "d1")?.value, "x");
  assert.equal(parser.get("s", "nosuch"), undefined);
});

test("a DEFAULT section after the others still reaches them, and later reads add to it", () => {
  const parser = parse("[s]\na=1\n[DEFAULT]\nz=9\n  a=2\n");
  assert.deepEqual(values(parser, "s"), [["a", "1"], ["z", "9\na=2"]]);
  const twice = parse("[DEFAULT]\na=1\n", "[DEFAULT]\nb=2\n[s]\n");
  assert.deepEqual(values(twice, "s"), [["a", "1"], ["b", "2"]]);
  assert.deepEqual(twice.sections(), ["s"]);
  const own = parse("[s]\na=1\n[DEFAULT]\na=2\n");
  assert.deepEqual(values(own, "s"), [["a", "1"]]);
  assert.equal(own.get("s", "a")?.value, "1");
});

test("CRLF and lone CR end lines like LF", () => {
  assert.deepEqual(values(parse("[s]\r\na=1\r\n  2\r\n\r\nb=3\r\n"), "s"), [["a", "1\n2"], ["b", "3"]]);
  assert.deepEqual(values(parse("[s]\ra=1\r  2\r\rb=3\r"), "s"), [["a", "1\n2"], ["b", "3"]]);
  assert.deepEqual(values(parse("[s]\ra=1\r\n  2\n\rb=3"), "s"), [["a", "1\n2"], ["b", "3"]]);
  assert.deepEqual(values(parse("[s]\na=1\n\r\n  b\n"), "s"), [["a", "1\n\nb"]]);
});

test("splitLines yields the lines of universal-newline reading, each ending in \\n but the last", () => {
  assert.deepEqual(splitLines("a\r\nb\rc\nd"), ["a\n", "b\n", "c\n", "d"]);
  assert.deepEqual(splitLines("a\n"), ["a\n"]);
  assert.deepEqual(splitLines(""), []);
  assert.deepEqual(splitLines("\n\n"), ["\n", "\n"]);
});

test("a BOM is not stripped: it hides the first header, or joins the first key", () => {
  const err = readError(new IniParser(), "\ufeff[s]\na=1\n");
  assert.equal(err.text, "File contains no section headers.\nfile: 't.conf', line: 1\n'\\ufeff[s]\\n'");
  const blank = readError(new IniParser(), "\ufeff\n[s]\na=1\n");
  assert.equal(blank.text, "File contains no section headers.\nfile: 't.conf', line: 1\n'\\ufeff\\n'");
  assert.deepEqual(values(parse("[s]\n\ufeffa=1\n"), "s"), [["\ufeffa", "1"]]);
});

test("an option before any header: `File contains no section headers.` with the raw line", () => {
  const err = readError(new IniParser(), "a=1\n[s]\n");
  assert.equal(err.text, "File contains no section headers.\nfile: 't.conf', line: 1\n'a=1\\n'");
  assert.deepEqual(err.where, { file: "t.conf", line: 1 });
  assert.equal(err.message, `CANT_REREAD: ${err.text}`);

  // Comments and blank lines before it are fine; the line number counts them.
  const late = readError(new IniParser(), "# comment\n\n   \nfoo\n[s]\n");
  assert.equal(late.text, "File contains no section headers.\nfile: 't.conf', line: 4\n'foo\\n'");
  assert.deepEqual(late.where, { file: "t.conf", line: 4 });

  // `[]` is no header (the name needs a character).
  assert.equal(readError(new IniParser(), "[]\na=1\n").text, "File contains no section headers.\nfile: 't.conf', line: 1\n'[]\\n'");
  assert.equal(readError(new IniParser(), "it's\n").text, "File contains no section headers.\nfile: 't.conf', line: 1\n\"it's\\n\"");
});

test("each file needs its own header: an included file without one fails under its own name", () => {
  const parser = parse("[s]\na=1\n");
  const err = readError(parser, "b=2\n", "inc1.conf");
  assert.equal(err.text, "File contains no section headers.\nfile: 'inc1.conf', line: 1\n'b=2\\n'");
  assert.deepEqual(err.where, { file: "inc1.conf", line: 1 });
  assert.deepEqual(values(parser, "s"), [["a", "1"]]);
});

test("every bad line is listed, numbers right-aligned in 2 columns, lines as Python reprs", () => {
  const parser = new IniParser();
  const err = readError(parser, "[s]\nfoo\nbar baz\na=1\n  cont\n[t]\n\tnot an option\n");
  assert.equal(
    err.text,
    "Source contains parsing errors: 't.conf'\n\t[line  2]: 'foo\\n'\n\t[line  3]: 'bar baz\\n'\n\t[line  7]: '\\tnot an option\\n'",
  );
  assert.deepEqual(err.where, { file: "t.conf", line: 2 });
  // Parsing went on to the end of the file.
  assert.deepEqual(parser.sections(), ["s", "t"]);
  assert.deepEqual(values(parser, "s"), [["a", "1\ncont"]]);
});

test("parse error texts: last line without newline, 2-digit and 3-digit numbers, quotes, control characters", () => {
  assert.equal(readError(new IniParser(), "[s]\nfoo").text, "Source contains parsing errors: 't.conf'\n\t[line  2]: 'foo'");
  assert.equal(
    readError(new IniParser(), `[s]\nx=1\n${"\n".repeat(8)}bad\n`).text,
    "Source contains parsing errors: 't.conf'\n\t[line 11]: 'bad\\n'",
  );
  assert.equal(
    readError(new IniParser(), `[s]\n${"x=1\n".repeat(98)}bad\n`).text,
    "Source contains parsing errors: 't.conf'\n\t[line 100]: 'bad\\n'",
  );
  assert.equal(readError(new IniParser(), "[s]\n'bad'\n").text, "Source contains parsing errors: 't.conf'\n\t[line  2]: \"'bad'\\n\"");
  assert.equal(
    readError(new IniParser(), "[s]\nbad\ttab\x01ctl\u00e9\u200b\n").text,
    "Source contains parsing errors: 't.conf'\n\t[line  2]: 'bad\\ttab\\x01ctl\u00e9\\u200b\\n'",
  );
  assert.equal(readError(new IniParser(), "[s]\nbad\n", "it's.conf").text, "Source contains parsing errors: \"it's.conf\"\n\t[line  2]: 'bad\\n'");
});

test("a bad line does not end the option before it: deeper lines still continue it", () => {
  const parser = new IniParser();
  assert.equal(readError(parser, "[s]\na=1\nbad\n  cont\n").text, "Source contains parsing errors: 't.conf'\n\t[line  3]: 'bad\\n'");
  assert.deepEqual(values(parser, "s"), [["a", "1\ncont"]]);
  // Indented deeper than the option, a line with no separator is just more value.
  assert.deepEqual(values(parse("[s]\na=1\n  bad\n"), "s"), [["a", "1\nbad"]]);
});

test("an empty key is a parse error, and its value is still stored under ''", () => {
  const parser = new IniParser();
  assert.equal(readError(parser, "[s]\n=value\n").text, "Source contains parsing errors: 't.conf'\n\t[line  2]: '=value\\n'");
  assert.deepEqual(values(parser, "s"), [["", "value"]]);
  const spaced = new IniParser();
  assert.equal(readError(spaced, "[s]\n : x\n").text, "Source contains parsing errors: 't.conf'\n\t[line  2]: ' : x\\n'");
  assert.deepEqual(values(spaced, "s"), [["", "x"]]);
});

test("a parse error in a later read names that file; earlier values stay", () => {
  const parser = parse("[s]\na=1\n");
  const err = readError(parser, "[s]\nbad\n", "inc1.conf");
  assert.equal(err.text, "Source contains parsing errors: 'inc1.conf'\n\t[line  2]: 'bad\\n'");
  assert.deepEqual(err.where, { file: "inc1.conf", line: 2 });
  assert.deepEqual(values(parser, "s"), [["a", "1"]]);
  assert.deepEqual(parser.origin("s"), { file: "t.conf", line: 1 });
});

test("empty files and a header alone are fine", () => {
  assert.deepEqual(parse("").sections(), []);
  assert.deepEqual(parse("\n\n").sections(), []);
  const parser = parse("[s]");
  assert.deepEqual(parser.sections(), ["s"]);
  assert.deepEqual(values(parser, "s"), []);
});

test("each entry records the file and the line its last definition starts on", () => {
  const parser = parse("[s]\na=1\nb=/bin/sleep\n  30\na=2\n", "[s]\nc=3\n[t]\nb=4\n");
  assert.deepEqual(parser.get("s", "a"), { value: "2", file: "t.conf", line: 5 });
  assert.deepEqual(parser.get("s", "b"), { value: "/bin/sleep\n30", file: "t.conf", line: 3 });
  assert.deepEqual(parser.get("s", "c"), { value: "3", file: "inc1.conf", line: 2 });
  assert.deepEqual(parser.get("t", "b"), { value: "4", file: "inc1.conf", line: 4 });
  const overridden = parse("[s]\na=1\n", "[s]\na=2\n");
  assert.deepEqual(overridden.get("s", "a"), { value: "2", file: "inc1.conf", line: 2 });
});

test("a DEFAULT value seen through a section keeps DEFAULT's file and line", () => {
  const parser = parse("[s]\na=1\n", "[DEFAULT]\nd=x\n");
  assert.deepEqual(parser.get("s", "d"), { value: "x", file: "inc1.conf", line: 2 });
  assert.deepEqual(parser.options("s"), ["a", "d"]);
});

test("origin() is the file and header line that first opened the section", () => {
  const parser = parse("[s]\na=1\n\n[u]\n", "[t]\nx=1\n[s]\nc=3\n");
  assert.deepEqual(parser.origin("s"), { file: "t.conf", line: 1 });
  assert.deepEqual(parser.origin("u"), { file: "t.conf", line: 4 });
  assert.deepEqual(parser.origin("t"), { file: "inc1.conf", line: 1 });
  assert.equal(parser.origin("nosuch"), undefined);
  assert.equal(parser.origin("DEFAULT"), undefined);
});

test("set() replaces or adds an entry in a section or DEFAULT, and refuses an unknown section", () => {
  const parser = parse("[s]\na=1\nb=2\n");
  parser.set("s", "a", { value: "x", file: "f", line: 9 });
  parser.set("s", "c", { value: "y", file: "f", line: 10 });
  parser.set("DEFAULT", "d", { value: "z", file: "f", line: 11 });
  assert.deepEqual(values(parser, "s"), [["a", "x"], ["b", "2"], ["c", "y"], ["d", "z"]]);
  assert.throws(() => parser.set("nosuch", "a", { value: "", file: "f", line: 1 }), { message: "no section nosuch" });
});
