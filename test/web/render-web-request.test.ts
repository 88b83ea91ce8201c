import assert from "node:assert/strict";
import { test } from "node:test";
import { renderWebRequest, type WebReply, type WebRequest } from "../../src/web/render-web-request";
import { FakeRpc, type FakeProcess } from "../helpers/fake-rpc";

// The expectations are what supervisord 4.2.5 answered for the same requests (web.md), with
// its RPC interface in the place of our fake.

/** A fixed moment, local time: ctime `Sat Nov 21 02:16:21 2026`. */
const NOW = (): Date => new Date(2026, 10, 21, 2, 16, 21);

function request(target: string, more: Partial<WebRequest> = {}): WebRequest {
  const [path = "", query = ""] = target.split(/\?(.*)/s);
  return { method: "GET", path, query, body: Buffer.alloc(0), host: "localhost:9001", serverName: "localhost", serverPort: 9001, ...more };
}

async function get(rpc: FakeRpc, target: string, more: Partial<WebRequest> = {}): Promise<WebReply> {
  return renderWebRequest(request(target, more), rpc.call, NOW);
}

async function html(rpc: FakeRpc, target: string): Promise<string> {
  const reply = await get(rpc, target);
  assert.equal(reply.status, 200);
  return reply.body.toString("utf8");
}

/** The Location's message, decoded. */
async function redirectMessage(rpc: FakeRpc, target: string): Promise<string> {
  const reply = await get(rpc, target);
  assert.equal(reply.status, 301);
  const location = new Map(reply.headers).get("Location") ?? "";
  assert.match(location, /^http:\/\/localhost:9001\/\?message=/);
  return decodeURIComponent(location.slice(location.indexOf("=") + 1));
}

interface Row {
  shade: string;
  stateClass: string;
  state: string;
  description: string;
  tailHref: string;
  namespec: string;
  /** Each slot: `label -> href [target]`, or `hidden`. */
  actions: string[];
}

function rowsOf(page: string): Row[] {
  return [...page.matchAll(/<tr class="([^"]*)">([\s\S]*?)<\/tr>/g)].map(([, shade = "", tr = ""]) => {
    const state = /<td class="status"><span class="([^"]*)">([^<]*)<\/span>/.exec(tr);
    const description = /<td><span>([^<]*)<\/span><\/td>/.exec(tr);
    const name = /<td><a href="([^"]*)" target="_blank">([^<]*)<\/a><\/td>/.exec(tr);
    const actions = [...tr.matchAll(/<li><a ([^>]*)>([^<]*)<\/a><\/li>/g)].map(([, attrs = "", label]) => {
      if (attrs === `class="hidden" href="#" name="#"`) return "hidden";
      const href = /href="([^"]*)"/.exec(attrs)?.[1];
      assert.equal(/name="([^"]*)"/.exec(attrs)?.[1], label, "an action link is named after its label");
      return `${label} -> ${href}${attrs.includes(`target="_blank"`) ? " [_blank]" : ""}`;
    });
    return {
      shade,
      stateClass: state?.[1] ?? "",
      state: state?.[2] ?? "",
      description: description?.[1] ?? "",
      tailHref: name?.[1] ?? "",
      namespec: name?.[2] ?? "",
      actions,
    };
  });
}

const ALL_STATES: FakeProcess[] = [
  { group: "web", name: "web", statename: "RUNNING", description: "pid 42, uptime 0:01:02" },
  { group: "a", name: "stopped", statename: "STOPPED", description: "Not started" },
  { group: "a", name: "exited", statename: "EXITED", description: "Nov 21 02:00 AM" },
  { group: "a", name: "fatal", statename: "FATAL", description: "Exited too quickly (process log may have details)" },
  { group: "a", name: "backoff", statename: "BACKOFF", description: "Exited too quickly (process log may have details)" },
  { group: "b", name: "starting", statename: "STARTING" },
  { group: "b", name: "stopping", statename: "STOPPING" },
  { group: "b", name: "unknown", statename: "UNKNOWN" },
];

