/** Dates in HTTP headers, as medusa's http_date writes and reads them. */

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function pad(n: number, width = 2): string {
  return String(Math.abs(n)).padStart(width, "0");
}

/** RFC 1123, GMT: `Sat, 21 Nov 2026 02:00:15 GMT`. */
export function formatHttpDate(ms: number): string {
  const d = new Date(ms);
  return (
    `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} GMT`
  );
}

/** Python's `time.ctime()`: `Sat Nov  1 06:41:21 2026`, local time. */
export function ctime(when = new Date()): string {
  return (
    `${DAYS[when.getDay()]} ${MONTHS[when.getMonth()]} ${String(when.getDate()).padStart(2, " ")} ` +
    `${pad(when.getHours())}:${pad(when.getMinutes())}:${pad(when.getSeconds())} ${when.getFullYear()}`
  );
}

/**
 * medusa's access-log time, `21/Nov/2026:06:41:26 +0000`: GMT, followed by the zone of Python's
 * `time.timezone` (local standard time; `-HHMM` west of Greenwich), a medusa quirk kept as it is.
 */
export function accessLogStamp(when: Date): string {
  const year = when.getFullYear();
  const west = Math.max(new Date(year, 0, 1).getTimezoneOffset(), new Date(year, 6, 1).getTimezoneOffset());
  return (
    `${pad(when.getUTCDate())}/${MONTHS[when.getUTCMonth()]}/${when.getUTCFullYear()}:` +
    `${pad(when.getUTCHours())}:${pad(when.getUTCMinutes())}:${pad(when.getUTCSeconds())} ` +
    `${west > 0 ? "-" : "+"}${pad(Math.trunc(west / 60))}${pad(west % 60)}`
  );
}

const MONTH_NAMES = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec";
const HMS = "([0-9][0-9]):([0-9][0-9]):([0-9][0-9])";
const RFC850 = new RegExp(`^(?:sunday|monday|tuesday|wednesday|thursday|friday|saturday), ([0-9][0-9]?)-(${MONTH_NAMES})-([0-9]+) ${HMS} gmt$`);
const RFC822 = new RegExp(`^(?:sun|mon|tue|wed|thu|fri|sat), ([0-9][0-9]?) (${MONTH_NAMES}) ([0-9]+) ${HMS} gmt$`);

/**
 * Seconds since the epoch of an `If-Modified-Since` date in RFC 850 or RFC 1123 form (any case),
 * or 0 when it is neither (medusa then ignores the header).
 */
export function parseHttpDate(text: string): number {
  const m = RFC850.exec(text.toLowerCase()) ?? RFC822.exec(text.toLowerCase());
  if (m === null) return 0;
  const [, day, month, year, hours, minutes, seconds] = m;
  const d = new Date(0);
  // setUTCFullYear, not Date.UTC: a two-digit RFC 850 year stays that year, as in Python.
  d.setUTCFullYear(Number(year), MONTH_NAMES.split("|").indexOf(month ?? ""), Number(day));
  d.setUTCHours(Number(hours), Number(minutes), Number(seconds));
  return Math.floor(d.getTime() / 1000);
}
