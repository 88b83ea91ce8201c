/**
 * The main log, line by line, against the one supervisord 4.2.5 writes for the same config
 * (issue #3). Each scenario runs on the real supervisord and on ours at the same time, each in
 * its own temp dir (every path, the socket too, under %(here)s), driven the same way: the same
 * signals, each sent once the same line has appeared. Then the logs are compared as records
 * (harness/main-log-records.ts: timestamps cut, pids, the temp dir and AUTO suffixes masked),
 * phase by phase (harness/log-phases.ts).
 *
 * Exact, record by record, unless a phase says otherwise. The tolerances are all about timing,
 * mostly this: supervisord runs everything from a 1-second polling loop (states.md §2), ours acts
 * at once:
 * - processes that start side by side have their lines interleaved by that loop: such phases are
 *   compared per process (each process's lines in order, and the same lines overall);
 * - processes of one group are signalled together: which one dies first is the kernel's choice;
 * - `received SIGCHLD` is written by the pass that handles the signal, which can come before or
 *   after the pass that reaps the child; a signal sent to the daemon during a shutdown is handled
 *   on its next pass, between whatever else that pass does;
 * - after SIGKILL, supervisord may take a pass to reap the child and re-send SIGKILL meanwhile.
 * Timings are chosen so that supervisord's own races stay out of the picture: startsecs well
 * above its loop period where an exit must count as too quick, children that live past the pass
 * that spawned them where `success:` must come first (states.md §5), and shutdowns with at most
 * two groups left to stop, so that they end before a second `waiting for ... to die` (3 s).
 *
 * To look into a failure: MAIN_LOG_KEEP=/some/dir keeps both raw logs of every scenario there.
 * COMPAT_OURS=real runs the real supervisord in place of ours (harness/log-daemon.ts): a self-check.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test, type TestContext } from "node:test";
import { program, standardConfig } from "../../test/helpers/daemon";
import { tempDir } from "../../test/helpers/temp-dir";
import { comparePhase, splitPhases, type Phase } from "../harness/log-phases";
import { startLogDaemon, type Implementation, type LogDaemon, type LogDaemonOptions } from "../harness/log-daemon";
import { maskedRecords } from "../harness/main-log-records";

interface Scenario extends LogDaemonOptions {
  /** loglevel in [supervisord] (default info). */
  loglevel?: string;
  /** More lines for [supervisord]. */
  supervisord?: string;
  /** The program sections (and anything else after the standard head). */
  body: string;
  /** Extra files in the dir, by relative path; `mode` applied after writing. */
  files?: Record<string, { text: string; mode?: number }>;
  /** Drive the daemon, the same way for both; must end by asking it to exit. */
  drive(daemon: LogDaemon): Promise<void>;
  /** How each log file is compared (default: the main log, one exact phase). */
  logs?: Record<string, Phase[]>;
}

function config(scenario: Scenario): string {
  return standardConfig(scenario.body, {
    loglevel: scenario.loglevel ?? "info",
    ...(scenario.supervisord === undefined ? {} : { supervisord: scenario.supervisord }),
  });
}

function prepare(t: TestContext, which: Implementation, scenario: Scenario): string {
  const dir = tempDir(t, which === "real" ? "mlr-" : "mlo-");
  writeFileSync(join(dir, "supervisord.conf"), config(scenario));
  for (const [path, { text, mode }] of Object.entries(scenario.files ?? {})) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
    if (mode !== undefined) chmodSync(join(dir, path), mode);
  }
  return dir;
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms))),
  ]);
}

