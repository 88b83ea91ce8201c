import { supplementaryGids, userById } from "./users";

/**
 * Become `uid` as supervisord's drop_privileges does (states.md §9.2): nothing to do when
 * already that user; only root may switch; supplementary groups from the group database, then
 * the primary group, then the user. Returns supervisord's error text, or undefined on success.
 */
export function dropPrivileges(uid: number): string | undefined {
  const entry = userById(uid);
  if (entry === undefined) return `Can't find uid ${uid}`;
  const current = process.getuid?.();
  if (current === uid) return undefined;
  if (current !== 0) return "Can't drop privilege as nonroot user";
  try {
    // The primary group first: some systems lose the first entry on the setgid that follows.
    process.setgroups?.([entry.gid, ...supplementaryGids(entry.name)]);
  } catch {
    return "Could not set groups of effective user";
  }
  try {
    process.setgid?.(entry.gid);
  } catch {
    return "Could not set group id of effective user";
  }
  process.setuid?.(uid);
  return undefined;
}
