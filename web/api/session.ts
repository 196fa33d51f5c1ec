/**
 * The signed-in user, as GET /api/session tells it, and the CSRF token every write sends back (X-CSRF-Token).
 * The session itself is an HttpOnly cookie the page never sees; the token is kept here, in memory only.
 */
import { createSignal } from 'solid-js';

export interface Session {
  username: string;
  role: string;
  subdistrict: string | null;
  staffId: number | null;
  staffName: string | null;
  via: 'session' | 'token';
  display: boolean;
  permissions: string[];
  csrfToken: string | null;
}

const [session, setSession] = createSignal<Session | null | undefined>(undefined);
/** undefined: not asked yet; null: nobody signed in. */
export { session };

export const CSRF_HEADER = 'X-CSRF-Token';

/** Headers a write must carry (the session's CSRF token). */
export function csrfHeaders(): Record<string, string> {
  const token = session()?.csrfToken;
  return token ? { [CSRF_HEADER]: token } : {};
}

export function can(permission: string): boolean {
  return session()?.permissions.includes(permission) ?? false;
}

/** Asks the server who is signed in (null when nobody is). */
export async function loadSession(): Promise<Session | null> {
  const res = await fetch('/api/session', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  const s = res.ok ? ((await res.json()) as Session) : null;
  setSession(s);
  return s;
}

export class SignInRefused extends Error {
  constructor(readonly status: number, readonly retryAfter: number | null, message: string) {
    super(message);
  }
}

async function start(body: unknown): Promise<Session> {
  const res = await fetch('/api/session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (!res.ok) {
    let detail = `${res.status}`;
    try {
      detail = ((await res.json()) as { detail?: string }).detail ?? detail;
    } catch {
      // not problem+json
    }
    const after = Number(res.headers.get('Retry-After'));
    throw new SignInRefused(res.status, Number.isFinite(after) && after > 0 ? after : null, detail);
  }
  const s = (await res.json()) as Session;
  setSession(s);
  return s;
}

export const signIn = (username: string, password: string) => start({ username, password });
/** A wall screen: exchanges its display token for a display session. */
export const displaySignIn = (token: string) => start({ token });

export async function signOut(): Promise<void> {
  await fetch('/api/session', { method: 'DELETE', headers: csrfHeaders(), credentials: 'same-origin' });
  setSession(null);
}
