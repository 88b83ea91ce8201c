const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function twoDigits(n: number): string {
  return String(n).padStart(2, "0");
}

/**
 * Python's `time.ctime()` text of a moment, in local time: `Sat Nov 21 02:16:21 2026`, the day
 * of the month padded with a space (`Sun Jan  4 09:05:00 2026`). The UI's messages carry it.
 */
export function ctime(date: Date): string {
  const day = DAYS[date.getDay()] ?? "";
  const month = MONTHS[date.getMonth()] ?? "";
  const time = `${twoDigits(date.getHours())}:${twoDigits(date.getMinutes())}:${twoDigits(date.getSeconds())}`;
  return `${day} ${month} ${String(date.getDate()).padStart(2, " ")} ${time} ${date.getFullYear()}`;
}
