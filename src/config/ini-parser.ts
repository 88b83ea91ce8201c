import { ConfigError } from "../errors";
import { isPySpace, pyRepr, pyRstrip, pyStrip } from "./python-str";

/** One option's value and the place its (last) definition starts. */
export interface IniEntry {
  value: string;
  file: string;
  line: number;
}

/** Where a section was first opened: its file decides the `(file: ...)` of supervisord's messages. */
export interface SectionOrigin {
  file: string;
  line: number;
}

const DEFAULT_SECTION = "DEFAULT";
const HERE = "%(here)s";
const INLINE_COMMENT_PREFIXES = [";", "#"] as const;
const SECTION_HEADER = /^\[(.+)\]/s;

/**
 * The INI dialect supervisord 4.2.5 reads: Python 3.11's RawConfigParser with `=`/`:` delimiters,
 * `#`/`;` full-line and inline comments, strict=False (re-opened sections merge, a repeated option
 * keeps the last value), empty lines kept inside multi-line values, lower-cased option names and
 * case-sensitive section names, no interpolation (config.md §2). It also remembers where every
 * value came from, which RawConfigParser does not, so that errors can name the line.
 */
export class IniParser {
  readonly #defaults = new Map<string, IniEntry>();
  readonly #sections = new Map<string, Map<string, IniEntry>>();
  readonly #origins = new Map<string, SectionOrigin>();
  /** Sections given values since the last expandHere: only their values can hold a new `%(here)s`. */
  readonly #touched = new Set<Map<string, IniEntry>>();

  /**
   * Parse one file's text. `fpname` is the name Python's messages show (the `-c` path for the
   * main file, the glob result for an included one). Throws ConfigError with Python's texts.
   */
  read(text: string, fpname: string): void {
    // Values set by this file, as lists of lines; joined at the end of the file as Python does.
    const pending = new Map<Map<string, IniEntry>, Map<string, { lines: string[]; line: number }>>();
    let target: Map<string, IniEntry> | undefined;
    let open: { lines: string[] } | undefined; // the option continuation lines append to
    let indentLevel = 0;
    const errors: Array<[number, string]> = [];

    splitLines(text).forEach((line, index) => {
      const lineno = index + 1;
      const commentStart = findCommentStart(line);
      const value = pyStrip(commentStart === undefined ? line : line.slice(0, commentStart));
      if (value === "") {
        // A blank line belongs to an open multi-line value; a comment-only line is skipped.
        if (commentStart === undefined) open?.lines.push("");
        return;
      }
      const indent = firstNonSpace(line);
      if (open !== undefined && indent > indentLevel) {
        open.lines.push(value);
        return;
      }
      indentLevel = indent;
      const header = SECTION_HEADER.exec(value);
      if (header) {
        const name = header[1] ?? "";
        target = this.#open(name, { file: fpname, line: lineno });
        open = undefined;
        return;
      }
      if (target === undefined) {
        throw new ConfigError(
          `File contains no section headers.\nfile: ${pyRepr(fpname)}, line: ${lineno}\n${pyRepr(line)}`,
          { file: fpname, line: lineno },
        );
      }
      // Python's `(?P<option>.*?)\s*(?P<vi>[=:])\s*(?P<value>.*)$`: the name is what comes before
      // the first delimiter, the value what follows it, each stripped below.
      const equals = value.indexOf("=");
      const colon = value.indexOf(":");
      const delimiter = equals < 0 ? colon : colon < 0 ? equals : Math.min(equals, colon);
      if (delimiter < 0) {
        errors.push([lineno, line]);
        return; // the open option stays open, as in Python
      }
      const key = pyRstrip(value.slice(0, delimiter)).toLowerCase();
      if (key === "") errors.push([lineno, line]);
      let values = pending.get(target);
      if (values === undefined) {
        values = new Map();
        pending.set(target, values);
      }
      const lines = [pyStrip(value.slice(delimiter + 1))];
      values.set(key, { lines, line: lineno });
      open = key === "" ? undefined : { lines }; // an empty name is falsy to Python: never continued
      // Claims the key's position now: a dict keeps a key where it was first inserted.
      target.set(key, { value: "", file: fpname, line: lineno });
    });

    for (const [section, values] of pending) {
      if (section !== this.#defaults) this.#touched.add(section);
      for (const [key, { lines, line }] of values) {
        section.set(key, { value: pyRstrip(lines.join("\n")), file: fpname, line });
      }
    }
    const first = errors[0];
    if (first !== undefined) {
      const listed = errors.map(([n, l]) => `\n\t[line ${String(n).padStart(2)}]: ${pyRepr(l)}`).join("");
      throw new ConfigError(`Source contains parsing errors: ${pyRepr(fpname)}${listed}`, {
        file: fpname,
        line: first[0],
      });
    }
  }

  #open(name: string, origin: SectionOrigin): Map<string, IniEntry> {
    if (name === DEFAULT_SECTION) return this.#defaults;
    let section = this.#sections.get(name);
    if (section === undefined) {
      section = new Map();
      this.#sections.set(name, section);
      this.#origins.set(name, origin);
    }
    return section;
  }

