import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { program, startDaemon, type TestDaemon } from "./daemon";
import { REPO_ROOT } from "./repo";
import { waitFor } from "./wait-for";

/** The command of the Python listener (standard library only) that records every event in `file`. */
export function pythonListener(file: string): string {
  return `python3 ${join(REPO_ROOT, "test/fixtures/listeners/record_events.py")} ${file}`;
}

/** The command of the Node listener that records every event in `file` (test/fixtures/programs/event-listener.ts). */
export function nodeListener(file: string, mode: "ok" | "reject-first" | "die-first" = "ok"): string {
  return program("event-listener", file, mode);
}

/** One event as a listener received it. */
export interface ReceivedEvent {
  /** The header line, newline included. */
  line: string;
  header: Record<string, string>;
  payload: string;
}

/** The events a recording listener has written to `file` so far (none when it does not exist yet). */
export function receivedEvents(file: string): ReceivedEvent[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const events: ReceivedEvent[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const record = JSON.parse(line) as { header?: string; payload?: string };
    if (record.header === undefined) continue;
    const header = Object.fromEntries(record.header.trim().split(" ").map((token) => [token.slice(0, token.indexOf(":")), token.slice(token.indexOf(":") + 1)]));
    events.push({ line: record.header, header, payload: record.payload ?? "" });
  }
  return events;
}

/** The SUPERVISOR_* environment the Python listener recorded when it started. */
export function listenerEnvironment(file: string): Record<string, string> | undefined {
  const first = readFileSync(file, "utf8").split("\n")[0] ?? "";
  return (JSON.parse(first) as { env?: Record<string, string> }).env;
}

/** An `[eventlistener:NAME]` section starting at once (startsecs=0), then `more` lines. */
export function listenerSection(name: string, command: string, events: string, more = ""): string {
  return `\n[eventlistener:${name}]\ncommand=${command}\nevents=${events}\nstartsecs=0\n${more}\n`;
}

/** Wait until `file` holds `count` events passing `filter`; resolves with those. */
export async function waitForEvents(file: string, count: number, filter: (event: ReceivedEvent) => boolean = () => true): Promise<ReceivedEvent[]> {
  let events: ReceivedEvent[] = [];
  await waitFor(() => (events = receivedEvents(file).filter(filter)).length >= count, { what: `${count} events in ${file}` });
  return events;
}

export interface PoolDaemon {
  daemon: TestDaemon;
  /** Where the pool's listener records its events. */
  file: string;
  sock: string;
}

/**
 * A daemon with one pool, `lis`, subscribed to `events`: the Python listener, or the Node one in
 * `node` mode; `rest` is the rest of the config.
 */
export async function startWithListener(
  t: TestContext,
  events: string,
  { node, rest = "" }: { node?: "ok" | "reject-first" | "die-first"; rest?: string } = {},
): Promise<PoolDaemon> {
  const command = node === undefined ? pythonListener("%(here)s/lis.jsonl") : nodeListener("%(here)s/lis.jsonl", node);
  const daemon = await startDaemon(t, listenerSection("lis", command, events, "autorestart=true") + rest);
  return { daemon, file: join(daemon.dir, "lis.jsonl"), sock: join(daemon.dir, "supervisor.sock") };
}
