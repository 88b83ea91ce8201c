/**
 * Errors the core raises. `code` is supervisord's fault name; the one boundary that turns these
 * into XML-RPC faults is protocol/faults.ts. Nothing here knows about the wire.
 */
export type ErrorCode =
  | "UNKNOWN_METHOD"
  | "INCORRECT_PARAMETERS"
  | "BAD_ARGUMENTS"
  | "SIGNATURE_UNSUPPORTED"
  | "SHUTDOWN_STATE"
  | "BAD_NAME"
  | "BAD_SIGNAL"
  | "NO_FILE"
  | "NOT_EXECUTABLE"
  | "FAILED"
  | "ABNORMAL_TERMINATION"
  | "SPAWN_ERROR"
  | "ALREADY_STARTED"
  | "NOT_RUNNING"
  | "ALREADY_ADDED"
  | "STILL_RUNNING"
  | "CANT_REREAD";

export class SupervisorError extends Error {
  constructor(readonly code: ErrorCode, detail?: string) {
    super(detail === undefined ? code : `${code}: ${detail}`); // the faultString: "BAD_NAME: web"
    this.name = new.target.name;
  }
}

/** Where a configuration value came from. Absent parts are unknown (e.g. a file-level error). */
export interface Where {
  file: string;
  line?: number;
  section?: string;
  option?: string;
}

/**
 * A configuration file that supervisord 4.2.5 would refuse. `text` is supervisord's own message,
 * character for character (what follows `Error: ` on its stderr); `where` points at the file,
 * line, section and option, so that we can say more than supervisord does without changing its words.
 */
export class ConfigError extends SupervisorError {
  constructor(readonly text: string, readonly where?: Where) {
    super("CANT_REREAD", text);
  }

  /** The same error with supervisord's text replaced (callers that wrap a converter's message). */
  withText(text: string): ConfigError {
    return new ConfigError(text, this.where);
  }

  /** Run `convert`; a ConfigError it throws gets `text` instead of its own (same place). */
  static reworded<T>(text: string, convert: () => T): T {
    try {
      return convert();
    } catch (err) {
      if (err instanceof ConfigError) throw err.withText(text);
      throw err;
    }
  }

  /**
   * `FILE:LINE: [section] option`, for the line we print under supervisord's message; undefined
   * when we do not know the line or supervisord's text already lists the lines (INI syntax errors).
   */
  location(): string | undefined {
    const where = this.where;
    if (where?.line === undefined || /^(Source contains parsing errors|File contains no section headers)/.test(this.text)) {
      return undefined;
    }
    const section = where.section === undefined ? "" : ` [${where.section}]`;
    const option = where.option === undefined ? "" : ` ${where.option}`;
    return `${where.file}:${where.line}:${section}${option}`;
  }
}
