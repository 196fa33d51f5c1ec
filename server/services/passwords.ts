/**
 * Password hashing with scrypt (node:crypto): a memory-hard KDF, so a stolen accounts table costs an attacker
 * memory and time per guess. Stored as `scrypt$N$r$p$salt$hash` (base64url), so the cost can rise later without
 * invalidating older hashes. Comparison is constant-time; an unknown user name is checked against a dummy hash so
 * the answer takes as long as for a known one.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** 2^15 × 8 × 128 B = 32 MiB per hash, about 0.1 s on one core. */
const COST = { N: 32768, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const MAX_MEM = 96 * 1024 * 1024;
/** Longest password taken (longer input is refused before hashing, so nobody can make us hash megabytes). */
export const MAX_PASSWORD = 256;
export const MIN_PASSWORD = 10;

function derive(password: string, salt: Buffer, o: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { ...o, maxmem: MAX_MEM }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

const DUMMY = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** Whether `password` matches the stored hash (null: no account; still costs one derivation). */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parts = (stored ?? DUMMY).split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4], 'base64url');
  const expected = Buffer.from(parts[5], 'base64url');
  if (password.length > MAX_PASSWORD) return false;
  const key = await derive(password, salt, { N, r, p });
  return key.length === expected.length && timingSafeEqual(key, expected) && stored !== null;
}

/** A random password of 20 characters from an alphabet without look-alikes (for a first admin, printed once). */
export function randomPassword(length = 20): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; out.length < length; i++) {
    const b = bytes[i % bytes.length];
    if (b < 256 - (256 % alphabet.length)) out += alphabet[b % alphabet.length];
  }
  return out;
}
