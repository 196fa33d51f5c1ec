/**
 * The notification worker's settings from the environment of `npm start`:
 *   GEZHI_NOTIFY=0                 no worker (the outbox still fills; a later start sends it)
 *   GEZHI_PUBLIC_URL               base URL of the web app as staff reach it, for links in messages
 *   GEZHI_NOTIFY_MAX_ATTEMPTS      tries before a notification is marked failed (default 8)
 *   GEZHI_NOTIFY_BACKOFF_MS        first retry delay, doubling per try (default 5000)
 *   GEZHI_NOTIFY_CONCURRENCY       channels sending at once (default 4)
 * A bad value stops start-up with a message naming it.
 */
import type { NotifyWorkerOptions } from './worker.ts';

type Env = Readonly<Record<string, string | undefined>>;

function whole(env: Env, name: string, min: number, max: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

export function notifyOptionsFromEnv(env: Env): Omit<NotifyWorkerOptions, 'db'> | null {
  if (env.GEZHI_NOTIFY === '0') return null;
  const publicUrl = env.GEZHI_PUBLIC_URL?.trim() || undefined;
  if (publicUrl && !/^https?:\/\/[^/\s]+/.test(publicUrl)) throw new Error(`GEZHI_PUBLIC_URL must be an http(s) URL, got ${JSON.stringify(publicUrl)}`);
  return {
    publicUrl,
    maxAttempts: whole(env, 'GEZHI_NOTIFY_MAX_ATTEMPTS', 1, 100),
    backoffMs: whole(env, 'GEZHI_NOTIFY_BACKOFF_MS', 10, 86_400_000),
    concurrency: whole(env, 'GEZHI_NOTIFY_CONCURRENCY', 1, 64),
  };
}
