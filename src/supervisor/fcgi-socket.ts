import { chmodSync, chownSync, closeSync, existsSync, unlinkSync } from "node:fs";
import type { FastCGIGroupConfig } from "../config/model";
import type { DaemonLog } from "../logging/daemon-log";
import { listenTcp, listenUnix } from "../posix/native";
import type { FcgiSocket } from "../process/subprocess";

/** Python's socket.SOMAXCONN on Linux: the backlog when `socket_backlog` is not set. */
const SOMAXCONN = 4096;

/** An fcgi-program's socket could not be made: supervisord dies with this (config.md §6.9). */
export class FcgiSocketError extends Error {}

/** The group's listening socket, and a way to close it when the group goes away. */
export interface OpenFcgiSocket extends FcgiSocket {
  close(): void;
}

/**
 * Create an fcgi-program's listening socket (config.md §6.9): a unix socket (an old file
 * removed first, then chown and chmod) or a TCP one; the daemon never accepts on it, its
 * processes do (it is their stdin).
 *
 * DIVERGES: supervisord creates it, closes it right away (a check), and then has it open only
 * while at least one process of the group runs, so clients are refused between restarts; we
 * keep it open as long as the group exists, so they wait in the backlog instead.
 */
export function openFcgiSocket(group: FastCGIGroupConfig, log: DaemonLog): OpenFcgiSocket {
  const socket = group.socket;
  const backlog = socket.backlog ?? SOMAXCONN;
  log.info(`Creating socket ${socket.url}`);
  let fd: number;
  try {
    if (socket.family === "unix") {
      if (existsSync(socket.path)) unlinkSync(socket.path);
      fd = listenUnix(socket.path, backlog);
      try {
        if (socket.owner !== null) chownSync(socket.path, socket.owner[0], socket.owner[1]);
        chmodSync(socket.path, socket.mode);
      } catch (err) {
        closeSync(fd);
        unlinkSync(socket.path);
        throw err;
      }
    } else {
      fd = listenTcp(socket.host, socket.port, backlog);
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const detail = e.errno === undefined ? e.message : `[Errno ${Math.abs(e.errno)}] ${e.message}`;
    throw new FcgiSocketError(`Could not create FastCGI socket ${socket.url}: ${detail}`);
  }
  return {
    fd,
    close: () => {
      log.info(`Closing socket ${socket.url}`);
      closeSync(fd); // a unix socket's file stays, as supervisord leaves it; the next start removes it
    },
  };
}
