import type { ProcessConfig } from "./model";

/**
 * The environment a process starts with (config.md §7): supervisord's own, then the
 * SUPERVISOR_* variables, then `[supervisord] environment` and the program's `environment`
 * (already merged in the config), which may override even the SUPERVISOR_* ones.
 * `serverurl` is the daemon-wide fallback URL (SupervisordConfig.serverurl).
 */
export function childEnvironment(
  daemonEnv: NodeJS.ProcessEnv,
  serverurl: string | null,
  groupName: string,
  proc: ProcessConfig,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(daemonEnv)) if (value !== undefined) env[key] = value;
  env["SUPERVISOR_ENABLED"] = "1";
  const url = proc.serverurl ?? serverurl;
  if (url) env["SUPERVISOR_SERVER_URL"] = url;
  env["SUPERVISOR_PROCESS_NAME"] = proc.name;
  env["SUPERVISOR_GROUP_NAME"] = groupName;
  return Object.assign(env, proc.environment);
}

/**
 * The directories searched for a command without a slash: the program's PATH when its
 * environment sets one (even empty), else supervisord's, else /bin:/usr/bin:/usr/local/bin.
 */
export function commandSearchPath(daemonEnv: NodeJS.ProcessEnv, proc: ProcessConfig): string[] {
  if (Object.hasOwn(proc.environment, "PATH")) return (proc.environment["PATH"] ?? "").split(":");
  const path = daemonEnv["PATH"];
  return path ? path.split(":") : ["/bin", "/usr/bin", "/usr/local/bin"];
}
