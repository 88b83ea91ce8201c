import type { Where } from "../errors";
import { expand, mergeExpansions, type Expansions } from "./expansion";
import type { IniParser } from "./ini-parser";

/** An option's text after expansion, and where it was written (or the section, for a default). */
export interface OptionText {
  value: string;
  where: Where;
}

/**
 * supervisord's `saneget`: an option's value, else the default; expanded with the daemon's ENV_*
 * names plus the caller's names (the caller's win), errors labelled `section.option`.
 */
export class OptionReader {
  /** `environ` is live: `[supervisord] environment=` adds to it for the sections read after it. */
  constructor(
    readonly parser: IniParser,
    readonly environ: Expansions,
    readonly mainFile: string,
  ) {}

  /** Where a section's option is, or where it would be (the section header) when it is absent. */
  where(section: string, option: string): Where {
    const entry = this.parser.get(section, option);
    if (entry !== undefined) return { file: entry.file, line: entry.line, section, option };
    const origin = this.parser.origin(section);
    return origin === undefined
      ? { file: this.mainFile, section, option }
      : { file: origin.file, line: origin.line, section, option };
  }

  /** Where a section starts: for errors about the section as a whole (its name, say). */
  sectionWhere(section: string): Where {
    const origin = this.parser.origin(section);
    return origin === undefined ? { file: this.mainFile, section } : { file: origin.file, line: origin.line, section };
  }

  /** The option's text, or `fallback` when absent; undefined when absent without a fallback. */
  get(
    section: string,
    option: string,
    fallback?: string,
    names?: Expansions,
    doExpand = true,
  ): OptionText | undefined {
    const entry = this.parser.get(section, option);
    const raw = entry?.value ?? fallback;
    if (raw === undefined) return undefined;
    const where = this.where(section, option);
    if (!doExpand || !raw.includes("%")) return { value: raw, where };
    const all = names === undefined ? this.environ : mergeExpansions(this.environ, names);
    return { value: expand(raw, all, `${section}.${option}`, where), where };
  }

  /** The option (or `fallback`) expanded and converted; converter errors point at the option. */
  read<T>(
    section: string,
    option: string,
    fallback: string,
    convert: (raw: string, where: Where) => T,
    names?: Expansions,
  ): T {
    const text = this.get(section, option, fallback, names) ?? { value: fallback, where: this.where(section, option) };
    return convert(text.value, text.where);
  }
}
