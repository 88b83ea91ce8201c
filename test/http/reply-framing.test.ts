import assert from "node:assert/strict";
import { test } from "node:test";
import { exchange, maskDate, RawClient, serveHttp, type Target } from "../helpers/raw-http";
import { waitFor } from "../helpers/wait-for";

function errorPage(code: number, message: string): string {
  return `<head>\r\n<title>Error response</title>\r\n</head>\r\n<body>\r\n<h1>Error response</h1>\r\n<p>Error code ${code}.\r\n<p>Message: ${message}.\r\n</body>\r\n`;
}

test("error pages are supervisord's bytes: status line, Server, Date, Content-Length, Content-Type, page", async (t) => {
  const server = await serveHttp(t);
  const cases: Array<[string, number, string]> = [
    ["GET /RPC2 HTTP/1.1\r\n\r\n", 400, "Bad Request"],
    ["GET /nonexist HTTP/1.1\r\n\r\n", 404, "Not Found"],
    ["POST /RPC2 HTTP/1.1\r\n\r\n", 411, "Length Required"],
    ["GET /logtail HTTP/1.1\r\n\r\n", 500, "Internal Server Error"],
  ];
  for (const [request, code, message] of cases) {
    const page = errorPage(code, message);
    const reply = await exchange(server.target, request, t);
    assert.equal(
      maskDate(reply.raw.toString("latin1")),
      `HTTP/1.1 ${code} ${message}\r\nServer: Medusa/1.12\r\nDate: <date>\r\nContent-Length: ${page.length}\r\nContent-Type: text/html\r\n\r\n${page}`,
    );
  }
  assert.equal(errorPage(404, "Not Found").length, 134);
});

test("the Date header is the current time in RFC 1123 form", async (t) => {
  const server = await serveHttp(t);
  const before = Math.floor(Date.now() / 1000) * 1000;
  const reply = await exchange(server.target, "GET /x HTTP/1.1\r\n\r\n", t);
  const date = (reply.headers[1] ?? "").slice("Date: ".length);
  assert.match(date, /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/);
  assert.ok(Date.parse(date) >= before && Date.parse(date) <= Date.now());
});

/** Send a request, read its reply, and find out whether the server kept the connection open. */
async function persistence(target: Target, request: string): Promise<{ headers: string[]; open: boolean; statusLine: string }> {
  const client = await RawClient.connect(target);
  try {
    client.send(request);
    const reply = await client.readReply();
    // If the connection is still open, a second request gets an answer; if not, it ends.
    client.send("GET /probe HTTP/1.1\r\n\r\n");
    const next = await Promise.race([client.readHead().then(() => true), client.ended.then(() => false)]);
    return { headers: reply.headers.slice(2), open: next, statusLine: reply.statusLine };
  } finally {
    client.close();
  }
}

test("keep-alive follows supervisord's table; no Connection header but 1.0's Keep-Alive (xmlrpc.md §2.3)", async (t) => {
  const server = await serveHttp(t);
  const error = ["Content-Length: 134", "Content-Type: text/html"];
  const cases: Array<[string, { headers: string[]; open: boolean; statusLine: string }]> = [
    ["GET /x HTTP/1.1\r\n\r\n", { headers: error, open: true, statusLine: "HTTP/1.1 404 Not Found" }],
    ["GET /x HTTP/1.1\r\nConnection: close\r\n\r\n", { headers: error, open: false, statusLine: "HTTP/1.1 404 Not Found" }],
    ["GET /x HTTP/1.1\r\nconnection: CLOSE\r\n\r\n", { headers: error, open: false, statusLine: "HTTP/1.1 404 Not Found" }],
    ["GET /x HTTP/1.1\r\nConnection: keep-alive\r\n\r\n", { headers: error, open: true, statusLine: "HTTP/1.1 404 Not Found" }],
    ["GET /x HTTP/1.0\r\n\r\n", { headers: error, open: false, statusLine: "HTTP/1.0 404 Not Found" }],
    ["GET /x HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", { headers: [...error, "Connection: Keep-Alive"], open: true, statusLine: "HTTP/1.0 404 Not Found" }],
    ["GET /x\r\n\r\n", { headers: error, open: false, statusLine: "HTTP/None 404 Not Found" }],
    ["GET /x HTTP/2.5\r\n\r\n", { headers: error, open: true, statusLine: "HTTP/2.5 404 Not Found" }],
  ];
  for (const [request, expected] of cases) assert.deepEqual(await persistence(server.target, request), expected, request);
});

