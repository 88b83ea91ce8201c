import assert from "node:assert/strict";
import { mkdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { formatHttpDate } from "../../src/http/http-date";
import { contentType } from "../../src/http/static-files";
import { exchange, maskDate, serveHttp } from "../helpers/raw-http";
import { tempDir } from "../helpers/temp-dir";

function staticDir(t: Parameters<typeof tempDir>[0]): string {
  const root = tempDir(t, "ui-");
  mkdirSync(join(root, "stylesheets"));
  mkdirSync(join(root, "images"));
  mkdirSync(join(root, "docs"));
  writeFileSync(join(root, "stylesheets", "supervisor.css"), "body { color: red }\n");
  writeFileSync(join(root, "images", "icon.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  writeFileSync(join(root, "docs", "default.html"), "<p>docs</p>");
  writeFileSync(join(root, "status.html"), "<html/>");
  writeFileSync(join(root, "notes"), "plain");
  // A fixed mtime, so that Last-Modified and If-Modified-Since are exact.
  utimesSync(join(root, "stylesheets", "supervisor.css"), 1_700_000_000, 1_700_000_000);
  return root;
}

test("static files are served with Last-Modified, Content-Length and a type from their extension", async (t) => {
  const root = staticDir(t);
  const server = await serveHttp(t, { staticDir: root });
  const css = await exchange(server.target, "GET /stylesheets/supervisor.css HTTP/1.1\r\n\r\n", t);
  assert.equal(
    maskDate(css.raw.toString()),
    "HTTP/1.1 200 OK\r\nServer: Medusa/1.12\r\nDate: <date>\r\nLast-Modified: Tue, 14 Nov 2023 22:13:20 GMT\r\nContent-Length: 20\r\n" +
      "Content-Type: text/css\r\n\r\nbody { color: red }\n",
  );
  const png = await exchange(server.target, "GET /images/icon.png HTTP/1.1\r\n\r\n", t);
  assert.deepEqual(png.headers.slice(3), ["Content-Length: 4", "Content-Type: image/png"]);
  assert.deepEqual([...png.body], [0x89, 0x50, 0x4e, 0x47]);
  const raw = await exchange(server.target, "GET /status.html HTTP/1.1\r\n\r\n", t);
  assert.equal(raw.body.toString(), "<html/>");
  assert.equal((await exchange(server.target, "GET /notes HTTP/1.1\r\n\r\n", t)).headers[4], "Content-Type: text/plain");
  // The type comes from the path as asked: with a trailing slash it is text/plain, as in supervisord.
  assert.equal((await exchange(server.target, "GET /stylesheets/supervisor.css/ HTTP/1.1\r\n\r\n", t)).headers[4], "Content-Type: text/plain");
  const head = await exchange(server.target, "HEAD /stylesheets/supervisor.css HTTP/1.1\r\n\r\n", t);
  assert.deepEqual([head.statusLine, head.headers[3]], ["HTTP/1.1 200 OK", "Content-Length: 20"]);
});

test("If-Modified-Since not older than the file gives 304 (chunked on HTTP/1.1, as in supervisord)", async (t) => {
  const root = staticDir(t);
  const server = await serveHttp(t, { staticDir: root });
  const mtime = statSync(join(root, "stylesheets", "supervisor.css")).mtimeMs;
  const since = (ms: number, extra = ""): string => `GET /stylesheets/supervisor.css HTTP/1.1\r\nIf-Modified-Since: ${formatHttpDate(ms)}${extra}\r\n\r\n`;
  const notModified = await exchange(server.target, since(mtime), t);
  assert.equal(maskDate(notModified.raw.toString()), "HTTP/1.1 304 Not Modified\r\nServer: Medusa/1.12\r\nDate: <date>\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  assert.equal((await exchange(server.target, since(mtime - 1000), t)).statusLine, "HTTP/1.1 200 OK");
  assert.equal((await exchange(server.target, since(mtime, "; length=20"), t)).statusLine, "HTTP/1.1 304 Not Modified");
  assert.equal((await exchange(server.target, since(mtime, "; length=21"), t)).statusLine, "HTTP/1.1 200 OK");
  const rfc850 = "GET /stylesheets/supervisor.css HTTP/1.1\r\nIf-Modified-Since: Tuesday, 14-Nov-2023 22:13:20 GMT\r\n\r\n";
  assert.equal((await exchange(server.target, rfc850, t)).statusLine, "HTTP/1.1 304 Not Modified");
  const garbage = "GET /stylesheets/supervisor.css HTTP/1.1\r\nIf-Modified-Since: yesterday\r\n\r\n";
  assert.equal((await exchange(server.target, garbage, t)).statusLine, "HTTP/1.1 200 OK");
});

test("a directory without its slash is redirected to http://<server name>/path/; with it, its index or 404", async (t) => {
  const root = staticDir(t);
  const server = await serveHttp(t, { staticDir: root });
  const moved = await exchange(server.target, "GET /images HTTP/1.1\r\n\r\n", t);
  assert.equal(moved.statusLine, "HTTP/1.1 301 Moved Permanently");
  assert.deepEqual(moved.headers.slice(2), ["Location: http://<unix domain socket>/images/", "Content-Length: 142", "Content-Type: text/html"]);
  assert.equal((await exchange(server.target, "GET /images/ HTTP/1.1\r\n\r\n", t)).statusLine, "HTTP/1.1 404 Not Found");
  assert.equal((await exchange(server.target, "GET /docs/ HTTP/1.1\r\n\r\n", t)).body.toString(), "<p>docs</p>");
  const inet = await serveHttp(t, { staticDir: root }, { inet: true });
  const location = (await exchange(inet.target, "GET /images HTTP/1.1\r\n\r\n", t)).headers[2];
  assert.match(location ?? "", /^Location: http:\/\/(localhost|127\.0\.0\.1)[^/]*\/images\/$/);
});

test("nothing outside the static directory can be reached; other methods are 400", async (t) => {
  const root = staticDir(t);
  const server = await serveHttp(t, { staticDir: join(root, "images") });
  for (const path of ["/../status.html", "/%2e%2e/status.html", "/images/../../notes", "/..%2fstatus.html", "/../../../../etc/passwd"]) {
    assert.equal((await exchange(server.target, `GET ${path} HTTP/1.1\r\n\r\n`, t)).statusLine, "HTTP/1.1 404 Not Found", path);
  }
  // `..` stops at the top, as in supervisord: this is images/icon.png.
  assert.equal((await exchange(server.target, "GET /../icon.png HTTP/1.1\r\n\r\n", t)).statusLine, "HTTP/1.1 200 OK");
  assert.equal((await exchange(server.target, "DELETE /icon.png HTTP/1.1\r\n\r\n", t)).statusLine, "HTTP/1.1 400 Bad Request");
  const none = await serveHttp(t);
  assert.equal((await exchange(none.target, "GET /icon.png HTTP/1.1\r\n\r\n", t)).statusLine, "HTTP/1.1 404 Not Found");
});

test("content types follow Python's mimetypes for web files", () => {
  assert.deepEqual(
    ["a.css", "a.PNG", "a.gif", "a.html", "a.js", "a.css.gz", "a.unknown", ".css", "dir.css/x", "a"].map(contentType),
    ["text/css", "image/png", "image/gif", "text/html", "text/javascript", "text/css", "text/plain", "text/plain", "text/plain", "text/plain"],
  );
});
