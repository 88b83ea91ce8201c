import type { DaemonLog } from "../logging/daemon-log";

import type { RpcReply } from "../rpc/dispatcher";

/** The reply to one POST /RPC2 body; the rpc side logs what it must. */
export type { RpcReply };

export interface PageRequest {
  method: "GET" | "POST";
  path: string /* "index.html" | "tail.html" | "ok.html" */;
  query: string;
  body: Buffer;
  host: string | undefined /* the Host header */;
  serverName: string /* "<unix domain socket>" or the inet host */;
  serverPort: number | null;
}

/**
 * A web UI reply. `headers` are written after `Server` and `Date`, in this order; a name given
 * twice keeps its first place with the last value (a Python dict, as supervisord's reply headers
 * are). `Content-Type: text/plain` is added when absent, and `Content-Length` is set from the
 * body. A status of 300 or more with an empty body gets supervisord's error page as its body
 * (`Content-Length` and `Content-Type: text/html` set in place), as the UI's 301 redirects do.
 */
export interface PageReply {
  status: number;
  headers: [string, string][];
  body: Buffer;
}

export interface HttpBackend {
  /** XML-RPC: never rejects. May take long (deferred replies: a blocking start); the reply goes out when it resolves. */
  rpc(body: Buffer): Promise<RpcReply>;
  /** `/logtail/<namespec>[/<channel>]`: the file to follow, or null for 404 (unknown name, bad channel, NONE, not on disk). Throws for supervisord's 500 case (`/logtail` alone is 500: see §3.1). */
  processLogFile(namespec: string, channel: string): string | null;
  /** `/mainlogtail`: the daemon's log file, or null for 404 (unset, syslog, missing). */
  mainLogFile(): string | null;
  /** The web UI pages (index.html, tail.html, ok.html); resolves null when there is no web UI yet (then 404). */
  page(req: PageRequest): Promise<PageReply | null>;
  /** Directory of static files (stylesheets/, images/) for route 5, or null for none. */
  readonly staticDir: string | null;
  readonly log: DaemonLog;
}
