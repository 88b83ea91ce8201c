import { ConfigError, type Where } from "../errors";
import { pyRepr } from "./python-str";

// The `module:attr [extras]` form setuptools' EntryPoint.parse accepts, after "x=".
const ENTRY_POINT = /^\s*x\s*=\s*([\w.]+)\s*(?::\s*([\w.]+))?\s*(\[.*\])?\s*$/su;

/**
 * Resolve a Python entry point named in the config (`result_handler`, an rpcinterface factory)
 * against the few we implement. A malformed spec gets setuptools' own ValueError text; one that
 * names anything else gets supervisord's "cannot be resolved" text.
 */
export function resolveEntryPoint(spec: string, known: ReadonlySet<string>, section: string, where: Where): string {
  const parsed = ENTRY_POINT.exec(`x=${spec}`);
  if (!parsed) {
    throw new ConfigError(
      `(${pyRepr("EntryPoint must be in 'name=module:attrs [extras]' format")}, ${pyRepr(`x=${spec}`)})`,
      where,
    );
  }
  const canonical = parsed[2] === undefined ? parsed[1] ?? "" : `${parsed[1]}:${parsed[2]}`;
  // DIVERGES: supervisord imports any Python object here; we can only offer its own.
  if (parsed[3] !== undefined || !known.has(canonical)) {
    throw new ConfigError(`${spec} cannot be resolved within [${section}]`, where);
  }
  return canonical;
}
