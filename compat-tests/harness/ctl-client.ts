import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import type { TestContext } from "node:test";
import { run, type Finished } from "../../test/helpers/processes";
import { REPO_ROOT } from "../../test/helpers/repo";
import { transcriptDiff } from "./transcript";

/** Debian's supervisorctl 4.2.5: the client ours is compared with. */
export const DEBIAN_SUPERVISORCTL = "/usr/bin/supervisorctl";
/** Ours, through its shim, as a user runs it. */
export const OUR_SUPERVISORCTL = join(REPO_ROOT, "bin/supervisorctl");

/**
 * With COMPAT_CTL=real in the environment, "our" supervisorctl is Debian's too: a client
 * differential test must then pass, which shows that its masking and its control of the daemon's
 * state make two runs of the same client compare equal (the tests' self-check).
 */
export const CTL_IS_REAL = process.env["COMPAT_CTL"] === "real";

/** Which supervisorctl runs a command line. */
export type Client = "debian" | "ours";

/** The executable of a client (Debian's for both with COMPAT_CTL=real). */
export function clientPath(client: Client): string {
  return client === "debian" || CTL_IS_REAL ? DEBIAN_SUPERVISORCTL : OUR_SUPERVISORCTL;
}

/** A small, fixed environment: HOME in the test's dir, UTF-8, and the node that runs the tests on PATH (for the shim). */
export function clientEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`, HOME: home, LANG: "C.UTF-8" };
}

/** Run one supervisorctl command line in `dir` (its cwd and HOME); `input` is piped to its stdin. */
export function runClient(client: Client, args: readonly string[], dir: string, input?: string): Promise<Finished> {
  return run(clientPath(client), args, { cwd: dir, env: clientEnv(dir), timeoutMs: 30_000, ...(input === undefined ? {} : { input }) });
}

/**
 * One subtest per daemon, side by side: `session` runs every case against supervisord 4.2.5
 * ("real") or ours and gives each client's transcript; ours must equal Debian's.
 */
export async function againstBothDaemons(
  t: TestContext,
  session: (st: TestContext, which: "real" | "ours") => Promise<Record<Client, string[]>>,
): Promise<void> {
  await Promise.all(
    (["real", "ours"] as const).map((which) => {
      const daemon = which === "real" ? "supervisord 4.2.5" : "our supervisord";
      return t.test(`against ${daemon}`, async (st) => {
        const transcripts = await session(st, which);
        const difference = transcriptDiff(transcripts.debian, transcripts.ours);
        assert.ok(difference === "", `supervisorctl's output differs (- Debian's, + ours) against ${daemon}:\n${difference}`);
      });
    }),
  );
}
