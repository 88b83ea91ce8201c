import { decodeOrBytesRepr } from "../config/python-str";
import type { SupervisorEvent } from "./event-bus";

/**
 * The payload text of an event (events.md §2), from the values captured when it was created.
 * Output data is decoded as UTF-8, or shown as `Undecodable: b'...'` when it is not.
 */
export function eventPayload(event: SupervisorEvent): string {
  switch (event.type) {
    case "PROCESS_STATE": {
      const head = `processname:${event.processName} groupname:${event.groupName} from_state:${event.from}`;
      switch (event.to) {
        case "STARTING":
        case "BACKOFF":
          return `${head} tries:${event.tries}`;
        case "EXITED":
          return `${head} expected:${event.expected ? 1 : 0} pid:${event.pid}`;
        case "RUNNING":
        case "STOPPING":
        case "STOPPED":
          return `${head} pid:${event.pid}`;
        default:
          return head;
      }
    }
    case "PROCESS_LOG":
      return `processname:${event.processName} groupname:${event.groupName} pid:${event.pid} channel:${event.channel}\n${decodeOrBytesRepr(event.data)}`;
    case "PROCESS_COMMUNICATION":
      return `processname:${event.processName} groupname:${event.groupName} pid:${event.pid}\n${decodeOrBytesRepr(event.data)}`;
    case "REMOTE_COMMUNICATION":
      return `type:${event.commType}\n${event.data}`;
    case "SUPERVISOR_STATE_CHANGE_RUNNING":
    case "SUPERVISOR_STATE_CHANGE_STOPPING":
      return "";
    case "TICK_5":
    case "TICK_60":
    case "TICK_3600":
      return `when:${event.when}`;
    case "PROCESS_GROUP_ADDED":
    case "PROCESS_GROUP_REMOVED":
      return `groupname:${event.groupName}\n`;
  }
}
