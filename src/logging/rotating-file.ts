import { close, constants, fstat, open, unlink } from "node:fs";
import { appendBuffers, rotateFiles, type Transfer } from "../posix/native";

export interface RotatingFileOptions {
  /** Rotate once the file reaches this size after a write; 0 never rotates. */
  maxbytes: number;
  /** How many backups `NAME.1` .. `NAME.N` to keep; 0 truncates the file instead of renaming it. */
  backups: number;
  /**
   * A failed write, rotation or re-open in the background. The file carries on: the batch that
   * failed is lost (supervisord loses a failed write too) and later data is written when it can be.
   */
  onError: (err: NodeJS.ErrnoException) => void;
  /** `write()` answers false while more than this many bytes wait to be written (default 4 MiB). */
  highWaterMark?: number;
}

const DEFAULT_HIGH_WATER_MARK = 4 * 1024 * 1024;
// One writev call per batch: a few MiB, and no more buffers than Linux's IOV_MAX.
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
const MAX_BATCH_CHUNKS = 1024;

const APPEND = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND;
// supervisord reopens a rotated file in "wb" mode; with O_APPEND added the size after each write
// is still the file position it checks, and nothing else changes while we are its only writer.
const APPEND_TRUNCATE = APPEND | constants.O_TRUNC;

type ControlOp = "flush" | "reopen" | "remove" | "close";

interface Control {
  kind: "control";
  op: ControlOp;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** A pipe whose data the native side moves into a file (a PipeReader). */
export interface TransferSource {
  transferTo(fd: number, stopAt: number): Promise<Transfer>;
}

interface TransferItem {
  kind: "transfer";
  source: TransferSource;
  resolve: (state: "empty" | "end") => void;
  reject: (err: unknown) => void;
}

type QueueItem = Buffer | Control | TransferItem;

/**
 * An append-only log file with supervisord's rotation (logging.md §1.4, §3.3), written without
 * blocking the event loop.
 *
 * Writes and the control operations (`reopen`, `remove`, `close`, `flush`) run strictly in call
 * order; data is never reordered, nor lost across a rotation or a reopen. Queued chunks are
 * coalesced into one writev of up to a few MiB.
 *
 * What "one write" is, for the rotation check: supervisord writes each read from the child's pipe
 * with one write call and rotates after the call once the file has reached maxbytes, so a file may
 * exceed maxbytes by up to one chunk. Here each `write(chunk)` is such a write call: a coalesced
 * batch is cut right after the chunk that reaches maxbytes, then the file rotates, so the sizes of
 * the files are exactly those supervisord produces for the same chunks, however they were batched.
 *
 * The chunk passed to `write` belongs to the file until it is written: do not reuse its memory.
 */
export class RotatingFile {
  readonly path: string;
  readonly #maxbytes: number;
  readonly #backups: number;
  readonly #onError: (err: NodeJS.ErrnoException) => void;
  readonly #highWaterMark: number;
  #fd: number | undefined;
  /** The file's size as last seen: the position supervisord compares with maxbytes. */
  #size: number;
  #queue: QueueItem[] = [];
  #head = 0;
  #queuedBytes = 0;
  #pumping = false;
  #closed = false;
  #closing: Promise<void> | undefined;
  #drainWaiters: Array<() => void> = [];

  private constructor(path: string, options: RotatingFileOptions, fd: number, size: number) {
    this.path = path;
    this.#maxbytes = options.maxbytes;
    this.#backups = options.backups;
    this.#onError = options.onError;
    this.#highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.#fd = fd;
    this.#size = size;
  }

  /**
   * Open (creating it with mode 0666 less the umask) `path` for appending. Rejects with the
   * open(2) error, e.g. ENOENT when the directory is missing, EACCES, EISDIR.
   */
  static async open(path: string, options: RotatingFileOptions): Promise<RotatingFile> {
    const fd = await openFile(path, APPEND);
    let size: number;
    try {
      size = await fileSize(fd);
    } catch (err) {
      await closeFile(fd).catch(() => undefined); // the fstat error is the one worth reporting
      throw err;
    }
    return new RotatingFile(path, options, fd, size);
  }

  /** True once `close()` has finished. */
  get closed(): boolean {
    return this.#closed;
  }

  /** True once `close()` has been called: nothing more may be written. */
  get closing(): boolean {
    return this.#closing !== undefined;
  }

