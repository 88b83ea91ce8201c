import { connect, type Socket } from "node:net";
import { encodeCall, ResponseReader, type PyValue, type XmlRpcValue } from "./codec";
import { RpcFault } from "./faults";

/**
 * The client side of the wire, as supervisorctl's transport speaks it (ctl.md §3): XML-RPC POSTs
 * to /RPC2 over `unix:///path` or `http://host:port`, basic auth when both a username and a
 * password are known, one keep-alive connection for the whole run.
 */

export { RpcFault };

/** A reply whose HTTP status is not 200 (xmlrpc.client's ProtocolError). */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(`${status} ${reason}`);
    this.name = "HttpStatusError";
  }
}

/** The server could not be reached: `code` is the errno name (ENOENT, ECONNREFUSED, ENOTFOUND...). */
export class ConnectError extends Error {
  constructor(
    readonly code: string,
    readonly transport: "unix" | "inet",
  ) {
    super(`${code} (${transport})`);
    this.name = "ConnectError";
  }
}

/** A server URL with a scheme the transport does not speak. */
export class UnknownProtocol extends Error {
  constructor(readonly serverurl: string) {
    super(`Unknown protocol for serverurl ${serverurl}`);
    this.name = "UnknownProtocol";
  }
}

/** Where a request goes: a unix socket path, or a host and port. */
export type Endpoint = { socketPath: string } | { host: string; port: number };

/** The endpoint of a server URL, read as supervisor's transport reads it. */
export function endpointOf(serverurl: string): Endpoint {
  if (serverurl.startsWith("unix://")) return { socketPath: serverurl.slice(7) };
  if (!serverurl.startsWith("http://")) throw new UnknownProtocol(serverurl);
  const url = new URL(serverurl);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return { host, port: url.port === "" ? 80 : Number(url.port) };
}

export interface Credentials {
  username: string | null;
  password: string | null;
}

/** The Authorization header value, or undefined when either part is missing (as supervisorctl). */
export function basicAuth({ username, password }: Credentials): string | undefined {
  if (username === null || password === null) return undefined;
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

/** Node's error for a failed connect or lookup, as a ConnectError (anything else is rethrown). */
export function connectErrorOf(err: unknown, endpoint: Endpoint): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== "string") return err;
  return new ConnectError(code, "socketPath" in endpoint ? "unix" : "inet");
}

/**
 * A call written ahead (RpcClient.sendAhead) whose reply waits unread in its connection: the
 * socket does not read until the reply is asked for, and an error it meets meanwhile (the server
 * is not there) is kept for then.
 */
