/**
 * The web status page in a real browser: a headless Chromium (compat-tests/harness/chromium.ts)
 * loads the page of a daemon with an [inet_http_server], clicks a process's Stop link, and
 * reads the page it is redirected to, as a user would; the process is then checked from
 * outside, over XML-RPC (Python's client) and by its pid.
 *
 * COMPAT_OURS=real runs it against Debian's supervisord 4.2.5 instead of ours: that is how the
 * test itself is checked (it must pass there).
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { program, standardConfig } from "../../test/helpers/daemon";
import { freePort } from "../../test/helpers/free-port";
import { isAlive } from "../../test/helpers/processes";
import { tempDir } from "../../test/helpers/temp-dir";
import { waitFor } from "../../test/helpers/wait-for";
import { startChromium, type BrowserPage } from "../harness/chromium";
import { startLogDaemon, type Implementation } from "../harness/log-daemon";
import { pythonXmlRpc } from "../harness/real-supervisord";

const WHICH: Implementation = process.env.COMPAT_OURS === "real" ? "real" : "ours";

interface Info {
  statename: string;
  pid: number;
}

async function processInfo(serverurl: string, name: string): Promise<Info> {
  const [answer] = await pythonXmlRpc(serverurl, ["supervisor.getProcessInfo", name]);
  if (answer?.result === undefined) throw new Error(`getProcessInfo(${name}) answered ${JSON.stringify(answer)}`);
  return answer.result as Info;
}

/** The table as the browser shows it: [name, state] per row, or [] while no table is there. */
const ROWS = `[...document.querySelectorAll("table tbody tr")].map((tr) => [tr.cells[2].textContent.trim(), tr.cells[0].textContent.trim()])`;
const MESSAGE = `document.querySelector(".status_msg")?.textContent ?? null`;

/** An expression's value, or undefined while the page is between two documents. */
async function inPage<T>(page: BrowserPage, expression: string): Promise<T | undefined> {
  try {
    return await page.evaluate<T>(expression);
  } catch {
    return undefined; // the old document is gone and the new one not ready: the caller polls again
  }
}

test(`in a browser, the status page lists the processes, and its Stop link stops one (${WHICH === "real" ? "supervisord 4.2.5" : "ours"})`, async (t) => {
  const port = await freePort();
  const dir = tempDir(t, "web-");
  writeFileSync(
    join(dir, "supervisord.conf"),
    standardConfig(
      `[inet_http_server]
port = 127.0.0.1:${port}

[program:alpha]
command = ${program("forever")}
startsecs = 0

[program:beta]
command = ${program("forever")}
startsecs = 0
stopwaitsecs = 5
`,
      { loglevel: "info" },
    ),
  );
  await startLogDaemon(t, WHICH, dir);
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await processInfo(base, "alpha")).statename === "RUNNING" && (await processInfo(base, "beta")).statename === "RUNNING", {
    what: "alpha and beta to run",
  });
  const betaPid = (await processInfo(base, "beta")).pid;

  const page = await (await startChromium(t)).newPage();
  await page.navigate(`${base}/`);
  assert.equal(await page.evaluate("document.title"), "Supervisor Status");
  assert.deepEqual(await page.evaluate(ROWS), [
    ["alpha", "running"],
    ["beta", "running"],
  ]);

  const clicked = await page.evaluate<boolean>(`(() => {
    const stop = [...document.querySelectorAll("table tbody tr")].find((tr) => tr.cells[2].textContent.trim() === "beta")
      ?.querySelector('a[name="Stop"]');
    stop?.click();
    return stop !== undefined;
  })()`);
  assert.ok(clicked, "beta's row has a Stop link");
  await waitFor(async () => (await inPage<string | null>(page, MESSAGE)) === "Process beta stopped", { what: "the page after the redirect" });
  assert.equal(await page.evaluate("location.href"), `${base}/?message=Process%20beta%20stopped`);
  assert.deepEqual(await page.evaluate(ROWS), [
    ["alpha", "running"],
    ["beta", "stopped"],
  ]);

  assert.equal((await processInfo(base, "beta")).statename, "STOPPED");
  assert.equal((await processInfo(base, "alpha")).statename, "RUNNING");
  assert.ok(!isAlive(betaPid), `beta's process ${betaPid} is gone`);
});
