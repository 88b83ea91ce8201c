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

/**
 * Names from a base map overridden by more names, as Python's dict(a + b) would hold them. Looked
 * up through the chain; the merged order is only built when something iterates (an error text).
 */
export function mergeExpansions(...maps: Expansions[]): Expansions {
  return new ExpansionChain(maps);
}

class ExpansionChain implements ReadonlyMap<string, FormatValue> {
  #merged: Map<string, FormatValue> | undefined;

  constructor(readonly maps: readonly Expansions[]) {}

  get(key: string): FormatValue | undefined {
    for (let i = this.maps.length - 1; i >= 0; i--) {
      const value = this.maps[i]?.get(key);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  get size(): number {
    return this.#materialize().size;
  }

  forEach(fn: (value: FormatValue, key: string, map: ReadonlyMap<string, FormatValue>) => void): void {
    this.#materialize().forEach((value, key) => fn(value, key, this));
  }

  entries(): MapIterator<[string, FormatValue]> {
    return this.#materialize().entries();
  }

  keys(): MapIterator<string> {
    return this.#materialize().keys();
  }

  values(): MapIterator<FormatValue> {
    return this.#materialize().values();
  }

  [Symbol.iterator](): MapIterator<[string, FormatValue]> {
    return this.entries();
  }

  #materialize(): Map<string, FormatValue> {
    if (this.#merged === undefined) {
      this.#merged = new Map();
      for (const map of this.maps) for (const [key, value] of map) this.#merged.set(key, value);
    }
    return this.#merged;
  }
}
