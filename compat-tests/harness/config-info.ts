import { isAuto, type LogFile, type SupervisordConfig } from "../../src/config/model";
import { pyAbspath, pyJoin } from "../../src/posix/python-path";
import { compareCodePoints } from "../../src/config/python-str";
import { processConfigInfo } from "../../src/rpc/process-config-info";

/** The random part of an AUTO log name (mkstemp), masked on both sides of a comparison. */
export const AUTO_MASK = "XXXXXXXX";

/** Mask what differs from run to run in a getAllConfigInfo entry of the real supervisord. */
export function maskConfigInfo(entry: Record<string, unknown>): Record<string, unknown> {
  const out = { ...entry };
  for (const key of ["stdout_logfile", "stderr_logfile"]) {
    const value = out[key];
    if (typeof value === "string" && value.includes("---")) out[key] = value.replace(/[a-z0-9_]{8}\.log$/, `${AUTO_MASK}.log`);
  }
  return out;
}

/**
 * getAllConfigInfo as supervisord 4.2.5 answers it right after start-up, built from our model
 * with the daemon's own entry builder (no daemon needed to compare hundreds of configs): AUTO
 * files named as the daemon names them, their random part masked.
 */
export function configInfoFromModel(config: SupervisordConfig): Record<string, unknown>[] | { fault: { faultCode: number; faultString: string } } {
  if (!config.rpcinterfaces.some((rpc) => rpc.name === "supervisor")) {
    return { fault: { faultCode: 1, faultString: "UNKNOWN_METHOD" } }; // only system.* is served
  }
  const logfile = (file: LogFile, name: string, channel: string): string => {
    if (file === null) return "none";
    if (isAuto(file)) return pyAbspath(pyJoin(config.childlogdir, `${name}-${channel}---${config.identifier}-${AUTO_MASK}.log`));
    return file;
  };
  const entries = config.groups.flatMap((group) =>
    group.processes.map((p) => processConfigInfo(group, p, true, (file, channel) => logfile(file, p.name, channel))),
  );
  // Sorted by name only, and stably, as supervisord sorts it.
  return entries.sort((a, b) => compareCodePoints(String(a["name"]), String(b["name"])));
}
