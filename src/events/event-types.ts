import { EVENT_TYPE_PARENTS } from "../config/event-type-names";
import type { SupervisorEvent } from "./event-bus";

/** The concrete type name of an event, as its `eventname` header carries it (events.md §1). */
export function eventName(event: SupervisorEvent): string {
  switch (event.type) {
    case "PROCESS_STATE":
      return `PROCESS_STATE_${event.to}`;
    case "PROCESS_LOG":
      return event.channel === "stdout" ? "PROCESS_LOG_STDOUT" : "PROCESS_LOG_STDERR";
    case "PROCESS_COMMUNICATION":
      return event.channel === "stdout" ? "PROCESS_COMMUNICATION_STDOUT" : "PROCESS_COMMUNICATION_STDERR";
    default:
      return event.type;
  }
}

/**
 * Whether an event of the concrete type `name` reaches a subscription to `subscribed`: the
 * type itself or one of its ancestors (supervisord's isinstance test).
 */
export function isA(name: string, subscribed: string): boolean {
  for (let type: string | null | undefined = name; type !== null && type !== undefined; type = EVENT_TYPE_PARENTS[type]) {
    if (type === subscribed) return true;
  }
  return false;
}

/** The types the tick timer emits, with their periods in seconds, in supervisord's order. */
export const TICK_PERIODS: ReadonlyArray<readonly ["TICK_5" | "TICK_60" | "TICK_3600", number]> = [
  ["TICK_5", 5],
  ["TICK_60", 60],
  ["TICK_3600", 3600],
];

/** Whether a subscription to one of `names` receives some TICK event. */
export function wantsTicks(names: readonly string[]): boolean {
  return names.some((name) => TICK_PERIODS.some(([tick]) => isA(tick, name)));
}
