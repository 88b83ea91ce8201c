/** Python's `urllib.parse.unquote`, the decoding medusa applies to request paths (xmlrpc.md §2.1). */

const UTF8 = new TextDecoder("utf-8", { ignoreBOM: true });
const HEX2 = /^[0-9A-Fa-f]{2}$/;

function decodeAsciiRun(run: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < run.length; ) {
    const hex = run.slice(i + 1, i + 3);
    if (run[i] === "%" && HEX2.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 3;
    } else {
      bytes.push(run.charCodeAt(i));
      i += 1;
    }
  }
  // Python decodes with errors="replace": bad UTF-8 becomes U+FFFD, as TextDecoder does.
  return UTF8.decode(Uint8Array.from(bytes));
}

/**
 * Decode `%XX` escapes as UTF-8. Only runs of ASCII characters are decoded (others are kept as
 * they are), a `%` not followed by two hex digits stays literal, invalid UTF-8 becomes U+FFFD.
 */
export function unquote(text: string): string {
  if (!text.includes("%")) return text;
  return text.replace(/[\x00-\x7f]+/g, (run) => (run.includes("%") ? decodeAsciiRun(run) : run));
}
