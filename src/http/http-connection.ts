import type { Socket } from "node:net";
import { formatHttpDate } from "./http-date";
import { errorReply, HeaderList, REASONS, type Reply } from "./reply";
import { headerMatch, parseRequestHead, type RequestHead } from "./request-head";

/** What the router makes of a request head: a reply, or the length of a body to read first. */
export type Dispatch =
  | {
      reply: Reply | Promise<Reply>;
      /** Read nothing more from this connection; close it once this reply is out (401, 413). */
      last?: boolean;
    }
  | { bodyLength: number; withBody(body: Buffer): Reply | Promise<Reply> };

/** A request as routes see it: the head, and the `Date` of its reply (fixed when it arrived). */
export interface HttpRequest extends RequestHead {
  date: string;
}

export interface ConnectionOptions {
  /** Route a request. May throw: that is a bug, answered with a 500. */
  dispatch(request: HttpRequest): Dispatch;
  /** A reply has gone out whole (`bytes` counts head and body): the access log. */
  sent(request: HttpRequest, status: number, bytes: number): void;
  /** Something threw that should not have: log it (the connection answers 500 or closes). */
  bug(err: unknown, request: HttpRequest): void;
  /** The longest request head accepted. */
  maxHeadBytes: number;
  /** How many requests may wait for their reply before reading stops (pipelining). */
  maxQueued: number;
}

/** A request whose body is being read. */
interface PendingBody {
  request: HttpRequest;
  length: number;
  withBody: (body: Buffer) => Reply | Promise<Reply>;
}

interface Slot {
  request: HttpRequest;
  reply: Promise<Reply>;
  last: boolean;
}

const TERMINATOR = Buffer.from("\r\n\r\n");
/** How long a closing connection goes on taking what the client still sends. */
const LINGER_MS = 5000;
const LAST_CHUNK = Buffer.from("0\r\n\r\n");
const CONNECTION = /^Connection: ([^\n]*)$/i;

function chunk(data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from("\r\n")]);
}

/**
 * Whether the connection stays open after a reply, and whether the body is chunked: medusa's
 * `done()` (xmlrpc.md §2.3). Sets `Connection: Keep-Alive` or `Transfer-Encoding: chunked` on
 * the reply's headers when supervisord would send them; `Connection: close` is never sent here.
 */
export function persistence(request: RequestHead, reply: Reply): { close: boolean; chunked: boolean } {
  const sent = headerMatch(request.headers, CONNECTION)?.[1] ?? "";
  const connection = reply.connectionCase === "insensitive" ? sent.toLowerCase() : sent;
  const { headers } = reply;
  switch (request.version) {
    case "1.0":
      if (connection !== "keep-alive" || !headers.has("Content-Length")) return { close: true, chunked: false };
      headers.set("Connection", "Keep-Alive");
      return { close: false, chunked: false };
    case "1.1":
      if (connection === "close") return { close: true, chunked: false };
      if (headers.has("Content-Length")) return { close: false, chunked: false };
      if (headers.has("Transfer-Encoding")) return { close: headers.get("Transfer-Encoding") !== "chunked", chunked: false };
      headers.set("Transfer-Encoding", "chunked");
      return { close: false, chunked: true };
    case null:
      return { close: true, chunked: false };
    default:
      return { close: false, chunked: false }; // HTTP/2.5 and the like: medusa has no rule for them
  }
}

/**
 * One client connection of the HTTP server, the way medusa's channel treats it: request heads
 * end at `\r\n\r\n`; each request is routed as soon as it (and the body its route wants) has
 * arrived; replies go out in request order, a reply still being worked out (a deferred XML-RPC
 * call) holding back those behind it. Reading pauses while `maxQueued` replies wait or the
 * client does not take what is written, so no client makes the daemon buffer without bound.
 */
export class HttpConnection {
  readonly #socket: Socket;
  readonly #options: ConnectionOptions;
  /** Bytes received and not yet parsed. */
  readonly #input: Buffer[] = [];
  #mode: "head" | "body" | "stopped" = "head";
  /** The head so far (mode "head"), or the body so far (mode "body"). */
  #parts: Buffer[] = [];
  #partsLength = 0;
  /** The last three bytes of the head so far. */
  #headTail = Buffer.alloc(0);
  #body: PendingBody | undefined;
  readonly #queue: Slot[] = [];
  #pumping = false;
  /** The client has sent its last byte. */
  #inputEnded = false;
  /** Aborts the body streams (log tails) when the client hangs up or closes its side. */
  readonly #gone = new AbortController();

