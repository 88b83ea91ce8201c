import { performance } from "node:perf_hooks";

interface Entry {
  key: object;
  deadline: number;
  seq: number;
  fire: () => void;
}

/**
 * The processes' deadlines (startsecs, a backoff delay, stopwaitsecs) behind one timer, fired
 * strictly in the order of their deadlines (monotonic ms), equal ones in the order they were set.
 * Node's own timers do not promise that across different durations: two processes started one
 * after the other could reach RUNNING in the other order, unlike supervisord's loop.
 */
export class Deadlines {
  /** Sorted by (deadline, seq). */
  #queue: Entry[] = [];
  readonly #byKey = new Map<object, Entry>();
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  #armedFor = Number.POSITIVE_INFINITY;

  /** Call `fire` once the monotonic clock is past `deadline` (supervisord's `now > deadline`); replaces `key`'s earlier one. */
  schedule(key: object, deadline: number, fire: () => void): void {
    this.cancel(key);
    const entry = { key, deadline, seq: this.#seq++, fire };
    this.#queue.splice(this.#position(entry), 0, entry);
    this.#byKey.set(key, entry);
    this.#arm();
  }

  cancel(key: object): void {
    const entry = this.#byKey.get(key);
    if (entry === undefined) return;
    this.#byKey.delete(key);
    const at = this.#position(entry);
    if (this.#queue[at] === entry) this.#queue.splice(at, 1);
  }

  /** Where `entry` is, or goes, in the queue (binary search on deadline, then seq). */
  #position(entry: Entry): number {
    let lo = 0;
    let hi = this.#queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const other = this.#queue[mid] as Entry; // mid < length
      if (other.deadline < entry.deadline || (other.deadline === entry.deadline && other.seq < entry.seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #arm(): void {
    const first = this.#queue[0];
    if (first === undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#armedFor = Number.POSITIVE_INFINITY;
      return;
    }
    if (this.#timer !== undefined && this.#armedFor <= first.deadline) return;
    clearTimeout(this.#timer);
    this.#armedFor = first.deadline;
    // Whole milliseconds, +1: the comparison is strict.
    this.#timer = setTimeout(() => this.#fireDue(), Math.max(0, Math.ceil(first.deadline - performance.now())) + 1);
  }

  #fireDue(): void {
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let count = 0;
    while (count < this.#queue.length && (this.#queue[count] as Entry).deadline < now) count += 1;
    const due = this.#queue.splice(0, count);
    for (const entry of due) this.#byKey.delete(entry.key);
    this.#arm();
    for (const entry of due) entry.fire();
  }
}
