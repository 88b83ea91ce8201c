import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_HEAD_BYTES } from "../../src/http/http-handler";
import { exchange, RawClient, serveHttp } from "../helpers/raw-http";
import { waitFor } from "../helpers/wait-for";

test("a client sending a byte at a time does not delay another one", async (t) => {
  const server = await serveHttp(t, { rpc: (body) => Promise.resolve({ status: 200, body }) });
  const slow = await RawClient.connect(server.target, t);
  const request = Buffer.from("POST /RPC2 HTTP/1.1\r\nContent-Length: 4\r\n\r\nslow");
  let sent = 0;
  const trickle = setInterval(() => {
    if (sent < request.length) slow.send(request.subarray(sent, ++sent));
  }, 20);
  t.after(() => clearInterval(trickle));
  await waitFor(() => sent >= 3); // the slow request has begun
  const fast = await exchange(server.target, "POST /RPC2 HTTP/1.1\r\nContent-Length: 4\r\n\r\nfast", t);
  assert.equal(fast.body.toString(), "fast");
  assert.ok(sent < request.length, "the fast client was answered while the slow one was still sending");
  assert.equal((await slow.readReply()).body.toString(), "slow");
});

test("a client that goes away before its deferred reply, or in the middle of a large one, harms nobody", async (t) => {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  let calls = 0;
  const big = Buffer.alloc(16 * 1024 * 1024, "x");
  const server = await serveHttp(t, {
    rpc: async (body) => {
      calls += 1;
      if (body.toString() === "wait") await held;
      return { status: 200, body: body.toString() === "big" ? big : body };
    },
  });
  const waiting = await RawClient.connect(server.target, t);
  waiting.send("POST /RPC2 HTTP/1.1\r\nContent-Length: 4\r\n\r\nwait");
  await waitFor(() => calls === 1);
  waiting.close();
  const reading = await RawClient.connect(server.target, t);
  reading.send("POST /RPC2 HTTP/1.1\r\nContent-Length: 3\r\n\r\nbig");
  await reading.readHead();
  await reading.readBytes(1024);
  reading.close();
  release();
  const after = await exchange(server.target, "POST /RPC2 HTTP/1.1\r\nContent-Length: 2\r\n\r\nok", t);
  assert.equal(after.body.toString(), "ok");
});

test("a route that throws answers 500 and logs the stack at CRIT; the server keeps serving", async (t) => {
  const server = await serveHttp(t, {
    processLogFile: () => {
      throw new Error("boom");
    },
    page: () => Promise.reject(new TypeError("page broke")),
  });
  assert.equal((await exchange(server.target, "GET /logtail/cat HTTP/1.1\r\n\r\n", t)).statusLine, "HTTP/1.1 500 Internal Server Error");
  assert.equal((await exchange(server.target, "GET / HTTP/1.1\r\n\r\n", t)).statusLine, "HTTP/1.1 500 Internal Server Error");
  const crits = server.lines.filter((l) => l.startsWith("CRIT "));
  assert.match(crits[0] ?? "", /^CRIT Handling HTTP request "GET \/logtail\/cat HTTP\/1\.1" raised an unexpected exception: Error: boom\n {4}at /);
  assert.match(crits[1] ?? "", /^CRIT Handling HTTP request "GET \/ HTTP\/1\.1" raised an unexpected exception: TypeError: page broke\n {4}at /);
  assert.equal((await exchange(server.target, "GET /x HTTP/1.1\r\n\r\n", t)).statusLine, "HTTP/1.1 404 Not Found");
});

test("a request head larger than the limit gets 400 and the connection is closed", async (t) => {
  const server = await serveHttp(t);
  const client = await RawClient.connect(server.target, t);
  client.send(`GET /x HTTP/1.1\r\nX-Filler: ${"y".repeat(MAX_HEAD_BYTES)}`);
  const reply = await client.readReply();
  assert.equal(reply.statusLine, "HTTP/1.1 400 Bad Request");
  assert.equal(reply.headers[2], "Connection: close");
  await client.ended;
  // A head just under the limit is fine.
  const fits = await exchange(server.target, `GET /x HTTP/1.1\r\nX-Filler: ${"y".repeat(MAX_HEAD_BYTES - 100)}\r\n\r\n`, t);
  assert.equal(fits.statusLine, "HTTP/1.1 404 Not Found");
});

test("a client that pipelines requests without reading replies is not read from without bound", async (t) => {
  let calls = 0;
  const server = await serveHttp(t, {
    rpc: () => {
      calls += 1;
      return new Promise(() => undefined); // never answers: every reply stays queued
    },
  });
  const client = await RawClient.connect(server.target, t);
  const request = "POST /RPC2 HTTP/1.1\r\nContent-Length: 1\r\n\r\nx";
  client.send(request.repeat(100));
  await waitFor(() => calls >= 16);
  // Another client is still served while this one is held.
  assert.equal((await exchange(server.target, "GET /x HTTP/1.1\r\n\r\n", t)).statusLine, "HTTP/1.1 404 Not Found");
  assert.equal(calls, 16);
});
