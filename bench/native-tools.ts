/**
 * The benchmarks' helper programs (bench/native/*.c), compiled with `cc -O2` into a temporary
 * directory when a benchmark starts: a writer or a stamp in C costs the daemon's measure
 * nothing (the line writer alone makes about 6 GB/s into /dev/null, a Node writer would itself
 * be the bottleneck).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** bench/native/ in the source tree: dist/bench/native-tools.js sits two levels below the root. */
const SOURCES = join(__dirname, "..", "..", "bench", "native");

export class NativeTools {
  readonly #dir: string;

  private constructor(dir: string) {
    this.#dir = dir;
  }

  /** Compile each named program (line-writer, line-check, respawn-stamp). */
  static compile(names: readonly string[]): NativeTools {
    const dir = mkdtempSync(join(tmpdir(), "bench-native-"));
    try {
      for (const name of names) {
        execFileSync("cc", ["-O2", "-Wall", "-Wextra", "-o", join(dir, name), join(SOURCES, `${name}.c`)], { stdio: "inherit" });
      }
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    return new NativeTools(dir);
  }

  path(name: string): string {
    return join(this.#dir, name);
  }

  remove(): void {
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
