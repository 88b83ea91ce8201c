import { HttpStatusError, RpcClient, RpcFault, ConnectError } from "../protocol/client";
import type { PyValue, XmlRpcValue } from "../protocol/codec";
import { FAULT_CODES } from "../protocol/faults";
import { CONFIG_COMMANDS } from "./config-commands";
import type { Command, Ctl, CtlOptions, EarlyCalls, Terminal } from "./ctl-context";
import { DAEMON_COMMANDS, EndOfInput } from "./daemon-commands";
import { errorLine } from "./error-line";
import { ExitStatus } from "./format";
import { LOG_COMMANDS } from "./log-commands";
import { PROCESS_COMMANDS } from "./process-commands";

/** The API version supervisorctl 4.2.5 talks (supervisor.getVersion). */
const API_VERSION = "3.0";

const COMMANDS: Readonly<Record<string, Command>> = { ...PROCESS_COMMANDS, ...CONFIG_COMMANDS, ...LOG_COMMANDS, ...DAEMON_COMMANDS };

/** Python's cmd.Cmd identchars: the command word is their leading run. */
const COMMAND_WORD = /^[A-Za-z0-9_]*/;

/** A line as cmd.Cmd's parseline splits it: [command, argument, line], command null if none. */
export function parseLine(raw: string): [string | null, string, string] {
  let line = raw.trim();
  if (line === "") return [null, "", line];
  if (line.startsWith("?")) line = `help ${line.slice(1)}`;
  // `!` would mean `shell ...`, a command supervisorctl does not have.
  else if (line.startsWith("!")) return [null, "", line];
  const command = COMMAND_WORD.exec(line)?.[0] ?? "";
  return [command, line.slice(command.length).trim(), line];
}

function optionsKey({ serverurl, username, password }: Pick<CtlOptions, "serverurl" | "username" | "password">): string {
  return JSON.stringify([serverurl, username, password]);
}

/**
 * supervisorctl's Controller (ctl.md §2-§3): runs command lines, keeps the exit status, reports
 * what no command handles as the `error:` line, and asks again for credentials on a 401 in the shell.
 */
export class Controller implements Ctl {
  exitstatus: number = ExitStatus.SUCCESS;
  #client: RpcClient | undefined;
  #clientKey = "";
  /** Answers asked for ahead, by method, each with the server and credentials it was asked with. */
  readonly #prefetched = new Map<string, { key: string; client: RpcClient; answer: Promise<PyValue> }>();

  /**
   * `early`: calls sent before the controller existed; their answers are taken as prefetched ones
   * if they went to the server and with the credentials the options name, else dropped.
   */
  constructor(
    readonly options: CtlOptions,
    readonly terminal: Terminal,
    early?: EarlyCalls,
  ) {
    if (early === undefined) return;
    const key = optionsKey(early);
    for (const sent of early.calls) {
      if (key === this.#key()) {
        const client = new RpcClient(early.serverurl, early);
        this.#keepPrefetched(sent.method, key, client, client.answer(sent));
      } else {
        sent.socket.destroy();
      }
    }
  }

