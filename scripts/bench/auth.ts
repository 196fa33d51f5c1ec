/**
 * Signed-in requests for the benchmarks: a real API token made through the accounts service on the bench's own
 * database (stored hashed and checked by the app like any other), so a bench measures the path a client takes,
 * authentication included.
 */
import type { Db } from '../../server/db/database.ts';
import type { Role } from '../../server/domain/permissions.ts';
import { SYSTEM_CALLER } from '../../server/domain/principal.ts';
import { createAccounts } from '../../server/services/accounts.ts';

/** A bearer token acting as a role (a service account) or as a staff member (their own account and scope). */
export function benchToken(db: Db, who: { role: Role } | { staffId: number }): string {
  const accounts = createAccounts(db);
  const spec = 'role' in who ? { role: who.role, label: 'bench' } : { staffId: who.staffId, label: 'bench' };
  return accounts.createToken(spec, SYSTEM_CALLER).token;
}

interface AppLike {
  request(path: string, init?: RequestInit): Response | Promise<Response>;
}

/** app.request with the token's Authorization header added. */
export function authed(app: AppLike, token: string) {
  return (path: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set('Authorization', `Bearer ${token}`);
    return Promise.resolve(app.request(path, { ...init, headers }));
  };
}