test("the status page lists every process by group then name, every other row shaded", async () => {
  const rpc = new FakeRpc([
    { group: "zeta", name: "zeta", statename: "RUNNING" },
    { group: "grp", name: "b", statename: "RUNNING" },
    { group: "Grp", name: "z", statename: "RUNNING" },
    { group: "grp", name: "a", statename: "RUNNING" },
    { group: "alpha", name: "alpha", statename: "RUNNING" },
  ]);
  const rows = rowsOf(await html(rpc, "index.html"));
  assert.deepEqual(
    rows.map((r) => r.namespec),
    ["Grp:z", "alpha", "grp:a", "grp:b", "zeta"],
  );
  assert.deepEqual(
    rows.map((r) => r.shade),
    ["", "shade", "", "shade", ""],
  );
});

test("each row shows its state in lower case with the state's class, and the description", async () => {
  const rows = rowsOf(await html(new FakeRpc(ALL_STATES), ""));
  assert.deepEqual(
    rows.map((r) => [r.namespec, r.state, r.stateClass, r.description]),
    [
      ["a:backoff", "backoff", "statuserror", "Exited too quickly (process log may have details)"],
      ["a:exited", "exited", "statusnominal", "Nov 21 02:00 AM"],
      ["a:fatal", "fatal", "statuserror", "Exited too quickly (process log may have details)"],
      ["a:stopped", "stopped", "statusnominal", "Not started"],
      ["b:starting", "starting", "statusnominal", ""],
      ["b:stopping", "stopping", "statusnominal", ""],
      ["b:unknown", "unknown", "statusnominal", ""],
      ["web", "running", "statusrunning", "pid 42, uptime 0:01:02"],
    ],
  );
});

test("a running process offers restart and stop; a stopped, exited or fatal one start; others neither", async () => {
  const rows = rowsOf(await html(new FakeRpc(ALL_STATES), "/"));
  const logs = (q: string): string[] => [
    `Clear Log -> index.html?processname=${q}&amp;action=clearlog`,
    `Tail -f Stdout -> logtail/${q} [_blank]`,
    `Tail -f Stderr -> logtail/${q}/stderr [_blank]`,
  ];
  const byName = new Map(rows.map((r) => [r.namespec, r.actions]));
  assert.deepEqual(byName.get("web"), [
    "Restart -> index.html?processname=web&amp;action=restart",
    "Stop -> index.html?processname=web&amp;action=stop",
    ...logs("web"),
  ]);
  for (const name of ["stopped", "exited", "fatal"]) {
    assert.deepEqual(byName.get(`a:${name}`), [`Start -> index.html?processname=a%3A${name}&amp;action=start`, "hidden", ...logs(`a%3A${name}`)]);
  }
  assert.deepEqual(byName.get("a:backoff"), ["hidden", "hidden", ...logs("a%3Abackoff")]);
  for (const name of ["starting", "stopping", "unknown"]) assert.deepEqual(byName.get(`b:${name}`), ["hidden", "hidden", ...logs(`b%3A${name}`)]);
});

test("a process name links to its tail page, URL-quoted, in a new window", async () => {
  const rows = rowsOf(await html(new FakeRpc([{ group: "grp", name: "wörk.er-1~", statename: "STOPPED" }]), "index.html"));
  assert.equal(rows[0]?.tailHref, "tail.html?processname=grp%3Aw%C3%B6rk.er-1~");
  assert.equal(rows[0]?.namespec, "grp:wörk.er-1~");
});

test("names and descriptions are escaped: user data never becomes markup", async () => {
  const page = await html(
    new FakeRpc([{ group: "g<&>", name: `"x'`, statename: "FATAL", description: `can't find command '<script>alert(1)</script>'` }]),
    "index.html?message=%3Cb%3Ehi%3C/b%3E%20%26%20%22q%22",
  );
  assert.ok(!page.includes("<script>") && !page.includes("<b>hi"), page);
  const rows = rowsOf(page);
  assert.equal(rows[0]?.namespec, "g&lt;&amp;&gt;:&quot;x&#39;");
  assert.equal(rows[0]?.description, "can&#39;t find command &#39;&lt;script&gt;alert(1)&lt;/script&gt;&#39;");
  assert.equal(rows[0]?.tailHref, "tail.html?processname=g%3C%26%3E%3A%22x%27");
  assert.match(page, /<div class="status_msg">&lt;b&gt;hi&lt;\/b&gt; &amp; &quot;q&quot;<\/div>/);
});

