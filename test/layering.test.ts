/**
 * The dependency direction of STYLE.md: a module imports only from modules listed before it (or
 * its own folder), never in a cycle; each third-party package has one door.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, normalize, relative } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "./helpers/repo";

const SRC = join(REPO_ROOT, "src");

/** Rank of each layer; a module may import from lower ranks and from its own folder. */
const RANKS: ReadonlyArray<[RegExp, number, string]> = [
  [/^(states|errors)$|^posix\/|^config\/model$|^protocol\/structs$/, 0, "base"],
  [/^config\//, 1, "config"],
  [/^protocol\//, 1, "protocol"],
  [/^events\//, 2, "events"],
  [/^logging\//, 2, "logging"],
  [/^process\//, 3, "process"],
  [/^supervisor\//, 4, "supervisor"],
  [/^rpc\//, 5, "rpc"],
  [/^web\//, 5, "web"],
  [/^http\//, 6, "http"],
];

/** Third-party packages and the only module (prefix) that may import each. */
const DOORS: Readonly<Record<string, string>> = {
  sax: "protocol/codec",
  xmlrpc: "protocol/codec",
  pino: "logging/daemon-log",
  blessed: "ctl/tui",
  commander: "cli/",
};

function layerOf(mod: string): { rank: number; name: string } {
  for (const [pattern, rank, name] of RANKS) if (pattern.test(mod)) return { rank, name };
  if (mod.startsWith("ctl/")) return { rank: 7, name: "ctl" };
  if (mod.startsWith("cli/")) return { rank: 8, name: "cli" };
  throw new Error(`src/${mod}.ts belongs to no layer of STYLE.md`);
}

function sourceModules(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => file.slice(0, -3));
}

function importsOf(mod: string): string[] {
  const text = readFileSync(join(SRC, `${mod}.ts`), "utf8");
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/g)].map((m) => m[1] ?? "");
  specs.push(...[...text.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1] ?? ""));
  return specs;
}

function resolveLocal(from: string, spec: string): string {
  return normalize(join(dirname(from), spec)).replaceAll("\\", "/");
}

const modules = sourceModules(SRC);
const builtins = new Set(builtinModules);

test("every module imports only from the layers STYLE.md allows", () => {
  const problems: string[] = [];
  for (const mod of modules) {
    const layer = layerOf(mod);
    const folder = dirname(mod);
    for (const spec of importsOf(mod)) {
      if (spec.startsWith("node:") || builtins.has(spec)) continue;
      if (!spec.startsWith(".")) {
        const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0] ?? spec;
        const door = DOORS[pkg];
        if (door === undefined || !mod.startsWith(door)) problems.push(`src/${mod}.ts imports the package ${pkg}`);
        continue;
      }
      const target = resolveLocal(mod, spec);
      if (dirname(target) === folder && folder !== ".") continue;
      const other = layerOf(target);
      const allowed =
        layer.name === "cli" ||
        (layer.name === "ctl"
          ? ["protocol", "config", "base"].includes(other.name) && (other.name !== "base" || /^(states|errors|config\/model|protocol\/structs)$/.test(target))
          : other.rank < layer.rank);
      if (!allowed) problems.push(`src/${mod}.ts (${layer.name}) imports src/${target}.ts (${other.name})`);
    }
  }
  assert.deepEqual(problems, []);
});

test("no import cycle among the modules", () => {
  const graph = new Map(
    modules.map((mod) => [mod, importsOf(mod).filter((s) => s.startsWith(".")).map((s) => resolveLocal(mod, s))]),
  );
  const state = new Map<string, "open" | "done">();
  const cycles: string[] = [];
  const visit = (mod: string, path: string[]): void => {
    if (state.get(mod) === "done") return;
    if (state.get(mod) === "open") {
      cycles.push([...path.slice(path.indexOf(mod)), mod].join(" -> "));
      return;
    }
    state.set(mod, "open");
    for (const next of graph.get(mod) ?? []) visit(next, [...path, mod]);
    state.set(mod, "done");
  };
  for (const mod of modules) visit(mod, []);
  assert.deepEqual(cycles, []);
});

test("supervisord configs are never read with the ini package", () => {
  const users = modules.filter((mod) => importsOf(mod).includes("ini"));
  assert.deepEqual(users, []);
  assert.ok(modules.length > 0, relative(REPO_ROOT, SRC));
});
