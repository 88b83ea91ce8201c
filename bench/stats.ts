/** The median of a non-empty list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? Number.NaN) + upper) / 2;
}

/** A value rounded for a table: 3 significant digits. */
export function fmt(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(3))) : "n/a";
}

/** One row of a benchmark table: our median, supervisord's, and ours / theirs. */
export interface Row {
  measure: string;
  unit: string;
  ours: number;
  theirs: number;
}

export function markdownTable(title: string, rows: readonly Row[]): string {
  const lines = [
    `### ${title}`,
    "",
    "| Measure | supervisord-ts | supervisord 4.2.5 | ours / theirs |",
    "| --- | ---: | ---: | ---: |",
    ...rows.map((r) => `| ${r.measure} | ${fmt(r.ours)} ${r.unit} | ${fmt(r.theirs)} ${r.unit} | ${fmt(r.ours / r.theirs)} |`),
  ];
  return `${lines.join("\n")}\n`;
}

/** The Q-quantile (0..1) of a non-empty list of numbers, by the nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}
