import { decodeOrBytesRepr, pyBytesRepr, pyRepr } from "../config/python-str";

export { pyBytesRepr };

/**
 * The text of the main-log echo of one chunk of child output (logging.md §3.6), logged at DEBG:
 * `'NAME' stdout output:` then a newline and the chunk decoded as UTF-8, or `Undecodable: b'...'`
 * when it is not valid UTF-8. An event listener's stdout is always shown as the bytes repr.
 */
export function echoText(name: string, channel: "stdout" | "stderr", chunk: Uint8Array, listenerStdout = false): string {
  const header = `${pyRepr(name)} ${channel} output:\n`;
  if (listenerStdout) return header + pyBytesRepr(chunk);
  return header + decodeOrBytesRepr(chunk);
}
