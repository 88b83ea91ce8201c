import type { spawnSync as SpawnSync } from "node:child_process";

/** node:child_process, loaded at the first lookup (supervisorctl reads configs that need none). */
function spawnSync(...args: Parameters<typeof SpawnSync>): ReturnType<typeof SpawnSync> {
  return (require("node:child_process") as typeof import("node:child_process")).spawnSync(...args);
}

/** A passwd database record (`getent passwd`), the fields supervisord uses. */
export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** A group database record (`getent group`). */
export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

// A config names the same user for many programs; one lookup serves them all for a few seconds.
// Misses are not kept, so a user created a moment ago is found at the next reread.
const CACHE_MS = 5000;
const cache = new Map<string, { fields: string[]; at: number }>();

// Node has no getpwnam(3); getent goes through NSS as Python's pwd/grp modules do, so users from
// LDAP or sssd resolve the same way they do for supervisord.
function getent(database: "passwd" | "group", key: string): string[] | undefined {
  if (key === "" || key.includes(":") || key.includes("\n") || key.includes("\0")) return undefined;
  const cacheKey = `${database}\0${key}`;
  const hit = cache.get(cacheKey);
  if (hit !== undefined && Date.now() - hit.at < CACHE_MS) return hit.fields;
  const result = spawnSync("getent", [database, key], { encoding: "utf8" });
  if (result.status !== 0 || typeof result.stdout !== "string") return undefined;
  const first = result.stdout.split("\n")[0];
  if (!first) return undefined;
  const fields = first.split(":");
  cache.set(cacheKey, { fields, at: Date.now() });
  return fields;
}

function passwd(key: string): PasswdEntry | undefined {
  const fields = getent("passwd", key);
  if (fields === undefined || fields.length < 7) return undefined;
  return { name: fields[0] ?? "", uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5] ?? "" };
}

function group(key: string): GroupEntry | undefined {
  const fields = getent("group", key);
  if (fields === undefined || fields.length < 4) return undefined;
  const members = (fields[3] ?? "").split(",").filter((m) => m !== "");
  return { name: fields[0] ?? "", gid: Number(fields[2]), members };
}

/** getpwnam(3): the record of a user name; a numeric string is taken as a name too. */
export function userByName(name: string): PasswdEntry | undefined {
  const entry = passwd(name);
  return entry?.name === name ? entry : undefined;
}

/** getpwuid(3). */
export function userById(uid: number): PasswdEntry | undefined {
  if (!Number.isSafeInteger(uid) || uid < 0) return undefined;
  const entry = passwd(String(uid));
  return entry?.uid === uid ? entry : undefined;
}

/** getgrnam(3). */
export function groupByName(name: string): GroupEntry | undefined {
  const entry = group(name);
  return entry?.name === name ? entry : undefined;
}

/** getgrgid(3). */
export function groupById(gid: number): GroupEntry | undefined {
  if (!Number.isSafeInteger(gid) || gid < 0) return undefined;
  const entry = group(String(gid));
  return entry?.gid === gid ? entry : undefined;
}

/** The gids of every group whose member list names the user (the group database, via NSS). */
export function supplementaryGids(userName: string): number[] {
  const result = spawnSync("getent", ["group"], { encoding: "utf8" });
  if (result.status !== 0 || typeof result.stdout !== "string") return [];
  const gids: number[] = [];
  for (const line of result.stdout.split("\n")) {
    const fields = line.split(":");
    const members = (fields[3] ?? "").split(",");
    if (members.includes(userName)) gids.push(Number(fields[2]));
  }
  return gids;
}

/** What a child needs to become a user: its primary group and the groups setgroups gets. */
export interface Credentials {
  gid: number;
  /** The primary group first, then every group whose member list names the user (supervisord's order). */
  groups: number[];
}

const credentialCache = new Map<number, { credentials: Credentials | undefined; at: number }>();

/**
 * The credentials of `uid`, or undefined when it has no passwd entry. Looked up through NSS and
 * kept for a few seconds: a program restarting in a loop does not enumerate the group database
 * at every start.
 */
export function credentialsOf(uid: number): Credentials | undefined {
  const hit = credentialCache.get(uid);
  if (hit !== undefined && Date.now() - hit.at < CACHE_MS) return hit.credentials;
  const entry = userById(uid);
  const credentials = entry === undefined ? undefined : { gid: entry.gid, groups: [entry.gid, ...supplementaryGids(entry.name)] };
  credentialCache.set(uid, { credentials, at: Date.now() });
  return credentials;
}
