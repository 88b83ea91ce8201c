import type { SentCall } from "../protocol/client";
import type { PyValue, XmlRpcValue } from "../protocol/codec";

/** What supervisorctl runs with: the command line over the `[supervisorctl]` section. */
export interface CtlOptions {
  serverurl: string;
  username: string | null;
  password: string | null;
  /** The shell is running (confirmations are asked, a 401 asks for credentials). */
  interactive: boolean;
  prompt: string;
  history_file: string | null;
}

/**
 * Calls sent ahead by supervisorctl's early start, with the server and credentials they were sent
 * with (read from the command line and the `[supervisorctl]` section alone).
 */
export interface EarlyCalls {
  serverurl: string;
  username: string | null;
  password: string | null;
  calls: SentCall[];
}

/** The user's terminal: stdout, stderr, typed lines and Ctrl-C. */
export interface Terminal {
  write(text: string): void;
  writeError(text: string): void;
  /** Show `prompt` and read one line (without its newline); null at end of input or on Ctrl-C. */
  readLine(prompt: string): Promise<string | null>;
  /** As readLine, without echoing what is typed. */
  readSecret(prompt: string): Promise<string | null>;
  /** Call `handler` on Ctrl-C until the returned function is called (instead of exiting); a pending read ends with null. */
  onInterrupt(handler: () => void): () => void;
}

/** What a command sees of the controller running it. */
export interface Ctl {
  readonly options: CtlOptions;
  readonly terminal: Terminal;
  exitstatus: number;
  /** Print a message and a newline on stdout. */
  output(message: string): void;
  /** Call a method on the server; throws UnknownProtocol for a server URL of another scheme. */
  call(method: string, ...params: XmlRpcValue[]): Promise<PyValue>;
  /**
   * Start a read-only call without parameters that the command makes right after upcheck, on a
   * connection of its own, so that the server answers both at once; the command's `call` of it
   * then takes that answer. Dropped, unseen, when the command does not get that far.
   */
  prefetch(method: string): void;
  /** supervisorctl's check that the server answers with API 3.0; false (reported) if not. */
  upcheck(): Promise<boolean>;
  /** Run one command line (as `open` runs `status`). */
  onecmd(line: string): Promise<boolean>;
}

/** A command: `arg` is the rest of the line, stripped. Resolves true to leave the shell. */
export type Command = (ctl: Ctl, arg: string) => Promise<boolean | void>;
