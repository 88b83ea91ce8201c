import type { GroupConfig, SupervisordConfig } from "../config/model";
import type { Supervisor } from "../supervisor/supervisor";

/** What the XML-RPC interface needs from the running daemon (supervisord's `supervisord` object). */
export interface RpcDaemon {
  readonly supervisor: Supervisor;
  /** The config the daemon runs with (identifier, main log file). */
  readonly config: SupervisordConfig;
  /** The groups of the last successful (re)read: supervisord's process_group_configs. */
  available(): readonly GroupConfig[];
  /** Read the config file again; a ConfigError leaves `available()` as it was. */
  reread(): void;
  /** The main log file was deleted: open a new one (clearLog). */
  reopenMainLog(): Promise<void>;
  /** RPC shutdown / restart: the reply goes out first, then the daemon stops. */
  shutdown(): void;
  restart(): void;
}