/** Run a scenario on both daemons at once, then compare their logs; all differences in one failure. */
async function compareScenario(t: TestContext, scenario: Scenario): Promise<void> {
  const daemons = await Promise.all(
    (["real", "ours"] as const).map((which) => startLogDaemon(t, which, prepare(t, which, scenario), scenario)),
  );
  const [real, ours] = daemons as [LogDaemon, LogDaemon];
  const problems: string[] = [];
  const driven = await Promise.allSettled(daemons.map((daemon) => scenario.drive(daemon)));
  const statuses = await Promise.allSettled(
    daemons.map((daemon, i) =>
      driven[i]?.status === "fulfilled"
        ? within(daemon.exited, 20_000, `the ${daemon.which} supervisord to exit`)
        : Promise.reject(new Error("not driven to the end")),
    ),
  );
  for (const [i, daemon] of daemons.entries()) {
    const result = driven[i];
    if (result?.status === "rejected") problems.push(`driving the ${daemon.which} supervisord failed: ${String(result.reason)}`);
  }
  const [realStatus, ourStatus] = statuses;
  if (realStatus?.status === "fulfilled" && ourStatus?.status === "fulfilled" && realStatus.value !== ourStatus.value) {
    problems.push(`exit status: supervisord ${realStatus.value}, ours ${ourStatus.value}`);
  }
  const keep = process.env["MAIN_LOG_KEEP"]; // a directory: keep both raw logs there, to look into a failure
  for (const [file, phases] of Object.entries(scenario.logs ?? { "supervisord.log": [{}] })) {
    if (keep !== undefined) {
      const slug = t.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 40);
      mkdirSync(keep, { recursive: true });
      writeFileSync(join(keep, `${slug}.real.${file}`), real.read(file));
      writeFileSync(join(keep, `${slug}.ours.${file}`), ours.read(file));
    }
    const realPhases = splitPhases(maskedRecords(real.read(file), real.dir, real.pid), phases);
    const ourPhases = splitPhases(maskedRecords(ours.read(file), ours.dir, ours.pid), phases);
    for (const [i, phase] of phases.entries()) {
      for (const problem of comparePhase(phase, realPhases[i] ?? [], ourPhases[i] ?? [])) {
        problems.push(`${file}, phase ${i + 1}${phase.from === undefined ? "" : ` (from ${phase.from})`}: ${problem}`);
      }
    }
  }
  assert.ok(problems.length === 0, `main log differs from supervisord's (- supervisord, + ours):\n\n${problems.join("\n\n")}`);
}

const FOREVER = program("forever");
const SIGTERM_RECEIVED = /^WARN received SIGTERM indicating exit request$/;
const SIGCHLD = /^DEBG received SIGCHLD indicating a child quit$/;
const FD_CLOSED = /^DEBG fd N closed, stopped monitoring /;

/**
 * A shell command that exits with `status` the first time and runs (as `sleep`) from then on.
 * It lives 0.3 s first: a child that is gone by the end of supervisord's loop pass that spawned
 * it goes from STARTING to EXITED without a `success:` line (states.md §5, the race).
 */
function failOnce(name: string, status: number): string {
  return `/bin/sh -c "if [ -e %(here)s/${name}.mark ]; then exec sleep 600; fi; touch %(here)s/${name}.mark; sleep 0.3; exit ${status}"`;
}

/** A shell command that exits with `status` after 0.3 s (see failOnce for why not at once). */
function exitLater(status: number): string {
  return `/bin/sh -c "sleep 0.3; exit ${status}"`;
}

test("start-up: running as root, parse warnings then infos, RPC and auth lines, started with pid", async (t) => {
  await compareScenario(t, {
    body: `[include]
files = conf.d/*.conf nomatch/*.ini

[program:auto]
command=${FOREVER}
autostart=false
stdout_logfile_maxbytes=0
stderr_logfile_maxbytes=0

[program:multi]
command=${FOREVER}
autostart=false
numprocs=2
process_name=%(program_name)s_%(process_num)s
stdout_logfile_maxbytes=0

[program:redir]
command=${FOREVER}
autostart=false
redirect_stderr=true
stderr_logfile=%(here)s/redir.err

[program:sys]
command=${FOREVER}
autostart=false
stdout_logfile=syslog
`,
    files: {
      "conf.d/b.conf": { text: `[program:inc_b]\ncommand=${FOREVER}\nautostart=false\n` },
      "conf.d/a.conf": { text: `[program:inc_a]\ncommand=${FOREVER}\nautostart=false\nstdout_logfile_maxbytes=0\n` },
    },
    async drive(daemon) {
      daemon.signal("SIGTERM");
    },
  });
});