test("web UI pages compare the Connection header as sent, as supervisord's UI producer does", async (t) => {
  const server = await serveHttp(t, { page: () => Promise.resolve({ status: 200, headers: [], body: Buffer.from("OK") }) });
  const page = ["Content-Type: text/plain", "Content-Length: 2"];
  assert.deepEqual(await persistence(server.target, "GET /ok.html HTTP/1.1\r\nConnection: Close\r\n\r\n"), {
    headers: page,
    open: true,
    statusLine: "HTTP/1.1 200 OK",
  });
  assert.deepEqual(await persistence(server.target, "GET /ok.html HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"), {
    headers: page,
    open: false,
    statusLine: "HTTP/1.0 200 OK",
  });
  assert.deepEqual(await persistence(server.target, "GET /ok.html HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), {
    headers: [...page, "Connection: Keep-Alive"],
    open: true,
    statusLine: "HTTP/1.0 200 OK",
  });
});

test("pipelined requests are answered in order, a deferred reply holding back the ones behind it", async (t) => {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const called: string[] = [];
  const server = await serveHttp(t, {
    rpc: async (body) => {
      called.push(body.toString());
      if (body.toString() === "slow") await held;
      return { status: 200, body };
    },
  });
  const client = await RawClient.connect(server.target, t);
  client.send("POST /RPC2 HTTP/1.1\r\nContent-Length: 4\r\n\r\nslowPOST /RPC2 HTTP/1.1\r\nContent-Length: 4\r\n\r\nfastGET /x HTTP/1.1\r\n\r\n");
  // Both calls run at once, as in supervisord: the second one does not wait for the first...
  await waitFor(() => called.length === 2);
  release();
  // ...but its reply goes out after the first one's.
  assert.equal((await client.readReply()).body.toString(), "slow");
  assert.equal((await client.readReply()).body.toString(), "fast");
  assert.equal((await client.readReply()).statusLine, "HTTP/1.1 404 Not Found");
});

test("a request line supervisord cannot parse closes the connection without a reply", async (t) => {
  const server = await serveHttp(t);
  for (const request of ["HELLO\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1 \r\n\r\n", "\r\n\r\nGET / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\n X: y\r\n\r\n"]) {
    const client = await RawClient.connect(server.target, t);
    client.send(request);
    assert.equal((await client.readToEnd()).length, 0, JSON.stringify(request));
  }
});

test("replies owed to a client that has shut down its sending side are still sent", async (t) => {
  const server = await serveHttp(t);
  const client = await RawClient.connect(server.target, t);
  client.socket.end("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
  assert.equal((await client.readReply()).statusLine, "HTTP/1.1 404 Not Found");
  assert.equal((await client.readReply()).statusLine, "HTTP/1.1 404 Not Found");
  await client.ended;
});

test("a GET's body is not read: its bytes are the next request, as in supervisord", async (t) => {
  const server = await serveHttp(t);
  const client = await RawClient.connect(server.target, t);
  client.send("GET /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /x HTTP/1.1\r\n\r\n");
  assert.equal((await client.readReply()).statusLine, "HTTP/1.1 404 Not Found");
  assert.equal((await client.readReply()).statusLine, "HTTP/1.1 400 Bad Request"); // "abcGET" is no method
  await waitFor(() => server.lines.some((l) => /^TRAC localhost:0 - - \[.*\] "abcGET \/x HTTP\/1\.1" 400 268$/.test(l)));
});

test("every reply is logged at TRAC as medusa's access log; one mentioning an error at ERRO", async (t) => {
  const server = await serveHttp(t, {}, { inet: true });
  const reply = await exchange(server.target, "GET /error.html HTTP/1.0\r\n\r\n", t);
  await waitFor(() => server.lines.some((l) => l.includes('"GET /error.html HTTP/1.0"')));
  const line = server.lines.find((l) => l.includes('"GET /error.html HTTP/1.0"'));
  assert.match(line ?? "", /^ERRO 127\.0\.0\.1:\d+ - - \[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "GET \/error\.html HTTP\/1\.0" 404 (\d+)$/);
  assert.equal(Number(/ (\d+)$/.exec(line ?? "")?.[1]), reply.raw.length);
  assert.ok(server.lines.some((l) => /^TRAC 127\.0\.0\.1:Medusa \(V1\.12\) started at \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n\tHostname: \S+\n\tPort:0$/.test(l)));
});
