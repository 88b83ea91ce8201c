import { createHash } from "node:crypto";
import { headerMatch } from "./request-head";

const AUTHORIZATION = /^Authorization: ([^ ]+) ([^\n]*)$/i;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Python's lenient `base64.decodebytes`: characters outside the alphabet are skipped, input ends
 * at the first complete padding; null for what Python refuses (a quantum cut short).
 */
export function decodeBase64Leniently(text: string): Buffer | null {
  const out: number[] = [];
  let quad = 0;
  let pads = 0;
  let left = 0;
  for (const ch of text) {
    if (ch === "=") {
      // Padding counts only after two characters of a quantum; enough of it ends the input.
      if (quad >= 2 && quad + ++pads >= 4) return Buffer.from(out);
      continue;
    }
    const value = ALPHABET.indexOf(ch);
    if (value < 0 || ch.length !== 1) continue;
    pads = 0;
    switch (quad) {
      case 0:
        left = value;
        break;
      case 1:
        out.push(((left << 2) | (value >> 4)) & 0xff);
        left = value & 0x0f;
        break;
      case 2:
        out.push(((left << 4) | (value >> 2)) & 0xff);
        left = value & 0x03;
        break;
      default:
        out.push(((left << 6) | value) & 0xff);
    }
    quad = (quad + 1) % 4;
  }
  return quad === 0 ? Buffer.from(out) : null;
}

export type AuthVerdict = "granted" | "unauthorized" | "malformed" | "no-colon";

/**
 * supervisord's basic auth (xmlrpc.md §3.2): `unauthorized` (401) for a missing or unmatched
 * header, another scheme or wrong credentials; `malformed` (400) for base64 Python refuses or
 * text that is not UTF-8; `no-colon` (supervisord's 500) when the decoded text has no `:`.
 * A password starting `{SHA}` is the hex SHA-1 of the real one.
 */
export function checkBasicAuth(headers: readonly string[], username: string, password: string): AuthVerdict {
  const match = headerMatch(headers, AUTHORIZATION);
  if (match === null) return "unauthorized";
  const [, scheme = "", cookie = ""] = match;
  if (scheme.toLowerCase() !== "basic") {
    process.stderr.write(`unknown/unsupported auth method: ${scheme.toLowerCase()}\n`);
    return "unauthorized";
  }
  const bytes = decodeBase64Leniently(cookie);
  let decoded: string;
  try {
    if (bytes === null) throw new Error("Incorrect padding");
    decoded = UTF8.decode(bytes);
  } catch {
    // supervisord says this on its stderr and answers 400.
    process.stderr.write(`malformed authorization info <${cookie}>\n`);
    return "malformed";
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return "no-colon";
  const [user, given] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
  if (user !== username) return "unauthorized";
  const ok = password.startsWith("{SHA}") ? password.slice(5) === createHash("sha1").update(given, "utf8").digest("hex") : password === given;
  return ok ? "granted" : "unauthorized";
}