  constructor(socket: Socket, options: ConnectionOptions) {
    this.#socket = socket;
    this.#options = options;
    socket.setNoDelay(true);
    socket.on("data", (data: Buffer) => {
      if (!this.#reading()) return; // after a 401 or a refusal: nothing more is read
      this.#input.push(data);
      this.#consume();
    });
    socket.on("end", () => {
      // DIVERGES: supervisord closes at once when the client shuts down its sending side,
      // dropping the replies it owes; they are sent here first (`printf ... | nc -U` works).
      this.#inputEnded = true;
      this.#gone.abort();
      this.#stopReading();
      void this.#pump();
    });
    // A client that resets the connection is its own business; "close" follows and cleans up.
    socket.on("error", () => undefined);
    socket.on("close", () => this.#gone.abort());
  }

  #stopReading(): void {
    this.#mode = "stopped";
    this.#input.length = 0;
    this.#parts = [];
    this.#partsLength = 0;
  }

  #reading(): boolean {
    return this.#mode !== "stopped";
  }

  /** Parse what has arrived, unless too many replies are waiting. */
  #consume(): void {
    while (this.#input.length > 0 && this.#reading()) {
      if (this.#queue.length >= this.#options.maxQueued) {
        this.#socket.pause();
        return;
      }
      const data = this.#input.shift() as Buffer; // length > 0 was just checked
      const rest = this.#mode === "head" ? this.#takeHead(data) : this.#takeBody(data);
      if (rest.length > 0 && this.#reading()) this.#input.unshift(rest);
    }
    if (this.#reading()) this.#socket.resume();
  }

  /** Add bytes to the head; at its end, route it. Returns the bytes after what was used. */
  #takeHead(data: Buffer): Buffer {
    // Search the new bytes with the last three before them: the terminator may straddle both.
    const searched = Buffer.concat([this.#headTail, data]);
    const at = searched.indexOf(TERMINATOR);
    const used = at < 0 ? data.length : at + TERMINATOR.length - this.#headTail.length;
    this.#parts.push(data.subarray(0, used));
    this.#partsLength += used;
    if (at < 0) {
      this.#headTail = Buffer.from(searched.subarray(Math.max(0, searched.length - 3)));
      if (this.#partsLength > this.#options.maxHeadBytes) this.#refuseHead();
      return Buffer.alloc(0);
    }
    const bytes = Buffer.concat(this.#parts).subarray(0, this.#partsLength - TERMINATOR.length);
    this.#parts = [];
    this.#partsLength = 0;
    this.#headTail = Buffer.alloc(0);
    if (bytes.length > this.#options.maxHeadBytes) {
      this.#refuseHead();
      return Buffer.alloc(0);
    }
    const head = parseRequestHead(bytes);
    if (head === null) {
      // supervisord drops such a connection without a word (an exception in its parser).
      this.#stopReading();
      this.#inputEnded = true;
      void this.#pump();
      return Buffer.alloc(0);
    }
    this.#route({ ...head, date: formatHttpDate(Date.now()) });
    return data.subarray(used);
  }

  #takeBody(data: Buffer): Buffer {
    const body = this.#body as PendingBody; // set whenever mode is "body"
    const used = Math.min(data.length, body.length - this.#partsLength);
    this.#parts.push(data.subarray(0, used));
    this.#partsLength += used;
    if (this.#partsLength === body.length) {
      const bytes = Buffer.concat(this.#parts);
      this.#parts = [];
      this.#partsLength = 0;
      this.#mode = "head";
      this.#body = undefined;
      this.#enqueue(body.request, () => body.withBody(bytes), false);
    }
    return data.subarray(used);
  }

  // DIVERGES: supervisord buffers a head of any size; one larger than maxHeadBytes gets a 400
  // and the connection is closed, so no client can make the daemon hold unbounded memory.
  #refuseHead(): void {
    const request: HttpRequest = { line: "", command: "", uri: "", version: "1.1", headers: [], date: formatHttpDate(Date.now()) };
    this.#stopReading();
    this.#enqueue(request, () => errorReply(400, new HeaderList([["Connection", "close"]])), true);
  }

  #route(request: HttpRequest): void {
    let dispatch: Dispatch;
    try {
      dispatch = this.#options.dispatch(request);
    } catch (err) {
      this.#options.bug(err, request);
      dispatch = { reply: errorReply(500) };
    }
    if ("bodyLength" in dispatch) {
      this.#body = { request, length: dispatch.bodyLength, withBody: dispatch.withBody };
      this.#mode = "body";
      if (dispatch.bodyLength === 0) this.#takeBody(Buffer.alloc(0));
      return;
    }
    const { reply } = dispatch;
    const last = dispatch.last === true;
    if (last) this.#stopReading();
    this.#enqueue(request, () => reply, last);
  }

  #enqueue(request: HttpRequest, reply: () => Reply | Promise<Reply>, last: boolean): void {
    const settled = (async () => {
      try {
        return await reply();
      } catch (err) {
        this.#options.bug(err, request);
        return errorReply(500);
      }
    })();
    this.#queue.push({ request, reply: settled, last });
    void this.#pump();
  }

  /** Send the replies in order, each once it is ready. */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    let slot: Slot | undefined;
    try {
      while (this.#queue.length > 0 && !this.#socket.destroyed) {
        slot = this.#queue[0] as Slot; // length > 0 was just checked
        const reply = await slot.reply;
        if (this.#socket.destroyed) return;
        const close = (await this.#send(slot.request, reply)) || slot.last;
        this.#queue.shift();
        if (close) {
          this.#stopReading();
          this.#queue.length = 0;
          this.#close();
          return;
        }
        this.#consume();
      }
      if (this.#inputEnded && this.#queue.length === 0) this.#close();
    } catch (err) {
      // Headers may be out already: all that is left is to drop the connection.
      if (slot !== undefined) this.#options.bug(err, slot.request);
      this.#socket.destroy();
    } finally {
      this.#pumping = false;
    }
  }

  /**
   * Close once everything written has gone out (medusa's close_when_done). The client may still
   * be sending (the body of a request refused with 401 or 413, requests pipelined behind a
   * closing one): what it sends is read and dropped until it closes too, or for LINGER_MS at
   * most, so that the kernel does not answer it with a reset that would lose the reply. (Node
   * destroys the socket by itself once both sides have ended.)
   */
  #close(): void {
    if (this.#socket.writableEnded || this.#socket.destroyed) return;
    this.#stopReading();
    this.#socket.end();
    this.#socket.resume();
    const linger = setTimeout(() => this.#socket.destroy(), LINGER_MS);
    linger.unref();
    this.#socket.once("close", () => clearTimeout(linger));
  }

  /** Write what the client must wait for; resolves once the socket has taken it (or is gone). */
  #write(data: Buffer): Promise<void> | undefined {
    if (this.#socket.destroyed || this.#socket.write(data)) return undefined;
    return new Promise((resolve) => {
      const done = (): void => {
        this.#socket.off("drain", done);
        this.#socket.off("close", done);
        resolve();
      };
      this.#socket.on("drain", done);
      this.#socket.on("close", done);
    });
  }

  /** Write one reply; resolves whether the connection must close after it. */
  async #send(request: HttpRequest, reply: Reply): Promise<boolean> {
    const { close, chunked } = persistence(request, reply);
    const reason = REASONS[reply.status] ?? "Unknown";
    const head = Buffer.from(
      [`HTTP/${request.version ?? "None"} ${reply.status} ${reason}`, "Server: Medusa/1.12", `Date: ${request.date}`, ...reply.headers.lines(), "", ""].join("\r\n"),
    );
    let bytes = 0;
    const write = async (data: Buffer): Promise<void> => {
      bytes += data.length;
      await this.#write(data);
    };
    const { body } = reply;
    if (Buffer.isBuffer(body)) {
      const framed = !chunked ? [body] : body.length > 0 ? [chunk(body), LAST_CHUNK] : [LAST_CHUNK];
      await write(Buffer.concat([head, ...framed]));
    } else {
      await write(head);
      // DIVERGES: on HTTP/1.0 supervisord holds a tail's first 64 KiB back; it is sent at once here.
      for await (const data of body(this.#gone.signal)) {
        if (this.#gone.signal.aborted) return true;
        await write(chunked ? chunk(data) : data);
      }
      if (this.#gone.signal.aborted) return true;
      if (chunked) await write(LAST_CHUNK);
    }
    if (!this.#socket.destroyed) this.#options.sent(request, reply.status, bytes);
    return close;
  }
}
