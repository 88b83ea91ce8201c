/** Bytes Python's `urllib.parse.quote` leaves as they are (its default `safe` adds the slash). */
const UNRESERVED = /^[A-Za-z0-9_.~\/-]$/;

/**
 * Python's `urllib.parse.quote(text)`: UTF-8, every byte but letters, digits, `_.-~` and `/`
 * as `%XX` (upper-case hex). supervisord quotes namespecs in links (`grp%3Aweb`) and the message
 * of a redirect with it (web.md); `encodeURIComponent` would differ on `/!'()*`.
 */
export function urlQuote(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const char = String.fromCharCode(byte);
    out += UNRESERVED.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}
