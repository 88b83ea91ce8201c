/**
 * supervisorctl's early start: the first calls of `status` and `pid` are written before the rest
 * of supervisorctl is loaded, from the command line and the [supervisorctl] section alone, and
 * the controller takes their answers only when the server and credentials it ends up with are
 * the ones they went to.
 */
import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { writeFileSync } from "node:fs";
import { sendEarlyCalls } from "../../src/cli/supervisorctl-early";
import { glanceCtlConfig, readCtlConfig } from "../../src/config/ctl-config";
import { Controller } from "../../src/ctl/controller";
import type { CtlOptions, EarlyCalls, Terminal } from "../../src/ctl/ctl-context";
import { ConnectError, RpcClient } from "../../src/protocol/client";
import { encodeResponse, type XmlRpcValue } from "../../src/protocol/codec";
import { run } from "../helpers/processes";
import { REPO_ROOT } from "../helpers/repo";
import { tempDir } from "../helpers/temp-dir";
import { waitFor } from "../helpers/wait-for";

const INFO = (name: string, pid: number): XmlRpcValue => ({
  name,
  group: name,
  start: 1,
  stop: 0,
  now: 2,
  state: 20,
  statename: "RUNNING",
  spawnerr: "",
  exitstatus: 0,
  logfile: "",
  stdout_logfile: "",
  stderr_logfile: "",
  pid,
  description: `pid ${pid}, uptime 0:00:01`,
});

/** A supervisord stand-in on a unix socket that records which method came on which connection. */
class StubServer {
  readonly calls: Array<{ method: string; connection: number }> = [];
  connections = 0;
  open = 0;
  readonly #server: Server;

  constructor(readonly path: string, readonly processes: string[]) {
    this.#server = createServer((socket) => this.#serve(socket));
  }

