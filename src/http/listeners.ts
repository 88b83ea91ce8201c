import { chmodSync, chownSync, existsSync, linkSync, unlinkSync } from "node:fs";
import { dirname } from "node:path";
import { connect, createServer, type Server, type Socket } from "node:net";
import { constants } from "node:os";
import type { ServerConfig } from "../config/model";
import type { HttpHandler } from "./http-handler";

/** A server that could not be opened: supervisord reports these as usage errors (exit 2). */
export class ListenError extends Error {}

const IN_USE =
  "Another program is already listening on a port that one of our HTTP servers is configured to use.  Shut this program down first before starting supervisord.";

/** One open listener, and the socket file it created (removed when it closes). */
export interface Listener {
  config: ServerConfig;
  server: Server;
  socketFile: string | null;
  /** The connections it has accepted and that are still open. */
  connections: Set<Socket>;
}

/** A server whose connections go to `handler`, remembered so that closing can end them. */
function httpServer(handler: HttpHandler): { server: Server; connections: Set<Socket> } {
  const connections = new Set<Socket>();
  // Half-open: a client that shuts down its sending side still gets the replies it is owed.
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    connections.add(socket);
    socket.once("close", () => connections.delete(socket));
    handler.connection(socket);
  });
  return { server, connections };
}

function errnoName(err: unknown): { name: string; number: number } {
  const code = (err as NodeJS.ErrnoException).code ?? "EIO";
  const number = (constants.errno as Record<string, number>)[code] ?? 0;
  return { name: code, number };
}

function listenFailure(err: unknown): ListenError {
  const { name, number } = errnoName(err);
  if (name === "EADDRINUSE") return new ListenError(IN_USE);
  return new ListenError(`Cannot open an HTTP server: socket.error reported errno.${name} (${number})`);
}

function listen(server: Server, args: { path: string } | { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once("error", onError);
    server.listen({ ...args, backlog: 1024, exclusive: true }, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

/** supervisord's probe of an existing socket file: does something answer an HTTP request on it? */
function socketInUse(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(path);
    sock.setTimeout(2000);
    sock.once("connect", () => sock.write("GET / HTTP/1.0\r\n\r\n"));
    sock.once("data", () => {
      sock.destroy();
      resolve(true);
    });
    sock.once("timeout", () => {
      sock.destroy();
      resolve(true); // it accepted the connection: someone is there
    });
    sock.once("error", () => resolve(false));
    sock.once("end", () => resolve(false));
  });
}

/**
 * A unix socket the way supervisord makes one (xmlrpc.md §1.1): bind a temporary name, chmod it,
 * hard-link it to the real name (so two daemons cannot both take it), probe and remove a stale
 * file, chown; the temporary name is always removed.
 */
async function openUnix(config: Extract<ServerConfig, { family: "unix" }>, handler: HttpHandler): Promise<Listener> {
  const temp = `${config.file}.${process.pid}`;
  for (;;) {
    try {
      unlinkSync(temp);
    } catch {
      // none left from an earlier run: the usual case
    }
    const { server, connections } = httpServer(handler);
    try {
      try {
        await listen(server, { path: temp });
        chmodSync(temp, config.chmod);
      } catch (err) {
        server.close();
        // libuv turns bind's ENOENT into EACCES (for Windows' sake): tell them apart again.
        if ((err as NodeJS.ErrnoException).code === "EACCES" && !existsSync(dirname(config.file))) {
          throw listenFailure(Object.assign(new Error("ENOENT"), { code: "ENOENT" }));
        }
        throw listenFailure(err);
      }
      try {
        linkSync(temp, config.file);
      } catch {
        server.close();
        if (await socketInUse(config.file)) throw new ListenError(IN_USE);
        process.stderr.write(`Unlinking stale socket ${config.file}\n`);
        try {
          unlinkSync(config.file);
        } catch {
          // gone already: the retry will tell
        }
        await new Promise((resolve) => setTimeout(resolve, 300));
        continue;
      }
      const [uid, gid] = config.chown;
      if (uid !== -1 || gid !== -1) {
        try {
          chownSync(config.file, uid, gid);
        } catch (err) {
          server.close();
          unlinkSync(config.file);
          if ((err as NodeJS.ErrnoException).code === "EPERM") {
            throw new ListenError(
              `Not permitted to chown ${config.file} to uid/gid (${uid}, ${gid}); adjust "sockchown" value in config file or on command line to values that the current user (${process.env["USER"] ?? process.getuid?.()}) can successfully chown`,
            );
          }
          throw listenFailure(err);
        }
      }
      return { config, server, socketFile: config.file, connections };
    } finally {
      try {
        unlinkSync(temp);
      } catch {
        // already gone
      }
    }
  }
}

async function openInet(config: Extract<ServerConfig, { family: "inet" }>, handler: HttpHandler): Promise<Listener> {
  const { server, connections } = httpServer(handler);
  try {
    await listen(server, { host: config.host === "" ? "0.0.0.0" : config.host, port: config.port });
  } catch (err) {
    server.close();
    throw listenFailure(err);
  }
  return { config, server, socketFile: null, connections };
}

/**
 * Open one server per config section, in the config's order (inet first, then unix), each
 * serving its connections with the handler made for it (credentials are per server).
 */
export async function openListeners(configs: readonly ServerConfig[], handlerFor: (config: ServerConfig) => HttpHandler): Promise<Listener[]> {
  const open: Listener[] = [];
  try {
    for (const config of configs) {
      const handler = handlerFor(config);
      open.push(config.family === "unix" ? await openUnix(config, handler) : await openInet(config, handler));
      await handler.listening();
    }
  } catch (err) {
    await closeListeners(open);
    throw err;
  }
  return open;
}

/** Close the servers and remove the socket files they created. */
export async function closeListeners(listeners: readonly Listener[]): Promise<void> {
  await Promise.all(
    listeners.map(
      (listener) =>
        new Promise<void>((resolve) => {
          listener.server.close(() => resolve());
          for (const socket of listener.connections) socket.destroy();
        }),
    ),
  );
  for (const listener of listeners) {
    if (listener.socketFile === null) continue;
    try {
      unlinkSync(listener.socketFile);
    } catch {
      // removed by someone else: nothing left to clean
    }
  }
}
