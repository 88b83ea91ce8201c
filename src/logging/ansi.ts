const ESC = 0x1b;
const OPEN_BRACKET = 0x5b;
// The bytes that end an escape for supervisord's stripEscapes: H f A B C D R s u J K h l p m.
const TERMINATORS = new Set(Array.from("HfABCDRsuJKhlpm", (ch) => ch.charCodeAt(0)));

/**
 * Remove ANSI escapes as `strip_ansi` does (logging.md §3.5): from each `ESC [` up to and
 * including the first later byte that is a terminator. An escape left open at the end of the chunk
 * swallows the rest of it; the next chunk starts afresh (boundaries are not bridged).
 */
export function stripAnsi(chunk: Buffer): Buffer {
  let start = findEscapeStart(chunk, 0);
  if (start === -1) return chunk;
  const kept: Buffer[] = [];
  let from = 0;
  while (from < chunk.length) {
    start = findEscapeStart(chunk, from);
    if (start === -1) {
      kept.push(chunk.subarray(from));
      break;
    }
    kept.push(chunk.subarray(from, start));
    // The terminator search begins at the "[" itself, which is never a terminator.
    let end = start + 1;
    while (end < chunk.length && !TERMINATORS.has(chunk[end] ?? 0)) end++;
    from = end + 1;
  }
  return Buffer.concat(kept);
}

function findEscapeStart(chunk: Buffer, from: number): number {
  for (let at = chunk.indexOf(ESC, from); at !== -1; at = chunk.indexOf(ESC, at + 1)) {
    if (chunk[at + 1] === OPEN_BRACKET) return at;
  }
  return -1;
}
