import { test } from "node:test";
import assert from "node:assert/strict";
import { dictOfKeyValuePairs, KeyValuePairsError } from "../../src/config/key-value-pairs";

// Every expectation below was checked against supervisord 4.2.5's dict_of_key_value_pairs on Python 3.11.

function pairs(text: string): [string, string][] {
  return [...dictOfKeyValuePairs(text)];
}

function assertUnexpectedEnd(text: string): void {
  assert.throws(() => dictOfKeyValuePairs(text), {
    name: "KeyValuePairsError",
    message: `Unexpected end of key/value pairs in value '${text}'`,
  });
}

function assertNoClosingQuotation(text: string): void {
  assert.throws(() => dictOfKeyValuePairs(text), (err: unknown) => {
    assert.ok(err instanceof KeyValuePairsError);
    assert.equal(err.message, "No closing quotation");
    return true;
  });
}

const OK_CASES: readonly (readonly [string, string, [string, string][]])[] = [
  ["comma-separated pairs", "A=1,B=2", [["A", "1"], ["B", "2"]]],
  ["a semicolon separates like a comma", "A=1;B=2", [["A", "1"], ["B", "2"]]],
  ["spaces around = and , are ignored", "A = 1 , B = 2", [["A", "1"], ["B", "2"]]],
  ["? splits a URL into two pairs", "C=http://x:8080/p?q=1", [["C", "http://x:8080/p"], ["q", "1"]]],
  ["a trailing non-ASCII letter is dropped as the skipped token", "B=café", [["B", "caf"]]],
  ["a value that is one non-ASCII letter is kept", "A=é", [["A", "é"]]],
  ["an unquoted space cuts the value", "A=a b", [["A", "a"]]],
  ["$ is a one-character token", "A=$HOME", [["A", "$"]]],
  ["a comment ends the list", "A=foo#bar,B=2", [["A", "foo"]]],
  ["a word continues after a comment line", "A=foo#bar\nbaz,B=2", [["A", "foobaz"], ["B", "2"]]],
  ["a quote inside a comment is ignored", "A=x#\"unclosed\nB", [["A", "xB"]]],
  ["a comment between pairs", "A=1,#comment\nB=2", [["A", "1"], ["B", "2"]]],
  ["a comment at the very end", "A=foo#", [["A", "foo"]]],
  ["empty text", "", []],
  ["only shlex whitespace", "   \t\r\n", []],
  ["only a comment", "# just a comment", []],
  ["an empty double-quoted value", "A=\"\",B=2", [["A", ""], ["B", "2"]]],
  ["an empty single-quoted value", "A='',B=2", [["A", ""], ["B", "2"]]],
  ["a backslash is literal inside quotes", "A=\"C:\\dir\"", [["A", "C:\\dir"]]],
  ["= inside quotes", "A=\"x=y\",B=2", [["A", "x=y"], ["B", "2"]]],
  ["quotes protect spaces and commas", "A=\"a b\",B='c,d'", [["A", "a b"], ["B", "c,d"]]],
  ["a quoted value keeps its newline", "A=\"a\nb\",B=2", [["A", "a\nb"], ["B", "2"]]],
  ["# inside quotes is not a comment", "A=1,B=\"#not a comment\"", [["A", "1"], ["B", "#not a comment"]]],
  ["pairs on continuation lines", "A=1,\nB=2,\nC=3", [["A", "1"], ["B", "2"], ["C", "3"]]],
  ["a quote in the middle of a word belongs to the word", "A=x\"y z\"", [["A", "x\"y"]]],
  ["a trailing quote in a word is stripped", "A=x\"", [["A", "x"]]],
  ["all outer quotes of both kinds are stripped", "A='\"x\"'", [["A", "x"]]],
  ["adjacent quoted tokens: the second is skipped", "A=\"x\"\"y\"", [["A", "x"]]],
  ["a trailing comma is the skipped token", "A=1,", [["A", "1"]]],
  ["a repeated key keeps its first position and last value", "A=1,A=2,B=3,A=4", [["A", "4"], ["B", "3"]]],
  ["a quoted key keeps its quotes", "\"A\"=1", [["\"A\"", "1"]]],
  ["a non-ASCII letter is a one-character key", "Ä=1", [["Ä", "1"]]],
  ["a vertical tab is a token, not whitespace", "A=1\u000bB=2", [["A", "1"], ["B", "2"]]],
  ["an astral character is one token", "A=😀,B=1", [["A", "😀"], ["B", "1"]]],
  ["a comment runs past \\r up to \\n only", "A=1#c\rB=2", [["A", "1"]]],
  ["= as a value", "A==", [["A", "="]]],
  ["= as a key", "==1", [["=", "1"]]],
  ["a trailing % is skipped", "A=100%", [["A", "100"]]],
  ["word characters /.+-():", "PATH=/usr/bin:/bin,PYTHONPATH=a.b+c-d(e)", [["PATH", "/usr/bin:/bin"], ["PYTHONPATH", "a.b+c-d(e)"]]],
];

for (const [name, text, expected] of OK_CASES) {
  test(`environment ${JSON.stringify(text)}: ${name}`, () => {
    assert.deepEqual(pairs(text), expected);
  });
}

const UNEXPECTED_END_CASES: readonly (readonly [string, string])[] = [
  ["a key with = but no value", "A="],
  ["an empty unquoted value", "A=,B=2"],
  ["a non-ASCII letter followed by more pairs", "A=café,B=2"],
  ["a backslash is a token of its own", "A=\\n,B=2"],
  ["an unquoted = in the value", "A=x=y"],
  ["a newline is not a separator token", "A=1\nB=2"],
  ["a space is not a separator token", "A=1 B=2"],
  ["a no-break space is a token", "A=1\u00a0,B=2"],
  ["two commas", "A=1,,"],
  ["two commas between pairs", "A=1,,B=2"],
  ["a lone key", "A"],
  ["a key without = after a pair", "A=1,B"],
  ["a colon is a word character, not a separator", "A:1"],
  ["a word right after a quoted value", "A=\"a\"b,C=1"],
  ["a quoted value then a space", "A=\"a\" B = 2"],
  ["a comment ended by \\u2028 only at the next \\n", "A=1#c\u2028B=2\nC=3"],
  ["the text is inserted verbatim, % included", "A%=1 %s"],
];

for (const [name, text] of UNEXPECTED_END_CASES) {
  test(`environment ${JSON.stringify(text)} is rejected: ${name}`, () => {
    assertUnexpectedEnd(text);
  });
}

test("an unterminated double quote is No closing quotation", () => {
  assertNoClosingQuotation("A=\"unterminated");
});

test("a single quote is not closed by a double quote", () => {
  assertNoClosingQuotation("A='mixed\"");
});

test("No closing quotation wins over earlier good pairs", () => {
  assertNoClosingQuotation("A=1,B=\"open");
});

test("No closing quotation wins over an earlier malformed pair", () => {
  assertNoClosingQuotation("A \"open");
});

test("the map iterates in Python dict order", () => {
  const map = dictOfKeyValuePairs("Z=1,A=2,M=3,Z=4");
  assert.deepEqual([...map.keys()], ["Z", "A", "M"]);
  assert.equal(map.get("Z"), "4");
});

test("KeyValuePairsError is an Error named after its class", () => {
  const err = new KeyValuePairsError("x");
  assert.ok(err instanceof Error);
  assert.equal(err.name, "KeyValuePairsError");
});
