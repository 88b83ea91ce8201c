import { connect, type Socket } from "node:net";
import { join } from "node:path";
import type { TestContext } from "node:test";
import type { ServerConfig } from "../../src/config/model";
import { DaemonLog, LEVEL_CODES, type LevelNumber, type LogHandler } from "../../src/logging/daemon-log";
import type { HttpBackend } from "../../src/http/backend";
import { createHttpHandler } from "../../src/http/http-handler";
import { closeListeners, openListeners } from "../../src/http/listeners";
import { tempDir } from "./temp-dir";

/** Where a test server listens: a unix socket path or a 127.0.0.1 port. */
export type Target = { path: string } | { port: number };

/** One reply as it came off the wire. */
export interface RawReply {
  statusLine: string;
  /** Header lines in the order sent, `Date` included. */
  headers: string[];
  body: Buffer;
  /** Head and body exactly as received. */
  raw: Buffer;
}

const HEAD_END = Buffer.from("\r\n\r\n");

/**
 * A client that speaks raw bytes, to see exactly what the server sends. Replies are parsed from
 * the stream by Content-Length, chunking, or (neither) up to the end of the connection.
 */
export class RawClient {
  readonly socket: Socket;
  #buffer = Buffer.alloc(0);
  #ended = false;
  #waiters: Array<() => void> = [];
  /** Resolves when the server has closed its side. */
  readonly ended: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on("data", (data: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, data]);
      this.#wake();
    });
    this.ended = new Promise((resolve) => {
      socket.once("end", () => {
        this.#ended = true;
        this.#wake();
        resolve();
      });
      socket.once("close", () => {
        this.#ended = true;
        this.#wake();
        resolve();
      });
    });
    socket.on("error", () => undefined); // a reset shows as "ended"
  }

  static connect(target: Target, t?: TestContext): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = "path" in target ? connect(target.path) : connect(target.port, "127.0.0.1");
      socket.once("connect", () => resolve(new RawClient(socket)));
      socket.once("error", reject);
      t?.after(() => socket.destroy());
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Wait until `take` can cut something off the front of what arrived (null: not yet). */
  async #take<T>(take: (buffer: Buffer, ended: boolean) => { value: T; used: number } | null): Promise<T> {
    for (;;) {
      const got = take(this.#buffer, this.#ended);
      if (got !== null) {
        this.#buffer = this.#buffer.subarray(got.used);
        return got.value;
      }
      if (this.#ended) throw new Error(`connection ended; unparsed: ${JSON.stringify(this.#buffer.toString("latin1"))}`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** The status line and headers of the next reply. */
  readHead(): Promise<{ statusLine: string; headers: string[]; raw: Buffer }> {
    return this.#take((buffer) => {
      const at = buffer.indexOf(HEAD_END);
      if (at < 0) return null;
      const [statusLine = "", ...headers] = buffer.subarray(0, at).toString("latin1").split("\r\n");
      return { value: { statusLine, headers, raw: Buffer.from(buffer.subarray(0, at + 4)) }, used: at + 4 };
    });
  }

  /** The next chunk of a chunked body (an empty buffer for the last one). */
  readChunk(): Promise<Buffer> {
    return this.#take((buffer) => {
      const eol = buffer.indexOf("\r\n");
      if (eol < 0) return null;
      const size = Number.parseInt(buffer.subarray(0, eol).toString("latin1"), 16);
      if (buffer.length < eol + 2 + size + 2) return null;
      return { value: Buffer.from(buffer.subarray(eol + 2, eol + 2 + size)), used: eol + 2 + size + 2 };
    });
  }

  /** Exactly `length` bytes. */
  readBytes(length: number): Promise<Buffer> {
    return this.#take((buffer) => (buffer.length < length ? null : { value: Buffer.from(buffer.subarray(0, length)), used: length }));
  }

  /** Everything up to the end of the connection. */
  readToEnd(): Promise<Buffer> {
    return this.#take((buffer, ended) => (ended ? { value: Buffer.from(buffer), used: buffer.length } : null));
  }

  /** One whole reply (a body without Content-Length or chunking runs to the end of the connection). */
  async readReply(options: { head?: boolean } = {}): Promise<RawReply> {
    const head = await this.readHead();
    const length = head.headers.find((h) => h.startsWith("Content-Length: "))?.slice(16);
    let body: Buffer;
    let framing = Buffer.alloc(0);
    if (options.head === true) body = Buffer.alloc(0);
    else if (length !== undefined) body = await this.readBytes(Number(length));
    else if (head.headers.includes("Transfer-Encoding: chunked")) {
      const chunks: Buffer[] = [];
      for (let chunk = await this.readChunk(); chunk.length > 0; chunk = await this.readChunk()) chunks.push(chunk);
      body = Buffer.concat(chunks);
      framing = Buffer.from(chunks.map((c) => `${c.length.toString(16)}\r\n${c.toString("latin1")}\r\n`).join("") + "0\r\n\r\n", "latin1");
    } else body = await this.readToEnd();
    return { statusLine: head.statusLine, headers: head.headers, body, raw: Buffer.concat([head.raw, framing.length > 0 ? framing : body]) };
  }

  /** Whether nothing arrived beyond what was read. */
  get unread(): number {
    return this.#buffer.length;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Send `request` on a fresh connection and read one reply. */
export async function exchange(target: Target, request: string | Buffer, t?: TestContext): Promise<RawReply> {
  const client = await RawClient.connect(target, t);
  try {
    client.send(request);
    return await client.readReply({ head: typeof request === "string" && request.startsWith("HEAD ") });
  } finally {
    client.close();
  }
}

/** The reply with its Date header's value replaced by `<date>`. */
export function maskDate(text: string): string {
  return text.replace(/^Date: [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/m, "Date: <date>");
}

/** A log that keeps its records (as `LEVL message`) for the test to read. */
export function memoryLog(level = 3): { log: DaemonLog; lines: string[] } {
  const lines: string[] = [];
  const handler: LogHandler = {
    emit: (_text: string, lvl: LevelNumber, message: string) => {
      lines.push(`${LEVEL_CODES[lvl]} ${message}`);
    },
    reopen: () => undefined,
    remove: () => undefined,
    close: async () => undefined,
  };
  return { log: new DaemonLog(level, [handler]), lines };
}

export interface TestServer {
  target: Target;
  dir: string;
  /** The main log's records so far, as `LEVL message`. */
  lines: string[];
}

/**
 * Our HTTP server on a unix socket in a fresh temp dir (or on 127.0.0.1 with `inet`), answering
 * from `backend` (a stub: what it leaves out answers 500 for RPC and 404 elsewhere). Closed when
 * the test ends.
 */
export async function serveHttp(
  t: TestContext,
  backend: Partial<Omit<HttpBackend, "log">> = {},
  options: { username?: string; password?: string; inet?: boolean } = {},
): Promise<TestServer> {
  const dir = tempDir(t, "http-");
  const { log, lines } = memoryLog();
  const full: HttpBackend = {
    rpc: () => Promise.resolve({ status: 500 }),
    processLogFile: () => null,
    mainLogFile: () => null,
    page: () => Promise.resolve(null),
    staticDir: null,
    ...backend,
    log,
  };
  const credentials = { username: options.username ?? null, password: options.password ?? null };
  const config: ServerConfig =
    options.inet === true
      ? { family: "inet", name: null, section: "inet_http_server", ...credentials, host: "127.0.0.1", port: 0 }
      : { family: "unix", name: null, section: "unix_http_server", ...credentials, file: join(dir, "s.sock"), chmod: 0o700, chown: [-1, -1] };
  const listeners = await openListeners([config], (c) => createHttpHandler(c, full));
  t.after(() => closeListeners(listeners));
  const address = listeners[0]?.server.address();
  const target: Target = config.family === "unix" ? { path: config.file } : { port: typeof address === "object" && address !== null ? address.port : 0 };
  return { target, dir, lines };
}
