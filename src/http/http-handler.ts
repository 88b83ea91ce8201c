import { stat } from "node:fs/promises";
import type { Socket } from "node:net";
import type { ServerConfig } from "../config/model";
import { accessLogMessage, logMedusa } from "./access-log";
import type { HttpBackend, PageRequest } from "./backend";
import { checkBasicAuth } from "./basic-auth";
import { formatHttpDate } from "./http-date";
import { HttpConnection, type Dispatch, type HttpRequest } from "./http-connection";
import { followLog } from "./log-follower";
import { errorReply, HeaderList, type Reply } from "./reply";
import { headerValue, splitUri } from "./request-head";
import { resolveServerName, logServerStarted } from "./server-name";
import { serveStatic } from "./static-files";
import { unquote } from "./url-unquote";

// DIVERGES: supervisord reads a request body of any announced size into memory. XML-RPC calls
// to supervisord are small (a multicall of thousands of calls is a few MB), so 32 MiB leaves
// room for any real use while one client cannot make the daemon allocate gigabytes.
export const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** A request head larger than this is refused (Python's own http.client stops at 64 KiB lines). */
export const MAX_HEAD_BYTES = 64 * 1024;
/** Pipelined requests waiting for their replies before the connection stops reading. */
const MAX_QUEUED = 16;

const UI_PAGES = new Set(["index.html", "tail.html", "ok.html"]);
const INT = /^[+-]?[0-9]+(?:_[0-9]+)*$/;

export interface HttpHandler {
  /** Serve one accepted connection. */
  connection(socket: Socket): void;
  /** The server listens: resolve its name and log medusa's start-up message. */
  listening(): Promise<void>;
}

/** A route: what to do with a request once auth has let it through. */
type Route = (request: HttpRequest) => Dispatch;

/** The request body a route reads: medusa's collector wants a Content-Length it can int(). */
function withBody(request: HttpRequest, then: (body: Buffer) => Promise<Reply>): Dispatch {
  const announced = headerValue(request.headers, "content-length");
  if (announced === null || announced === "") return { reply: errorReply(411) };
  const text = announced.trim();
  if (!INT.test(text)) return { reply: errorReply(500) }; // supervisord's int() raises: HTTP 500
  const length = Number(text.replaceAll("_", ""));
  // A refused body is never read, so nothing after it on this connection can be parsed.
  if (length > MAX_BODY_BYTES) return { reply: errorReply(413, new HeaderList([["Connection", "close"]])), last: true };
  // supervisord reads nothing for a negative length (and waits forever for a zero one).
  return { bodyLength: Math.max(0, length), withBody: then };
}

function reply(promise: Promise<Reply>): Dispatch {
  return { reply: promise };
}

/** A log tail's reply (xmlrpc.md §3.3), or 404 when there is nothing to follow. */
async function tailReply(file: string | null, extraHeaders: [string, string][]): Promise<Reply> {
  if (file === null) return errorReply(404);
  let mtimeMs: number;
  try {
    ({ mtimeMs } = await stat(file));
  } catch {
    return errorReply(404); // supervisord's os.path.exists check: a missing file is a 404
  }
  const headers = new HeaderList([
    ["Last-Modified", formatHttpDate(Math.floor(mtimeMs / 1000) * 1000)],
    ["Content-Type", "text/plain;charset=utf-8"],
    ...extraHeaders,
  ]);
  return { status: 200, headers, body: (signal) => followLog(file, signal), connectionCase: "insensitive" };
}

/**
 * The HTTP server of one `[unix_http_server]` or `[inet_http_server]` section, as supervisord's
 * medusa serves it: routes in supervisord's order (xmlrpc.md §3), every one behind the section's
 * basic auth when it has credentials (§3.2).
 */
export function createHttpHandler(server: ServerConfig, backend: HttpBackend): HttpHandler {
  const { log } = backend;
  let name: Promise<string> | undefined;
  const serverName = (): Promise<string> => (name ??= resolveServerName(server, log));

  const rpc: Route = (request) => {
    if (request.command !== "POST") return { reply: errorReply(400) };
    return withBody(request, async (body) => {
      const answer = await backend.rpc(body);
      if (answer.status !== 200) return errorReply(answer.status);
      // DIVERGES: for a deferred reply supervisord announces the length in characters, too
      // short for non-ASCII text (clients then fail to parse it); this is always the byte count.
      const headers = new HeaderList([
        ["Content-Type", "text/xml"],
        ["Content-Length", String(answer.body.length)],
      ]);
      return { status: 200, headers, body: answer.body, connectionCase: "insensitive" };
    });
  };

  const processTail: Route = (request) => {
    if (request.command !== "GET") return { reply: errorReply(400) };
    let { path } = splitUri(request.uri);
    if (path.includes("%")) path = unquote(path);
    path = path.replace(/^\/+/, "");
    const slash = path.indexOf("/");
    // `/logtail` alone: supervisord fails to split it and answers 500.
    if (slash < 0) return { reply: errorReply(500) };
    const rest = path.slice(slash + 1);
    const cut = rest.indexOf("/");
    const [namespec, channel] = cut < 0 ? [rest, "stdout"] : [rest.slice(0, cut), rest.slice(cut + 1)];
    return reply(tailReply(backend.processLogFile(namespec, channel), [["X-Accel-Buffering", "no"]]));
  };

  const mainTail: Route = (request) => {
    if (request.command !== "GET") return { reply: errorReply(400) };
    return reply(tailReply(backend.mainLogFile(), []));
  };

  const page = async (request: HttpRequest, path: string, body: Buffer): Promise<Reply> => {
    // The CGI environment's HTTP_HOST: the first Host header with a value.
    const host = request.headers.filter((line) => /^host:/i.test(line)).map((line) => line.slice(5).trim()).find((value) => value !== "");
    const pageRequest: PageRequest = {
      method: request.command === "POST" ? "POST" : "GET",
      path,
      query: splitUri(request.uri).query,
      body,
      host,
      serverName: await serverName(),
      serverPort: server.family === "inet" ? server.port : null,
    };
    const answer = await backend.page(pageRequest);
    if (answer === null) return errorReply(404);
    const headers = new HeaderList(answer.headers);
    if (!headers.has("Content-Type")) headers.set("Content-Type", "text/plain");
    if (answer.status >= 300 && answer.body.length === 0) return errorReply(answer.status, headers);
    headers.set("Content-Length", String(answer.body.length));
    // The UI's replies go out through a producer that compares `Connection` as sent.
    return { status: answer.status, headers, body: answer.body, connectionCase: "sensitive" };
  };

  const ui = (request: HttpRequest, path: string): Dispatch => {
    // supervisord builds a CGI environment here, which fails (HTTP 500) for a request line
    // without a version or a header line without a colon.
    if (request.version === null || request.headers.some((line) => !line.includes(":"))) return { reply: errorReply(500) };
    if (request.command === "POST") return withBody(request, (body) => page(request, path, body));
    return reply(page(request, path, Buffer.alloc(0)));
  };

  const route = (request: HttpRequest): Dispatch => {
    const { uri, command } = request;
    let handler: Route;
    if (uri.startsWith("/RPC2")) handler = rpc;
    else if (uri.startsWith("/logtail")) handler = processTail;
    else if (uri.startsWith("/mainlogtail")) handler = mainTail;
    else {
      const path = splitUri(uri).path.replace(/^\/+/, "") || "index.html";
      if ((command === "GET" || command === "POST") && UI_PAGES.has(path)) handler = (r) => ui(r, path);
      else handler = (r) => reply(serveStatic(r, backend.staticDir, serverName));
    }
    if (server.username !== null) {
      switch (checkBasicAuth(request.headers, server.username, server.password ?? "")) {
        case "unauthorized": {
          // DIVERGES: supervisord stops reading such a connection but leaves it open; closing
          // it tells the client at once.
          const headers = new HeaderList([
            ["Connection", "close"],
            ["WWW-Authenticate", 'Basic realm="default"'],
          ]);
          return { reply: errorReply(401, headers), last: true };
        }
        case "malformed":
          return { reply: errorReply(400) };
        case "no-colon":
          return { reply: errorReply(500) };
        case "granted":
          break;
      }
    }
    return handler(request);
  };

  return {
    async listening(): Promise<void> {
      logServerStarted(server, await serverName(), log);
    },
    connection(socket: Socket): void {
      const client = socket.remoteAddress === undefined ? "localhost:0" : `${socket.remoteAddress}:${socket.remotePort ?? 0}`;
      new HttpConnection(socket, {
        dispatch: route,
        sent: (request, status, bytes) => logMedusa(log, accessLogMessage(client, request.line, status, bytes)),
        bug: (err, request) => {
          const what = err instanceof Error ? (err.stack ?? String(err)) : String(err);
          log.critical(`Handling HTTP request ${JSON.stringify(request.line)} raised an unexpected exception: ${what}`);
        },
        maxHeadBytes: MAX_HEAD_BYTES,
        maxQueued: MAX_QUEUED,
      });
    },
  };
}
