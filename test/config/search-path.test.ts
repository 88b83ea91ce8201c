import assert from "node:assert/strict";
import { test } from "node:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { configSearchPaths, findConfigFile } from "../../src/config/search-path";
import { tempDir } from "../helpers/temp-dir";

test("supervisord's six places come first, relative to two levels above the program", () => {
  assert.deepEqual(configSearchPaths("/usr/bin/supervisord", { HOME: "/home/ann" }), [
    "/usr/etc/supervisord.conf",
    "/usr/supervisord.conf",
    "supervisord.conf",
    "etc/supervisord.conf",
    "/etc/supervisord.conf",
    "/etc/supervisor/supervisord.conf",
    "/home/ann/.config/supervisord-ts/supervisord.conf",
  ]);
});

test("the per-user place follows XDG_CONFIG_HOME; a bare program name gives relative places", () => {
  const paths = configSearchPaths("supervisord", { HOME: "/home/ann", XDG_CONFIG_HOME: "/cfg" });
  assert.deepEqual(paths.slice(0, 2), ["etc/supervisord.conf", "supervisord.conf"]);
  assert.equal(paths.at(-1), "/cfg/supervisord-ts/supervisord.conf");
});

test("the first place that exists wins", (t) => {
  const dir = tempDir(t);
  const home = join(dir, "home");
  mkdirSync(join(home, ".config", "supervisord-ts"), { recursive: true });
  const perUser = join(home, ".config", "supervisord-ts", "supervisord.conf");
  writeFileSync(perUser, "[supervisord]\n");
  const paths = configSearchPaths(join(dir, "bin", "supervisord"), { HOME: home });
  assert.equal(findConfigFile([paths[0] ?? "", paths[1] ?? "", perUser]), perUser);
  writeFileSync(join(dir, "supervisord.conf"), "[supervisord]\n");
  assert.equal(findConfigFile([paths[0] ?? "", paths[1] ?? "", perUser]), join(dir, "supervisord.conf"));
});
