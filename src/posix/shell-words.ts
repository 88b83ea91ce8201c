/**
 * Splitting `command` into words as supervisord does, with Python's `shlex.split(s)` (POSIX mode,
 * no comments): no expansion of any kind (states.md §4.3).
 */

/** A command that cannot be split; the message is Python's ValueError text. */
export class ShellWordsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

// Only these four separate words: a vertical tab, a form feed or a no-break space is part of a word.
const WHITESPACE = new Set([" ", "\t", "\r", "\n"]);

/**
 * Python's `shlex.split(command)`. Rules worth knowing: outside quotes a backslash takes the next
 * character literally, newline included (no line continuation); inside `"…"` it escapes only `"`
 * and `\` and is kept before anything else (`` \` `` and `\$` too); `'…'` is literal; quoted parts
 * join the word around them, and a word made only of quotes (`''`) is an empty word.
 */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let word = "";
  // A word has started (a quote makes a word even when it adds no character).
  let inWord = false;
  let quote: '"' | "'" | undefined;
  let escaped = false;
  for (const ch of command) {
    if (escaped) {
      if (quote === '"' && ch !== '"' && ch !== "\\") word += "\\";
      word += ch;
      escaped = false;
    } else if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else if (ch === "\\" && quote === '"') escaped = true;
      else word += ch;
    } else if (WHITESPACE.has(ch)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      inWord = true;
      if (ch === "'" || ch === '"') quote = ch;
      else if (ch === "\\") escaped = true;
      else word += ch;
    }
  }
  // shlex reports the escape first: `"a\` ends inside an escape, not just inside a quote.
  if (escaped) throw new ShellWordsError("No escaped character");
  if (quote !== undefined) throw new ShellWordsError("No closing quotation");
  if (inWord) words.push(word);
  return words;
}
