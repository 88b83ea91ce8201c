/**
 * supervisorctl's interactive shell on a terminal (issue #5), driven through a pseudo-terminal by
 * compat-tests/clients/pty_session.py against supervisord 4.2.5: the status shown before the first
 * prompt, the prompt, `help`, TAB completion of a command and of a process name, the history
 * (read from history_file at start, the up arrow recalling earlier lines, written back on exit),
 * and Ctrl-D leaving with status 0. What is asserted is what Debian's supervisorctl shows on the
 * terminal once escape sequences are taken out (how a line editor redraws differs, and does not
 * matter), and the history file's exact bytes.
 *
 * Ours by default; COMPAT_CTL=real runs Debian's supervisorctl instead (the self-check):
 *   npm run build && COMPAT_CTL=real node --test dist/compat-tests/ctl/ctl-shell.test.js
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { program, standardConfig } from "../../test/helpers/daemon";
import { run } from "../../test/helpers/processes";
import { REPO_ROOT } from "../../test/helpers/repo";
import { tempDir } from "../../test/helpers/temp-dir";
import { clientEnv, clientPath } from "../harness/ctl-client";
import { startLogDaemon } from "../harness/log-daemon";
import { SYSTEM_PYTHON } from "../harness/real-supervisord";

const PROMPT = /supervisor> $/;
const STATUS_LINE = (name: string): RegExp => new RegExp(`^${name} +RUNNING   pid \\d+, uptime \\d+:\\d\\d:\\d\\d$`, "m");

interface Step {
  /** Keys typed. */
  send: string;
  /** Read until this matches what came since (null: until the client exits). */
  expect: RegExp | null;
}

interface PtySession {
  steps: Array<{ output: string; matched: boolean }>;
  status: number;
  killed: boolean;
}

const UP = "\x1b[A";

const STEPS: Step[] = [
  { send: "", expect: PROMPT },
  { send: "help\r", expect: PROMPT },
  { send: `${UP}${UP}`, expect: /pid all/ },
  { send: "\r", expect: PROMPT },
  { send: "vers\t", expect: /ion/ },
  { send: "\r", expect: PROMPT },
  { send: "status we\t", expect: /bapp/ },
  { send: "\r", expect: PROMPT },
  { send: UP, expect: /status webapp/ },
  { send: "\r", expect: PROMPT },
  { send: "\x04", expect: null },
];

const HELP = `
default commands (type help <topic>):
=====================================
add    exit      open  reload  restart   start   tail   
avail  fg        pid   remove  shutdown  status  update 
clear  maintail  quit  reread  signal    stop    version

supervisor> `;

test("supervisorctl's shell on a terminal: prompt, help, completion of commands and process names, history, Ctrl-D", async (t) => {
  const dir = tempDir(t, "csh-");
  writeFileSync(
    join(dir, "supervisord.conf"),
    standardConfig(
      `[supervisorctl]
serverurl=unix://%(here)s/supervisor.sock
history_file=%(here)s/history

[program:webapp]
command=${program("forever")}
startsecs=0

[program:queue]
command=${program("forever")}
startsecs=0
`,
      { loglevel: "info" },
    ),
  );
  // a line from an earlier session
  writeFileSync(join(dir, "history"), "pid all\n");
  await startLogDaemon(t, "real", dir, { readySocket: join(dir, "supervisor.sock") });

  const steps = JSON.stringify(STEPS.map((step) => ({ send: step.send, expect: step.expect?.source ?? null })));
  const ctl = clientPath("ours");
  const finished = await run(SYSTEM_PYTHON, [join(REPO_ROOT, "compat-tests/clients/pty_session.py"), steps, ctl, "-c", join(dir, "supervisord.conf")], {
    cwd: dir,
    env: { ...clientEnv(dir), TERM: "xterm" },
    timeoutMs: 120_000,
  });
  assert.equal(finished.status, 0, finished.stderr);
  const session = JSON.parse(finished.stdout) as PtySession;
  const outputs = session.steps.map((step) => step.output);
  const shown = (n: number): string => `what the terminal showed: ${JSON.stringify(outputs.slice(0, n + 1))}`;
  for (const [n, step] of session.steps.entries()) assert.ok(step.matched, `step ${n} (${JSON.stringify(STEPS[n]?.send)}) got no ${STEPS[n]?.expect}; ${shown(n)}`);

  const [start = "", help = "", , pidAll = "", , version = "", , status = "", , statusAgain = "", end = ""] = outputs;
  const webappAlone = /^\nwebapp +RUNNING   pid \d+, uptime \d+:\d\d:\d\d\nsupervisor> $/;
  // status runs before the first prompt
  assert.match(start, STATUS_LINE("queue"), shown(0));
  assert.match(start, STATUS_LINE("webapp"), shown(0));
  assert.ok(start.endsWith("\nsupervisor> "), shown(0));
  assert.ok(help.endsWith(HELP), shown(1));
  // history_file's line, two up arrows back: the pid of each process
  assert.match(pidAll, /^\n\d+\n\d+\nsupervisor> $/, shown(3));
  // vers<TAB> completed to the command
  assert.equal(version, "\n4.2.5\nsupervisor> ", shown(5));
  // status we<TAB> completed to the process name
  assert.match(status, webappAlone, shown(7));
  // the up arrow recalled the completed line
  assert.match(statusAgain, webappAlone, shown(9));
  // Ctrl-D: an empty line, exit status 0
  assert.equal(end, "\n", shown(10));
  assert.deepEqual({ status: session.status, killed: session.killed }, { status: 0, killed: false });
  // every line typed this session after the one read at start; a completed word keeps its space
  assert.equal(readFileSync(join(dir, "history"), "utf8"), "pid all\nhelp\npid all\nversion \nstatus webapp \n");
});
