/** The fields of a UI request, by name. */
export type WebForm = ReadonlyMap<string, string>;

const PERCENT_RUN = /(?:%[0-9A-Fa-f]{2})+/g;
const LENIENT_UTF8 = new TextDecoder("utf-8");
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Python's `unquote(text.replace("+", " "))`: `%XX` runs decoded as UTF-8, bad bytes as U+FFFD. */
function unquotePlus(text: string): string {
  return text
    .replaceAll("+", " ")
    .replace(PERCENT_RUN, (run) => LENIENT_UTF8.decode(Buffer.from(run.replaceAll("%", ""), "hex")));
}

/**
 * Python's `parse_qsl(text)`: fields split on `&`, a field without `=` or with an empty value
 * dropped (so `?message=` is no message at all), names and values unquoted.
 */
function parseFields(text: string): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  for (const field of text.split("&")) {
    const equals = field.indexOf("=");
    if (equals < 0 || equals === field.length - 1) continue;
    fields.push([unquotePlus(field.slice(0, equals)), unquotePlus(field.slice(equals + 1))]);
  }
  return fields;
}

/**
 * The form supervisord's UI handler builds (web.md): the query string's fields, each name's
 * first value, then the form-urlencoded body's, each name's last value, the body winning.
 */
export function readWebForm(query: string, body: Buffer): WebForm {
  const form = new Map<string, string>();
  for (const [name, value] of parseFields(query)) if (!form.has(name)) form.set(name, value);
  // DIVERGES: a body that is not UTF-8 makes supervisord drop the connection without a reply
  // (its collector fails to decode it); we let the caller answer 500, which a browser can show.
  for (const [name, value] of parseFields(STRICT_UTF8.decode(body))) form.set(name, value);
  return form;
}
