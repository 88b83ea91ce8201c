import { unquote } from "./url-unquote";

/** One request head as medusa cracks it (xmlrpc.md §2.1). */
export interface RequestHead {
  /** The request line as sent (the access log shows it). */
  line: string;
  command: string;
  /** The URI with its path percent-decoded; the query as sent. */
  uri: string;
  /** What follows `HTTP/` (`1.0`, `1.1`, …), or null when the request line has no version. */
  version: string | null;
  /** Header lines as sent, continuation lines folded into the one before. */
  headers: string[];
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const REQUEST_LINE = /^([^ ]+) ([^ ]+)(?: HTTP\/([0-9.]+))?$/;

/** Python's splitquery: at the last `?`; an empty query counts as none. */
function splitQuery(uri: string): [string, string] {
  const at = uri.lastIndexOf("?");
  return at < 0 ? [uri, ""] : [uri.slice(0, at), uri.slice(at + 1)];
}

/**
 * Parse the bytes before the first `\r\n\r\n`. null means supervisord would drop the connection
 * without a reply: an empty head, a request line that is not `METHOD SP URI [SP HTTP/version]`,
 * a continuation line with nothing to continue, or bytes that are not UTF-8.
 */
export function parseRequestHead(bytes: Buffer): RequestHead | null {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return null; // medusa's decode raises and the channel is closed
  }
  const lines = text.split("\r\n");
  while (lines.length > 0 && lines[0] === "") lines.shift();
  const line = lines.shift();
  if (line === undefined) return null;
  const cracked = REQUEST_LINE.exec(line);
  if (cracked === null) return null;
  const headers: string[] = [];
  for (const header of lines) {
    if (header.startsWith(" ") || header.startsWith("\t")) {
      if (headers.length === 0) return null;
      headers[headers.length - 1] += header.slice(1);
    } else {
      headers.push(header);
    }
  }
  let uri = cracked[2] ?? "";
  const [path, query] = splitQuery(uri);
  if (path.includes("%")) uri = query === "" ? unquote(path) : `${unquote(path)}?${query}`;
  return { line, command: cracked[1] ?? "", uri, version: cracked[3] ?? null, headers };
}

/** A header's value as medusa's `get_header` finds it: the first line starting `Name: ` (any case). */
export function headerValue(headers: readonly string[], name: string): string | null {
  const prefix = `${name.toLowerCase()}: `;
  for (const line of headers) {
    if (line.slice(0, prefix.length).toLowerCase() === prefix) return line.slice(prefix.length);
  }
  return null;
}

/** The first header line that `pattern` (anchored at both ends) matches whole. */
export function headerMatch(headers: readonly string[], pattern: RegExp): RegExpExecArray | null {
  for (const line of headers) {
    const match = pattern.exec(line);
    if (match !== null) return match;
  }
  return null;
}

/** medusa's split_uri: path, `;params`, `?query` (without its `?`). */
export function splitUri(uri: string): { path: string; query: string } {
  const match = /^([^;?#]*)(;[^?#]*)?(\?[^#]*)?/.exec(uri);
  return { path: match?.[1] ?? "", query: (match?.[3] ?? "").slice(1) };
}
