/**
 * Sign-in for the web app (public routes):
 * - GET /api/session → who am I: user name, role, scope (subdistrict), staff id, how signed in, the permissions
 *   of the role, and the CSRF token of a cookie session; 401 without one.
 * - POST /api/session { username, password } → signs in: an HttpOnly SameSite=Lax cookie and the same answer as
 *   GET. { token } with a display token makes a wall screen's session instead. 401 wrong credentials, 429 locked
 *   out (Retry-After). A request a browser marks cross-site is refused (login CSRF).
 * - DELETE /api/session → signs out (204; the CSRF token is needed while a session is open).
 */
import type { Context } from 'hono';
import { Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { MATRIX } from '../domain/permissions.ts';
import { CSRF_REFUSED, DomainError, LOCKED_OUT, refuse, SIGN_IN_REQUIRED } from '../domain/refusal.ts';
import type { Principal } from '../domain/principal.ts';
import { authOf, callerOf, checkCsrf, permit, SESSION_COOKIE } from '../http/auth.ts';
import { invalidParam } from '../http/problem.ts';
import { noQuery, queryValidator } from '../http/validate.ts';
import type { Accounts, SignedIn } from '../services/accounts.ts';
import { readJson } from './event-writes.ts';

function whoAmI(p: Principal, csrf: string | null, staffName: string | null) {
  return {
    username: p.username,
    role: p.role,
    subdistrict: p.subdistrict,
    staffId: p.staffId,
    staffName,
    via: p.via,
    display: p.role === 'wall',
    permissions: MATRIX[p.role],
    csrfToken: csrf,
  };
}

/** Secure cookies over https (also behind a proxy that says so), or when GEZHI_COOKIE_SECURE=1. */
function secure(c: Context): boolean {
  return process.env.GEZHI_COOKIE_SECURE === '1' || new URL(c.req.url).protocol === 'https:' || c.req.header('X-Forwarded-Proto') === 'https';
}

export function sessionRoutes(accounts: Accounts, staffName: (id: number) => string | null) {
  const answer = (p: Principal, csrf: string | null) => whoAmI(p, csrf, p.staffId === null ? null : staffName(p.staffId));
  const started = (c: Context, s: SignedIn) => {
    setCookie(c, SESSION_COOKIE, s.sessionId, {
      httpOnly: true, sameSite: 'Lax', path: '/', secure: secure(c), expires: new Date(s.expiresAt),
    });
    return c.json(answer(s.principal, s.csrf), 200, { 'Cache-Control': 'no-store' });
  };
  return new Hono()
    .get('/', permit('public'), queryValidator([], () => ({})), (c) => {
      const auth = authOf(c);
      if (!auth.principal) throw refuse(SIGN_IN_REQUIRED, auth.badToken ? 'The token is unknown, revoked or expired' : 'Not signed in');
      return c.json(answer(auth.principal, auth.csrf), 200, { 'Cache-Control': 'no-store' });
    })
    .post('/', permit('public'), noQuery(), async (c) => {
      if (c.req.header('Sec-Fetch-Site') === 'cross-site') throw refuse(CSRF_REFUSED, 'Sign-in from another site is refused');
      const body = await readJson(c);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidParam('body', 'must be a JSON object', 'body');
      const b = body as Record<string, unknown>;
      for (const k of Object.keys(b)) if (!['username', 'password', 'token'].includes(k)) throw invalidParam(k, 'unknown field; allowed: username, password (or token)', 'body');
      const { ip } = authOf(c);
      if (b.token !== undefined) {
        if (typeof b.token !== 'string') throw invalidParam('token', 'must be a display token', 'body');
        return started(c, accounts.displaySession(b.token, ip));
      }
      if (typeof b.username !== 'string' || b.username.length === 0 || b.username.length > 64) throw invalidParam('username', 'must be a user name', 'body');
      if (typeof b.password !== 'string' || b.password.length === 0 || b.password.length > 256) throw invalidParam('password', 'must be a password of at most 256 characters', 'body');
      try {
        return started(c, await accounts.signIn(b.username, b.password, ip));
      } catch (err) {
        if (err instanceof DomainError && err.reason === LOCKED_OUT) c.header('Retry-After', String(err.refusal.facts?.retryAfter ?? 60));
        throw err;
      }
    })
    .delete('/', permit('public'), noQuery(), (c) => {
      const auth = authOf(c);
      if (auth.sessionId) {
        checkCsrf(c, auth);
        accounts.signOut(auth.sessionId, callerOf(c));
      }
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.body(null, 204);
    });
}
