/**
 * What event listeners received, and what the main log says about them, as masked lines that
 * compare with `===` between supervisord 4.2.5 and ours (events.md). The records are those
 * compat-tests/clients/event_listener.py writes, one JSON line per event received.
 */
import { readFileSync } from "node:fs";
import { subjectOf } from "./log-phases";
import { logRecords, maskedRecords, spawnedPidLabels } from "./main-log-records";

/** One event as the listener received it (and how it answered). */
export interface ListenerRecord {
  header: string;
  payload: string;
  /** The payload's length in UTF-8 bytes (`len` counts code points). */
  bytes: number;
  answer: string;
}

/** The records in a listener's file; a last line still being written is left for later. */
export function readListenerRecords(path: string): ListenerRecord[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return []; // nothing received yet
  }
  return text
    .split("\n")
    .filter((line) => line.endsWith("}"))
    .map((line) => JSON.parse(line) as ListenerRecord);
}

export interface EventTranscriptInput {
  /** Each listener process's records, by process name (its pool's name when numprocs=1). */
  records: ReadonlyMap<string, readonly ListenerRecord[]>;
  mainLog: string;
  dir: string;
  daemonPid: number;
  /**
   * `offset` (default): serials as their difference from the smallest one seen, poolserials
   * from the smallest of their pool. `rank`: their rank among those seen, for scenarios whose
   * left-out records (see ignore) take serials at moments timing decides.
   */
  serials?: "offset" | "rank";
  /** Records whose payload matches are left out (the ticker's state changes). */
  ignore?: RegExp;
}

const SERIAL_IN_LOG = /\b(event|discarding event) (\d+)\b/g;

const LISTENER_LINES: readonly RegExp[] = [
  /^DEBG event \S+ sent to listener (\S+)$/,
  /^DEBG rebuffering event \S+ for pool (\S+) \(/,
  /^ERRO pool (\S+) event buffer overflowed, discarding event \S+$/,
  /^DEBG epipe occurred while sending event \S+ to listener (\S+),/,
];

/**
 * Records whose place among a listener's others is left to timing in supervisord: the `success:`
 * line of a listener with startsecs=0 (the loop pass that notices it and the one that reads its
 * READY can come in either order), and the closing of its pipes (the order in which its fds come
 * out of one poll). They are compared as a set, after the rest.
 */
const FLOATING: readonly RegExp[] = [/^INFO success: /, /^DEBG fd N closed, stopped monitoring /];

/** Comm events are told by the program that emitted them; everything else only about listeners. */
const COMM_EVENT = /^DEBG '([^']+)' std(?:out|err) emitted a comm event$/;

function subjectOfListenerLine(record: string, listeners: readonly string[]): string | undefined {
  for (const pattern of LISTENER_LINES) {
    const match = pattern.exec(record);
    if (match !== null) return match[1];
  }
  const comm = COMM_EVENT.exec(record);
  if (comm !== null) return comm[1];
  const named =
    /^(?:DEBG|WARN) ([^\s:']+): /.exec(record)?.[1] ??
    /^DEBG '([^']+)' std(?:out|err) output:/.exec(record)?.[1] ??
    /^DEBG fd N closed, stopped monitoring <\w+ at ADDR for <Subprocess at ADDR with name (\S+) /.exec(record)?.[1] ??
    subjectOf(record);
  return named !== undefined && listeners.includes(named) ? named : undefined;
}

function labelsFor(numbers: Iterable<number>, mode: "offset" | "rank", prefix: string): Map<number, string> {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const first = sorted[0] ?? 0;
  return new Map(sorted.map((n, i) => [n, mode === "rank" ? `${prefix}#${i}` : `${prefix}${n - first}`]));
}

function headerNumber(header: string, key: string): number | undefined {
  const match = new RegExp(`(?:^| )${key}:(\\d+)(?= |$)`).exec(header);
  return match === null ? undefined : Number(match[1]);
}

/** The main log's records about listeners and pools (and comm events), per subject, in order; pids and the temp dir masked. */
function logLinesBySubject(input: EventTranscriptInput, listeners: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const record of maskedRecords(input.mainLog, input.dir, input.daemonPid)) {
    const subject = subjectOfListenerLine(record, listeners);
    if (subject === undefined) continue;
    out.set(subject, [...(out.get(subject) ?? []), record]);
  }
  return out;
}

/**
 * The transcript sections of one run: `events received by NAME` (one line per record) for each
 * listener, and `main log about NAME` for each subject of listener lines.
 */
export function eventTranscript(input: EventTranscriptInput): Map<string, string[]> {
  const mode = input.serials ?? "offset";
  const ignore = input.ignore;
  const kept = new Map([...input.records].map(([name, records]) => [name, records.filter((r) => ignore === undefined || !ignore.test(r.payload))]));
  const serials: number[] = [];
  for (const records of kept.values()) for (const r of records) serials.push(headerNumber(r.header, "serial") ?? 0);
  const logLines = logLinesBySubject(input, [...input.records.keys()]);
  for (const lines of logLines.values()) for (const line of lines) for (const match of line.matchAll(SERIAL_IN_LOG)) serials.push(Number(match[2]));
  const serialLabels = labelsFor(serials, mode, "S");
  const serialLabel = (n: number): string => serialLabels.get(n) ?? `S?${n}`;
  const pids = spawnedPidLabels(logRecords(input.mainLog));
  const sections = new Map<string, string[]>();
  for (const [name, records] of kept) {
    const poolLabels = labelsFor(records.map((r) => headerNumber(r.header, "poolserial") ?? 0), mode, "P");
    let firstWhen: number | undefined;
    sections.set(
      `events received by ${name}`,
      records.map((r) => {
        const payload = r.payload
          .replace(/\bpid:(\d+)/g, (whole, pid: string) => (pids.has(pid) ? `pid:${pids.get(pid) ?? ""}` : whole))
          .replace(/^when:(\d+)$/, (_, when: string) => {
            const value = Number(when);
            firstWhen ??= value;
            const multiple = value % 5 === 0 ? "" : " (not a multiple of 5)";
            return `when:W${value === firstWhen ? "" : `+${value - firstWhen}`}${multiple}`;
          });
        // Masked pids and times change the payload's length: len and bytes follow, so that they still compare.
        const delta = r.payload.length - payload.length;
        const header = r.header
          .replace(/\bserial:(\d+)/, (_, n: string) => `serial:${serialLabel(Number(n))}`)
          .replace(/\bpoolserial:(\d+)/, (_, n: string) => `poolserial:${poolLabels.get(Number(n)) ?? n}`)
          .replace(/\blen:(\d+)$/, (_, n: string) => `len:${Number(n) - delta}`);
        return `${header} bytes:${r.bytes - delta} ${JSON.stringify(payload)} -> ${r.answer}`;
      }),
    );
  }
  for (const [subject, lines] of logLines) {
    const labelled = lines.map((line) => line.replace(SERIAL_IN_LOG, (_, word: string, n: string) => `${word} ${serialLabel(Number(n))}`));
    const floats = (line: string): boolean => FLOATING.some((pattern) => pattern.test(line));
    const floating = labelled.filter(floats).sort().map((line) => `(anywhere) ${line}`);
    sections.set(`main log about ${subject}`, [...labelled.filter((line) => !floats(line)), ...floating]);
  }
  return sections;
}
