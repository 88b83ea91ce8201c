import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import type { TestContext } from "node:test";
import { exited, isAlive } from "../../test/helpers/processes";

/** Debian's package (`apt-get install chromium`; .ci/run installs it). */
export const CHROMIUM = "/usr/bin/chromium";

/** A browser tab. */
export interface BrowserPage {
  /** Load a URL and wait for its load event. */
  navigate(url: string): Promise<void>;
  /** The value of a JavaScript expression in the page (awaited if it is a promise). */
  evaluate<T>(expression: string): Promise<T>;
}

export interface Browser {
  newPage(): Promise<BrowserPage>;
}

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  sessionId?: string;
  result?: Record<string, unknown>;
  error?: { message: string };
}

/**
 * A headless Chromium driven through its DevTools protocol over a pipe
 * (`--remote-debugging-pipe`: it reads commands on fd 3 and writes answers and events on fd 4,
 * each a JSON text ended by a NUL byte), so no WebSocket client is needed. Its profile is a
 * fresh temp dir. Cleanup is registered at once: its whole process group (the browser forks
 * helpers) is killed and the profile removed.
 */
export async function startChromium(t: TestContext): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "chromium-"));
  const args = [
    "--headless",
    "--no-sandbox", // tests may run as root, where the sandbox refuses to start
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--remote-debugging-pipe",
    `--user-data-dir=${profile}`,
    "about:blank",
  ];
  // detached: the browser leads a process group of its own, which cleanup kills whole.
  const child = spawn(CHROMIUM, args, { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"], detached: true });
  const pid = child.pid;
  if (pid === undefined) {
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`could not start ${CHROMIUM}`);
  }
  const commands = child.stdio[3] as Writable;
  const answers = child.stdio[4] as Readable;
  commands.on("error", () => {
    // EPIPE once the browser is gone: every command still waiting is rejected when it exits.
  });
  const done = exited(child);
  const killGroup = (): void => {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // ESRCH: nothing of the group is left
    }
  };
  t.after(async () => {
    if (isAlive(pid)) {
      // Asked to close, the browser ends its helpers and reaps them itself; killed, it would
      // leave them to init as zombies. SIGKILL for the whole group if it takes too long.
      const killer = setTimeout(killGroup, 5000);
      commands.write(`${JSON.stringify({ id: 0, method: "Browser.close" })}\0`);
      await done;
      clearTimeout(killer);
    }
    killGroup();
    rmSync(profile, { recursive: true, force: true });
  });

  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr = (stderr + d).slice(-4000)));
  const pending = new Map<number, { resolve: (result: Record<string, unknown>) => void; reject: (err: Error) => void }>();
  const listeners = new Set<(message: Message) => void>();
  let nextId = 1;
  let buffered = "";
  answers.setEncoding("utf8").on("data", (chunk: string) => {
    buffered += chunk;
    for (let end = buffered.indexOf("\0"); end >= 0; end = buffered.indexOf("\0")) {
      const message = JSON.parse(buffered.slice(0, end)) as Message;
      buffered = buffered.slice(end + 1);
      const waiter = message.id === undefined ? undefined : pending.get(message.id);
      if (waiter !== undefined && message.id !== undefined) {
        pending.delete(message.id);
        if (message.error !== undefined) waiter.reject(new Error(`DevTools: ${message.error.message}`));
        else waiter.resolve(message.result ?? {});
      }
      for (const listener of listeners) listener(message);
    }
  });
  void done.then((status) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`chromium exited (${status}); its stderr ends:\n${stderr}`));
    pending.clear();
  });

  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      commands.write(`${JSON.stringify({ id, method, params, ...(sessionId === undefined ? {} : { sessionId }) })}\0`);
    });

  /** Resolves at the next event `method` of a session. */
  const nextEvent = (method: string, sessionId: string): Promise<void> =>
    new Promise((resolve) => {
      const listener = (message: Message): void => {
        if (message.method !== method || message.sessionId !== sessionId) return;
        listeners.delete(listener);
        resolve();
      };
      listeners.add(listener);
    });

  return {
    async newPage(): Promise<BrowserPage> {
      const { targetId } = await send("Target.createTarget", { url: "about:blank" });
      const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
      if (typeof sessionId !== "string") throw new Error("DevTools: Target.attachToTarget gave no session");
      await send("Page.enable", {}, sessionId);
      return {
        async navigate(url: string): Promise<void> {
          const loaded = nextEvent("Page.loadEventFired", sessionId);
          const { errorText } = await send("Page.navigate", { url }, sessionId);
          if (typeof errorText === "string") throw new Error(`could not load ${url}: ${errorText}`);
          await loaded;
        },
        async evaluate<T>(expression: string): Promise<T> {
          const { result, exceptionDetails } = await send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true }, sessionId);
          if (exceptionDetails !== undefined) throw new Error(`${expression} threw: ${JSON.stringify(exceptionDetails)}`);
          return (result as { value: T }).value;
        },
      };
    },
  };
}
