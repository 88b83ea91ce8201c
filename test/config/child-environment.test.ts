import assert from "node:assert/strict";
import { test } from "node:test";
import { childEnvironment, commandSearchPath } from "../../src/config/child-environment";
import { processConfig } from "../helpers/process-config";

const proc = (overrides: Parameters<typeof processConfig>[1] = {}) => processConfig("worker_00", { command: "/bin/cat", ...overrides });


test("a child gets supervisord's environment plus SUPERVISOR_ENABLED, the server URL and its names", () => {
  const env = childEnvironment({ HOME: "/root", PATH: "/usr/bin" }, "unix:///run/s.sock", "workers", proc());
  assert.deepEqual(env, {
    HOME: "/root",
    PATH: "/usr/bin",
    SUPERVISOR_ENABLED: "1",
    SUPERVISOR_SERVER_URL: "unix:///run/s.sock",
    SUPERVISOR_PROCESS_NAME: "worker_00",
    SUPERVISOR_GROUP_NAME: "workers",
  });
});

test("the program's serverurl wins; without any server there is no SUPERVISOR_SERVER_URL", () => {
  assert.equal(childEnvironment({}, "unix:///a", "g", proc({ serverurl: "http://h:1" }))["SUPERVISOR_SERVER_URL"], "http://h:1");
  assert.equal(Object.hasOwn(childEnvironment({}, null, "g", proc()), "SUPERVISOR_SERVER_URL"), false);
});

test("the configured environment overrides everything, SUPERVISOR_* included (config.md §7)", () => {
  const env = childEnvironment({ HOME: "/root" }, null, "g", proc({ environment: { HOME: "/srv", SUPERVISOR_ENABLED: "fromglobal" } }));
  assert.equal(env["HOME"], "/srv");
  assert.equal(env["SUPERVISOR_ENABLED"], "fromglobal");
});

test("commands are searched along the program's PATH, else supervisord's, else a default", () => {
  assert.deepEqual(commandSearchPath({ PATH: "/usr/bin:/bin" }, proc({ environment: { PATH: "/opt/app/bin" } })), ["/opt/app/bin"]);
  assert.deepEqual(commandSearchPath({ PATH: "/usr/bin:/bin" }, proc({ environment: { PATH: "" } })), [""]);
  assert.deepEqual(commandSearchPath({ PATH: "/usr/bin:/bin" }, proc()), ["/usr/bin", "/bin"]);
  assert.deepEqual(commandSearchPath({ PATH: "" }, proc()), ["/bin", "/usr/bin", "/usr/local/bin"]);
  assert.deepEqual(commandSearchPath({}, proc()), ["/bin", "/usr/bin", "/usr/local/bin"]);
});
