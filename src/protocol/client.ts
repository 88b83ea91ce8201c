import { Agent, request, type IncomingMessage } from "node:http";
import { decodeResponse, encodeCall, type PyValue, type XmlRpcValue } from "./codec";

/**
 * The client side of the wire, as supervisorctl's transport speaks it (ctl.md §3): XML-RPC POSTs
 * to /RPC2 over `unix:///path` or `http://host:port`, basic auth when both a username and a
 * password are known, one keep-alive connection for the whole run.
 */

/** A fault answer: `faultString` is the whole `NAME: detail` text. */
export class RpcFault extends Error {
  constructor(
    readonly faultCode: number,
    readonly faultString: string,
  ) {
    super(faultString);
    this.name = "RpcFault";
  }
}

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

export class RpcClient {
  readonly #endpoint: Endpoint;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 1 });
  readonly #auth: string | undefined;

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
    const body = Buffer.from(encodeCall(method, params), "utf8");
    const headers: Record<string, string> = {
      "User-Agent": "supervisord-ts supervisorctl",
      "Content-Type": "text/xml",
      Accept: "text/xml",
      "Content-Length": String(body.length),
    };
    if (this.#auth !== undefined) headers["Authorization"] = this.#auth;
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request({ ...this.#endpoint, agent: this.#agent, method: "POST", path: "/RPC2", headers }, resolve);
      req.once("error", (err) => reject(connectErrorOf(err, this.#endpoint)));
      req.end(body);
    });
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    if (response.statusCode !== 200) throw new HttpStatusError(response.statusCode ?? 0, response.statusMessage ?? "");
    const result = decodeResponse(Buffer.concat(chunks).toString("utf8"));
    if ("fault" in result) throw new RpcFault(result.fault.faultCode, result.fault.faultString);
    return result.value;
  }

  /** Close the kept-alive connection (the run can then end). */
  close(): void {
    this.#agent.destroy();
  }
}
