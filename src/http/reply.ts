/** What a route answers, before the connection frames it (xmlrpc.md §2.4, §2.5). */

/** medusa's reason phrases, used in status lines and error pages. */
export const REASONS: Readonly<Record<number, string>> = {
  100: "Continue",
  101: "Switching Protocols",
  200: "OK",
  201: "Created",
  202: "Accepted",
  203: "Non-Authoritative Information",
  204: "No Content",
  205: "Reset Content",
  206: "Partial Content",
  300: "Multiple Choices",
  301: "Moved Permanently",
  302: "Moved Temporarily",
  303: "See Other",
  304: "Not Modified",
  305: "Use Proxy",
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  407: "Proxy Authentication Required",
  408: "Request Time-out",
  409: "Conflict",
  410: "Gone",
  411: "Length Required",
  412: "Precondition Failed",
  413: "Request Entity Too Large",
  414: "Request-URI Too Large",
  415: "Unsupported Media Type",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Time-out",
  505: "HTTP Version not supported",
};

/**
 * Reply headers with the rules of the Python dict medusa keeps them in: insertion order, and
 * setting a name already there replaces its value in place.
 */
export class HeaderList {
  readonly #entries: [string, string][] = [];

  constructor(entries: Iterable<readonly [string, string]> = []) {
    for (const [name, value] of entries) this.set(name, value);
  }

  set(name: string, value: string | number): this {
    const entry = this.#entries.find(([n]) => n === name);
    if (entry === undefined) this.#entries.push([name, String(value)]);
    else entry[1] = String(value);
    return this;
  }

  get(name: string): string | undefined {
    return this.#entries.find(([n]) => n === name)?.[1];
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  lines(): string[] {
    return this.#entries.map(([name, value]) => `${name}: ${value}`);
  }
}

/** A body that is produced while the reply goes out (a log tail); it stops when `signal` aborts. */
export type BodyStream = (signal: AbortSignal) => AsyncIterable<Buffer>;

export interface Reply {
  status: number;
  /** The headers after `Server` and `Date`. */
  headers: HeaderList;
  body: Buffer | BodyStream;
  /**
   * How the client's `Connection` header is compared: medusa's `done()` lower-cases it; the web
   * UI's producer compares it as sent (xmlrpc.md §2.3).
   */
  connectionCase: "insensitive" | "sensitive";
}

/** supervisord's error page for a status (xmlrpc.md §2.5). */
export function errorPage(status: number): Buffer {
  return Buffer.from(
    [
      "<head>",
      "<title>Error response</title>",
      "</head>",
      "<body>",
      "<h1>Error response</h1>",
      `<p>Error code ${status}.`,
      `<p>Message: ${REASONS[status] ?? ""}.`,
      "</body>",
      "",
    ].join("\r\n"),
  );
}

/** medusa's `request.error(status)`: the error page, with its length and type set on `headers`. */
export function errorReply(status: number, headers = new HeaderList()): Reply {
  const body = errorPage(status);
  headers.set("Content-Length", body.length).set("Content-Type", "text/html");
  return { status, headers, body, connectionCase: "insensitive" };
}
