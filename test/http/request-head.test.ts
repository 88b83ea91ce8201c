import assert from "node:assert/strict";
import { test } from "node:test";
import { headerValue, parseRequestHead, splitUri } from "../../src/http/request-head";
import { unquote } from "../../src/http/url-unquote";

test("request heads are cracked as medusa does", () => {
  assert.deepEqual(parseRequestHead(Buffer.from("\r\nPOST /RPC2 HTTP/1.1\r\nHost: x\r\nX-Long: a\r\n\tb\r\n c")), {
    line: "POST /RPC2 HTTP/1.1",
    command: "POST",
    uri: "/RPC2",
    version: "1.1",
    headers: ["Host: x", "X-Long: abc"], // a continuation loses its first character only
  });
  assert.equal(parseRequestHead(Buffer.from("GET /x"))?.version, null);
  assert.equal(parseRequestHead(Buffer.from("GET /x HTTP/9.9.9"))?.version, "9.9.9");
  for (const bad of ["", "\r\n", "HELLO", "GET  /x", "GET /x HTTP/1.1 ", "GET /x HTTP/", "GET /x FOO/1.0", "GET /x HTTP/1.1\r\n X: y"]) {
    assert.equal(parseRequestHead(Buffer.from(bad)), null, JSON.stringify(bad));
  }
  assert.equal(parseRequestHead(Buffer.from([0x47, 0x45, 0x54, 0x20, 0x2f, 0xff])), null); // not UTF-8
});

test("the path is percent-decoded before routing, the query is left alone", () => {
  assert.equal(parseRequestHead(Buffer.from("GET /logtail/grp%3Aga/stderr?a=%3A HTTP/1.1"))?.uri, "/logtail/grp:ga/stderr?a=%3A");
  assert.equal(parseRequestHead(Buffer.from("GET /a%20b? HTTP/1.1"))?.uri, "/a b");
  assert.equal(parseRequestHead(Buffer.from("GET /a?b?c%20 HTTP/1.1"))?.uri, "/a?b?c%20");
  assert.equal(parseRequestHead(Buffer.from("GET /a?b%20?c HTTP/1.1"))?.uri, "/a?b ?c"); // Python splits at the last `?`
});

test("unquote is Python's: bad escapes stay, bad UTF-8 becomes U+FFFD, non-ASCII is kept", () => {
  assert.equal(unquote("%41%e2%82%ac%zz%4"), "A€%zz%4");
  assert.equal(unquote("%ff%41"), "\ufffdA");
  assert.equal(unquote("é%41"), "éA");
  assert.equal(unquote("%EF%BB%BFx"), "\ufeffx");
});

test("headers are found only in the form `Name: value`, any case of the name", () => {
  const headers = ["content-length: 5", "Content-Type:text/xml", "X: 1"];
  assert.equal(headerValue(headers, "Content-Length"), "5");
  assert.equal(headerValue(headers, "content-type"), null);
  assert.deepEqual(splitUri("/index.html;p=1?q=2#f"), { path: "/index.html", query: "q=2" });
});
