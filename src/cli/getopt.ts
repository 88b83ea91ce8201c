import { UsageError } from "./usage-error";
/**
 * Python 3.11's `getopt.getopt(args, shortopts, longopts)`, which supervisord and supervisorctl
 * parse their command lines with (spec: config.md, command line). Reproduced rather than
 * delegated to an option library because its rules are not GNU's: option processing stops at
 * the first non-option, long options may be cut to any unique prefix, and the error texts are
 * what the user sees after `Error: `.
 */

/** Python's getopt.GetoptError: `message` is its text, `opt` the option it is about (no dashes). */
export class GetoptError extends Error {
  constructor(message: string, readonly opt: string) {
    super(message);
    this.name = "GetoptError";
  }
}

/**
 * Python getopt.getopt: returns [[option as typed in canonical form e.g. "-c" or
 * "--configuration", value ("" for flags)], ...] and the remaining positional args.
 *
 * `shortopts` is Unix getopt's letters, `:` after those that take a value; `longopts` are names
 * without dashes, `=` after those that take a value.
 */
export function getopt(
  args: readonly string[],
  shortopts: string,
  longopts: readonly string[],
): { options: Array<[string, string]>; args: string[] } {
  const options: Array<[string, string]> = [];
  let rest = args.slice();
  // A lone "-" is an operand (stdin by convention), so it ends option processing like any other.
  while (rest[0] !== undefined && rest[0].startsWith("-") && rest[0] !== "-") {
    const arg = rest[0];
    rest = rest.slice(1);
    if (arg === "--") break;
    rest = arg.startsWith("--")
      ? takeLong(options, arg.slice(2), longopts, rest)
      : takeShorts(options, arg.slice(1), shortopts, rest);
  }
  return { options, args: rest };
}

/** One `--name` or `--name=value`; returns the arguments left after any value it consumed. */
function takeLong(
  options: Array<[string, string]>,
  text: string,
  longopts: readonly string[],
  rest: string[],
): string[] {
  const eq = text.indexOf("=");
  const typed = eq < 0 ? text : text.slice(0, eq);
  let value = eq < 0 ? undefined : text.slice(eq + 1);
  const [takesValue, name] = resolveLong(typed, longopts);
  if (takesValue) {
    if (value === undefined) {
      if (rest.length === 0) throw new GetoptError(`option --${name} requires argument`, name);
      value = rest[0] ?? "";
      rest = rest.slice(1);
    }
  } else if (value !== undefined) {
    throw new GetoptError(`option --${name} must not have an argument`, name);
  }
  options.push([`--${name}`, value ?? ""]);
  return rest;
}

/** [takes a value, full name] for a long option typed as `typed` (any unique prefix). */
function resolveLong(typed: string, longopts: readonly string[]): [boolean, string] {
  const candidates = longopts.filter((o) => o.startsWith(typed));
  if (candidates.length === 0) throw new GetoptError(`option --${typed} not recognized`, typed);
  // An exact name wins over longer names it is a prefix of; the flag form is checked first.
  if (candidates.includes(typed)) return [false, typed];
  if (candidates.includes(`${typed}=`)) return [true, typed];
  const only = candidates[0];
  if (candidates.length > 1 || only === undefined) {
    // Python reports the prefix as typed; the names it could have meant go unmentioned.
    throw new GetoptError(`option --${typed} not a unique prefix`, typed);
  }
  return only.endsWith("=") ? [true, only.slice(0, -1)] : [false, only];
}

/**
 * A cluster like `-abc` or `-cfile`: letters until one takes a value, which is the rest of the
 * cluster or else the next argument, whatever it looks like.
 */
function takeShorts(
  options: Array<[string, string]>,
  cluster: string,
  shortopts: string,
  rest: string[],
): string[] {
  // Python indexes strings by code point.
  const letters = Array.from(cluster);
  for (let i = 0; i < letters.length; i++) {
    const letter = letters[i] ?? "";
    if (!shortTakesValue(letter, shortopts)) {
      options.push([`-${letter}`, ""]);
      continue;
    }
    let value = letters.slice(i + 1).join("");
    if (value === "") {
      if (rest.length === 0) throw new GetoptError(`option -${letter} requires argument`, letter);
      value = rest[0] ?? "";
      rest = rest.slice(1);
    }
    options.push([`-${letter}`, value]);
    break;
  }
  return rest;
}

function shortTakesValue(letter: string, shortopts: string): boolean {
  const spec = Array.from(shortopts);
  // ":" marks a value and is never an option letter itself; the first mention of a letter counts.
  const at = letter === ":" ? -1 : spec.indexOf(letter);
  if (at < 0) throw new GetoptError(`option -${letter} not recognized`, letter);
  return spec[at + 1] === ":";
}

/** getopt for a program's own command line: a bad option is a usage error (exit 2, "Error: ..."). */
export function getoptOrUsageError(argv: readonly string[], shortopts: string, longopts: readonly string[]): ReturnType<typeof getopt> {
  try {
    return getopt(argv, shortopts, longopts);
  } catch (err) {
    if (err instanceof GetoptError) throw new UsageError(err.message);
    throw err;
  }
}
