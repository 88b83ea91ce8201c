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
 * supervisord's usage() text (config.md §3): `Error: TEXT` and `For help, use PROG -h`.
 * DIVERGES: when we know the file and line, one more line says where, right under the message
 * (supervisord's own text is left as it is).
 */
export function formatUsageError(err: UsageError, progname: string): string {
  const lines = [`Error: ${err.text}`];
  if (err.location !== undefined) lines.push(`  at ${err.location}`);
  lines.push(`For help, use ${progname} -h`);
  return `${lines.join("\n")}\n`;
}

/** Print the usage error on stderr; the exit status it calls for. */
export function printUsageError(err: UsageError, progname: string): 2 {
  process.stderr.write(formatUsageError(err, progname));
  return 2;
}

/** Print the usage error on stderr and exit 2 at once. */
export function reportUsageError(err: UsageError, progname: string): never {
  printUsageError(err, progname);
  process.exit(2);
}