export class SentCall {
  #failure: Error | undefined;
  readonly #onError = (err: Error): void => {
    this.#failure = err;
  };

  constructor(
    readonly method: string,
    readonly socket: Socket,
  ) {
    socket.pause();
    socket.once("error", this.#onError);
  }

  /** Hand the connection over: the error it met so far, if any (the taker listens from now on). */
  take(): Error | undefined {
    this.socket.off("error", this.#onError);
    return this.#failure;
  }
}

/** One HTTP reply, read off the connection. */
interface Reply {
  status: number;
  reason: string;
  /** The body, read as it came (see ResponseReader). */
  body: ResponseReader;
  /** The server will not take another request on this connection. */
  closing: boolean;
}

/**
 * XML-RPC over one kept-alive connection, written on `node:net`: a run of supervisorctl makes a
 * handful of calls, and Node's http client alone costs more start-up time than the whole call.
 * Replies are framed by Content-Length (supervisord always sends it) or by the end of the
 * connection; a connection the server closed is opened again for the next call.
 */
export class RpcClient {
  readonly #endpoint: Endpoint;
  readonly #auth: string | undefined;
  #socket: Socket | undefined;

  /** Throws UnknownProtocol for a URL that is neither unix:// nor http://. */
  constructor(
    readonly serverurl: string,
    credentials: Credentials,
  ) {
    this.#endpoint = endpointOf(serverurl);
    this.#auth = basicAuth(credentials);
  }

  /** Call `method`: its value, or a rejection with RpcFault, HttpStatusError or ConnectError. */
  async call(method: string, ...params: XmlRpcValue[]): Promise<PyValue> {
    const socket = this.#socket ?? (await this.#connect());
    this.#socket = socket;
    const reply = this.#read(socket);
    socket.write(this.#request(method, params));
    return this.#valueOf(await reply);
  }

  /**
   * Write a call without parameters on a connection of its own, at once (connected or not), and
   * leave its reply unread until `answer` takes it: supervisorctl's early start
   * (cli/supervisorctl-early.ts) sends its first calls before most of its code is loaded.
   */
  sendAhead(method: string): SentCall {
    const socket = this.#open();
    const sent = new SentCall(method, socket);
    socket.write(this.#request(method, []));
    return sent;
  }

  /**
   * The answer to a call `sendAhead` wrote (this client's or another's for the same server and
   * credentials): its connection becomes this client's.
   */
  async answer(sent: SentCall): Promise<PyValue> {
    const failure = sent.take();
    if (failure !== undefined) {
      sent.socket.destroy();
      throw connectErrorOf(failure, this.#endpoint);
    }
    this.close();
    this.#socket = sent.socket;
    const reply = this.#read(sent.socket);
    sent.socket.resume();
    return this.#valueOf(await reply);
  }

  /** A request's bytes: the head supervisorctl's transport sends, then the call. */
  #request(method: string, params: readonly XmlRpcValue[]): Buffer {
    const body = Buffer.from(encodeCall(method, params), "utf8");
    const host = "socketPath" in this.#endpoint ? "localhost" : `${this.#endpoint.host}:${this.#endpoint.port}`;
    const head = [
      "POST /RPC2 HTTP/1.1",
      `Host: ${host}`,
      "User-Agent: supervisord-ts supervisorctl",
      "Content-Type: text/xml",
      "Accept: text/xml",
      ...(this.#auth === undefined ? [] : [`Authorization: ${this.#auth}`]),
      `Content-Length: ${body.length}`,
      "",
      "",
    ].join("\r\n");
    return Buffer.concat([Buffer.from(head, "latin1"), body]);
  }

  /** A reply's value, or the RpcFault or HttpStatusError it is. */
  #valueOf({ status, reason, body, closing }: Reply): PyValue {
    if (closing) this.close();
    if (status !== 200) throw new HttpStatusError(status, reason);
    const result = body.result();
    if ("fault" in result) throw new RpcFault(result.fault.faultCode, result.fault.faultString);
    return result.value;
  }

  #open(): Socket {
    return "socketPath" in this.#endpoint ? connect(this.#endpoint.socketPath) : connect(this.#endpoint.port, this.#endpoint.host);
  }

  #connect(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = this.#open();
      socket.once("connect", () => {
        socket.off("error", onError);
        resolve(socket);
      });
      const onError = (err: Error): void => reject(connectErrorOf(err, this.#endpoint));
      socket.once("error", onError);
    });
  }

  /**
   * The next reply on `socket`. The head is read once whole; the body goes to a ResponseReader
   * chunk by chunk as it comes (supervisord writes a long reply in many small chunks).
   */
  #read(socket: Socket): Promise<Reply> {
    return new Promise((resolve, reject) => {
      let headBytes: Buffer = Buffer.alloc(0);
      let head: { lines: string[]; length: number | undefined } | undefined;
      const body = new ResponseReader();
      let bodyReceived = 0;
      const finish = (outcome: () => void): void => {
        socket.off("data", onData);
        socket.off("end", onEnd);
        socket.off("error", onError);
        outcome();
      };
      const closed = (): void =>
        finish(() => reject(connectErrorOf(Object.assign(new Error("connection closed"), { code: "ECONNRESET" }), this.#endpoint)));
      const header = (name: string): string | undefined =>
        head?.lines.slice(1).find((line) => line.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
      const complete = (): void => {
        const lines = head?.lines ?? [];
        const statusLine = /^HTTP\/\S+ (\d{3}) ?(.*)$/.exec(lines[0] ?? "");
        const closing = head?.length === undefined || header("connection")?.toLowerCase() === "close" || !(lines[0] ?? "").startsWith("HTTP/1.1");
        finish(() => resolve({ status: Number(statusLine?.[1] ?? 0), reason: statusLine?.[2] ?? "", body, closing }));
      };
      const takeBody = (data: Buffer): void => {
        const wanted = head?.length === undefined ? data.length : Math.min(data.length, head.length - bodyReceived);
        if (wanted > 0) body.feed(data.subarray(0, wanted));
        bodyReceived += wanted;
        if (head?.length !== undefined && bodyReceived >= head.length) complete();
      };
      const onData = (chunk: Buffer): void => {
        if (head !== undefined) return takeBody(chunk);
        headBytes = headBytes.length === 0 ? chunk : Buffer.concat([headBytes, chunk]);
        const headEnd = headBytes.indexOf("\r\n\r\n");
        if (headEnd < 0) return;
        head = { lines: headBytes.subarray(0, headEnd).toString("latin1").split("\r\n"), length: undefined };
        const length = Number(header("content-length") ?? Number.NaN);
        head.length = Number.isSafeInteger(length) && length >= 0 ? length : undefined;
        takeBody(headBytes.subarray(headEnd + 4));
      };
      // Without a Content-Length the body ends with the connection; with one, an early end is an error.
      const onEnd = (): void => (head !== undefined && head.length === undefined ? complete() : closed());
      const onError = (err: Error): void => finish(() => reject(connectErrorOf(err, this.#endpoint)));
      socket.on("data", onData);
      socket.once("end", onEnd);
      socket.once("error", onError);
    });
  }

  /** Close the kept-alive connection (the run can then end). */
  close(): void {
    this.#socket?.destroy();
    this.#socket = undefined;
  }
}
