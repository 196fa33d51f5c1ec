/**
 * Authentication and the permission every route declares.
 *
 * `authenticate` (once, before every route) reads `Authorization: Bearer <token>` or the session cookie and puts
 * the caller on the context; it refuses nothing. `permit(permission)` is the first handler of every route: it
 * answers 401 without a principal, 403 when the role lacks the permission (domain/permissions.ts), and for a write
 * made with the session cookie it checks CSRF. The permission is also attached to the handler (`PERMISSION`), so
 * a test walks the app's routes and fails on any route that declares none.
 *
 * CSRF (web app, cookie sessions): synchronizer token. The session row holds a random token; `GET /api/session`
 * and the sign-in answer give it to the page, which sends it back in `X-CSRF-Token` on every unsafe request.
 * Another site can make the browser send the cookie but cannot read the token. Requests a browser marks
 * `Sec-Fetch-Site: cross-site` are refused outright; the cookie is also SameSite=Lax. Bearer-token requests carry
 * no ambient credential and need no CSRF token.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { can, type Permission } from '../domain/permissions.ts';
import type { Caller, Principal } from '../domain/principal.ts';
import { CSRF_REFUSED, refuse, ROLE_NOT_PERMITTED, SIGN_IN_REQUIRED } from '../domain/refusal.ts';
import type { Accounts } from '../services/accounts.ts';

export const SESSION_COOKIE = 'gezhi_session';
export const CSRF_HEADER = 'X-CSRF-Token';
/** The symbol under which `permit` records a route's permission on its handler. */
export const PERMISSION = Symbol.for('gezhi.permission');

export interface Auth {
  principal: Principal | null;
  /** The session's CSRF token (cookie sessions only). */
  csrf: string | null;
  /** The session cookie's value, when it named a live session. */
  sessionId: string | null;
  /** A bearer token was sent but is unknown, revoked or expired. */
  badToken: boolean;
  ip: string;
}

declare module 'hono' {
  interface ContextVariableMap {
    auth: Auth;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The peer address (the node server's socket; empty under app.request). */
export function clientIp(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? '';
}

export function authenticate(accounts: Accounts): MiddlewareHandler {
  return async function authenticateRequest(c, next) {
    const auth: Auth = { principal: null, csrf: null, sessionId: null, badToken: false, ip: clientIp(c) };
    const header = c.req.header('Authorization');
    const bearer = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
    if (header !== undefined) {
      auth.principal = bearer ? accounts.tokenPrincipal(bearer) : null;
      auth.badToken = auth.principal === null;
    } else {
      const sid = getCookie(c, SESSION_COOKIE);
      const s = sid ? accounts.sessionPrincipal(sid) : null;
      if (s) Object.assign(auth, { principal: s.principal, csrf: s.csrf, sessionId: sid });
    }
    c.set('auth', auth);
    await next();
  };
}

export function authOf(c: Context): Auth {
  const auth = c.get('auth');
  if (!auth) throw new Error('authenticate() must run before this route (see app.ts)');
  return auth;
}

/** The caller of a service call: the principal and the address. */
export function callerOf(c: Context): Caller {
  const { principal, ip } = authOf(c);
  return { principal, ip };
}

/** The signed-in principal (routes behind a non-public permission always have one). */
export function principalOf(c: Context): Principal {
  const p = authOf(c).principal;
  if (!p) throw refuse(SIGN_IN_REQUIRED, 'Sign in first');
  return p;
}

const sameToken = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** Refuses a cross-site browser request and a cookie-session write without the session's CSRF token. */
export function checkCsrf(c: Context, auth: Auth): void {
  if (c.req.header('Sec-Fetch-Site') === 'cross-site') throw refuse(CSRF_REFUSED, 'Requests from another site are refused');
  if (auth.principal?.via !== 'session' || auth.sessionId === null) return;
  const sent = c.req.header(CSRF_HEADER) ?? '';
  if (!auth.csrf || !sameToken(sent, auth.csrf)) {
    throw refuse(CSRF_REFUSED, `Send the session's CSRF token (GET /api/session) in the ${CSRF_HEADER} header`);
  }
}

/** The route's permission: the first handler of every route. */
export function permit(permission: Permission): MiddlewareHandler {
  const handler: MiddlewareHandler = async function permitted(c, next) {
    if (permission !== 'public') {
      const auth = authOf(c);
      if (!auth.principal) {
        throw refuse(SIGN_IN_REQUIRED, auth.badToken ? 'The token is unknown, revoked or expired' : 'Sign in (POST /api/session) or send Authorization: Bearer <token>');
      }
      if (!can(auth.principal.role, permission)) {
        throw refuse(ROLE_NOT_PERMITTED, `The ${auth.principal.role} role may not do this (needs ${permission})`, { facts: { permission, role: auth.principal.role } });
      }
      if (UNSAFE.has(c.req.method)) checkCsrf(c, auth);
    }
    await next();
  };
  Object.defineProperty(handler, PERMISSION, { value: permission });
  return handler;
}

/**
 * The permission `permit` recorded on a handler, if it is one. A sub-app with its own error handler (Open311) is
 * mounted with each handler wrapped; Hono keeps the original under '__COMPOSED_HANDLER'.
 */
export function permissionOf(handler: unknown): Permission | undefined {
  if (typeof handler !== 'function') return undefined;
  const h = handler as unknown as Record<string | symbol, unknown>;
  return (h[PERMISSION] as Permission | undefined) ?? permissionOf(h.__COMPOSED_HANDLER);
}
