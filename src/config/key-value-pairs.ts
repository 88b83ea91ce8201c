/**
 * supervisord's `environment=` parser (spec config.md §5.2): the value is cut into tokens the way
 * Python's `shlex.shlex` does in non-POSIX mode (word characters extended by `/.+-():`), then read
 * as `KEY = VALUE` triples each followed by one skipped token.
 */

/** Raised with Python's exact ValueError text; callers add the config location. */
export class KeyValuePairsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

// Non-POSIX shlex word characters are ASCII only (the Latin-1 letters are added in POSIX mode).
const WORD_CHAR = /^[A-Za-z0-9_/.+\-():]$/;
// shlex's whitespace is exactly these four; \v, \f, NBSP and the like are one-character tokens.
const WHITESPACE = new Set([" ", "\t", "\r", "\n"]);
const COMMENT = "#";

function isQuote(ch: string): boolean {
  return ch === '"' || ch === "'";
}

/**
 * Non-POSIX shlex tokens of `text`. Iterates by code point because Python reads one code point
 * at a time: an astral character is one token, not two surrogate halves.
 */
function tokenize(text: string): string[] {
  const chars = Array.from(text);
  const tokens: string[] = [];
  let i = 0;

  // A comment runs to just after the next "\n" only: "\r", "\u2028" and other line breaks do
  // not end it, because shlex reads the text through a StringIO that splits lines on "\n" alone.
  const skipComment = (): void => {
    while (i < chars.length && chars[i++] !== "\n");
  };

  while (i < chars.length) {
    const ch = chars[i++] as string; // i < chars.length was checked by the loop
    if (WHITESPACE.has(ch)) continue;
    if (ch === COMMENT) {
      skipComment();
      continue;
    }
    if (isQuote(ch)) {
      // The token keeps both quotes and there are no escapes; it always ends at the matching quote,
      // so a following word starts a new token.
      let token = ch;
      for (;;) {
        if (i >= chars.length) throw new KeyValuePairsError("No closing quotation");
        const next = chars[i++] as string; // bounds checked just above
        token += next;
        if (next === ch) break;
      }
      tokens.push(token);
      continue;
    }
    if (!WORD_CHAR.test(ch)) {
      tokens.push(ch);
      continue;
    }
    let word = ch;
    while (i < chars.length) {
      const next = chars[i] as string; // bounds checked by the loop condition
      if (WORD_CHAR.test(next) || isQuote(next)) {
        // Inside a word a quote is an ordinary character: A=x"y z" gives the word x"y.
        word += next;
        i++;
      } else if (next === COMMENT) {
        // Non-POSIX shlex stays in the word across a comment: "foo#bar\nbaz" is the word "foobaz".
        i++;
        skipComment();
      } else {
        // Whitespace ends the word and is dropped; any other character becomes its own token next.
        break;
      }
    }
    tokens.push(word);
  }
  return tokens;
}

/**
 * Parse supervisord's `KEY=VALUE,KEY2=VALUE2` syntax. The map holds the pairs in the order
 * Python's dict would: a repeated key keeps its first position and takes its last value.
 */
export function dictOfKeyValuePairs(text: string): Map<string, string> {
  const tokens = tokenize(text);
  const pairs = new Map<string, string>();
  // supervisord never checks what the fourth token is: it is skipped, whatever it is (§5.2).
  for (let i = 0; i < tokens.length; i += 4) {
    const key = tokens[i];
    const equals = tokens[i + 1];
    const value = tokens[i + 2];
    if (key === undefined || equals !== "=" || value === undefined) {
      throw new KeyValuePairsError(`Unexpected end of key/value pairs in value '${text}'`);
    }
    pairs.set(key, value.replace(/^['"]+|['"]+$/g, ""));
  }
  return pairs;
}
