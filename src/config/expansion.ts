import { ConfigError, type Where } from "../errors";
import { FormatError, FormatKeyError, percentFormat, type FormatValue } from "./percent-format";
import { compareCodePoints, pyRepr } from "./python-str";

/** The names a `%(name)s` may use, in the order Python's dict would hold them. */
export type Expansions = ReadonlyMap<string, FormatValue>;

/**
 * supervisord's expand(): `text % names`, with its two error texts (config.md §4). `label` is
 * what the message calls the option (`program:x.command`, `environment`, ...).
 */
export function expand(text: string, names: Expansions, label: string, where: Where): string {
  if (!text.includes("%")) return text; // nothing to format; Python's % with a dict returns it as is
  try {
    return percentFormat(text, names);
  } catch (err) {
    if (err instanceof FormatKeyError) {
      const available = [...names.keys()].sort(compareCodePoints).join(", ");
      throw new ConfigError(
        `Format string ${pyRepr(text)} for ${pyRepr(label)} contains names (${pyRepr(err.key)}) which cannot be expanded. Available names: ${available}`,
        where,
      );
    }
    if (err instanceof FormatError) {
      throw new ConfigError(
        `Format string ${pyRepr(text)} for ${pyRepr(label)} is badly formatted: ${err.message}`,
        where,
      );
    }
    throw err;
  }
}

/** Names from a base map overridden by more names, keeping Python's dict(a + b) order. */
export function mergeExpansions(...maps: Expansions[]): Map<string, FormatValue> {
  const merged = new Map<string, FormatValue>();
  for (const map of maps) for (const [key, value] of map) merged.set(key, value);
  return merged;
}