test("a message parameter shows above the buttons; without one (or an empty one) the slot is hidden", async () => {
  const rpc = new FakeRpc([]);
  assert.match(await html(rpc, "index.html?message=Process+web+stopped"), /<div class="status_msg">Process web stopped<\/div>/);
  for (const target of ["index.html", "index.html?message=", "index.html?message"]) {
    const page = await html(rpc, target);
    assert.match(page, /<div class="hidden">#<\/div>/, target);
    assert.doesNotMatch(page, /status_msg/, target);
  }
});

test("the page has the title, the three buttons, the column heads and the footer", async () => {
  const page = await html(new FakeRpc([{ group: "web", name: "web", statename: "RUNNING" }]), "index.html");
  assert.match(page, /<title>Supervisor Status<\/title>/);
  assert.match(page, /<img src="images\/supervisor.gif" alt="Supervisor status" \/>/);
  const buttons = [...page.matchAll(/<li class="action-button"><a href="([^"]*)">([^<]*)<\/a><\/li>/g)].map((m) => `${m[2]} ${m[1]}`);
  assert.deepEqual(buttons, ["Refresh index.html?action=refresh", "Restart All index.html?action=restartall", "Stop All index.html?action=stopall"]);
  const heads = [...page.matchAll(/<th class="([^"]*)">([^<]*)<\/th>/g)].map((m) => `${m[1]}:${m[2]}`);
  assert.deepEqual(heads, ["state:State", "desc:Description", "name:Name", "action:Action"]);
  assert.match(page, /<a href="http:\/\/supervisord.org">Supervisor<\/a> <span>4.2.5<\/span>/);
  assert.match(page, /&copy; 2006-<span>2026<\/span>/);
});

test("with no processes the table is replaced by 'No programs to manage'", async () => {
  const page = await html(new FakeRpc([]), "index.html");
  assert.match(page, /No programs to manage/);
  assert.doesNotMatch(page, /<table/);
});

test("a page is text/html;charset=utf-8, not to be cached, with its length", async () => {
  const reply = await get(new FakeRpc([{ group: "x", name: "x", statename: "RUNNING" }]), "index.html");
  assert.deepEqual(reply.headers, [
    ["Content-Type", "text/html;charset=utf-8"],
    ["Pragma", "no-cache"],
    ["Cache-Control", "no-cache"],
    ["Expires", "Thu, 01 Jan 1970 00:00:00 GMT"],
    ["Content-Length", String(reply.body.length)],
  ]);
});

test("an action answers 301 with supervisord's error page and no-cache headers", async () => {
  const reply = await get(new FakeRpc([{ group: "web", name: "web", statename: "RUNNING" }]), "index.html?processname=web&action=stop");
  assert.equal(reply.status, 301);
  assert.deepEqual(reply.headers, [
    ["Location", "http://localhost:9001/?message=Process%20web%20stopped"],
    ["Content-Type", "text/html"],
    ["Pragma", "no-cache"],
    ["Cache-Control", "no-cache"],
    ["Expires", "Thu, 01 Jan 1970 00:00:00 GMT"],
    ["Content-Length", "142"],
  ]);
  assert.equal(
    reply.body.toString(),
    "<head>\r\n<title>Error response</title>\r\n</head>\r\n<body>\r\n<h1>Error response</h1>\r\n<p>Error code 301.\r\n<p>Message: Moved Permanently.\r\n</body>\r\n",
  );
});

test("each action calls its method, waiting, and redirects with supervisord's message", async () => {
  const cases: Array<[string, string, Array<[string, unknown[]]>]> = [
    ["action=refresh", "Page refreshed at Sat Nov 21 02:16:21 2026", []],
    ["action=stopall", "All stopped at Sat Nov 21 02:16:21 2026", [["supervisor.stopAllProcesses", [true]]]],
    [
      "action=restartall",
      "All restarted at Sat Nov 21 02:16:21 2026",
      [
        ["supervisor.stopAllProcesses", [true]],
        ["supervisor.startAllProcesses", [true]],
      ],
    ],
    ["processname=grp%3Aweb&action=start", "Process grp:web started", [["supervisor.startProcess", ["grp:web", true]]]],
    ["processname=grp:web&action=stop", "Process grp:web stopped", [["supervisor.stopProcess", ["grp:web", true]]]],
    [
      "processname=grp:web&action=restart",
      "Process grp:web restarted",
      [
        ["supervisor.stopProcess", ["grp:web", true]],
        ["supervisor.startProcess", ["grp:web", true]],
      ],
    ],
    ["processname=grp:web&action=clearlog", "Log for grp:web cleared", [["supervisor.clearProcessLogs", ["grp:web"]]]],
  ];
  for (const [query, message, calls] of cases) {
    const rpc = new FakeRpc([{ group: "grp", name: "web", statename: "RUNNING" }]);
    assert.equal(await redirectMessage(rpc, `index.html?${query}`), message, query);
    assert.deepEqual(rpc.actionCalls(), calls, query);
  }
});

test("a redirect's message is quoted as Python quotes it", async () => {
  const reply = await get(new FakeRpc([]), "index.html?action=refresh");
  assert.equal(new Map(reply.headers).get("Location"), "http://localhost:9001/?message=Page%20refreshed%20at%20Sat%20Nov%2021%2002%3A16%3A21%202026");
});

test("the redirect goes to the Host the browser asked for, else to the server's name and port", async () => {
  const rpc = new FakeRpc([]);
  const location = async (more: Partial<WebRequest>): Promise<string | undefined> =>
    new Map((await get(rpc, "index.html?action=refresh", more)).headers).get("Location")?.replace(/\?.*/, "");
  assert.equal(await location({ host: "example.com:9001" }), "http://example.com:9001/");
  assert.equal(await location({ host: "example.com:80" }), "http://example.com/");
  assert.equal(await location({ host: "example.com" }), "http://example.com/");
  assert.equal(await location({ host: "[::1]:9001" }), "http://[::1]:9001/");
  assert.equal(await location({ host: undefined, serverName: "localhost", serverPort: 9001 }), "http://localhost:9001/");
  assert.equal(await location({ host: "  ", serverName: "box", serverPort: 80 }), "http://box/");
  assert.equal(
    await location({ host: undefined, serverName: "<unix domain socket>", serverPort: "/run/sv.sock" }),
    "http://<unix domain socket>:/run/sv.sock/",
  );
});

test("a start that fails says why, in supervisord's words", async () => {
  const cases: Array<[number, string, string]> = [
    [20, "NO_FILE: can't find command '/nonexistent/prog'", "no such file"],
    [21, "NOT_EXECUTABLE: command at '/srv/x.sh' is not executable", "file not executable"],
    [60, "ALREADY_STARTED: web", "already started"],
    [50, "SPAWN_ERROR: web", "spawn error"],
    [40, "ABNORMAL_TERMINATION: web", "abnormal termination"],
    [30, "FAILED: web is in an unknown process state", "unexpected rpc fault [30] FAILED: web is in an unknown process state"],
  ];
  for (const [code, text, reason] of cases) {
    const rpc = new FakeRpc([{ group: "web", name: "web", statename: "STOPPED" }]).fault("supervisor.startProcess", code, text);
    assert.equal(await redirectMessage(rpc, "index.html?processname=web&action=start"), `ERROR: Process web: ${reason}`);
  }
});

test("a stop or clearlog that fails shows the fault", async () => {
  const rpc = new FakeRpc([{ group: "web", name: "web", statename: "STOPPED" }])
    .fault("supervisor.stopProcess", 70, "NOT_RUNNING: web")
    .fault("supervisor.clearProcessLogs", 30, "FAILED: web");
  assert.equal(await redirectMessage(rpc, "index.html?processname=web&action=stop"), "unexpected rpc fault [70] NOT_RUNNING: web");
  assert.equal(await redirectMessage(rpc, "index.html?processname=web&action=clearlog"), "unexpected rpc fault [30] FAILED: web");
});

test("restart and restartall ignore the faults of their steps", async () => {
  const rpc = new FakeRpc([{ group: "web", name: "web", statename: "STOPPED" }])
    .fault("supervisor.stopProcess", 70, "NOT_RUNNING: web")
    .fault("supervisor.startProcess", 50, "SPAWN_ERROR: web")
    .fault("supervisor.stopAllProcesses", 6, "SHUTDOWN_STATE")
    .fault("supervisor.startAllProcesses", 6, "SHUTDOWN_STATE");
  assert.equal(await redirectMessage(rpc, "index.html?processname=web&action=restart"), "Process web restarted");
  assert.equal(await redirectMessage(rpc, "index.html?action=restartall"), "All restarted at Sat Nov 21 02:16:21 2026");
});

test("an action on an unknown process, or on a group, says there is no such process and does nothing", async () => {
  for (const action of ["start", "stop", "restart", "clearlog", "bogus"]) {
    const rpc = new FakeRpc([{ group: "grp", name: "web", statename: "STOPPED" }]);
    assert.equal(await redirectMessage(rpc, `index.html?processname=nosuch&action=${action}`), "No such process named nosuch");
    assert.equal(await redirectMessage(rpc, `index.html?processname=grp:*&action=${action}`), "No such process named grp:*");
    assert.deepEqual(rpc.actionCalls(), [], action);
  }
});

test("an unknown action, or a process action without a process, is an internal error (HTTP 500)", async () => {
  const rpc = new FakeRpc([{ group: "web", name: "web", statename: "RUNNING" }]);
  await assert.rejects(get(rpc, "index.html?processname=web&action=bogus"), /unknown UI action 'bogus'/);
  await assert.rejects(get(rpc, "index.html?action=bogus"), /without a process name/);
  for (const action of ["start", "stop", "restart", "clearlog"]) {
    await assert.rejects(get(rpc, `index.html?action=${action}`), /without a process name/);
  }
  assert.deepEqual(rpc.actionCalls(), []);
});

test("while supervisord shuts down the status page and its actions are internal errors", async () => {
  const rpc = new FakeRpc([{ group: "web", name: "web", statename: "RUNNING" }])
    .fault("supervisor.getAllProcessInfo", 6, "SHUTDOWN_STATE")
    .fault("supervisor.getProcessInfo", 6, "SHUTDOWN_STATE")
    .fault("supervisor.stopAllProcesses", 6, "SHUTDOWN_STATE");
  await assert.rejects(get(rpc, "index.html"), { faultString: "SHUTDOWN_STATE" });
  await assert.rejects(get(rpc, "index.html?action=refresh"), { faultString: "SHUTDOWN_STATE" });
  await assert.rejects(get(rpc, "index.html?action=stopall"), { faultString: "SHUTDOWN_STATE" });
  await assert.rejects(get(rpc, "index.html?processname=web&action=stop"), { faultString: "SHUTDOWN_STATE" });
});

test("a POST's form fields join the query's: the body wins, the query's first value, the body's last", async () => {
  const rpc = new FakeRpc([{ group: "web", name: "web", statename: "RUNNING" }]);
  const post = (query: string, body: string): Promise<WebReply> =>
    renderWebRequest(request(`index.html?${query}`, { method: "POST", body: Buffer.from(body) }), rpc.call, NOW);
  const message = async (reply: Promise<WebReply>): Promise<string> => /<div class="status_msg">([^<]*)<\/div>/.exec((await reply).body.toString())?.[1] ?? "";
  assert.equal(await message(post("message=x&message=y", "")), "x");
  assert.equal(await message(post("message=x&message=y", "message=p&message=q")), "q");
  assert.equal(await message(post("message=x", "message=")), "x");
  const stop = await post("action=stop", "processname=web");
  assert.equal(new Map(stop.headers).get("Location"), "http://localhost:9001/?message=Process%20web%20stopped");
  // A GET's body is not read.
  const getWithBody = await renderWebRequest(request("index.html", { body: Buffer.from("message=hi") }), rpc.call, NOW);
  assert.doesNotMatch(getWithBody.body.toString(), /status_msg/);
});

test("the tail page shows the end of the stdout log, at least 1024 bytes of it, with a refresh link", async () => {
  const cases: Array<[string, number, string]> = [
    ["", 1024, "1024"],
    ["&limit=60", 1024, "1024"],
    ["&limit=0", 1024, "1024"],
    ["&limit=-5", 1024, "1024"],
    ["&limit=abc", 1024, "1024"],
    ["&limit=", 1024, "1024"],
    ["&limit=5000", 5000, "5000"],
    ["&limit=005000", 5000, "5000"],
  ];
  for (const [limit, bytes, shown] of cases) {
    const rpc = new FakeRpc([{ group: "grp", name: "web", statename: "RUNNING" }]).on("supervisor.readProcessStdoutLog", () => "a <b> & c\n");
    const page = await html(rpc, `tail.html?processname=grp%3Aweb${limit}`);
    assert.deepEqual(rpc.calls, [["supervisor.readProcessStdoutLog", ["grp:web", -bytes, 0]]], limit);
    assert.match(page, /<title>Supervisor tail of process grp:web<\/title>/);
    assert.match(page, /<pre>a &lt;b&gt; &amp; c\n<\/pre>/);
    assert.match(page, new RegExp(`<a href="tail.html\\?processname=grp%3Aweb&amp;limit=${shown}"><input type="button" value=" Refresh " name="refresh" /></a>`));
  }
});

test("the tail page without a process name says so, with no refresh link", async () => {
  for (const target of ["tail.html", "tail.html?processname=", "tail.html?limit=5000"]) {
    const rpc = new FakeRpc([]);
    const page = await html(rpc, target);
    assert.match(page, /<title>Supervisor tail of process None<\/title>/, target);
    assert.match(page, /<pre>No process name found<\/pre>/, target);
    assert.doesNotMatch(page, /Refresh/, target);
    assert.deepEqual(rpc.calls, [], target);
  }
});

test("the tail page shows a missing log or a fault in place of the log", async () => {
  const noFile = new FakeRpc([]).fault("supervisor.readProcessStdoutLog", 20, "NO_FILE: /var/log/web.log");
  assert.match(await html(noFile, "tail.html?processname=web"), /<pre>No file for web<\/pre>/);
  const page = await html(new FakeRpc([]), "tail.html?processname=%3Cnosuch%3E");
  assert.match(page, /<pre>ERROR: unexpected rpc fault \[10\] BAD_NAME: &lt;nosuch&gt;<\/pre>/);
  assert.match(page, /<title>Supervisor tail of process &lt;nosuch&gt;<\/title>/);
  assert.match(page, /href="tail.html\?processname=%3Cnosuch%3E&amp;limit=1024"/);
});

test("ok.html answers OK as plain text", async () => {
  for (const method of ["GET", "POST"] as const) {
    const reply = await get(new FakeRpc([]), "ok.html", { method });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.headers, [
      ["Content-Type", "text/plain"],
      ["Content-Length", "2"],
    ]);
    assert.equal(reply.body.toString(), "OK");
  }
});

test("leading slashes are ignored and the empty path is the status page", async () => {
  for (const path of ["", "/", "//index.html", "index.html"]) {
    assert.match(await html(new FakeRpc([]), path), /<title>Supervisor Status<\/title>/, path);
  }
  assert.match(await html(new FakeRpc([]), "/tail.html"), /Supervisor tail of process None/);
});