test("start-up with user=root and low soft limits: Set uid, Increased RLIMIT_NOFILE and RLIMIT_NPROC", async (t) => {
  await compareScenario(t, {
    supervisord: "user=root",
    softLimits: { nofile: 1000, nproc: 150 }, // below the defaults minfds=1024, minprocs=200
    body: `[program:a]\ncommand=${FOREVER}\nautostart=false\n`,
    async drive(daemon) {
      daemon.signal("SIGTERM");
    },
  });
});

test("spawned in priority order, success after startsecs, SIGINT stops them in reverse order", async (t) => {
  await compareScenario(t, {
    // c exits after a and b are up: supervisord can take a pass to reap a child whose pipes
    // have closed, which must not move its exit line across theirs.
    body: `[program:c]
command=/bin/sh -c "sleep 1.5"
startsecs=0
autorestart=false
priority=0

[program:b]
command=${FOREVER}
startsecs=1
priority=1

[program:a]
command=${FOREVER}
startsecs=1
priority=2
`,
    async drive(daemon) {
      await daemon.waitForLog(/success: a /);
      await daemon.waitForLog(/success: b /);
      await daemon.waitForLog(/exited: c /);
      daemon.signal("SIGINT");
    },
  });
});

test("expected and unexpected exits, exitcodes, autorestart unexpected/true/false", async (t) => {
  await compareScenario(t, {
    body: `[program:ok]
command=${exitLater(0)}
startsecs=0

[program:bad]
command=${exitLater(3)}
startsecs=0
autorestart=false

[program:three]
command=${exitLater(3)}
startsecs=0
exitcodes=0,3

[program:once]
command=${failOnce("once", 2)}
startsecs=0
priority=1000

[program:again]
command=${failOnce("again", 0)}
startsecs=0
autorestart=true
priority=1001
`,
    async drive(daemon) {
      for (const name of ["ok", "bad", "three"]) await daemon.waitForLog(new RegExp(`exited: ${name} `));
      for (const name of ["once", "again"]) await daemon.waitForLog(new RegExp(`success: ${name} `), { count: 2 });
      daemon.signal("SIGTERM");
    },
    logs: {
      // Five programs spawned in one go: their exits and restarts interleave by timing.
      "supervisord.log": [{ order: "per-process" }, { from: SIGTERM_RECEIVED }],
    },
  });
});

test("a crash loop: BACKOFF with retries, then FATAL (gave up); an exit before startsecs is never expected; chdir and exec failures", async (t) => {
  await compareScenario(t, {
    body: `[program:crash]
command=${program("exit-with", "1")}
startsecs=3
startretries=2

[program:quick0]
command=${program("exit-with", "0")}
startsecs=3
startretries=0

[program:badcwd]
command=${FOREVER}
directory=%(here)s/nonexistent
startsecs=3
startretries=0

[program:badfmt]
command=%(here)s/badfmt
startsecs=3
startretries=0
`,
    files: { badfmt: { text: "\u0000\u0001 not a program\n", mode: 0o755 } },
    async drive(daemon) {
      for (const name of ["crash", "quick0", "badcwd", "badfmt"]) await daemon.waitForLog(new RegExp(`gave up: ${name} `));
      daemon.signal("SIGTERM");
    },
    // Four programs failing side by side; badcwd and badfmt fail in the child (chdir, exec): 127.
    logs: { "supervisord.log": [{ order: "per-process" }, { from: SIGTERM_RECEIVED }] },
  });
});

test("spawnerr: missing command (path and bare word), not executable, a directory, unparsable", async (t) => {
  await compareScenario(t, {
    body: `[program:missing]
command=/nonexistent/prog
startretries=1

[program:bare]
command=nosuchprogxyz
startretries=0

[program:notexec]
command=%(here)s/notexec.sh
startretries=0

[program:isdir]
command=%(here)s/adir
startretries=0

[program:unquoted]
command=/bin/echo "oops
startretries=0
`,
    files: {
      "notexec.sh": { text: "#!/bin/sh\nexit 0\n", mode: 0o644 },
      "adir/keep": { text: "" },
    },
    async drive(daemon) {
      await daemon.waitForLog(/gave up: /, { count: 5 });
      daemon.signal("SIGTERM");
    },
    logs: {
      "supervisord.log": [
        {
          order: "per-process", // all five fail and retry side by side
          spawnerrs: { "/nonexistent/prog": "missing", nosuchprogxyz: "bare", "notexec.sh": "notexec", "/adir'": "isdir", oops: "unquoted" },
        },
        { from: SIGTERM_RECEIVED },
      ],
    },
  });
});

