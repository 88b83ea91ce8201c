import { ConnectError, HttpStatusError, RpcFault, UnknownProtocol } from "../protocol/client";
import { pyRepr } from "../config/python-str";

/**
 * supervisorctl's last resort (ctl.md §3.2): an exception no command handles is printed as
 * `error: <class 'X'>, TEXT: file: F line: N`, naming the innermost frame of the Python client.
 * Scripts match these lines, so each of our errors is rendered as the exception supervisorctl
 * 4.2.5 would have raised in the same situation, with the file and line it would name.
 */

const SUPERVISOR = "/usr/lib/python3/dist-packages/supervisor";
const PYTHON = "/usr/lib/python3.11";

/** An exception of the Python client that a command raises itself (a bad result code...). */
export class PythonError extends Error {
  constructor(
    readonly pyClass: string,
    readonly text: string,
    readonly file: string,
    readonly line: number,
  ) {
    super(text);
    this.name = "PythonError";
  }

  /** supervisorctl.py's `ValueError('Unknown result code ...')` at `line` of its source. */
  static unknownResult(code: number, namespec: string, line: number): PythonError {
    return new PythonError("ValueError", `Unknown result code ${code} for ${namespec}`, `${SUPERVISOR}/supervisorctl.py`, line);
  }
}

/** errno names Python turns into OSError subclasses: [number, class, strerror]. */
const ERRNO: Readonly<Record<string, readonly [number, string, string]>> = {
  ENOENT: [2, "FileNotFoundError", "No such file or directory"],
  ENOTDIR: [20, "NotADirectoryError", "Not a directory"],
  EACCES: [13, "PermissionError", "Permission denied"],
  EPIPE: [32, "BrokenPipeError", "Broken pipe"],
  ENOTSOCK: [88, "OSError", "Socket operation on non-socket"],
  EADDRNOTAVAIL: [99, "OSError", "Cannot assign requested address"],
  ENETUNREACH: [101, "OSError", "Network is unreachable"],
  ECONNRESET: [104, "ConnectionResetError", "Connection reset by peer"],
  ETIMEDOUT: [110, "TimeoutError", "Connection timed out"],
  ECONNREFUSED: [111, "ConnectionRefusedError", "Connection refused"],
  EHOSTUNREACH: [113, "OSError", "No route to host"],
};

/** getaddrinfo failures (socket.gaierror), by Node's code. */
const GAI: Readonly<Record<string, readonly [number, string]>> = {
  ENOTFOUND: [-2, "Name or service not known"],
  EAI_AGAIN: [-3, "Temporary failure in name resolution"],
  EAI_FAIL: [-4, "Non-recoverable failure in name resolution"],
  EAI_NODATA: [-5, "No address associated with hostname"],
};

/** The Python exception an error stands for. */
export function asPythonError(err: unknown): PythonError {
  if (err instanceof PythonError) return err;
  if (err instanceof RpcFault) {
    return new PythonError("xmlrpc.client.Fault", `<Fault ${err.faultCode}: ${pyRepr(err.faultString)}>`, `${PYTHON}/xmlrpc/client.py`, 668);
  }
  if (err instanceof HttpStatusError) {
    // xmlrpc.client names the fake host supervisorctl's ServerProxy is given, whatever the URL.
    const text = `<ProtocolError for 127.0.0.1/RPC2: ${err.status} ${err.reason}>`;
    return new PythonError("xmlrpc.client.ProtocolError", text, `${SUPERVISOR}/xmlrpc.py`, 539);
  }
  if (err instanceof UnknownProtocol) return new PythonError("ValueError", err.message, `${SUPERVISOR}/xmlrpc.py`, 505);
  if (err instanceof ConnectError) {
    const gai = GAI[err.code];
    if (gai !== undefined) return new PythonError("socket.gaierror", `[Errno ${gai[0]}] ${gai[1]}`, `${PYTHON}/socket.py`, 962);
    const [errno, pyClass, strerror] = ERRNO[err.code] ?? [0, "OSError", err.code];
    // A unix socket is connected by supervisor's own transport; TCP by socket.create_connection.
    const [file, line] = err.transport === "unix" ? [`${SUPERVISOR}/xmlrpc.py`, 557] : [`${PYTHON}/socket.py`, 836];
    return new PythonError(pyClass, `[Errno ${errno}] ${strerror}`, file, line);
  }
  // DIVERGES: a bug of ours has no Python frame to name; the line says what it was instead.
  const error = err instanceof Error ? err : new Error(String(err));
  return new PythonError(error.name, error.message, "supervisorctl", 0);
}

/** The `error: ...` line for an exception no command handled. */
export function errorLine(err: unknown): string {
  const py = asPythonError(err);
  return `error: <class '${py.pyClass}'>, ${py.text}: file: ${py.file} line: ${py.line}`;
}
