/** Reads of the meta key/value table and schema facts. */
import type { Db } from '../database.ts';

export function metaQueries(db: Db) {
  const get = db.prepare<[string], { value: string }>(`SELECT value FROM meta WHERE key = ?`);
  return {
    get: (key: string): string | undefined => get.get(key)?.value,
    schemaVersion: (): number => db.pragma('user_version', { simple: true }) as number,
  };
}
