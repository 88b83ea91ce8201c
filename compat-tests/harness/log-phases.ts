/**
 * Comparing two main logs (as masked records) phase by phase. supervisord 4.2.5 works in a
 * 1-second polling loop and ours reacts to each event at once, so where the real order is an
 * artefact of that loop a phase says exactly what may move; everything else is compared record
 * by record.
 */
export interface Phase {
  /** The phase begins at the first record matching this after the previous phase began; the first phase begins at the top. */
  from?: RegExp;
  /**
   * `exact` (default): record by record. `per-process`: the same multiset of records, and for
   * every process the same sequence of the records about it (see `subjectOf`): for processes that
   * run side by side, whose lines interleave by the loop's timing.
   */
  order?: "exact" | "per-process";
  /** Records that may stand anywhere in the phase: compared as a multiset, apart from the rest. */
  floating?: RegExp[];
  /** Runs of consecutive records matching this are compared as sets (events at the same moment). */
  unorderedRuns?: RegExp;
  /**
   * Records that may stand anywhere and whose number depends on timing (SIGCHLD: signals that
   * arrive together are delivered once, in supervisord and in ours): they must appear in both
   * or in neither.
   */
  anyCount?: RegExp[];
  /** A record matching this that repeats the one just before it (ignoring floating ones) counts once. */
  collapseRepeats?: RegExp;
  /** For `per-process`: `spawnerr:` lines name no process; map a text in them to the process. */
  spawnerrs?: Record<string, string>;
}

const SUBJECT = [
  /^INFO spawned: '([^']+)' with pid/,
  /^INFO success: (\S+) entered RUNNING/,
  /^\w{4} exited: (\S+) \(/,
  /^INFO gave up: (\S+) entered FATAL/,
  /^\w{4} stopped: (\S+) \(/,
  /^WARN killing '([^']+)' \(/,
  /^DEBG killing (\S+) \(pid/,
  /^DEBG '([^']+)' std(?:out|err) output:/,
  /^DEBG fd N closed, stopped monitoring <\w+ at ADDR for <Subprocess at ADDR with name (\S+) in state/,
  /^DEBG Attempted to kill (\S+), which is in BACKOFF/,
  /^WARN process '([^']+)' already running/,
];

/** The process a record is about, or undefined (daemon lines, and spawnerr without a mapping). */
export function subjectOf(record: string, spawnerrs: Record<string, string> = {}): string | undefined {
  for (const pattern of SUBJECT) {
    const match = pattern.exec(record);
    if (match !== null) return match[1];
  }
  if (record.startsWith("INFO spawnerr: ")) {
    for (const [text, name] of Object.entries(spawnerrs)) if (record.includes(text)) return name;
  }
  return undefined;
}

/** Split records into phases: each phase from the first record matching its `from`. */
export function splitPhases(records: readonly string[], phases: readonly Phase[]): string[][] {
  const starts: number[] = [];
  let at = 0;
  for (const [i, phase] of phases.entries()) {
    if (i === 0) {
      starts.push(0);
      continue;
    }
    const from = phase.from;
    if (from === undefined) throw new Error(`phase ${i + 1} has no 'from'`);
    const found = records.findIndex((record, j) => j >= at && from.test(record));
    at = found < 0 ? records.length : found; // a missing boundary leaves this phase empty
    starts.push(at);
  }
  return starts.map((start, i) => records.slice(start, starts[i + 1] ?? records.length));
}

function sortRuns(records: readonly string[], pattern: RegExp | undefined): string[] {
  if (pattern === undefined) return [...records];
  const out: string[] = [];
  let run: string[] = [];
  for (const record of [...records, undefined]) {
    if (record !== undefined && pattern.test(record)) {
      run.push(record);
      continue;
    }
    out.push(...run.sort());
    run = [];
    if (record !== undefined) out.push(record);
  }
  return out;
}

function collapse(records: readonly string[], pattern: RegExp | undefined): string[] {
  if (pattern === undefined) return [...records];
  return records.filter((record, i) => !(i > 0 && records[i - 1] === record && pattern.test(record)));
}

function show(record: string): string {
  return record.includes("\n") ? JSON.stringify(record) : record;
}

/** A line diff (longest common subsequence): `  same`, `- real only`, `+ ours only`. */
export function diff(real: readonly string[], ours: readonly string[]): string {
  const n = real.length;
  const m = ours.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  const at = (i: number, j: number): number => lcs[i]?.[j] ?? 0;
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i] ?? [];
    for (let j = m - 1; j >= 0; j--) row[j] = real[i] === ours[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && real[i] === ours[j]) {
      out.push(`  ${show(real[i] ?? "")}`);
      i++;
      j++;
    } else if (j < m && (i >= n || at(i, j + 1) >= at(i + 1, j))) {
      out.push(`+ ${show(ours[j] ?? "")}`);
      j++;
    } else {
      out.push(`- ${show(real[i] ?? "")}`);
      i++;
    }
  }
  return out.join("\n");
}

/**
 * Compare one phase; returns the differences found (empty when they agree), each a titled diff
 * with `-` for supervisord's records and `+` for ours.
 */
export function comparePhase(phase: Phase, real: readonly string[], ours: readonly string[]): string[] {
  const problems: string[] = [];
  const counted = (record: string): boolean => (phase.anyCount ?? []).some((pattern) => pattern.test(record));
  const realCounted = [...new Set(real.filter(counted))].sort();
  const ourCounted = [...new Set(ours.filter(counted))].sort();
  if (diff(realCounted, ourCounted).split("\n").some((line) => /^[-+]/.test(line))) {
    problems.push(`records that must appear (any number of times) differ:\n${diff(realCounted, ourCounted)}`);
  }
  real = real.filter((record) => !counted(record));
  ours = ours.filter((record) => !counted(record));
  const floats = (record: string): boolean => (phase.floating ?? []).some((pattern) => pattern.test(record));
  const realFloating = real.filter(floats).sort();
  const ourFloating = ours.filter(floats).sort();
  if (diff(realFloating, ourFloating).split("\n").some((line) => /^[-+]/.test(line))) {
    problems.push(`records that may stand anywhere in the phase differ:\n${diff(realFloating, ourFloating)}`);
  }
  const rest = (records: readonly string[]): string[] =>
    sortRuns(collapse(records.filter((record) => !floats(record)), phase.collapseRepeats), phase.unorderedRuns);
  const realRest = rest(real);
  const ourRest = rest(ours);
  const differs = (a: readonly string[], b: readonly string[]): boolean => a.length !== b.length || a.some((record, i) => record !== b[i]);
  if ((phase.order ?? "exact") === "exact") {
    if (differs(realRest, ourRest)) problems.push(`records differ:\n${diff(realRest, ourRest)}`);
    return problems;
  }
  const realSorted = [...realRest].sort();
  const ourSorted = [...ourRest].sort();
  if (differs(realSorted, ourSorted)) problems.push(`the records (in any order) differ:\n${diff(realSorted, ourSorted)}`);
  const subjects = new Set([...realRest, ...ourRest].map((record) => subjectOf(record, phase.spawnerrs)));
  for (const subject of subjects) {
    if (subject === undefined) continue;
    const realOf = realRest.filter((record) => subjectOf(record, phase.spawnerrs) === subject);
    const ourOf = ourRest.filter((record) => subjectOf(record, phase.spawnerrs) === subject);
    if (differs(realOf, ourOf)) problems.push(`the records about ${subject}, in order, differ:\n${diff(realOf, ourOf)}`);
  }
  return problems;
}
