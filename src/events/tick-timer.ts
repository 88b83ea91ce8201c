import type { Tick } from "./event-bus";
import { TICK_PERIODS } from "./event-types";

/** The start of the period-long slice `when` falls in (supervisord's timeslice). */
export function timeslice(period: number, when: number): number {
  return Math.trunc(when - (when % period));
}

/** A little past a boundary, so that the wall clock has surely crossed it when the timer fires. */
const MARGIN_MS = 2;

/**
 * TICK_5, TICK_60 and TICK_3600 with supervisord's rules (events.md §3): a tick when the
 * wall-clock slice of its period differs from the one seen last, `when` being the new slice's
 * start; the first look only records the slices; a late look gives one tick, never a burst.
 *
 * supervisord looks at the end of every turn of its 1 s loop; we aim a timer at the next 5 s
 * boundary instead, and only while someone subscribes to a TICK type. Starting to look again
 * records the current slices first: supervisord, which kept looking, would have seen them too.
 */
export class TickTimer {
  readonly #lastSlices = new Map<number, number>();
  #timer: NodeJS.Timeout | undefined;
  #started = false;
  #wanted = false;

  constructor(
    readonly emit: (tick: Tick) => void,
    readonly now: () => number = () => Date.now() / 1000,
  ) {}

  /** The daemon's loop begins (at start and after each reload): the first look, a baseline. */
  start(): void {
    this.#started = true;
    this.#arm();
  }

  /** Whether some pool subscribes to a TICK type (no timer runs for nobody). */
  want(wanted: boolean): void {
    this.#wanted = wanted;
    if (wanted) this.#arm();
    else this.stop(false);
  }

  /** No more ticks (the daemon is going away, or nobody wants them). */
  stop(forGood = true): void {
    if (forGood) this.#started = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    if (!this.#started || !this.#wanted || this.#timer !== undefined) return;
    const now = this.now();
    for (const [, period] of TICK_PERIODS) this.#lastSlices.set(period, timeslice(period, now));
    this.#wait(now);
  }

  #wait(now: number): void {
    const next = timeslice(5, now) + 5;
    this.#timer = setTimeout(() => this.#look(), Math.max(0, (next - now) * 1000) + MARGIN_MS);
    // The daemon stays up for its own reasons; a tick never keeps it alive.
    this.#timer.unref();
  }

  #look(): void {
    this.#timer = undefined;
    const now = this.now();
    for (const [type, period] of TICK_PERIODS) {
      const slice = timeslice(period, now);
      if (slice !== this.#lastSlices.get(period)) {
        this.#lastSlices.set(period, slice);
        this.emit({ type, when: slice });
      }
    }
    // A subscriber may have gone (or the daemon stopped) while the ticks were delivered.
    if (this.#started && this.#wanted && this.#timer === undefined) this.#wait(now);
  }
}
