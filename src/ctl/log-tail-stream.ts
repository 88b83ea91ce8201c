import { request, type ClientRequest } from "node:http";
import { StringDecoder } from "node:string_decoder";
import { connectErrorOf, endpointOf } from "../protocol/client";
import type { CtlOptions, Terminal } from "./ctl-context";
import { asPythonError } from "./error-line";

/**
 * A GET of one of the daemon's streaming routes (/logtail/NAME/CHANNEL, /mainlogtail), written to
 * the terminal as it arrives, as supervisorctl's `tail -f`, `maintail -f` and `fg` do (ctl.md §4.8).
 */
export class LogTailStream {
  readonly #url: string;
  #request: ClientRequest | undefined;
  /** Resolves when the stream has ended: the server closed it, refused it, or close() was called. */
  readonly done: Promise<void>;

  constructor(options: CtlOptions, path: string, terminal: Terminal) {
    this.#url = options.serverurl + path;
    this.done = new Promise((resolve) => this.#open(options, path, terminal, resolve));
  }

  #open(options: CtlOptions, path: string, terminal: Terminal, resolve: () => void): void {
    const fail = (message: string): void => {
      terminal.writeError(`${this.#url} ${message}\n`);
      resolve();
    };
    let endpoint: ReturnType<typeof endpointOf>;
    try {
      endpoint = endpointOf(options.serverurl);
    } catch (err) {
      const py = asPythonError(err);
      return fail(`Cannot connect, error: <class '${py.pyClass}'> (${py.text})`);
    }
    // No `Connection: close` (Node's default without an agent): supervisord answers such a request
    // without chunking and holds every byte back until the stream ends, so nothing would show.
    const headers: Record<string, string> = { Accept: "*/*", "User-agent": "Supervisor HTTP Client", Connection: "keep-alive" };
    // supervisorctl's HTTP client sends credentials whenever a password is set.
    if (options.password) {
      headers["Authorization"] = `Basic ${Buffer.from(`${options.username ?? "None"}:${options.password}`).toString("base64")}`;
    }
    const req = request({ ...endpoint, path, headers, agent: false }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        req.destroy();
        return fail(`Cannot read, status code ${response.statusCode ?? 0}`);
      }
      // DIVERGES: supervisorctl decodes each chunk alone and prints "Undecodable: b'...'" for one
      // that splits a UTF-8 character; we keep characters whole across chunks.
      const decoder = new StringDecoder("utf8");
      response.on("data", (chunk: Buffer) => terminal.write(decoder.write(chunk)));
      response.once("close", resolve);
    });
    req.once("error", (err) => {
      if (req.destroyed && this.#request === undefined) return resolve();
      const py = asPythonError(connectErrorOf(err, endpoint));
      fail(`Cannot connect, error: <class '${py.pyClass}'> (${py.text})`);
    });
    req.once("close", () => resolve());
    req.end();
    this.#request = req;
  }

  /** Stop following (Ctrl-C). */
  close(): void {
    const req = this.#request;
    this.#request = undefined;
    req?.destroy();
  }
}
