import { readFileSync } from "node:fs";
import { join } from "node:path";
import { program } from "./daemon";
import { REPO_ROOT } from "./repo";

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
