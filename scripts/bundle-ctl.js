"use strict";
/**
 * Build step (after tsc): supervisorctl's compiled modules in one file, and V8's code cache for it.
 *
 * Scripts run supervisorctl thousands of times; Node's own start-up is most of a run, and the
 * rest was finding, reading and compiling some thirty modules one by one. One file read, with the
 * bytecode of a typical run cached, saves a good part of that (src/cli/supervisorctl-boot.ts
 * loads it, and falls back to the modules when the bundle or its cache is missing or stale).
 *
 * The bundle is the compiled CommonJS text of every module reachable from
 * dist/src/cli/supervisorctl.js and dist/src/cli/supervisorctl-early.js (which the boot loads
 * first) through relative `require("./...")` calls, each wrapped in a
 * function with its own `exports`, `require`, `module`, `__filename` and `__dirname` (the
 * original file's, so nothing in a module can tell the difference). Relative requires are
 * resolved here, once; anything else (node: builtins, packages) goes to Node's require from the
 * module's original place. The bundle evaluates to a function that, given Node's require, returns
 * its `load(id)`: a module's exports by its path under dist/.
 *
 * `node scripts/bundle-ctl.js --cache` (run by the build, in a child process so that its output
 * is discarded) runs a few commands through the bundle against a stub server on a unix socket,
 * then writes the code cache V8 made of everything that ran.
 */
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

/**
 * The flags bin/supervisorctl runs Node with, read from it: V8 takes a code cache only from a run
 * with the same flags, so the cache is made with them too.
 */
function shimNodeFlags() {
  const shim = fs.readFileSync(path.join(__dirname, "..", "bin", "supervisorctl"), "utf8");
  const match = /\bexec node((?: --[\w-]+(?:=\S+)?)*) "/.exec(shim);
  if (match === null) throw new Error("bin/supervisorctl: no `exec node [flags] \"...\"` line");
  return match[1].split(" ").filter((flag) => flag !== "");
}

const DIST = path.join(__dirname, "..", "dist");
const MAIN = "src/cli/supervisorctl.js";
/** What bin/supervisorctl's boot loads first, then MAIN (src/cli/supervisorctl-boot.ts). */
const EARLY = "src/cli/supervisorctl-early.js";
const BUNDLE = path.join(DIST, "src/cli/supervisorctl-bundle.js");
const CACHE = `${BUNDLE}.cache`;

/** The module id (a path under dist/, with `/`) a relative specifier names, or null. */
function resolveRelative(fromId, spec) {
  const base = path.posix.join(path.posix.dirname(fromId), spec);
  for (const id of [`${base}.js`, `${base}/index.js`, base]) {
    if (id.endsWith(".js") && fs.existsSync(path.join(DIST, id))) return id;
  }
  return null;
}

function collect() {
  const modules = new Map();
  const pending = [MAIN, EARLY];
  while (pending.length > 0) {
    const id = pending.pop();
    if (modules.has(id)) continue;
    const source = fs.readFileSync(path.join(DIST, id), "utf8");
    const links = {};
    for (const match of source.matchAll(/\brequire\("(\.{1,2}\/[^"]*)"\)/g)) {
      const target = resolveRelative(id, match[1]);
      if (target === null) throw new Error(`${id}: cannot resolve require("${match[1]}")`);
      links[match[1]] = target;
      pending.push(target);
    }
    modules.set(id, { source, links });
  }
  return modules;
}

/** The first line: what the bundle was made from, for supervisorctl-boot.ts to check it is current. */
const SOURCES_PREFIX = "// sources: ";

