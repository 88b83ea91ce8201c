import { open } from "node:fs/promises";

/** Why a read was refused: supervisord's fault names (xmlrpc.md §10.6). */
export class LogReadError extends Error {
  constructor(readonly code: "BAD_ARGUMENTS" | "FAILED") {
    super(code);
  }
}

async function withFile<T>(path: string, use: (fd: import("node:fs/promises").FileHandle, size: number) => Promise<T>): Promise<T> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    return await use(handle, size);
  } finally {
    await handle.close();
  }
}

async function readAt(handle: import("node:fs/promises").FileHandle, position: number, length: number): Promise<Buffer> {
  if (length <= 0) return Buffer.alloc(0);
  const buffer = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await handle.read(buffer, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buffer.subarray(0, got);
}

/**
 * readLog / readProcess*Log: `length` bytes from `offset`; length 0 reads to the end; a negative
 * offset (with length 0) reads the last -offset bytes. Other negative values: BAD_ARGUMENTS.
 */
export async function readLogSlice(path: string, offset: number, length: number): Promise<Buffer> {
  if (offset < 0 ? length !== 0 : length < 0) throw new LogReadError("BAD_ARGUMENTS");
  try {
    return await withFile(path, async (handle, size) => {
      if (offset < 0) {
        const start = Math.max(0, size + offset);
        return readAt(handle, start, Math.min(-offset, size - start));
      }
      const end = length === 0 ? size : Math.min(size, offset + length);
      return readAt(handle, offset, end - offset);
    });
  } catch {
    throw new LogReadError("FAILED");
  }
}

/** tailProcess*Log's answer: the bytes, the file's size, and whether bytes were skipped. */
export interface LogTail {
  bytes: Buffer;
  size: number;
  overflow: boolean;
}

/**
 * supervisord's tailFile: the last `length` bytes once the file has grown past `offset`; the
 * offset returned is always the size. A file that cannot be read gives nothing.
 */
export async function tailLog(path: string, offset: number, length: number): Promise<LogTail> {
  try {
    return await withFile(path, async (handle, size) => {
      let overflow = false;
      if (size > offset + length) {
        overflow = true;
        offset = size - 1;
      }
      if (offset + length > size) {
        if (offset > size - 1) length = 0;
        offset = size - length;
      }
      offset = Math.max(0, offset);
      length = Math.max(0, length);
      return { bytes: await readAt(handle, offset, length), size, overflow };
    });
  } catch {
    return { bytes: Buffer.alloc(0), size: offset, overflow: false };
  }
}
