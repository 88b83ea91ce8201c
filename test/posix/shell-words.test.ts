import { test } from "node:test";
import assert from "node:assert/strict";
import { shellWords, ShellWordsError } from "../../src/posix/shell-words";

// Every expectation below is what shlex.split(s) answers on Debian's Python 3.11 (the splitter
// supervisord 4.2.5 uses for `command`); 50,000 random strings of quotes, backslashes and
// whitespace were also compared without a difference.

type Case = readonly [string, readonly string[]];

function check(cases: readonly Case[]): void {
  for (const [input, expected] of cases) assert.deepEqual(shellWords(input), expected, JSON.stringify(input));
}

test("words are separated by runs of space, tab, CR and LF only", () => {
  check([
    ["", []], [" ", []], ["   \t\n  ", []], ["a", ["a"]], ["a b", ["a", "b"]], ["  a   b  ", ["a", "b"]],
    ["a\tb\nc\rd", ["a", "b", "c", "d"]], ["a\r\nb", ["a", "b"]],
    // Other whitespace, even what Python's str.isspace() accepts, is part of a word.
    ["a\u000bb", ["a\u000bb"]], ["a\u000cb", ["a\u000cb"]], ["a\u00a0b", ["a\u00a0b"]], ["a\u2003b", ["a\u2003b"]],
    ["a\u0085b", ["a\u0085b"]], ["a\u0000b", ["a\u0000b"]],
  ]);
});

test("a command continued over several INI lines splits at the newlines", () => {
  check([
    ["line1\nline2 arg\n  continued", ["line1", "line2", "arg", "continued"]],
    ["cmd\n  --opt=1\n  --opt2='a b'", ["cmd", "--opt=1", "--opt2=a b"]],
    ['"multi\nline"', ["multi\nline"]],
  ]);
});

test("quoted parts join the word around them, and an empty quoted string is an empty word", () => {
  check([
    ["'a b'", ["a b"]], ['"a b"', ["a b"]], ["''", [""]], ['""', [""]], ["a ''", ["a", ""]], ["'' ''", ["", ""]],
    ['"" x ""', ["", "x", ""]], ["a''b", ["ab"]], ['a""b', ["ab"]], ["'a'\"b\"c", ["abc"]], ["x'y z'w", ["xy zw"]],
    ["a'b'c'd'", ["abcd"]], ['"it\'s"', ["it's"]], ["'say \"hi\"'", ['say "hi"']],
    ["python -c \"print('x')\"", ["python", "-c", "print('x')"]],
    ["/bin/sh -c 'echo hi; sleep 1'", ["/bin/sh", "-c", "echo hi; sleep 1"]],
  ]);
});

test("outside quotes a backslash takes the next character literally, a newline included", () => {
  check([
    ["\\a", ["a"]], ["a\\ b", ["a b"]], ["\\'", ["'"]], ['\\"', ['"']], ["\\\\", ["\\"]], ["\\ ", [" "]],
    ["\\\\ x", ["\\", "x"]], ["x \\\t y", ["x", "\t", "y"]],
    // No line continuation: the escaped newline stays in the word.
    ["a\\\nb", ["a\nb"]], ["a \\\n b", ["a", "\n", "b"]], ["\\\n", ["\n"]],
  ]);
});

test('inside double quotes a backslash escapes only " and \\; before anything else it is kept', () => {
  check([
    ['"a\\"b"', ['a"b']], ['"a\\\\b"', ["a\\b"]], ['"\\\\\\""', ['\\"']], ['"\\\\\\\\"', ["\\\\"]],
    ['"a\\b"', ["a\\b"]], ['"a\\$b"', ["a\\$b"]], ['"a\\`b"', ["a\\`b"]], ['"a\\\'b"', ["a\\'b"]],
    ['"a\\\nb"', ["a\\\nb"]],
  ]);
});

test("inside single quotes a backslash is an ordinary character", () => {
  check([["'a\\b'", ["a\\b"]], ["'a\\'", ["a\\"]], ["'a\\\"b'", ['a\\"b']], ["'\\\\'", ["\\\\"]]]);
});

test("nothing is expanded and # starts no comment", () => {
  check([
    ["# not a comment", ["#", "not", "a", "comment"]], ["a#b", ["a#b"]],
    ["echo $HOME ~ *.txt", ["echo", "$HOME", "~", "*.txt"]], ["a;b|c&d>e<f(g)", ["a;b|c&d>e<f(g)"]],
    ["a\u00e9b '\u00df'", ["a\u00e9b", "\u00df"]], ["\u{1f600} '\u{1f600}' \"\u{1f600}\"", ["\u{1f600}", "\u{1f600}", "\u{1f600}"]],
  ]);
});

test("an unterminated quote or a trailing backslash is Python's ValueError text", () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ["'abc", "No closing quotation"], ['"abc', "No closing quotation"], ["a 'b", "No closing quotation"],
    ["'''", "No closing quotation"], ['"""', "No closing quotation"], ['a "b\\"', "No closing quotation"],
    // A backslash inside single quotes escapes nothing, so the quote is what is left open.
    ["'a\\", "No closing quotation"],
    ["a\\", "No escaped character"], ["\\", "No escaped character"],
    // Inside double quotes the pending escape is reported, not the open quote.
    ['"a\\', "No escaped character"],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => shellWords(input), (err: unknown) => {
      assert.ok(err instanceof ShellWordsError);
      assert.equal(err.message, message);
      assert.equal(err.name, "ShellWordsError");
      return true;
    }, JSON.stringify(input));
  }
});
