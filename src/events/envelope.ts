/** What the header line of one event sent to a listener says (events.md §5). */
export interface EnvelopeFields {
  /** `[supervisord] identifier`. */
  server: string;
  serial: number;
  pool: string;
  poolserial: number;
  eventname: string;
  payload: string;
}

/**
 * The bytes written to a listener's stdin: the header line, then the payload, UTF-8 encoded.
 * `len` counts the payload's code points, not its bytes, as supervisord counts them (events.md
 * §5, verified): a drop-in listener reads exactly what supervisord's would.
 */
export function envelope(fields: EnvelopeFields): Buffer {
  const { server, serial, pool, poolserial, eventname, payload } = fields;
  const len = codePointLength(payload);
  return Buffer.from(`ver:3.0 server:${server} serial:${serial} pool:${pool} poolserial:${poolserial} eventname:${eventname} len:${len}\n${payload}`, "utf8");
}

/** The number of code points of a string (Python's len() of a str). */
export function codePointLength(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit < 0xdc00) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next < 0xe000) {
        length -= 1;
        i += 1;
      }
    }
  }
  return length;
}