  /** Section names in the order they were first seen (DEFAULT is not a section). */
  sections(): string[] {
    return [...this.#sections.keys()];
  }

  hasSection(section: string): boolean {
    return this.#sections.has(section);
  }

  /** The option's entry from the section, else from DEFAULT (RawConfigParser.get without vars). */
  get(section: string, option: string): IniEntry | undefined {
    return this.#sections.get(section)?.get(option) ?? this.#defaults.get(option);
  }

  /** Option names: the section's own first, then DEFAULT's (RawConfigParser.options). */
  options(section: string): string[] {
    const own = this.#sections.get(section);
    const names = new Set(own?.keys() ?? []);
    for (const key of this.#defaults.keys()) names.add(key);
    return [...names];
  }

  /**
   * supervisord's expand_here: every `%(here)s` in every section's values (DEFAULT's included,
   * which are then copied into the section) replaced by `here`, textually.
   */
  expandHere(here: string): void {
    const defaultsHaveHere = [...this.#defaults.values()].some((entry) => entry.value.includes(HERE));
    const sections = defaultsHaveHere ? [...this.#sections.values()] : [...this.#touched];
    this.#touched.clear();
    for (const section of sections) {
      for (const [key, entry] of section) {
        if (entry.value.includes(HERE)) section.set(key, { ...entry, value: entry.value.replaceAll(HERE, here) });
      }
      for (const [key, entry] of this.#defaults) {
        if (!section.has(key) && entry.value.includes(HERE)) {
          section.set(key, { ...entry, value: entry.value.replaceAll(HERE, here) });
        }
      }
    }
  }

  set(section: string, option: string, entry: IniEntry): void {
    const target = section === DEFAULT_SECTION ? this.#defaults : this.#sections.get(section);
    if (target === undefined) throw new Error(`no section ${section}`);
    target.set(option, entry);
  }

  /** The file and header line that first created the section. */
  origin(section: string): SectionOrigin | undefined {
    return this.#origins.get(section);
  }
}

/** Lines as Python's text-mode file iteration yields them: universal newlines, each ending in "\n". */
export function splitLines(text: string): string[] {
  const normalized = text.replace(/\r\n?/g, "\n");
  const lines = normalized.split("\n").map((l) => `${l}\n`);
  const last = lines.pop();
  if (last !== undefined && last !== "\n") lines.push(last.slice(0, -1));
  return lines;
}

/**
 * Python's inline-comment scan: round by round, the next occurrence of each prefix; a prefix
 * counts when it is at column 0 or follows whitespace; the scan stops at the first round that
 * found any, taking the smallest index of that round (so `a=x#y ;z #w` keeps `x#y`). A line whose
 * stripped text starts with a prefix is a comment as a whole.
 */
function findCommentStart(line: string): number | undefined {
  if (!line.includes("#") && !line.includes(";")) return undefined; // most lines: nothing to scan
  let found: number | undefined;
  let searching = new Map<string, number>(INLINE_COMMENT_PREFIXES.map((p) => [p, -1]));
  while (found === undefined && searching.size > 0) {
    const next = new Map<string, number>();
    for (const [prefix, from] of searching) {
      const index = line.indexOf(prefix, from + 1);
      if (index === -1) continue;
      next.set(prefix, index);
      if (index === 0 || isPySpace(line[index - 1] ?? "")) {
        found = found === undefined ? index : Math.min(found, index);
      }
    }
    searching = next;
  }
  const stripped = pyStrip(line);
  if (stripped.startsWith("#") || stripped.startsWith(";")) return 0;
  return found;
}

function firstNonSpace(line: string): number {
  for (let index = 0; index < line.length; index++) {
    // A surrogate is never a space: the index of an astral character is where it starts.
    if (!isPySpace(line.charAt(index))) return index;
  }
  return 0;
}
