import type { DaemonLog } from "../logging/daemon-log";
import { accessLogStamp } from "./http-date";

/**
 * supervisord's LogWrapper: what its HTTP servers say goes to the main log at TRAC, or at ERRO
 * when the text mentions "error" anywhere (a request for /error.html included).
 */
export function logMedusa(log: DaemonLog, message: string): void {
  const text = message.endsWith("\n") ? message.slice(0, -1) : message;
  if (text.toLowerCase().includes("error")) log.error(text);
  else log.trace(text);
}

/**
 * One access-log message: `localhost:0 - - [21/Nov/2026:06:41:26 +0000] "GET / HTTP/1.0" 200 2792`
 * (a unix socket's client is `localhost:0`). The time is GMT with the local zone's suffix, a
 * medusa quirk kept as it is.
 */
export function accessLogMessage(client: string, requestLine: string, status: number, bytes: number, when = new Date()): string {
  return `${client} - - [${accessLogStamp(when)}] "${requestLine}" ${status} ${bytes}`;
}
