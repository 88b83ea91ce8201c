import assert from "node:assert/strict";
import { appendFileSync, renameSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { formatHttpDate } from "../../src/http/http-date";
import { openFds } from "../helpers/processes";
import { exchange, RawClient, serveHttp, type TestServer } from "../helpers/raw-http";
import { waitFor } from "../helpers/wait-for";

/** A server whose process `cat` logs stdout to cat.out in its dir (stderr has no file). */
async function tailServer(t: Parameters<typeof serveHttp>[0]): Promise<TestServer & { file: string }> {
  let file = "";
  const server = await serveHttp(t, {
    processLogFile: (namespec, channel) => (namespec === "cat" && channel === "stdout" ? file : null),
    mainLogFile: () => file,
  });
  file = join(server.dir, "cat.out");
  return { ...server, file };
}

/** Read chunks until their text includes `text`. */
async function readUntil(client: RawClient, text: string): Promise<string> {
  let got = "";
  while (!got.includes(text)) got += (await client.readChunk()).toString();
  return got;
}

test("/logtail sends the last 1024 bytes, then what is appended, in chunks, with supervisord's headers", async (t) => {
  const server = await tailServer(t);
  writeFileSync(server.file, `${"a".repeat(2000)}${"b".repeat(1024)}`);
  const client = await RawClient.connect(server.target, t);
  client.send("GET /logtail/cat HTTP/1.1\r\n\r\n");
  const head = await client.readHead();
  assert.equal(head.statusLine, "HTTP/1.1 200 OK");
  assert.deepEqual(head.headers.slice(2), [
    `Last-Modified: ${formatHttpDate(statSync(server.file).mtimeMs)}`,
    "Content-Type: text/plain;charset=utf-8",
    "X-Accel-Buffering: no",
    "Transfer-Encoding: chunked",
  ]);
  assert.equal((await client.readChunk()).toString(), "b".repeat(1024));
  appendFileSync(server.file, "more\n");
  assert.equal(await readUntil(client, "\n"), "more\n");
});

test("a shrunken log gives the truncation marker and is followed from its start; a rotated one from the new file's start", async (t) => {
  const server = await tailServer(t);
  writeFileSync(server.file, "first line\n");
  const client = await RawClient.connect(server.target, t);
  client.send("GET /logtail/cat HTTP/1.1\r\n\r\n");
  await client.readHead();
  assert.equal((await client.readChunk()).toString(), "first line\n");
  truncateSync(server.file, 0);
  appendFileSync(server.file, "x\n");
  assert.equal(await readUntil(client, "x\n"), "==> File truncated <==\nx\n");
  renameSync(server.file, `${server.file}.1`);
  writeFileSync(server.file, "new file\n");
  assert.equal(await readUntil(client, "new file\n"), "new file\n");
  appendFileSync(server.file, "and more\n");
  assert.equal(await readUntil(client, "and more\n"), "and more\n");
});

test("/mainlogtail follows the main log without X-Accel-Buffering; a missing file is 404", async (t) => {
  const server = await tailServer(t);
  assert.equal((await exchange(server.target, "GET /mainlogtail HTTP/1.1\r\n\r\n", t)).statusLine, "HTTP/1.1 404 Not Found");
  assert.equal((await exchange(server.target, "GET /logtail/cat HTTP/1.1\r\n\r\n", t)).statusLine, "HTTP/1.1 404 Not Found");
  writeFileSync(server.file, "log line\n");
  const client = await RawClient.connect(server.target, t);
  client.send("GET /mainlogtailx HTTP/1.1\r\n\r\n");
  const head = await client.readHead();
  assert.deepEqual(head.headers.slice(3), ["Content-Type: text/plain;charset=utf-8", "Transfer-Encoding: chunked"]);
  assert.equal((await client.readChunk()).toString(), "log line\n");
});

test("on HTTP/1.0 the tail is sent unchunked and at once", async (t) => {
  const server = await tailServer(t);
  writeFileSync(server.file, "old\n");
  const client = await RawClient.connect(server.target, t);
  client.send("GET /logtail/cat HTTP/1.0\r\n\r\n");
  const head = await client.readHead();
  assert.equal(head.statusLine, "HTTP/1.0 200 OK");
  assert.ok(!head.headers.some((h) => h.startsWith("Transfer-Encoding")));
  assert.equal((await client.readBytes(4)).toString(), "old\n");
  appendFileSync(server.file, "new\n");
  assert.equal((await client.readBytes(4)).toString(), "new\n");
});

test("tails stop when their clients go away: no file or socket is left open", async (t) => {
  const server = await tailServer(t);
  writeFileSync(server.file, "line\n");
  const before = openFds().length;
  const clients = await Promise.all(Array.from({ length: 5 }, () => RawClient.connect(server.target)));
  for (const client of clients) client.send("GET /logtail/cat HTTP/1.1\r\n\r\n");
  for (const client of clients) {
    await client.readHead();
    await client.readChunk();
  }
  // Each tail holds the file open: five clients, five files.
  assert.ok(openFds().length >= before + 10);
  for (const client of clients) client.close();
  await waitFor(() => openFds().length <= before, { what: "the tails' files and sockets to be closed" });
});
