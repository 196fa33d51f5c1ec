/**
 * The one way tests make authenticated requests: `signedIn(target, who)` returns a request function that carries a
 * real API token, made through the accounts service on the target's database (stored hashed, checked by the app
 * like any other). `who` is a role (a staff member of that kind is picked for the staff roles and for dispatcher,
 * so their writes are a person's), `{ staffId }` to act as that staff member (their own account and scope), or
 * `{ role, subdistrict }` for a scoped service account. The target is an app (in-process, app.request) or a
 * server's URL (fetch).
 */
import type { Db } from '../../server/db/database.ts';
import { SYSTEM_CALLER } from '../../server/domain/principal.ts';
import type { Role } from '../../server/domain/permissions.ts';
import { createAccounts } from '../../server/services/accounts.ts';
import { Hono } from 'hono';
import { authenticate } from '../../server/http/auth.ts';

export type Who = Role | 'resident' | { staffId: number } | { role: Role; subdistrict?: string };

interface AppLike {
  request(path: string, init?: RequestInit): Response | Promise<Response>;
}

export type Target = { app: AppLike; db: Db } | { url: string; db: Db };

export interface Requester {
  (path: string, init?: RequestInit): Promise<Response>;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  /** POST with a JSON body (a string is sent as it is). */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  /** The bearer token (for EventSource-like clients or a browser context). */
  token: string;
  /** The staff member acted as, if any. */
  staffId: number | null;
}

const tokens = new WeakMap<Db, Map<string, { token: string; staffId: number | null }>>();

/** A staff member for a role string: the first of that kind in the database (guidance centre for dispatcher). */
function staffFor(db: Db, role: Role): number | null {
  const sql: Partial<Record<Role, string>> = {
    dispatcher: `SELECT ra.staff_id AS id FROM role_assignments ra JOIN units u ON u.id = ra.unit_id
                  WHERE u.kind = 'centre' AND u.key = 'guidance' AND ra.role = 'centre-staff' AND ra.valid_to IS NULL ORDER BY ra.staff_id LIMIT 1`,
    governor: `SELECT staff_id AS id FROM role_assignments WHERE role = 'governor' AND valid_to IS NULL ORDER BY staff_id LIMIT 1`,
    supervisor: `SELECT staff_id AS id FROM role_assignments WHERE role = 'supervisor' AND valid_to IS NULL ORDER BY staff_id LIMIT 1`,
    field: `SELECT staff_id AS id FROM role_assignments WHERE role = 'assistant' AND valid_to IS NULL ORDER BY staff_id LIMIT 1`,
  };
  const q = sql[role];
  if (!q) return null;
  return (db.prepare(q).get() as { id: number } | undefined)?.id ?? null;
}

function tokenFor(db: Db, who: Who): { token: string; staffId: number | null } {
  const key = JSON.stringify(who);
  let cache = tokens.get(db);
  if (!cache) tokens.set(db, (cache = new Map()));
  const hit = cache.get(key);
  if (hit) return hit;
  const accounts = createAccounts(db);
  let made: { token: string; staffId: number | null };
  if (typeof who === 'object' && 'staffId' in who) {
    made = { token: accounts.createToken({ staffId: who.staffId, label: 'test' }, SYSTEM_CALLER).token, staffId: who.staffId };
  } else if (typeof who === 'object') {
    made = { token: accounts.createToken({ role: who.role, subdistrict: who.subdistrict ?? null, label: 'test' }, SYSTEM_CALLER).token, staffId: null };
  } else {
    const role: Role = who === 'resident' ? 'integration' : who;
    const staffId = staffFor(db, role);
    const token = staffId !== null
      ? accounts.createToken({ staffId, label: 'test' }, SYSTEM_CALLER).token
      : accounts.createToken({ role, label: 'test' }, SYSTEM_CALLER).token;
    made = { token, staffId };
  }
  cache.set(key, made);
  return made;
}

export function signedIn(target: Target, who: Who): Requester {
  const { token, staffId } = tokenFor(target.db, who);
  const send = (path: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    if (!headers.has('Authorization')) headers.set('Authorization', `Bearer ${token}`);
    const withAuth = { ...init, headers };
    return 'app' in target ? Promise.resolve(target.app.request(path, withAuth)) : fetch(target.url + path, withAuth);
  };
  const requester = send as Requester;
  requester.get = (path, headers = {}) => send(path, { headers });
  requester.post = (path, body, headers = {}) =>
    send(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  requester.token = token;
  requester.staffId = staffId;
  return requester;
}

/** Acts as whoever a transition body's old `actor` field named: a staff id, or 'resident' (an integration). */
export function actorOf(target: Target, actor: unknown): Requester {
  if (actor === 'resident') return signedIn(target, 'resident');
  if (typeof actor === 'number') return signedIn(target, { staffId: actor });
  throw new Error(`not an actor: ${JSON.stringify(actor)}`);
}

/**
 * POST as whoever the body's `actor` names (a staff id or 'resident'), with `actor` taken out of the body — the
 * shape in which the lifecycle tests write their steps; a body without one goes as `fallback`.
 */
export function postAs(target: Target, fallback: Who) {
  return (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> => {
    if (typeof body === 'object' && body !== null && 'actor' in body) {
      const { actor, ...rest } = body as Record<string, unknown>;
      return actorOf(target, actor).post(path, rest, headers);
    }
    return signedIn(target, fallback).post(path, body, headers);
  };
}

/** One route module mounted at / behind the app's authentication (tests of a single route module). */
export function withAuth(db: Db, routes: Hono): Hono {
  return new Hono().use(authenticate(createAccounts(db))).route('/', routes);
}
