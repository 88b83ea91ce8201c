import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_BODY_BYTES } from "../../src/http/http-handler";
import { exchange, RawClient, serveHttp } from "../helpers/raw-http";

const echo = { rpc: (body: Buffer) => Promise.resolve({ status: 200 as const, body }) };

test("a POST without a Content-Length supervisord can see gets 411, chunked bodies included", async (t) => {
  const server = await serveHttp(t, echo);
  for (const head of [
    "POST /RPC2 HTTP/1.1\r\n\r\n",
    "POST /RPC2 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
    // supervisord only sees `Name: value` with one space.
    "POST /RPC2 HTTP/1.1\r\nContent-Length:5\r\n\r\n",
    "POST /RPC2 HTTP/1.1\r\nContent-Length: \r\n\r\n",
    "POST /index.html HTTP/1.1\r\n\r\n",
  ]) {
    assert.equal((await exchange(server.target, head, t)).statusLine, "HTTP/1.1 411 Length Required", head);
  }
});

test("a Content-Length Python's int() refuses is a 500, as in supervisord", async (t) => {
  const server = await serveHttp(t, echo);
  for (const value of ["abc", "1.5", "0x10", " "]) {
    const reply = await exchange(server.target, `POST /RPC2 HTTP/1.1\r\nContent-Length: ${value}\r\n\r\n`, t);
    assert.equal(reply.statusLine, "HTTP/1.1 500 Internal Server Error", value);
  }
  // ...and what int() takes works: spaces around, a sign, underscores, any case of the name.
  const reply = await exchange(server.target, "POST /RPC2 HTTP/1.1\r\ncontent-LENGTH:  +1_0 \r\n\r\n0123456789", t);
  assert.equal(reply.body.toString(), "0123456789");
});

test("a body is read exactly, whatever pieces it comes in, and the next request follows it", async (t) => {
  const server = await serveHttp(t, echo);
  const client = await RawClient.connect(server.target, t);
  const request = "POST /RPC2 HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello worldPOST /RPC2 HTTP/1.1\r\nContent-Length: 2\r\n\r\nok";
  for (const piece of request.match(/.{1,3}/gs) ?? []) client.send(piece);
  assert.equal((await client.readReply()).body.toString(), "hello world");
  assert.equal((await client.readReply()).body.toString(), "ok");
});

test("a body larger than the limit is refused with 413 before it is sent, and the connection closed", async (t) => {
  let calls = 0;
  const server = await serveHttp(t, {
    rpc: () => {
      calls += 1;
      return Promise.resolve({ status: 500 });
    },
  });
  const client = await RawClient.connect(server.target, t);
  client.send(`POST /RPC2 HTTP/1.1\r\nContent-Length: ${MAX_BODY_BYTES + 1}\r\n\r\n`);
  const reply = await client.readReply();
  assert.equal(reply.statusLine, "HTTP/1.1 413 Request Entity Too Large");
  assert.deepEqual(reply.headers.slice(2), ["Connection: close", "Content-Length: 149", "Content-Type: text/html"]);
  assert.match(reply.body.toString(), /<p>Error code 413\.\r\n<p>Message: Request Entity Too Large\.\r\n/);
  await client.ended;
  assert.equal(calls, 0);
});

test("a body of exactly the limit is accepted", async (t) => {
  const server = await serveHttp(t, { rpc: (body) => Promise.resolve({ status: 200, body: Buffer.from(String(body.length)) }) });
  const client = await RawClient.connect(server.target, t);
  client.send(`POST /RPC2 HTTP/1.1\r\nContent-Length: ${MAX_BODY_BYTES}\r\n\r\n`);
  client.send(Buffer.alloc(MAX_BODY_BYTES, "x"));
  assert.equal((await client.readReply()).body.toString(), String(MAX_BODY_BYTES));
});

test("an empty body reaches the RPC side (supervisord would wait forever; its 400 comes back)", async (t) => {
  const server = await serveHttp(t, { rpc: (body) => Promise.resolve(body.length === 0 ? { status: 400 } : { status: 200, body }) });
  assert.equal((await exchange(server.target, "POST /RPC2 HTTP/1.1\r\nContent-Length: 0\r\n\r\n", t)).statusLine, "HTTP/1.1 400 Bad Request");
});
