import assert from "node:assert/strict";
import { test } from "node:test";
import type { PageRequest } from "../../src/http/backend";
import { exchange, serveHttp } from "../helpers/raw-http";

test("each route answers with supervisord's status (xmlrpc.md §3.1)", async (t) => {
  const server = await serveHttp(t, {
    rpc: (body) => Promise.resolve({ status: 200, body: Buffer.concat([Buffer.from("echo:"), body]) }),
    page: (req) => Promise.resolve({ status: 200, headers: [], body: Buffer.from(`${req.method} ${req.path}`) }),
  });
  const cases: Array<[string, string]> = [
    ["GET / HTTP/1.1", "200 OK"],
    ["GET /index.html HTTP/1.1", "200 OK"],
    ["GET //tail.html?processname=x HTTP/1.1", "200 OK"],
    ["GET /ok.html HTTP/1.1", "200 OK"],
    ["HEAD / HTTP/1.1", "404 Not Found"],
    ["GET /status.html HTTP/1.1", "404 Not Found"],
    ["GET /favicon.ico HTTP/1.1", "404 Not Found"],
    ["GET /RPC2 HTTP/1.1", "400 Bad Request"],
    ["PUT /RPC2 HTTP/1.1", "400 Bad Request"],
    ["HEAD /RPC2/x HTTP/1.1", "400 Bad Request"],
    ["POST /rpc2 HTTP/1.1\r\nContent-Length: 0", "400 Bad Request"],
    ["POST /RPC HTTP/1.1\r\nContent-Length: 0", "400 Bad Request"],
    ["GET /logtail HTTP/1.1", "500 Internal Server Error"],
    ["GET /logtail/ HTTP/1.1", "404 Not Found"],
    ["GET /logtail/nosuch HTTP/1.1", "404 Not Found"],
    ["POST /logtail/cat HTTP/1.1", "400 Bad Request"],
    ["GET /mainlogtail HTTP/1.1", "404 Not Found"],
    ["DELETE /mainlogtail HTTP/1.1", "400 Bad Request"],
    ["get / HTTP/1.1", "400 Bad Request"],
    // supervisord's CGI environment cannot be built for these: 500.
    ["GET /ok.html", "500 Internal Server Error"],
    ["GET /ok.html HTTP/1.1\r\nNoColonHere", "500 Internal Server Error"],
  ];
  for (const [request, expected] of cases) {
    const reply = await exchange(server.target, `${request}\r\n\r\n`, t);
    assert.equal(reply.statusLine.replace(/^HTTP\/\S+ /, ""), expected, request);
  }
});

test("/RPC2 is a prefix: /RPC2/ and /RPC2?x=1 reach the XML-RPC handler with the body", async (t) => {
  const server = await serveHttp(t, { rpc: (body) => Promise.resolve({ status: 200, body: Buffer.concat([Buffer.from("echo:"), body]) }) });
  for (const path of ["/RPC2", "/RPC2/", "/RPC2?x=1", "/RPC2foo"]) {
    const reply = await exchange(server.target, `POST ${path} HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello`, t);
    assert.equal(reply.statusLine, "HTTP/1.1 200 OK", path);
    assert.deepEqual(reply.headers.slice(2), ["Content-Type: text/xml", "Content-Length: 10"]);
    assert.equal(reply.body.toString(), "echo:hello");
  }
});

test("an RPC reply of 400 or 500 is supervisord's error page", async (t) => {
  let status: 400 | 500 = 400;
  const server = await serveHttp(t, { rpc: () => Promise.resolve({ status }) });
  assert.equal((await exchange(server.target, "POST /RPC2 HTTP/1.1\r\nContent-Length: 3\r\n\r\nbad", t)).statusLine, "HTTP/1.1 400 Bad Request");
  status = 500;
  const reply = await exchange(server.target, "POST /RPC2 HTTP/1.1\r\nContent-Length: 3\r\n\r\nbad", t);
  assert.equal(reply.statusLine, "HTTP/1.1 500 Internal Server Error");
  assert.match(reply.body.toString(), /<p>Error code 500\.\r\n<p>Message: Internal Server Error\.\r\n/);
});

