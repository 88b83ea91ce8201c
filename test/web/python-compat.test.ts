import assert from "node:assert/strict";
import { test } from "node:test";
import { run } from "../helpers/processes";
import { ctime } from "../../src/web/ctime";
import { urlQuote } from "../../src/web/url-quote";
import { readWebForm } from "../../src/web/web-form";
import { serverUrl } from "../../src/web/server-url";

// supervisord's UI leans on Python's urllib (quote, parse_qs, parse_qsl, splitport) and
// time.ctime; each is checked here against Debian's Python itself.

/** Run a Python expression over JSON input; its value back as JSON. */
async function python<T>(code: string, input: unknown): Promise<T> {
  const script = `import json, sys, time, urllib.parse\ninp = json.loads(sys.argv[1])\nprint(json.dumps(${code}))`;
  const finished = await run("/usr/bin/python3", ["-c", script, JSON.stringify(input)], { env: { ...process.env, TZ: "UTC" } });
  assert.equal(finished.status, 0, finished.stderr);
  return JSON.parse(finished.stdout) as T;
}

const NAMES = ["web", "grp:*", "grp:web", "a/b c", "wörk", "~_.-", "!'()*", "a+b&c=d", "%41", "日本", "emoji😀", "<tag>", "tab\there", ""];

test("namespecs and messages are quoted as Python's urllib.parse.quote quotes them", async () => {
  const expected = await python<string[]>("[urllib.parse.quote(s) for s in inp]", NAMES);
  assert.deepEqual(NAMES.map(urlQuote), expected);
});

test("form fields are read as supervisord's parse_qs (query, first value) and parse_qsl (body, last value) read them", async () => {
  const cases: Array<[string, string]> = [
    ["processname=grp%3Aweb&action=stop", ""],
    ["message=a+b%20c&message=second", ""],
    ["message=&action=refresh&flag", ""],
    ["message=%FF%C3%A9%E2%82&x=%zz%4", ""],
    ["=v&k=&&k2=a=b", "k=body&k=last&processname=%C3%A9"],
    ["processname=q", "processname=&processname=b%2Bc+d"],
    ["a;b=c&d=e;f", ""],
  ];
  const expected = await python<Array<Record<string, string>>>(
    `[dict([(k, v[0]) for k, v in urllib.parse.parse_qs(q).items()] + urllib.parse.parse_qsl(b)) for q, b in inp]`,
    cases,
  );
  const ours = cases.map(([query, body]) => Object.fromEntries(readWebForm(query, Buffer.from(body))));
  assert.deepEqual(ours, expected);
});

test("messages carry the time as Python's time.ctime writes it", async () => {
  const moments = [Date.UTC(2026, 10, 21, 2, 16, 21), Date.UTC(2026, 0, 4, 9, 5, 0), Date.UTC(1999, 11, 31, 23, 59, 59)];
  const expected = await python<string[]>("[time.ctime(t / 1000) for t in inp]", moments);
  // Our ctime is local time; the Python side runs in UTC, so compare with a UTC clock.
  const utc = (ms: number): Date => {
    const d = new Date(ms);
    return new Date(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
  };
  assert.deepEqual(
    moments.map((ms) => ctime(utc(ms))),
    expected,
  );
});

test("the redirect's host and port come from the Host header as supervisord's splitport reads it", async () => {
  const hosts = ["localhost:9001", "localhost:80", "localhost", "host:", "host:abc", "a:b:1", "[::1]:9001", "[::1]", "x:080", "h/", "h:1/"];
  const expected = await python<string[]>(
    `[(lambda hp: ('http://' + (hp[0] if hp[1] is None or hp[1] == '80' else hp[0] + ':' + hp[1])))(urllib.parse._splitport(h.strip())) for h in inp]`,
    hosts,
  );
  // supervisord then drops one trailing slash of the whole URL.
  assert.deepEqual(
    hosts.map((h) => serverUrl(h, "unused", 1)),
    expected.map((url) => (url.endsWith("/") ? url.slice(0, -1) : url)),
  );
});
