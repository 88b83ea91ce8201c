import { ConfigError } from "../errors";
import { normalizePath } from "../posix/python-path";
import { colonSeparatedUserGroup, inetAddress, octalType } from "./datatypes";
import type { ServerConfig } from "./model";
import type { OptionReader } from "./option-reader";
import { pyStrip } from "./python-str";

/**
 * `[inet_http_server*]` then `[unix_http_server*]` sections (config.md §6.2-§6.3): every section
 * whose name starts with the base name is a server of its own.
 */
export function serverConfigsFromParser(reader: OptionReader, here: string): ServerConfig[] {
  const servers: ServerConfig[] = [];
  const sections = reader.parser.sections();
  for (const section of sections) {
    if (!section.startsWith("inet_http_server")) continue;
    const credentials = readCredentials(reader, section);
    const port = reader.get(section, "port");
    if (port === undefined) {
      throw new ConfigError(`section [${section}] has no port value`, reader.sectionWhere(section));
    }
    const [host, portNumber] = inetAddress(port.value, port.where);
    servers.push({ family: "inet", name: nameOf(section), section, ...credentials, host, port: portNumber });
  }
  for (const section of sections) {
    if (!section.startsWith("unix_http_server")) continue;
    const file = reader.get(section, "file", undefined, new Map([["here", here]]));
    if (file === undefined) {
      throw new ConfigError(`section [${section}] has no file value`, reader.sectionWhere(section));
    }
    const credentials = readCredentials(reader, section);
    const chownText = reader.get(section, "chown");
    const chown: [number, number] = chownText === undefined
      ? [-1, -1]
      : ConfigError.reworded(`Invalid sockchown value ${chownText.value}`, () => colonSeparatedUserGroup(chownText.value, chownText.where));
    const chmodText = reader.get(section, "chmod");
    const chmod = chmodText === undefined
      ? 0o700
      : ConfigError.reworded(`Invalid chmod value ${chmodText.value}`, () => octalType(chmodText.value, chmodText.where));
    servers.push({
      family: "unix",
      name: nameOf(section),
      section,
      ...credentials,
      file: normalizePath(pyStrip(file.value)),
      chmod,
      chown,
    });
  }
  return servers;
}

function nameOf(section: string): string | null {
  const colon = section.indexOf(":");
  return colon < 0 ? null : section.slice(colon + 1);
}

function readCredentials(reader: OptionReader, section: string): { username: string | null; password: string | null } {
  const username = reader.get(section, "username")?.value ?? null;
  const password = reader.get(section, "password")?.value ?? null;
  if ((username === null) !== (password === null)) {
    throw new ConfigError(
      `Section [${section}] contains incomplete authentication: If a username or a password is specified, both the username and password must be specified`,
      reader.where(section, username === null ? "username" : "password"),
    );
  }
  return { username, password };
}
