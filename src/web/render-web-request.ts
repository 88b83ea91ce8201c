import { errorPage } from "./error-page";
import type { RpcCall } from "./rpc-call";
import { serverUrl } from "./server-url";
import { runAction } from "./status-actions";
import { readProcessRows, statusPageHtml } from "./status-page";
import { tailPageHtml } from "./tail-page";
import { urlQuote } from "./url-quote";
import { readWebForm } from "./web-form";

/** A request for one of the three UI pages, as the HTTP layer hands it over (xmlrpc.md §3, row 4). */
export interface WebRequest {
  method: "GET" | "POST";
  /** `index.html`, `tail.html` or `ok.html`; leading slashes are dropped, and "" is `index.html`. */
  path: "index.html" | "tail.html" | "ok.html" | string;
  /** Raw, after the `?`; may be "". */
  query: string;
  /** form-urlencoded fields of a POST (read only for POST, as supervisord does). */
  body: Buffer;
  /** The Host header, if any. */
  host: string | undefined;
  serverName: string;
  /** The listening port; for a unix socket supervisord uses the socket's path here (redirects show it). */
  serverPort: number | string | null;
}

/** The reply; Server and Date are the HTTP layer's to put first (xmlrpc.md §2.4). */
export interface WebReply {
  status: number;
  headers: [string, string][];
  body: Buffer;
}

/** The no-cache headers of every UI page and UI redirect (xmlrpc.md §2.4). */
const NO_CACHE: ReadonlyArray<[string, string]> = [
  ["Pragma", "no-cache"],
  ["Cache-Control", "no-cache"],
  ["Expires", "Thu, 01 Jan 1970 00:00:00 GMT"],
];

function page(html: string): WebReply {
  const body = Buffer.from(html, "utf8");
  return { status: 200, headers: [["Content-Type", "text/html;charset=utf-8"], ...NO_CACHE, ["Content-Length", String(body.length)]], body };
}

function redirect(location: string): WebReply {
  const body = Buffer.from(errorPage(301, "Moved Permanently"));
  return {
    status: 301,
    headers: [["Location", location], ["Content-Type", "text/html"], ...NO_CACHE, ["Content-Length", String(body.length)]],
    body,
  };
}

/** `/`, `//index.html` and `index.html` are the same page. */
function pageName(path: string): string {
  return path.replace(/^\/+/, "") || "index.html";
}

/**
 * Render one UI request (web.md). Throws for supervisord's HTTP 500 cases (an unknown action, a
 * process action without a name, a fault where the UI expects none such as SHUTDOWN_STATE, a
 * body that is not UTF-8); the caller answers 500 and logs the error.
 */
export async function renderWebRequest(req: WebRequest, call: RpcCall, now: () => Date = () => new Date()): Promise<WebReply> {
  const name = pageName(req.path);
  if (name === "ok.html") {
    return { status: 200, headers: [["Content-Type", "text/plain"], ["Content-Length", "2"]], body: Buffer.from("OK") };
  }
  // DIVERGES: supervisord's form also holds the request's CGI variables, so `?PATH_INFO=tail.html`
  // switches pages (and an unknown one leaves the request unanswered); here the path decides.
  const form = readWebForm(req.query, req.method === "POST" ? req.body : Buffer.alloc(0));
  if (name === "tail.html") return page(await tailPageHtml(form, call));
  if (name !== "index.html") throw new Error(`not a UI page: ${req.path}`);

  const action = form.get("action");
  const done = action === undefined ? undefined : await runAction(action, form.get("processname"), call, now);
  // supervisord renders the page even when it then redirects: a fault here (SHUTDOWN_STATE)
  // makes the action's reply a 500 too.
  const rows = await readProcessRows(call);
  const version = await call("supervisor.getSupervisorVersion", []);
  if (typeof version !== "string") throw new Error(`getSupervisorVersion answered ${JSON.stringify(version)}`);
  if (done !== undefined) return redirect(`${serverUrl(req.host, req.serverName, req.serverPort)}/?message=${urlQuote(done)}`);
  return page(statusPageHtml({ rows, message: form.get("message"), version, year: now().getFullYear() }));
}
