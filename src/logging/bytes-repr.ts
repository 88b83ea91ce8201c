import { pyRepr } from "../config/python-str";

const BACKSLASH = 0x5c;
const SINGLE_QUOTE = 0x27;
const DOUBLE_QUOTE = 0x22;

/** Python's `repr()` of a bytes object: `b'...'`, switching to `b"..."` as Python does. */
export function pyBytesRepr(data: Uint8Array): string {
  const quote = data.includes(SINGLE_QUOTE) && !data.includes(DOUBLE_QUOTE) ? DOUBLE_QUOTE : SINGLE_QUOTE;
  let out = "";
  for (const byte of data) {
    if (byte === quote || byte === BACKSLASH) out += "\\" + String.fromCharCode(byte);
    else if (byte === 0x09) out += "\\t";
    else if (byte === 0x0a) out += "\\n";
    else if (byte === 0x0d) out += "\\r";
    else if (byte < 0x20 || byte >= 0x7f) out += "\\x" + byte.toString(16).padStart(2, "0");
    else out += String.fromCharCode(byte);
  }
  const q = String.fromCharCode(quote);
  return `b${q}${out}${q}`;
}

// Python's strict "utf-8" codec: no replacement characters, and a leading BOM is kept as U+FEFF.
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The text of the main-log echo of one chunk of child output (logging.md §3.6), logged at DEBG:
 * `'NAME' stdout output:` then a newline and the chunk decoded as UTF-8, or `Undecodable: b'...'`
 * when it is not valid UTF-8. An event listener's stdout is always shown as the bytes repr.
 */
export function echoText(name: string, channel: "stdout" | "stderr", chunk: Uint8Array, listenerStdout = false): string {
  const header = `${pyRepr(name)} ${channel} output:\n`;
  if (listenerStdout) return header + pyBytesRepr(chunk);
  let text: string;
  try {
    text = STRICT_UTF8.decode(chunk);
  } catch {
    // Python's decode() raised UnicodeDecodeError: supervisord shows the whole chunk as bytes.
    text = `Undecodable: ${pyBytesRepr(chunk)}`;
  }
  return header + text;
}
