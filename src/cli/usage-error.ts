import { ConfigError } from "../errors";

/** A command-line or config problem: supervisord prints it as a usage error and exits 2. */
export class UsageError extends Error {
  constructor(readonly text: string, readonly location?: string) {
    super(text);
    this.name = new.target.name;
  }

  static fromConfig(err: ConfigError): UsageError {
    return new UsageError(err.text, err.location());
  }
}

/**
 * supervisord's usage() (config.md §3): `Error: TEXT` and `For help, use PROG -h` on stderr,
 * status 2. DIVERGES: when we know the file and line, one more line says where, right under
 * the message (supervisord's own text is left as it is).
 */
export function reportUsageError(err: UsageError, progname: string): never {
  const lines = [`Error: ${err.text}`];
  if (err.location !== undefined) lines.push(`  at ${err.location}`);
  lines.push(`For help, use ${progname} -h`);
  process.stderr.write(`${lines.join("\n")}\n`);
  process.exit(2);
}