function bundleText(modules) {
  const sources = [...modules.keys()].sort().map((id) => {
    const stat = fs.statSync(path.join(DIST, id));
    return [id, stat.mtimeMs, stat.size];
  });
  let out = `${SOURCES_PREFIX}${JSON.stringify(sources)}\n`;
  out += "(function (nodeRequire, createRequire, root) {\n\"use strict\";\nconst definitions = {\n";
  for (const [id, { source, links }] of [...modules].sort(([a], [b]) => a.localeCompare(b))) {
    const body = source.replace(/^"use strict";\n/, "").replace(/\n\/\/# sourceMappingURL=[^\n]*\n?$/, "\n");
    out += `${JSON.stringify(id)}: [${JSON.stringify(links)}, function (exports, require, module, __filename, __dirname) {\n${body}}],\n`;
  }
  out += `};
const loaded = Object.create(null);
function load(id) {
  const done = loaded[id];
  if (done !== undefined) return done.exports;
  const [links, define] = definitions[id];
  const filename = root + "/" + id;
  const module = { id: filename, filename, exports: {}, loaded: false };
  loaded[id] = module;
  let fallback;
  const require = (spec) => {
    const target = links[spec];
    if (target !== undefined) return load(target);
    if (spec.startsWith("node:")) return nodeRequire(spec);
    fallback ??= createRequire(filename);
    return fallback(spec);
  };
  define.call(module.exports, module.exports, require, module, filename, filename.slice(0, filename.lastIndexOf("/")));
  module.loaded = true;
  return module.exports;
}
return load;
})
`;
  return out;
}

/** A stub supervisord: enough of the API for the commands the cache is made from. */
function stubServer(socketPath) {
  const net = require("node:net");
  const string = (s) => `<value><string>${s}</string></value>\n`;
  const int = (n) => `<value><int>${n}</int></value>\n`;
  const struct = (members) =>
    `<value><struct>\n${Object.entries(members).map(([k, v]) => `<member>\n<name>${k}</name>\n${v}</member>\n`).join("")}</struct></value>\n`;
  const info = (name, pid) =>
    struct({
      name: string(name), group: string(name), start: int(1700000000), stop: int(0), now: int(1700000100), state: int(20),
      statename: string("RUNNING"), spawnerr: string(""), exitstatus: int(0), logfile: string("/dev/null"),
      stdout_logfile: string("/dev/null"), stderr_logfile: string(""), pid: int(pid), description: string(`pid ${pid}, uptime 0:01:40`),
    });
  const results = {
    "supervisor.getVersion": string("3.0"),
    "supervisor.getAPIVersion": string("3.0"),
    "supervisor.getSupervisorVersion": string("4.2.5"),
    "supervisor.getPID": int(4242),
    "supervisor.getAllProcessInfo": `<value><array><data>\n${info("alpha", 101)}${info("beta", 102)}</data></array></value>\n`,
  };
  const server = net.createServer((socket) => {
    let buffered = "";
    socket.on("error", () => {}); // a client that closed before its reply (a dropped prefetch)
    socket.on("data", (chunk) => {
      buffered += chunk.toString("latin1");
      for (;;) {
        const headEnd = buffered.indexOf("\r\n\r\n");
        const length = Number(/content-length: *(\d+)/i.exec(buffered.slice(0, headEnd))?.[1] ?? NaN);
        if (headEnd < 0 || buffered.length < headEnd + 4 + length) return;
        const body = buffered.slice(headEnd + 4, headEnd + 4 + length);
        buffered = buffered.slice(headEnd + 4 + length);
        const method = /<methodName>([^<]*)<\/methodName>/.exec(body)?.[1] ?? "";
        const value = results[method] ?? string("");
        const reply = `<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n${value}</param>\n</params>\n</methodResponse>\n`;
        socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(reply)}\r\nContent-Type: text/xml\r\n\r\n${reply}`);
      }
    });
  });
  return new Promise((resolve) => server.listen(socketPath, () => resolve(server)));
}

async function makeCache() {
  const vm = require("node:vm");
  const { createRequire } = require("node:module");
  const dir = fs.mkdtempSync(path.join(require("node:os").tmpdir(), "ctl-cache-"));
  const socketPath = path.join(dir, "stub.sock");
  const server = await stubServer(socketPath);
  try {
    // The same Script as supervisorctl-boot.ts makes (source and filename), so V8 takes the cache.
    const script = new vm.Script(fs.readFileSync(BUNDLE, "utf8"), { filename: BUNDLE });
    const load = script.runInThisContext()(require, createRequire, DIST);
    const early = load(EARLY);
    const entry = load(MAIN);
    const url = `unix://${socketPath}`;
    fs.writeFileSync(path.join(dir, "ctl.conf"), `[supervisorctl]\nserverurl=${url}\n`);
    for (const command of [["status"], ["status", "alpha", "nosuch"], ["pid"], ["pid", "all"], ["version"], ["help"], ["help", "status"]]) {
      const argv = ["-c", path.join(dir, "ctl.conf"), ...command];
      await entry.runSupervisorctl(argv, "supervisorctl", early.sendEarlyCalls(argv));
    }
    await entry.runSupervisorctl(["-h"], "supervisorctl");
    fs.writeFileSync(CACHE, script.createCachedData());
  } finally {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--cache") {
  makeCache().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`${err.stack}\n`);
      process.exit(1);
    },
  );
} else {
  fs.rmSync(CACHE, { force: true });
  fs.writeFileSync(BUNDLE, bundleText(collect()));
  const made = spawnSync(process.execPath, [...shimNodeFlags(), __filename, "--cache"], { stdio: ["ignore", "ignore", "inherit"] });
  if (made.status !== 0) {
    process.stderr.write("bundle-ctl: no code cache was made (supervisorctl still works, a little slower)\n");
  }
}
