/**
 * Route protection: every route of the app declares its permission (a route without one fails here), and every
 * route × role answers as the permission matrix (server/domain/permissions.ts) says — the matrix is this test's
 * table. Nobody signed in gets 401 everywhere but the public routes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can, MATRIX, ROLES, type Permission, type Role } from '../../server/domain/permissions.ts';
import { permissionOf } from '../../server/http/auth.ts';
import { fixtureApp, type App } from '../helpers/apps.ts';
import type { Fixture } from './fixture.ts';
import type { Requester, Who } from '../helpers/signed-in.ts';

let fx: Fixture;
let app: App;
let as: (who: Who) => Requester;
beforeAll(() => ({ fx, app, as } = fixtureApp()));
afterAll(() => fx?.db.close());

interface Declared {
  method: string;
  path: string;
  permission: Permission;
}

/** Middleware mounted for every method (`use`) and the catch-all 404s: the only entries without a permission. */
const MIDDLEWARE_PATHS = ['*', '/*', '/api/*', '/open311/*'];

function declaredRoutes(): Declared[] {
  const groups = new Map<string, { method: string; path: string; permissions: Permission[] }>();
  for (const r of app.routes) {
    const key = `${r.method} ${r.path}`;
    const g = groups.get(key) ?? { method: r.method, path: r.path, permissions: [] };
    const p = permissionOf(r.handler);
    if (p) g.permissions.push(p);
    groups.set(key, g);
  }
  const out: Declared[] = [];
  for (const g of groups.values()) {
    if (g.method === 'ALL' && g.permissions.length === 0) {
      expect(MIDDLEWARE_PATHS, `${g.path}: middleware for every method on an unexpected path`).toContain(g.path);
      continue;
    }
    expect(g.permissions, `${g.method} ${g.path} declares no permission (permit(...) as its first handler)`).toHaveLength(1);
    out.push({ method: g.method, path: g.path, permission: g.permissions[0] });
  }
  return out;
}

/** A concrete request path for a route pattern: ids and codes that name nothing (a gate check, not a lookup). */
function concrete(path: string): string {
  return path
    .replace(':id', '999999')
    .replace(':code', '430302001999')
    .replace(':name', 'district')
    .replace(':file', 'x.json')
    .replace('/*', '/x');
}

async function send(requester: Requester | null, r: Declared): Promise<Response> {
  const init: RequestInit = { method: r.method === 'ALL' ? 'GET' : r.method };
  if (r.method === 'POST' || r.method === 'PUT' || r.method === 'PATCH') {
    init.headers = { 'Content-Type': 'application/json' };
    init.body = '{}';
  }
  return requester ? requester(concrete(r.path), init) : app.request(concrete(r.path), init);
}

describe('route declarations', () => {
  it('every route declares exactly one permission', () => {
    const routes = declaredRoutes();
    expect(routes.length).toBeGreaterThan(40);
    // The public routes, decided and documented (README, Security): health, sign-in, Open311.
    const publicRoutes = routes.filter((r) => r.permission === 'public').map((r) => `${r.method} ${r.path}`);
    for (const p of publicRoutes) expect(p).toMatch(/^(GET \/api\/health|(GET|POST|DELETE) \/api\/session|\w+ \/open311\/)/);
    expect(publicRoutes).toEqual(expect.arrayContaining(['GET /api/health', 'POST /api/session', 'GET /open311/v2/requests.json']));
  });
});

describe('route × role against the matrix', () => {
  it('answers 401 to nobody signed in, except on the public routes', async () => {
    for (const r of declaredRoutes()) {
      const res = await send(null, r);
      // GET /api/session is public and answers "nobody" with its own 401.
      if (r.permission === 'public' && !(r.method === 'GET' && r.path === '/api/session')) expect(res.status, `${r.method} ${r.path}`).not.toBe(401);
      else expect(res.status, `${r.method} ${r.path}`).toBe(401);
    }
  });

  for (const role of ROLES) {
    it(`${role}: ${MATRIX[role].length} permissions`, async () => {
      const who: Who = role;
      const requester = as(who);
      for (const r of declaredRoutes().filter((x) => x.path.startsWith('/api/'))) {
        const res = await send(requester, r);
        const label = `${role} ${r.method} ${r.path} (${r.permission}) → ${res.status}`;
        let reason: unknown = null;
        if (res.status === 403) reason = ((await res.clone().json()) as { reason?: string }).reason;
        if (can(role as Role, r.permission)) {
          expect(res.status, label).not.toBe(401);
          expect(reason, label).not.toBe('role-not-permitted');
        } else {
          expect(res.status, label).toBe(403);
          expect(reason, label).toBe('role-not-permitted');
        }
      }
    });
  }
});
