/**
 * 10,000 seeded malformed requests across every route of the app, through one pooled keep-alive client, against the
 * real server process: no 5xx, nothing on the server's stderr, no connection error (an early answer must never
 * announce keep-alive and then drop the socket), no write accepted, and the database unchanged.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { createApp } from '../../server/app.ts';
import { createRng } from '../../server/domain/prng.ts';
import { databaseDigest } from '../helpers/db-digest.ts';
import { hostileRequests, type HostileRequest, type RouteInfo } from '../helpers/hostile-requests.ts';
import { startServer, type StartedServer } from '../helpers/server.ts';
import { signedIn } from '../helpers/signed-in.ts';
import { BLOCKS, createFixture } from './fixture.ts';

const REQUESTS = 10_000;
const CONCURRENCY = 8;
const SEED = 20261204;

/** The app's own route table (method and path of every handler), minus the catch-all middleware entries. */
function appRoutes(): RouteInfo[] {
  const fx = createFixture();
  const app = createApp({ db: fx.db });
  const seen = new Map<string, RouteInfo>();
  for (const r of app.routes) {
    if (r.method === 'ALL' || r.path.endsWith('*')) continue;
    // Sign-in and tokens change the caller's own credentials (a sign-out with the test's token is a valid write);
    // their refusals are tested with the accounts.
    if (r.path.startsWith('/api/session') || r.path.startsWith('/api/tokens')) continue;
    seen.set(`${r.method} ${r.path}`, { method: r.method, path: r.path });
  }
  fx.db.close();
  return [...seen.values()];
}

describe('hostile input over real HTTP', () => {
  let server: StartedServer;
  let file: string;
  let token: string;
  const routes = appRoutes();
  // The live messages a running server appends by the clock alone, whatever the requests were.
  const CLOCK_DRIVEN = { live_messages: `type <> 'kpi.tick'` };
  // The test's own token notes when it was last used (once a minute); everything else about it must stay.
  const BOOKKEEPING = { api_tokens: 'id, account_id, kind, label, token_hash, prefix, created_at, expires_at, revoked_at' };

  beforeAll(async () => {
    const fx = createFixture();
    // Signed in as an administrator, so requests reach the validation behind the permission checks.
    token = signedIn({ url: '', db: fx.db }, 'admin').token;
    fx.db.close();
    file = fx.file;
    server = await startServer({
      GEZHI_DB: file,
      GEZHI_OPEN311_KEYS: 'fuzz-key',
      // This test is about validation: the limiter (tested on its own) must not answer in its place.
      GEZHI_RATE_LIMIT_RPS: '0',
    });
    // The escalation sweep runs once at start: let it commit before the first digest.
    await new Promise((r) => setTimeout(r, 1000));
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('enumerates every route of the app', () => {
    expect(routes.length).toBeGreaterThanOrEqual(40);
    // The route table is read from the app, so routes added later are fuzzed too; these writes must be among them.
    expect(routes.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(expect.arrayContaining([
      '/api/events', '/api/events/:id/dispatch', '/api/events/:id/transitions', '/api/events/batch',
      '/api/events/unlocated/:id/locate', '/api/staff/:id/position', '/open311/v2/requests.json', '/open311/v2/requests.xml',
      '/api/plans', '/api/plans/:id/edits', '/api/plans/:id/publish', '/api/import/:kind',
    ]));
  });

  it(`answers ${REQUESTS.toLocaleString('en')} malformed requests with 4xx only, drops no connection and writes nothing`, async () => {
    const before = databaseDigest(file, CLOCK_DRIVEN, BOOKKEEPING);
    const next = hostileRequests(createRng(SEED), { routes, ids: { event: 3, staff: 2, block: BLOCKS[1] } });
    const all: HostileRequest[] = Array.from({ length: REQUESTS }, next);
    const agent = new Agent({ connections: CONCURRENCY, pipelining: 1, keepAliveTimeout: 30_000 });
    const statuses = new Map<number, number>();
    const serverErrors: string[] = [];
    const accepted: string[] = [];
    const connectionErrors: string[] = [];
    const started = performance.now();
    let at = 0;
    const worker = async () => {
      while (at < all.length) {
        const req = all[at++];
        try {
          const body = req.body === undefined || typeof req.body === 'string' || Buffer.isBuffer(req.body)
            ? req.body
            : Readable.from(req.body.chunks);
          const res = await request(server.url + req.path, {
            dispatcher: agent, method: req.method as 'GET', headers: { Authorization: `Bearer ${token}`, ...req.headers }, body, headersTimeout: 20_000, bodyTimeout: 20_000,
          });
          const type = String(res.headers['content-type'] ?? '');
          if (type.includes('event-stream')) res.body.destroy();
          else await res.body.dump({ limit: 64 * 1024 * 1024 });
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          if (res.statusCode >= 500) serverErrors.push(`${res.statusCode} ${req.method} ${req.path.slice(0, 120)} (${req.fault})`);
          if (req.method === 'POST' && res.statusCode < 300) accepted.push(`${res.statusCode} ${req.path.slice(0, 120)} (${req.fault})`);
        } catch (err) {
          connectionErrors.push(`${(err as Error).message} — ${req.method} ${req.path.slice(0, 100)} (${req.fault})`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await agent.close();
    const seconds = (performance.now() - started) / 1000;
    console.log(`${REQUESTS} hostile requests in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);

    expect(serverErrors.slice(0, 20)).toEqual([]);
    expect(connectionErrors.slice(0, 20)).toEqual([]);
    expect(accepted.slice(0, 20)).toEqual([]);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(REQUESTS);
    // Every status is a client error (404 and 405 included), never a redirect or a server error.
    expect([...statuses.keys()].filter((s) => s < 200 || (s >= 300 && s < 400) || s >= 500)).toEqual([]);
    expect(server.stderr()).toBe('');
    const after = databaseDigest(file, CLOCK_DRIVEN, BOOKKEEPING);
    const changed = Object.keys(after).filter((t) => JSON.stringify(after[t]) !== JSON.stringify(before[t]));
    expect(changed).toEqual([]);
  });
});
