import { lookup, lookupService } from "node:dns/promises";
import { hostname } from "node:os";
import type { ServerConfig } from "../config/model";
import type { DaemonLog } from "../logging/daemon-log";
import { logMedusa } from "./access-log";
import { ctime } from "./http-date";

export const UNIX_SERVER_NAME = "<unix domain socket>";

/**
 * The name a server calls itself (in directory redirects and web UI links): `<unix domain
 * socket>`, or the host name its address resolves to, the address itself when none (xmlrpc.md
 * §1.2, §3.4). Logs medusa's messages on the way, as supervisord does.
 */
export async function resolveServerName(server: ServerConfig, log: DaemonLog): Promise<string> {
  if (server.family === "unix") return UNIX_SERVER_NAME;
  let ip = server.host;
  if (ip === "") {
    logMedusa(log, ":Computing default hostname");
    try {
      ip = (await lookup(hostname(), { family: 4 })).address;
    } catch {
      ip = "0.0.0.0"; // supervisord refuses to start here; a name is all that is at stake
    }
  }
  try {
    return (await lookupService(ip, server.port)).hostname;
  } catch {
    logMedusa(log, `${server.host}:Cannot do reverse lookup`);
    return ip;
  }
}

/** medusa's start-up message for a server, logged once it listens. */
export function logServerStarted(server: ServerConfig, serverName: string, log: DaemonLog): void {
  const [ip, port] = server.family === "unix" ? [server.file, server.file] : [server.host, String(server.port)];
  logMedusa(log, `${ip}:Medusa (V1.12) started at ${ctime()}\n\tHostname: ${serverName}\n\tPort:${port}\n`);
}