  /** Bytes accepted by `write` and not yet handed to the kernel. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /**
   * Queue `chunk` after everything before it. Answers whether the caller may go on writing: on
   * false, stop reading the source until `whenDrained()` settles.
   */
  write(chunk: Buffer): boolean {
    if (this.#closing !== undefined) throw new Error(`write to ${this.path} after close()`);
    this.#queue.push(chunk);
    this.#queuedBytes += chunk.length;
    this.#startPump();
    return this.#queuedBytes < this.#highWaterMark;
  }

  /**
   * Queue a transfer: after everything before it, what `source` holds is moved into the file
   * with no byte passing through JS, each read of the pipe being one write for the rotation
   * check. Resolves with `empty` once the pipe held nothing more (watch it again), or `end` at
   * its end (or when the file was closed meanwhile). A file that cannot be opened drops the data,
   * as a failed `write` does.
   */
  transfer(source: TransferSource): Promise<"empty" | "end"> {
    if (this.#closing !== undefined) throw new Error(`transfer to ${this.path} after close()`);
    return new Promise((resolve, reject) => {
      this.#queue.push({ kind: "transfer", source, resolve, reject });
      this.#startPump();
    });
  }

  /** Settles once fewer than highWaterMark bytes wait (at once if that is already so). */
  whenDrained(): Promise<void> {
    if (this.#queuedBytes < this.#highWaterMark) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Settles once everything written before the call is in the file. */
  flush(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    return this.#control("flush");
  }

  /**
   * SIGUSR2 (logging.md §1.5): after everything queued before it is written, close the file and
   * open the same path again for appending (a new file if it was renamed away). Rejects with the
   * open(2) error; the file then retries opening before its next write.
   */
  reopen(): Promise<void> {
    return this.#control("reopen");
  }

  /**
   * clearProcessLogs (logging.md §1.5): after everything queued before it is written, delete the
   * file (a missing one is fine) and open it again, empty. Rejects with the unlink(2) or open(2)
   * error, even though it still reopens what it can.
   */
  remove(): Promise<void> {
    return this.#control("remove");
  }

  /** Write everything queued, then close. Writing afterwards throws; calling it again is harmless. */
  close(): Promise<void> {
    this.#closing ??= this.#control("close");
    return this.#closing;
  }

  #control(op: ControlOp): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(new Error(`${op} of ${this.path} after close()`));
    return new Promise((resolve, reject) => {
      this.#queue.push({ kind: "control", op, resolve, reject });
      this.#startPump();
    });
  }

  #startPump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    // The pump handles its own errors; reaching this catch is a bug, reported rather than thrown
    // into the event loop so that a child's output cannot take the daemon down.
    this.#pump().catch((err: unknown) => this.#onError(err as NodeJS.ErrnoException));
  }

  async #pump(): Promise<void> {
    try {
      for (;;) {
        const item = this.#queue[this.#head];
        if (item === undefined) break;
        if (!Buffer.isBuffer(item)) {
          this.#head++;
          this.#compactQueue();
          if (item.kind === "control") await this.#runControl(item);
          else await this.#runTransfer(item);
        } else {
          const batch = this.#takeBatch();
          await this.#writeBatch(batch.buffers, batch.bytes);
        }
      }
    } finally {
      this.#pumping = false;
    }
  }

  /** The data chunks at the head of the queue that make one writev. */
  #takeBatch(): { buffers: Buffer[]; bytes: number } {
    const buffers: Buffer[] = [];
    let bytes = 0;
    for (;;) {
      const item = this.#queue[this.#head];
      if (item === undefined || !Buffer.isBuffer(item)) break;
      if (buffers.length > 0 && (bytes >= MAX_BATCH_BYTES || buffers.length >= MAX_BATCH_CHUNKS)) break;
      this.#head++;
      buffers.push(item);
      bytes += item.length;
      // The write call of this chunk is where supervisord would check the size and rotate.
      if (this.#maxbytes > 0 && this.#size + bytes >= this.#maxbytes) break;
    }
    this.#compactQueue();
    this.#queuedBytes -= bytes;
    if (this.#queuedBytes < this.#highWaterMark && this.#drainWaiters.length > 0) {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const resolve of waiters) resolve();
    }
    return { buffers, bytes };
  }

  #compactQueue(): void {
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  /** The open fd, opening the file again if it is closed; undefined (reported) when that fails. */
  async #writableFd(): Promise<number | undefined> {
    if (this.#fd === undefined) {
      // DIVERGES: after a failed reopen or rotation supervisord's file stays closed for good; we
      // try to open it again for each batch, so logging resumes once the cause is fixed.
      try {
        await this.#openAppend();
      } catch (err) {
        this.#onError(err as NodeJS.ErrnoException);
      }
    }
    return this.#fd;
  }

