/**
 * A load generator's XML-RPC client: one keep-alive HTTP/1.1 connection (unix socket or TCP),
 * one request at a time, the request's bytes made once. Responses are framed by their
 * Content-Length (both daemons send it) and parsed no further than the status line, that
 * header and the start of the body, so that the client costs little beside the daemon.
 */
import { connect, type Socket } from "node:net";

export type Target = { path: string } | { host: string; port: number };

const HEADER_END = Buffer.from("\r\n\r\n");
/** How much of the body `Reply.head` holds: enough for the XML declaration and the first tags. */
const HEAD_BYTES = 120;

export interface Reply {
  status: number;
  /** The first bytes of the body, as text. */
  head: string;
  /** The whole body (only kept when asked for). */
  body: string | undefined;
}

/** The bytes of a POST of an XML-RPC call to /RPC2, as a client with keep-alive sends them. */
export function rpcRequest(xml: string): Buffer {
  const body = Buffer.from(xml, "utf8");
  const header = `POST /RPC2 HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\nContent-Length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(header, "latin1"), body]);
}

interface Pending {
  resolve: (reply: Reply) => void;
  reject: (err: Error) => void;
  keepBody: boolean;
}

export class KeepAliveClient {
  readonly #socket: Socket;
  #pending: Pending | undefined;
  /** The bytes of the current response's header, until its blank line is in. */
  #header = Buffer.alloc(0);
  #status = 0;
  /** -1 while the header is incomplete. */
  #contentLength = -1;
  #chunks: Buffer[] = [];
  #received = 0;
  #failure: Error | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => this.#read(chunk));
    socket.on("error", (err) => this.#fail(err));
    socket.on("close", () => this.#fail(new Error("the daemon closed the connection")));
  }

  static connect(target: Target): Promise<KeepAliveClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(target);
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        socket.setNoDelay(true);
        resolve(new KeepAliveClient(socket));
      });
    });
  }

  /** Send REQUEST (see rpcRequest) and resolve once its whole response is in. */
  call(request: Buffer, keepBody = false): Promise<Reply> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#pending !== undefined) return Promise.reject(new Error("one request at a time on a connection"));
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject, keepBody };
      this.#socket.write(request);
    });
  }

  close(): void {
    this.#failure ??= new Error("closed");
    this.#socket.destroy();
  }

  #read(chunk: Buffer): void {
    if (this.#pending === undefined) {
      this.#fail(new Error(`${chunk.length} bytes from the daemon with no request pending`));
      return;
    }
    let body = chunk;
    if (this.#contentLength < 0) {
      this.#header = Buffer.concat([this.#header, chunk]);
      const end = this.#header.indexOf(HEADER_END);
      if (end < 0) return;
      const text = this.#header.subarray(0, end).toString("latin1");
      body = this.#header.subarray(end + HEADER_END.length);
      this.#header = Buffer.alloc(0);
      const status = /^HTTP\/1\.[01] (\d{3}) /.exec(text);
      const length = /\r\ncontent-length:[ \t]*(\d+)/i.exec(text);
      if (status === null || length === null) {
        this.#fail(new Error(`a response without a status line or Content-Length: ${JSON.stringify(text.slice(0, 200))}`));
        return;
      }
      this.#status = Number(status[1]);
      this.#contentLength = Number(length[1]);
    }
    this.#chunks.push(body);
    this.#received += body.length;
    if (this.#received < this.#contentLength) return;
    if (this.#received > this.#contentLength) {
      this.#fail(new Error(`${this.#received - this.#contentLength} bytes past the Content-Length`));
      return;
    }
    this.#complete(this.#pending);
  }

  #complete(pending: Pending): void {
    const whole = Buffer.concat(pending.keepBody ? this.#chunks : this.#firstBytes());
    const reply: Reply = {
      status: this.#status,
      head: whole.subarray(0, HEAD_BYTES).toString("utf8"),
      body: pending.keepBody ? whole.toString("utf8") : undefined,
    };
    this.#pending = undefined;
    this.#contentLength = -1;
    this.#chunks = [];
    this.#received = 0;
    pending.resolve(reply);
  }

  /** The leading chunks of the body that hold its first HEAD_BYTES. */
  #firstBytes(): Buffer[] {
    const first: Buffer[] = [];
    let length = 0;
    for (const chunk of this.#chunks) {
      if (length >= HEAD_BYTES) break;
      first.push(chunk);
      length += chunk.length;
    }
    return first;
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.reject(err);
    this.#socket.destroy();
  }
}