  /** The server and credentials calls go to now (`open` and a 401 in the shell change them). */
  #key(): string {
    return optionsKey(this.options);
  }

  output(message: string): void {
    this.terminal.write(`${message}\n`);
  }

  /** The client for the current URL and credentials (`open` and a 401 in the shell change them). */
  #supervisor(): RpcClient {
    const { serverurl, username, password } = this.options;
    const key = this.#key();
    if (this.#client === undefined || key !== this.#clientKey) {
      this.#client?.close();
      this.#client = undefined;
      this.#client = new RpcClient(serverurl, { username, password });
      this.#clientKey = key;
    }
    return this.#client;
  }

  call(method: string, ...params: XmlRpcValue[]): Promise<PyValue> {
    const prefetched = params.length === 0 ? this.#prefetched.get(method) : undefined;
    if (prefetched !== undefined && prefetched.key === this.#key()) {
      this.#prefetched.delete(method);
      return prefetched.answer;
    }
    return this.#supervisor().call(method, ...params);
  }

  prefetch(method: string): void {
    const key = this.#key();
    if (this.#prefetched.get(method)?.key === key) return; // sent early
    const { serverurl, username, password } = this.options;
    let client: RpcClient;
    try {
      client = new RpcClient(serverurl, { username, password });
    } catch {
      return; // a URL of another scheme: upcheck reports it
    }
    this.#keepPrefetched(method, key, client, client.call(method));
  }

  #keepPrefetched(method: string, key: string, client: RpcClient, answer: Promise<PyValue>): void {
    answer.then(
      () => client.close(),
      () => client.close(), // the server's refusal, if any, is upcheck's to report
    );
    this.#prefetched.get(method)?.client.close();
    this.#prefetched.set(method, { key, client, answer });
  }

  #dropPrefetched(): void {
    for (const { client } of this.#prefetched.values()) client.close();
    this.#prefetched.clear();
  }

  /** Close the connection, so that the run can end. */
  close(): void {
    this.#dropPrefetched();
    this.#client?.close();
    this.#client = undefined;
  }

  async upcheck(): Promise<boolean> {
    let api: PyValue;
    try {
      api = await this.call("supervisor.getVersion");
    } catch (err) {
      if (err instanceof RpcFault && err.faultCode === FAULT_CODES.UNKNOWN_METHOD) {
        this.output(
          "Sorry, supervisord responded but did not recognize the supervisor namespace commands that supervisorctl uses to control it.  Please check that the [rpcinterface:supervisor] section is enabled in the configuration file (see sample.conf).",
        );
        this.exitstatus = ExitStatus.UNIMPLEMENTED_FEATURE;
        return false;
      }
      if (err instanceof ConnectError && err.code === "ECONNREFUSED") {
        this.output(`${this.options.serverurl} refused connection`);
        this.exitstatus = ExitStatus.INSUFFICIENT_PRIVILEGES;
        return false;
      }
      if (err instanceof ConnectError && err.code === "ENOENT") {
        this.output(`${this.options.serverurl} no such file`);
        this.exitstatus = ExitStatus.NOT_RUNNING;
        return false;
      }
      if (err instanceof RpcFault || err instanceof ConnectError) this.exitstatus = ExitStatus.GENERIC;
      throw err;
    }
    if (api !== API_VERSION) {
      this.output(
        `Sorry, this version of supervisorctl expects to talk to a server with API version ${API_VERSION}, but the remote version is ${String(api)}.`,
      );
      this.exitstatus = ExitStatus.NOT_INSTALLED;
      return false;
    }
    return true;
  }

  /** Run one command line; resolves true when the shell should end (quit, exit, EOF). */
  async onecmd(raw: string): Promise<boolean> {
    const [name, arg, line] = parseLine(raw);
    if (line === "") return false;
    const command = name !== null && name !== "" && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (command === undefined) {
      this.output(`*** Unknown syntax: ${line}`);
      this.exitstatus = ExitStatus.GENERIC;
      return false;
    }
    try {
      try {
        return (await command(this, arg)) === true;
      } catch (err) {
        if (!(err instanceof HttpStatusError)) throw err;
        if (err.status !== 401) {
          this.exitstatus = ExitStatus.GENERIC;
          throw err;
        }
        this.output("Server requires authentication");
        if (this.options.interactive) return await this.#authenticateAndRetry(raw);
        this.exitstatus = ExitStatus.GENERIC;
      }
      // supervisorctl runs the command once more with the same credentials, which fails the same way.
      await command(this, arg);
    } catch (err) {
      if (err instanceof EndOfInput) throw err;
      this.output(errorLine(err));
      this.exitstatus = ExitStatus.GENERIC;
    } finally {
      this.#dropPrefetched();
    }
    return false;
  }

  async #authenticateAndRetry(line: string): Promise<boolean> {
    const username = await this.terminal.readLine("Username:");
    const password = username === null ? null : await this.terminal.readSecret("Password:");
    if (username === null || password === null) throw new EndOfInput();
    this.output("");
    this.options.username = username;
    this.options.password = password;
    return this.onecmd(line);
  }
}
