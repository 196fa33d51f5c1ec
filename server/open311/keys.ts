/**
 * Open311 API keys. Writes (POST requests.json) need an `api_key` from the configured list: the environment
 * variable GEZHI_OPEN311_KEYS, comma-separated, read once when the app is created (tests inject their own list).
 * With no keys configured every write is refused. Keys are compared by their SHA-256 digests in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export const OPEN311_KEYS_ENV = 'GEZHI_OPEN311_KEYS';

/** 'a, b,,c' → ['a', 'b', 'c']. */
export function parseKeyList(raw: string | undefined): string[] {
  return (raw ?? '').split(',').map((k) => k.trim()).filter((k) => k.length > 0);
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export interface KeyRing {
  readonly size: number;
  accepts(key: string | undefined): boolean;
}

export function createKeyRing(keys: readonly string[]): KeyRing {
  const digests = [...new Set(keys)].map(digest);
  return {
    size: digests.length,
    accepts(key) {
      if (key === undefined || key === '') return false;
      const d = digest(key);
      let ok = false;
      for (const k of digests) ok = timingSafeEqual(k, d) || ok; // every key compared, whichever matches
      return ok;
    },
  };
}
