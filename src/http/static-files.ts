import { readFile, stat } from "node:fs/promises";
import type { Stats } from "node:fs";
import { join, posix } from "node:path";
import { formatHttpDate, parseHttpDate } from "./http-date";
import { errorReply, HeaderList, type Reply } from "./reply";
import { headerMatch, splitUri, type RequestHead } from "./request-head";
import { unquote } from "./url-unquote";

/** Python's mimetypes for the kinds of file a web UI serves; anything else is text/plain. */
const TYPES: Readonly<Record<string, string>> = {
  ".css": "text/css",
  ".gif": "image/gif",
  ".htm": "text/html",
  ".html": "text/html",
  ".ico": "image/vnd.microsoft.icon",
  ".jpeg": "image/jpeg",
  ".jpg": "image/jpeg",
  ".js": "text/javascript",
  ".json": "application/json",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".txt": "text/plain",
  ".webp": "image/webp",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".xml": "application/xml",
};
const ENCODINGS = new Set([".gz", ".Z", ".bz2", ".xz", ".br"]);
const IF_MODIFIED_SINCE = /^If-Modified-Since: ([^;]+)(?:; length=([0-9]+))?$/i;
const DIRECTORY_DEFAULTS = ["index.html", "default.html"];

/** posixpath.splitext: the extension of the last path part, leading dots not counting. */
function splitExt(path: string): [string, string] {
  const dot = path.lastIndexOf(".");
  const start = path.lastIndexOf("/") + 1;
  if (dot <= start || path.slice(start, dot).split("").every((c) => c === ".")) return [path, ""];
  return [path.slice(0, dot), path.slice(dot)];
}

/** mimetypes.guess_type on the path as requested (so `x.css/` is text/plain, as in supervisord). */
export function contentType(path: string): string {
  let [base, ext] = splitExt(path);
  if (ENCODINGS.has(ext)) [base, ext] = splitExt(base);
  return TYPES[ext] ?? TYPES[ext.toLowerCase()] ?? "text/plain";
}

/** medusa's filesystem: a path inside `root`, normalized as Python's normpath (`..` stops at the top, no trailing slash). */
function inRoot(root: string, path: string): string {
  return join(root, posix.normalize(`/${path}`).replace(/(?<=.)\/+$/, ""));
}

async function statIn(root: string, path: string): Promise<Stats | null> {
  try {
    return await stat(inRoot(root, path));
  } catch {
    return null; // not there (or not a name the file system takes): medusa's isfile is false
  }
}

/**
 * Route 5 (xmlrpc.md §3.4): medusa's default handler over `root`. GET and HEAD only; a directory
 * named without its trailing slash is redirected to `http://<serverName>/<path>/`, one with it
 * serves its index.html or default.html; `If-Modified-Since` not older than the file gives 304.
 */
export async function serveStatic(request: RequestHead, root: string | null, serverName: () => Promise<string>): Promise<Reply> {
  if (request.command !== "GET" && request.command !== "HEAD") return errorReply(400);
  let { path } = splitUri(request.uri);
  if (path.includes("%")) path = unquote(path);
  path = path.replace(/^\/+/, "");
  if (root === null) return errorReply(404);
  let stats = await statIn(root, path);
  if (stats?.isDirectory()) {
    if (path !== "" && !path.endsWith("/")) {
      return errorReply(301, new HeaderList([["Location", `http://${await serverName()}/${path}/`]]));
    }
    stats = null;
    for (const name of DIRECTORY_DEFAULTS) {
      const candidate = await statIn(root, path + name);
      if (candidate?.isFile()) {
        path += name;
        stats = candidate;
        break;
      }
    }
  }
  if (!stats?.isFile()) return errorReply(404);
  const mtime = Math.floor(stats.mtimeMs / 1000);
  const ims = headerMatch(request.headers, IF_MODIFIED_SINCE);
  if (ims !== null && (ims[2] === undefined || Number(ims[2]) === stats.size)) {
    const since = parseHttpDate(ims[1] ?? "");
    // A bare 304: medusa then adds nothing but what its framing needs (chunked on HTTP/1.1).
    if (since !== 0 && mtime <= since) return { status: 304, headers: new HeaderList(), body: Buffer.alloc(0), connectionCase: "insensitive" };
  }
  let body: Buffer;
  try {
    body = request.command === "GET" ? await readFile(inRoot(root, path)) : Buffer.alloc(0);
  } catch {
    return errorReply(404); // gone since the stat: medusa's open fails the same way
  }
  const headers = new HeaderList([
    ["Last-Modified", formatHttpDate(mtime * 1000)],
    ["Content-Length", String(request.command === "GET" ? body.length : stats.size)],
    ["Content-Type", contentType(path)],
  ]);
  return { status: 200, headers, body, connectionCase: "insensitive" };
}
