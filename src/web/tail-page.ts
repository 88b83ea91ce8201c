import { escapeHtml } from "./escape-html";
import { FAULT_CODES } from "../protocol/faults";
import { RpcFault, type RpcCall } from "./rpc-call";
import { urlQuote } from "./url-quote";
import type { WebForm } from "./web-form";

/** The fewest bytes the tail page shows, and its default (web.md, Tail page). */
const MIN_LIMIT = 1024n;

/**
 * The `limit` field as supervisord reads it: digits give a count, raised to 1024; anything else
 * is 1024. A BigInt, as Python's int: the refresh link repeats the number as it was given.
 */
function limitOf(form: WebForm): bigint {
  const raw = form.get("limit") ?? "";
  // DIVERGES: supervisord takes any Unicode digits (`str.isdigit`), and answers 500 for those
  // int() refuses (superscripts); only ASCII digits are a number here, the rest means 1024.
  const limit = /^[0-9]+$/.test(raw) ? BigInt(raw) : MIN_LIMIT;
  return limit > MIN_LIMIT ? limit : MIN_LIMIT;
}

/** The most bytes asked of readProcessStdoutLog: an XML-RPC int. */
const MAX_READ = 2n ** 31n - 1n;

/** The end of the process's stdout log, or the text supervisord shows in its place. */
async function tailText(namespec: string, limit: bigint, call: RpcCall): Promise<string> {
  // DIVERGES: supervisord asks for the whole `limit`, and answers 500 when Python cannot make a
  // buffer that big (a limit of 2**63 or, memory permitting, far less); we read at most 2 GiB.
  const length = limit < MAX_READ ? limit : MAX_READ;
  try {
    const text = await call("supervisor.readProcessStdoutLog", [namespec, -Number(length), 0]);
    if (typeof text !== "string") throw new Error(`readProcessStdoutLog answered ${JSON.stringify(text)}`);
    return text;
  } catch (err) {
    if (!(err instanceof RpcFault)) throw err;
    if (err.faultCode === FAULT_CODES.NO_FILE) return `No file for ${namespec}`;
    return `ERROR: unexpected rpc fault [${err.faultCode}] ${err.faultString}`;
  }
}

/**
 * The tail page (web.md, Tail page): the last `limit` bytes (at least 1024) of the process's
 * stdout log in a `<pre>`, and a Refresh button; without a process name, a note and no button.
 */
export async function tailPageHtml(form: WebForm, call: RpcCall): Promise<string> {
  const namespec = form.get("processname");
  let text = "No process name found";
  let refresh = "";
  if (namespec !== undefined) {
    const limit = limitOf(form);
    text = await tailText(namespec, limit, call);
    const href = `tail.html?processname=${urlQuote(namespec)}&limit=${limit}`;
    refresh = `  <a href="${escapeHtml(href)}"><input type="button" value=" Refresh " name="refresh" /></a>\n`;
  }
  // Python's None, as supervisord's title says without a name.
  const title = `Supervisor tail of process ${namespec ?? "None"}`;
  return `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<title>${escapeHtml(title)}</title>
</head>
<body>
<div id="content">
<pre>${escapeHtml(text)}</pre>
<form action="index.html" method="POST">
<div style="margin-top: 10px;">
${refresh}</div>
</form>
</div>
</body>
</html>
`;
}