  static async start(t: TestContext, path: string, processes: string[]): Promise<StubServer> {
    const stub = new StubServer(path, processes);
    await new Promise<void>((resolve) => stub.#server.listen(path, resolve));
    t.after(() => stub.#server.close());
    return stub;
  }

  #serve(socket: Socket): void {
    const connection = ++this.connections;
    this.open++;
    socket.once("close", () => this.open--);
    socket.on("error", () => {}); // a client that went away: nothing to answer
    let buffered = "";
    socket.on("data", (chunk) => {
      buffered += chunk.toString("latin1");
      const headEnd = buffered.indexOf("\r\n\r\n");
      const length = Number(/content-length: *(\d+)/i.exec(buffered.slice(0, headEnd))?.[1] ?? Number.NaN);
      if (headEnd < 0 || buffered.length < headEnd + 4 + length) return;
      const method = /<methodName>([^<]*)<\/methodName>/.exec(buffered)?.[1] ?? "";
      buffered = "";
      this.calls.push({ method, connection });
      const answers: Record<string, XmlRpcValue> = {
        "supervisor.getVersion": "3.0",
        "supervisor.getPID": 42,
        "supervisor.getAllProcessInfo": this.processes.map((name, i) => INFO(name, 100 + i)),
      };
      const body = encodeResponse(answers[method] ?? "");
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: text/xml\r\n\r\n${body}`);
    });
  }

  methods(): string[] {
    return this.calls.map(({ method }) => method);
  }
}

function config(t: TestContext, text: string): { dir: string; conf: string } {
  const dir = tempDir(t);
  const conf = join(dir, "sv.conf");
  writeFileSync(conf, text);
  return { dir, conf };
}

/** A terminal that keeps what is written. */
class RecordingTerminal implements Terminal {
  text = "";
  write(text: string): void {
    this.text += text;
  }
  writeError(text: string): void {
    this.text += text;
  }
  readLine(): Promise<string | null> {
    return Promise.resolve(null);
  }
  readSecret(): Promise<string | null> {
    return Promise.resolve(null);
  }
  onInterrupt(): () => void {
    return () => {};
  }
}

function closeAll(early: EarlyCalls | undefined): void {
  for (const sent of early?.calls ?? []) sent.socket.destroy();
}

test("status: upcheck's call and getAllProcessInfo go out at once, each on its own connection, and are answered when asked", async (t) => {
  const { dir, conf } = config(t, "[supervisorctl]\nserverurl=unix://%(here)s/s.sock\n[program:cat]\ncommand=cat\n");
  const stub = await StubServer.start(t, join(dir, "s.sock"), ["cat"]);
  const early = sendEarlyCalls(["-c", conf, "status"], {});
  t.after(() => closeAll(early));
  assert.ok(early !== undefined);
  assert.deepEqual(
    { serverurl: early.serverurl, username: early.username, password: early.password },
    { serverurl: `unix://${dir}/s.sock`, username: null, password: null },
  );
  await waitFor(() => stub.calls.length === 2, { what: "both requests at the server" });
  assert.deepEqual(stub.methods(), ["supervisor.getVersion", "supervisor.getAllProcessInfo"]);
  assert.notEqual(stub.calls[0]?.connection, stub.calls[1]?.connection);
  const client = new RpcClient(early.serverurl, early);
  t.after(() => client.close());
  const [version, infos] = early.calls;
  assert.ok(version !== undefined && infos !== undefined);
  assert.equal(await client.answer(version), "3.0");
  const all = await client.answer(infos);
  assert.ok(Array.isArray(all) && all[0] instanceof Map);
  assert.equal(all[0].get("description"), "pid 100, uptime 0:00:01");
});

test("pid sends getPID, pid all getAllProcessInfo; other command lines send nothing", async (t) => {
  const { dir, conf } = config(t, "[supervisorctl]\nserverurl=unix://%(here)s/s.sock\n");
  const stub = await StubServer.start(t, join(dir, "s.sock"), []);
  const methods = (argv: string[]): string[] | undefined => {
    const early = sendEarlyCalls(argv, {});
    closeAll(early);
    return early?.calls.map((sent) => sent.method);
  };
  assert.deepEqual(methods(["-c", conf, "pid"]), ["supervisor.getVersion", "supervisor.getPID"]);
  assert.deepEqual(methods(["-c", conf, "pid", "all"]), ["supervisor.getVersion", "supervisor.getAllProcessInfo"]);
  assert.deepEqual(methods(["--configuration", conf, "status", "cat"]), ["supervisor.getVersion", "supervisor.getAllProcessInfo"]);
  for (const argv of [
    ["-c", conf], // the shell
    ["-c", conf, "pid", "cat"],
    ["-c", conf, "start", "all"],
    ["-c", conf, "-h", "status"],
    ["-c", conf, "-x", "status"], // a usage error
    ["-c", join(dir, "missing.conf"), "status"],
    ["-c", conf, "-u", "ann", "status"], // a password may be asked for
    ["-c", conf, "-s", "ftp://host/", "status"], // no transport for it
  ]) {
    assert.equal(methods(argv), undefined, argv.join(" "));
  }
  const { conf: noSection } = config(t, "[supervisord]\n");
  assert.equal(methods(["-c", noSection, "status"]), undefined);
  await waitFor(() => stub.open === 0, { what: "the connections closed" });
});

test("the guess reads [supervisorctl] and [DEFAULT] alone: a broken line elsewhere is left to the whole read", (t) => {
  const text = "[DEFAULT]\nserverurl=unix:///run/d.sock\n\n[program:x]\nthis line has no separator\n\n[supervisorctl]\nusername = ann ; a comment\npassword=%(ENV_PW)s\n";
  const { conf } = config(t, text);
  assert.deepEqual(glanceCtlConfig(conf, { PW: "secret" }), {
    serverurl: "unix:///run/d.sock",
    username: "ann",
    password: "secret",
    prompt: "supervisor",
    history_file: null,
  });
  assert.throws(() => readCtlConfig(conf, { PW: "secret" }), /Source contains parsing errors/);
});

test("a call sent to a socket that is not there is answered with the error upcheck reports", async (t) => {
  const { dir, conf } = config(t, "[supervisorctl]\nserverurl=unix://%(here)s/none.sock\n");
  const early = sendEarlyCalls(["-c", conf, "status"], {});
  t.after(() => closeAll(early));
  assert.ok(early !== undefined && early.calls[0] !== undefined);
  const client = new RpcClient(early.serverurl, early);
  await assert.rejects(client.answer(early.calls[0]), (err) => err instanceof ConnectError && err.code === "ENOENT");
  const terminal = new RecordingTerminal();
  const options: CtlOptions = { serverurl: `unix://${dir}/none.sock`, username: null, password: null, interactive: false, prompt: "supervisor", history_file: null };
  const ctl = new Controller(options, terminal, sendEarlyCalls(["-c", conf, "status"], {}));
  await ctl.onecmd("status");
  ctl.close();
  assert.equal(terminal.text, `unix://${dir}/none.sock no such file\n`);
  assert.equal(ctl.exitstatus, 4);
});

test("calls sent to another server than the options name are dropped, and the command asks the right one", async (t) => {
  const { dir, conf } = config(t, "[supervisorctl]\nserverurl=unix://%(here)s/a.sock\n");
  const guessed = await StubServer.start(t, join(dir, "a.sock"), ["wrong"]);
  const named = await StubServer.start(t, join(dir, "b.sock"), ["right"]);
  const early = sendEarlyCalls(["-c", conf, "status"], {});
  t.after(() => closeAll(early));
  const terminal = new RecordingTerminal();
  const options: CtlOptions = { serverurl: `unix://${dir}/b.sock`, username: null, password: null, interactive: false, prompt: "supervisor", history_file: null };
  const ctl = new Controller(options, terminal, early);
  await ctl.onecmd("status");
  ctl.close();
  assert.equal(terminal.text, "right                            RUNNING   pid 100, uptime 0:00:01\n");
  assert.deepEqual(named.methods().sort(), ["supervisor.getAllProcessInfo", "supervisor.getVersion"]);
  await waitFor(() => guessed.open === 0, { what: "the guessed server's connections closed" });
});

test("bin/supervisorctl status and pid through the early start", async (t) => {
  const { dir, conf } = config(t, "[supervisorctl]\nserverurl=unix://%(here)s/s.sock\n");
  const stub = await StubServer.start(t, join(dir, "s.sock"), ["alpha", "beta"]);
  const ctl = join(REPO_ROOT, "bin", "supervisorctl");
  const status = await run(ctl, ["-c", conf, "status"], { timeoutMs: 20_000 });
  assert.deepEqual([status.status, status.stdout, status.stderr], [
    0,
    "alpha                            RUNNING   pid 100, uptime 0:00:01\nbeta                             RUNNING   pid 101, uptime 0:00:01\n",
    "",
  ]);
  const pid = await run(ctl, ["-c", conf, "pid"], { timeoutMs: 20_000 });
  assert.deepEqual([pid.status, pid.stdout, pid.stderr], [0, "42\n", ""]);
  assert.deepEqual(stub.methods().sort(), ["supervisor.getAllProcessInfo", "supervisor.getPID", "supervisor.getVersion", "supervisor.getVersion"]);
});
