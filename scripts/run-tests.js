#!/usr/bin/env node
// `npm test`: every compiled *.test.js under dist/test and dist/compat-tests, through node --test.
// (Given a directory, node --test would also run every .js under a folder named "test":
// helpers and fixture programs included.)
"use strict";
const { readdirSync } = require("node:fs");
const { join } = require("node:path");
const { spawnSync } = require("node:child_process");

const root = join(__dirname, "..");
const files = ["dist/test", "dist/compat-tests"].flatMap((dir) =>
  readdirSync(join(root, dir), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".test.js"))
    .map((file) => join(dir, file)),
);
const args = ["--test", "--test-concurrency=2", ...process.argv.slice(2), ...files.sort()];
const result = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
process.exit(result.status ?? 1);