  async #writeBatch(buffers: Buffer[], bytes: number): Promise<void> {
    const fd = await this.#writableFd();
    if (fd === undefined) return;
    try {
      // The size after the write, as supervisord's tell() sees it, even if someone truncated
      // the file: one threadpool job writes and tells.
      const position = await appendBuffers(fd, buffers);
      this.#size = position >= 0 ? position : this.#size + bytes;
    } catch (err) {
      this.#onError(err as NodeJS.ErrnoException);
      this.#size += bytes;
    }
    if (this.#maxbytes > 0 && this.#size >= this.#maxbytes) await this.#rotate();
  }

  async #runTransfer(item: TransferItem): Promise<void> {
    if (this.#closed) {
      item.resolve("end");
      return;
    }
    const fd = await this.#writableFd();
    let moved: Transfer;
    try {
      moved = await item.source.transferTo(fd ?? -1, this.#maxbytes);
    } catch (err) {
      item.reject(err);
      return;
    }
    if (moved.error !== undefined) this.#onError(moved.error);
    if (fd !== undefined && moved.moved > 0) {
      this.#size = moved.position >= 0 ? moved.position : this.#size + moved.moved;
      if (this.#maxbytes > 0 && this.#size >= this.#maxbytes) await this.#rotate();
    }
    // Stopped early: the rest comes after what was queued meanwhile (a reopen, say).
    if (moved.state === "more" || moved.state === "full") this.#queue.push(item);
    else item.resolve(moved.state);
  }

  async #rotate(): Promise<void> {
    await this.#closeFd();
    let truncate = true;
    try {
      if (this.#backups > 0) await rotateFiles(this.path, this.#backups);
    } catch (err) {
      // DIVERGES: supervisord leaves its file closed after a failed rename and loses everything
      // after it; we keep appending to the unrotated file and try to rotate again after the next write.
      this.#onError(err as NodeJS.ErrnoException);
      truncate = false;
    }
    try {
      this.#fd = await openFile(this.path, truncate ? APPEND_TRUNCATE : APPEND);
      this.#size = truncate ? 0 : await fileSize(this.#fd);
    } catch (err) {
      this.#onError(err as NodeJS.ErrnoException);
    }
  }

  async #runControl(control: Control): Promise<void> {
    let failure: unknown;
    if (control.op !== "flush") {
      await this.#closeFd();
      if (control.op === "close") this.#closed = true;
      if (control.op === "remove") {
        try {
          await removeFile(this.path);
        } catch (err) {
          // DIVERGES: supervisord's file stays closed after a failed delete; we still reopen it,
          // so the channel keeps logging, and the caller still gets the error (clearLog's FAILED).
          failure = err;
        }
      }
      if (control.op === "reopen" || control.op === "remove") {
        try {
          await this.#openAppend();
        } catch (err) {
          failure ??= err;
        }
      }
    }
    if (failure === undefined) control.resolve();
    else control.reject(failure);
  }

  async #openAppend(): Promise<void> {
    const fd = await openFile(this.path, APPEND);
    this.#fd = fd;
    try {
      this.#size = await fileSize(fd);
    } catch (err) {
      this.#size = 0;
      throw err;
    }
  }

  async #closeFd(): Promise<void> {
    const fd = this.#fd;
    if (fd === undefined) return;
    this.#fd = undefined;
    try {
      await closeFile(fd);
    } catch (err) {
      // The descriptor is gone either way; what was written is in the file.
      this.#onError(err as NodeJS.ErrnoException);
    }
  }
}

async function removeFile(path: string): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => unlink(path, (err) => (err ? reject(err) : resolve())));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}

function openFile(path: string, flags: number): Promise<number> {
  return new Promise((resolve, reject) => open(path, flags, 0o666, (err, fd) => (err ? reject(err) : resolve(fd))));
}

function closeFile(fd: number): Promise<void> {
  return new Promise((resolve, reject) => close(fd, (err) => (err ? reject(err) : resolve())));
}

function fileSize(fd: number): Promise<number> {
  return new Promise((resolve, reject) => fstat(fd, (err, stats) => (err ? reject(err) : resolve(stats.size))));
}

