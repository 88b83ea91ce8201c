import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { decodeBase64Leniently } from "../../src/http/basic-auth";
import { exchange, maskDate, RawClient, serveHttp } from "../helpers/raw-http";

const basic = (credentials: string): string => `Authorization: Basic ${Buffer.from(credentials).toString("base64")}\r\n`;

test("base64 is decoded as leniently as Python's decodebytes", () => {
  const cases: Array<[string, string | null]> = [
    ["dXNlcjpzZWNyZXQ=", "user:secret"],
    ["dXNlcjpzZWNyZXQ=xx", "user:secret"], // garbage after complete padding
    ["dXNl cjpz!ZWNyZXQ=", "user:secret"], // characters outside the alphabet skipped
    ["YQ==", "a"],
    ["Y=Q==", "a"], // padding too early is skipped
    ["!!!!", ""],
    ["", ""],
    ["abc", null], // Incorrect padding
    ["YQ=", null],
    ["a", null], // one more than a multiple of four
  ];
  for (const [text, expected] of cases) assert.equal(decodeBase64Leniently(text)?.toString("latin1") ?? null, expected, text);
});

test("without credentials the reply is supervisord's exact 401, and the connection is closed", async (t) => {
  const server = await serveHttp(t, {}, { username: "user", password: "secret" });
  const client = await RawClient.connect(server.target, t);
  client.send("GET /x HTTP/1.1\r\n\r\nGET /x HTTP/1.1\r\n" + basic("user:secret") + "\r\n");
  const reply = await client.readReply();
  assert.equal(
    maskDate(reply.raw.toString()),
    "HTTP/1.1 401 Unauthorized\r\nServer: Medusa/1.12\r\nDate: <date>\r\nConnection: close\r\nWWW-Authenticate: Basic realm=\"default\"\r\n" +
      "Content-Length: 137\r\nContent-Type: text/html\r\n\r\n" +
      "<head>\r\n<title>Error response</title>\r\n</head>\r\n<body>\r\n<h1>Error response</h1>\r\n<p>Error code 401.\r\n<p>Message: Unauthorized.\r\n</body>\r\n",
  );
  // The request behind it is not answered.
  assert.equal((await client.readToEnd()).length, 0);
});

test("every route is behind the auth, the 404 fallback included", async (t) => {
  const server = await serveHttp(t, { page: () => Promise.resolve({ status: 200, headers: [], body: Buffer.from("OK") }) }, { username: "user", password: "secret" });
  for (const request of ["POST /RPC2 HTTP/1.1\r\nContent-Length: 0", "GET /logtail/x HTTP/1.1", "GET /mainlogtail HTTP/1.1", "GET /ok.html HTTP/1.1", "GET /nonexist HTTP/1.1", "HEAD / HTTP/1.1"]) {
    const reply = await exchange(server.target, `${request}\r\n\r\n`, t);
    assert.equal(reply.statusLine, "HTTP/1.1 401 Unauthorized", request);
  }
  assert.equal((await exchange(server.target, `GET /ok.html HTTP/1.1\r\n${basic("user:secret")}\r\n`, t)).body.toString(), "OK");
});

test("credentials are checked as supervisord checks them", async (t) => {
  const server = await serveHttp(t, {}, { username: "user", password: "secret" });
  const cases: Array<[string, string]> = [
    [basic("user:secret"), "404 Not Found"],
    ["authorization: BASIC dXNlcjpzZWNyZXQ=\r\n", "404 Not Found"],
    ["Authorization: Basic dXNlcjpzZWNyZXQ=xx\r\n", "404 Not Found"],
    [basic("user:wrong"), "401 Unauthorized"],
    [basic("other:secret"), "401 Unauthorized"],
    [basic("user:secret:"), "401 Unauthorized"], // the password is everything after the first colon
    ["Authorization: Bearer dXNlcjpzZWNyZXQ=\r\n", "401 Unauthorized"],
    ["Authorization: Basic\r\n", "401 Unauthorized"], // no space after the scheme: no header at all
    ["Authorization:Basic dXNlcjpzZWNyZXQ=\r\n", "401 Unauthorized"],
    ["Authorization: Basic abc\r\n", "400 Bad Request"], // bad padding
    ["Authorization: Basic /w==\r\n", "400 Bad Request"], // not UTF-8
    ["Authorization: Basic !!!!\r\n", "500 Internal Server Error"], // no colon in what it decodes to
    ["Authorization: Basic \r\n", "500 Internal Server Error"],
    [basic("usersecret"), "500 Internal Server Error"],
  ];
  for (const [header, expected] of cases) {
    const reply = await exchange(server.target, `GET /x HTTP/1.1\r\n${header}\r\n`, t);
    assert.equal(reply.statusLine, `HTTP/1.1 ${expected}`, header);
  }
});

test("a {SHA} password is the hex SHA-1 of the one the client sends", async (t) => {
  const hash = createHash("sha1").update("pässword").digest("hex");
  const server = await serveHttp(t, {}, { username: "user", password: `{SHA}${hash}`, inet: true });
  assert.equal((await exchange(server.target, `GET /x HTTP/1.1\r\n${basic("user:pässword")}\r\n`, t)).statusLine, "HTTP/1.1 404 Not Found");
  assert.equal((await exchange(server.target, `GET /x HTTP/1.1\r\n${basic(`user:{SHA}${hash}`)}\r\n`, t)).statusLine, "HTTP/1.1 401 Unauthorized");
});

test("a client still sending its body after the 401 gets no reset: it reads the 401, then the end", async (t) => {
  const server = await serveHttp(t, {}, { username: "user", password: "secret" });
  const client = await RawClient.connect(server.target, t);
  // As Python's http.client does: the head, then the body in a write of its own.
  client.send("POST /RPC2 HTTP/1.1\r\nContent-Length: 5\r\n\r\n");
  assert.equal((await client.readReply()).statusLine, "HTTP/1.1 401 Unauthorized");
  await new Promise<void>((resolve, reject) => client.socket.write("hello", (err) => (err ? reject(err) : resolve())));
  assert.equal((await client.readToEnd()).length, 0);
});