test("stopped at shutdown: exit 0 in exitcodes is INFO, not in exitcodes WARN, a death by the stopsignal WARN", async (t) => {
  await compareScenario(t, {
    body: `[group:gs]
programs=graceful,strict
priority=1

[program:graceful]
command=${program("append-name", "%(here)s/names", "graceful")}
startsecs=1

[program:strict]
command=${program("append-name", "%(here)s/names", "strict")}
startsecs=1
exitcodes=2

[program:intr]
command=${FOREVER}
startsecs=1
priority=2
stopsignal=INT
`,
    async drive(daemon) {
      for (const name of ["graceful", "strict", "intr"]) await daemon.waitForLog(new RegExp(`success: ${name} `));
      daemon.signal("SIGTERM");
    },
    logs: { "supervisord.log": [{ unorderedRuns: /^\w{4} stopped: (graceful|strict) / }] },
  });
});

test("a program that ignores SIGTERM is killed with SIGKILL after stopwaitsecs; SIGHUP during shutdown is ignored", async (t) => {
  await compareScenario(t, {
    body: `[program:ign]
command=${program("ignore-term")}
startsecs=1
stopwaitsecs=1
`,
    async drive(daemon) {
      await daemon.waitForLog(/success: ign /);
      daemon.signal("SIGTERM");
      await daemon.waitForLog(/waiting for ign to die/);
      daemon.signal("SIGHUP");
    },
    logs: {
      "supervisord.log": [
        {},
        {
          from: SIGTERM_RECEIVED,
          floating: [/^WARN ignored SIGHUP indicating restart request \(shutdown in progress\)$/],
          collapseRepeats: /^WARN killing 'ign' \(<ign#1>\) with SIGKILL$/,
        },
      ],
    },
  });
});

test("loglevel=debug: output echo (stdout, stderr, undecodable) with its empty line, killing lines, SIGCHLD", async (t) => {
  await compareScenario(t, {
    loglevel: "debug",
    body: `[program:talk]
command=${program("forever", "hello")}
startsecs=1
priority=1

[program:grp]
command=${program("forever", "hi")}
startsecs=1
stopasgroup=true
priority=2

[program:bye]
command=/bin/sh -c "printf 'oops\\n' >&2; sleep 0.2; printf 'bad \\377\\n'; sleep 1.5"
startsecs=1
autorestart=false
priority=0
`,
    async drive(daemon) {
      await daemon.waitForLog(/success: talk /);
      await daemon.waitForLog(/success: grp /);
      await daemon.waitForLog(/exited: bye /);
      await daemon.waitForLog(/received SIGCHLD indicating a child quit/);
      daemon.signal("SIGTERM");
    },
    logs: {
      "supervisord.log": [
        // supervisord reads a child's stdout and stderr EOF in one poll, in no fixed order.
        // SIGCHLDs of children that die together are delivered once, in both daemons alike.
        { order: "per-process", anyCount: [SIGCHLD], unorderedRuns: FD_CLOSED },
        { from: SIGTERM_RECEIVED, anyCount: [SIGCHLD], unorderedRuns: FD_CLOSED },
      ],
    },
  });
});

test("SIGUSR2 reopens the main log: the lines before go to the moved file, the rest to a new one", async (t) => {
  await compareScenario(t, {
    body: `[program:a]
command=${FOREVER}
startsecs=1
`,
    async drive(daemon) {
      await daemon.waitForLog(/success: a /);
      renameSync(join(daemon.dir, "supervisord.log"), join(daemon.dir, "moved.log"));
      daemon.signal("SIGUSR2");
      await daemon.waitForLog(/supervisord logreopen/, { file: "moved.log" });
      daemon.signal("SIGTERM");
    },
    logs: { "moved.log": [{}], "supervisord.log": [{}] },
  });
});

test("SIGHUP reloads: ordered stop, start-up lines again with the same pid, the new config's programs", async (t) => {
  await compareScenario(t, {
    body: `[program:a]
command=${FOREVER}
startsecs=1
`,
    async drive(daemon) {
      await daemon.waitForLog(/success: a /);
      const path = join(daemon.dir, "supervisord.conf");
      writeFileSync(
        path,
        `${readFileSync(path, "utf8")}
[program:b]
command=${FOREVER}
startsecs=1
redirect_stderr=true
stderr_logfile=%(here)s/b.err
`,
      );
      daemon.signal("SIGHUP");
      await daemon.waitForLog(/success: a /, { count: 2 });
      await daemon.waitForLog(/success: b /);
      daemon.signal("SIGTERM");
    },
  });
});

test("SIGTERM while a reload waits for a program to stop: the reload is abandoned, the daemon exits", async (t) => {
  await compareScenario(t, {
    body: `[program:ign]
command=${program("ignore-term")}
startsecs=1
stopwaitsecs=1
`,
    async drive(daemon) {
      await daemon.waitForLog(/success: ign /);
      daemon.signal("SIGHUP");
      await daemon.waitForLog(/waiting for ign to die/);
      daemon.signal("SIGTERM");
    },
    logs: {
      "supervisord.log": [
        {},
        {
          from: /^WARN received SIGHUP indicating restart request$/,
          // supervisord handles the SIGTERM on its next loop pass, before or after the SIGKILL.
          floating: [SIGTERM_RECEIVED],
          collapseRepeats: /^WARN killing 'ign' \(<ign#1>\) with SIGKILL$/,
        },
      ],
    },
  });
});

test("shutdown with several groups and priorities: group by group, highest priority first", async (t) => {
  await compareScenario(t, {
    body: `[group:g]
programs=x,y
priority=30

[program:x]
command=${FOREVER}
startsecs=1
priority=1

[program:y]
command=${FOREVER}
startsecs=1
priority=2

[program:p1]
command=${FOREVER}
startsecs=1
priority=10
numprocs=2
process_name=%(program_name)s_%(process_num)s

[program:p0]
command=${FOREVER}
autostart=false
priority=5
`,
    async drive(daemon) {
      await daemon.waitForLog(/success: /, { count: 4 });
      daemon.signal("SIGTERM");
    },
    // The processes of one group are signalled together: which dies first is the kernel's choice.
    logs: { "supervisord.log": [{ unorderedRuns: /^WARN stopped: ([xy]|p1_\d) / }] },
  });
});

test("a child killed from outside is an unexpected exit and is restarted (unless autorestart=false); SIGQUIT shuts down", async (t) => {
  await compareScenario(t, {
    body: `[program:f]
command=${FOREVER}
startsecs=1

[program:g]
command=sleep 600
startsecs=1
autorestart=false
priority=1

[program:h]
command=sleep 600
startsecs=1
autorestart=false
priority=2
`,
    async drive(daemon) {
      await daemon.waitForLog(/success: f /);
      await daemon.waitForLog(/success: g /);
      process.kill(daemon.spawnedPid("f"), "SIGKILL");
      await daemon.waitForLog(/success: f /, { count: 2 });
      await daemon.waitForLog(/success: h /);
      // Not a real-time signal: Node reports those deaths as exit status 0 (README, Differences).
      process.kill(daemon.spawnedPid("g"), "SIGUSR1");
      await daemon.waitForLog(/exited: g /);
      process.kill(daemon.spawnedPid("h"), 29); // SIGPOLL in Python's table, SIGIO in Node's
      await daemon.waitForLog(/exited: h /);
      daemon.signal("SIGQUIT");
    },
  });
});

test("a shutdown while a program waits in BACKOFF ends its retries silently", async (t) => {
  await compareScenario(t, {
    body: `[program:crash]
command=${program("exit-with", "1")}
startsecs=5
startretries=5
`,
    async drive(daemon) {
      // After the second failure the retry waits 2 s: the signal is handled well before it.
      await daemon.waitForLog(/exited: crash /, { count: 2 });
      daemon.signal("SIGTERM");
    },
  });
});