test("log tails get the namespec and channel from the percent-decoded path", async (t) => {
  const asked: string[] = [];
  const server = await serveHttp(t, {
    processLogFile: (namespec, channel) => {
      asked.push(`${namespec}|${channel}`);
      return null;
    },
  });
  for (const path of ["/logtail/cat", "/logtail/grp%3Aga/stderr", "/logtail/a/b/c", "/logtailfoo/x", "/logtail//cat", "/logtail/cat?x=1"]) {
    assert.equal((await exchange(server.target, `GET ${path} HTTP/1.1\r\n\r\n`, t)).statusLine, "HTTP/1.1 404 Not Found", path);
  }
  assert.deepEqual(asked, ["cat|stdout", "grp:ga|stderr", "a|b/c", "x|stdout", "|cat", "cat|stdout"]);
});

test("pages get method, path, query, body, Host and the server's name; their headers come after Server and Date", async (t) => {
  const requests: PageRequest[] = [];
  const server = await serveHttp(t, {
    page: (req) => {
      requests.push(req);
      return Promise.resolve({
        status: 200,
        headers: [
          ["Content-Type", "text/html;charset=utf-8"],
          ["Pragma", "no-cache"],
        ],
        body: Buffer.from("<html/>"),
      });
    },
  });
  const get = await exchange(server.target, "GET /tail.html?processname=a%3Ab&limit=9 HTTP/1.1\r\nHost: localhost:9001\r\n\r\n", t);
  assert.deepEqual(get.headers.slice(2), ["Content-Type: text/html;charset=utf-8", "Pragma: no-cache", "Content-Length: 7"]);
  assert.match(get.headers[1] ?? "", /^Date: /);
  await exchange(server.target, "POST / HTTP/1.1\r\nContent-Length: 13\r\n\r\naction=reload", t);
  assert.deepEqual(
    requests.map((r) => ({ ...r, body: r.body.toString() })),
    [
      { method: "GET", path: "tail.html", query: "processname=a%3Ab&limit=9", body: "", host: "localhost:9001", serverName: "<unix domain socket>", serverPort: null },
      { method: "POST", path: "index.html", query: "", body: "action=reload", host: undefined, serverName: "<unix domain socket>", serverPort: null },
    ],
  );
});

test("a page without a Content-Type is text/plain; a redirect with no body gets the error page, as the web UI's 301 does", async (t) => {
  const server = await serveHttp(t, {
    page: (req) =>
      Promise.resolve(
        req.path === "ok.html"
          ? { status: 200, headers: [], body: Buffer.from("OK") }
          : {
              status: 301,
              headers: [
                ["Location", "http://localhost/?message=done"],
                ["Content-Type", "text/html"],
                ["Pragma", "no-cache"],
                ["Cache-Control", "no-cache"],
                ["Expires", "Thu, 01 Jan 1970 00:00:00 GMT"],
              ],
              body: Buffer.alloc(0),
            },
      ),
  });
  const ok = await exchange(server.target, "GET /ok.html HTTP/1.1\r\n\r\n", t);
  assert.deepEqual(ok.headers.slice(2), ["Content-Type: text/plain", "Content-Length: 2"]);
  const moved = await exchange(server.target, "GET /?action=stopall HTTP/1.1\r\n\r\n", t);
  assert.equal(moved.statusLine, "HTTP/1.1 301 Moved Permanently");
  assert.deepEqual(moved.headers.slice(2), [
    "Location: http://localhost/?message=done",
    "Content-Type: text/html",
    "Pragma: no-cache",
    "Cache-Control: no-cache",
    "Expires: Thu, 01 Jan 1970 00:00:00 GMT",
    "Content-Length: 142",
  ]);
  assert.match(moved.body.toString(), /<p>Error code 301\.\r\n<p>Message: Moved Permanently\.\r\n<\/body>\r\n$/);
});
