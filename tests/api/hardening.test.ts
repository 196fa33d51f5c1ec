/**
 * Rate limits, security headers and query checks on write routes, through app.request; and early answers to
 * oversized bodies over real HTTP with a pooled client.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Readable } from 'node:stream';
import { serve } from '@hono/node-server';
import { Agent, request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp, MAX_BODY_BYTES } from '../../server/app.ts';
import { isLoopback, rateLimitFromEnv } from '../../server/http/rate-limit.ts';
import { securityHeadersFromEnv } from '../../server/http/secure-headers.ts';
import { createFixture, NOW } from './fixture.ts';
import { signedIn } from '../helpers/signed-in.ts';

/** Serves an app on a loopback port (the limiter keys callers by their socket's address). */
async function served(app: ReturnType<typeof createApp>): Promise<{ url: string; close: () => Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0 }, () => resolve(s as Server));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

describe('rate limit', () => {
  const fx = createFixture();
  afterAll(() => fx.db.close());

  it('answers 429 problem+json with Retry-After once a caller has spent its burst, per token and per address', async () => {
    const { url, close } = await served(createApp({ db: fx.db, now: () => NOW, rateLimit: { perSecond: 0.5, burst: 3, limitLoopback: true } }));
    const get = (headers: Record<string, string> = {}) => fetch(`${url}/api/health`, { headers });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await get()).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const limited = await get();
      expect(limited.status).toBe(429);
      expect(limited.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const problem = await limited.json();
      expect(problem).toMatchObject({ status: 429, title: 'Too many requests', type: '/problems/too-many-requests' });
      expect(problem.detail).toMatch(/address/);

      // A token has a bucket of its own, apart from the address it comes from.
      expect((await get({ Authorization: 'Bearer one' })).status).toBe(200);
      const second = [];
      for (let i = 0; i < 3; i++) second.push((await get({ Authorization: 'Bearer two' })).status);
      expect(second).toEqual([200, 200, 200]);
      const spent = await get({ Authorization: 'Bearer two' });
      expect(spent.status).toBe(429);
      expect((await spent.json()).detail).toMatch(/token/);

      // Loopback callers (the demo simulator, local tools) are not limited by default.
      const local = await served(createApp({ db: fx.db, now: () => NOW, rateLimit: { perSecond: 0.5, burst: 1 } }));
      for (let i = 0; i < 5; i++) expect((await fetch(`${local.url}/api/health`)).status).toBe(200);
      await local.close();
      // In-process requests (the server's own warm-up, app.request) come through no socket and are not limited.
      expect(isLoopback('127.0.0.1') && isLoopback('::1') && isLoopback('::ffff:127.0.0.2') && !isLoopback('10.0.0.1')).toBe(true);
      const inProcess = createApp({ db: fx.db, now: () => NOW, rateLimit: { perSecond: 0.5, burst: 1 } });
      for (let i = 0; i < 5; i++) expect((await inProcess.request('/api/health')).status).toBe(200);
    } finally {
      await close();
    }
  });

  it('refills with time: a limited caller is served again after Retry-After', async () => {
    const { url, close } = await served(createApp({ db: fx.db, now: () => NOW, rateLimit: { perSecond: 1, burst: 1, limitLoopback: true } }));
    try {
      expect((await fetch(`${url}/api/health`)).status).toBe(200);
      const refused = await fetch(`${url}/api/health`);
      expect(refused.status).toBe(429);
      await new Promise((r) => setTimeout(r, Number(refused.headers.get('retry-after')) * 1000));
      expect((await fetch(`${url}/api/health`)).status).toBe(200);
    } finally {
      await close();
    }
  });

  it('reads its settings from the environment, generous by default, 0 turning it off, bad values refused', () => {
    expect(rateLimitFromEnv({})).toEqual({ perSecond: 200, burst: 2000, limitLoopback: false });
    expect(rateLimitFromEnv({ GEZHI_RATE_LIMIT_LOOPBACK: '1' }).limitLoopback).toBe(true);
    expect(rateLimitFromEnv({ GEZHI_RATE_LIMIT_RPS: '0' }).perSecond).toBe(0);
    expect(rateLimitFromEnv({ GEZHI_RATE_LIMIT_RPS: '5000' })).toMatchObject({ perSecond: 5000, burst: 5000 });
    expect(() => rateLimitFromEnv({ GEZHI_RATE_LIMIT_RPS: 'lots' })).toThrow(/GEZHI_RATE_LIMIT_RPS/);
    expect(() => rateLimitFromEnv({ GEZHI_RATE_LIMIT_BURST: '-1' })).toThrow(/GEZHI_RATE_LIMIT_BURST/);
  });
});

describe('security headers', () => {
  const fx = createFixture();
  afterAll(() => fx.db.close());

  it('sends a same-origin CSP with what the map needs, nosniff, a referrer policy and frame protection', async () => {
    const app = createApp({ db: fx.db, now: () => NOW });
    for (const path of ['/api/health', '/api/nothing', '/open311/v2/services.json']) {
      const res = await app.request(path);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("worker-src 'self' blob:");
      expect(csp).toContain("img-src 'self' data: blob:");
      expect(csp).toContain("frame-ancestors 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    }
  });

  it('lets a configured origin embed the wall (and drops X-Frame-Options, which cannot say so)', async () => {
    const options = securityHeadersFromEnv({ GEZHI_FRAME_ANCESTORS: 'self https://screens.example.org' });
    const app = createApp({ db: fx.db, now: () => NOW, securityHeaders: options });
    const res = await app.request('/api/health');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'self' https://screens.example.org");
    expect(res.headers.get('x-frame-options')).toBeNull();
    expect(() => securityHeadersFromEnv({ GEZHI_FRAME_ANCESTORS: "javascript:alert(1)" })).toThrow(/GEZHI_FRAME_ANCESTORS/);
    expect(() => securityHeadersFromEnv({ GEZHI_CSP_EXTRA_ORIGINS: "https://a.example.org; script-src *" })).toThrow(/not a CSP source/);
  });
});

describe('write routes check their query too', () => {
  const fx = createFixture();
  afterAll(() => fx.db.close());

  it('refuses a stray query parameter on every POST before reading the body', async () => {
    const app = createApp({ db: fx.db, now: () => NOW });
    const count = () => (fx.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    const tokenCount = () => fx.db.prepare('SELECT count(*) AS n FROM api_tokens').get();
    await signedIn({ app, db: fx.db }, 'admin').get('/api/session'); // the helper's own token, made now
    const before = count();
    const tokensBefore = tokenCount();
    const report = { category: '0101', text: 't', lon: 112.805, lat: 27.855, channel: 'patrol', kind: 'incident' };
    for (const [path, body] of [
      ['/api/events?dryRun=1', report],
      ['/api/events/batch?x=1', { events: [report] }],
      ['/api/events/1/transitions?force=1', { to: 'file', actor: 1 }],
      ['/api/events/1/dispatch?x=1', { actor: 1 }],
      ['/api/events/unlocated/1/locate?x=1', { lon: 112.805, lat: 27.855 }],
      ['/api/staff/1/position?x=1', { lon: 112.805, lat: 27.855 }],
      ['/api/tokens?x=1', { role: 'analyst' }],
    ] as const) {
      const res = await signedIn({ app, db: fx.db }, 'admin').post(path, body);
      expect(res.status, path).toBe(400);
      expect((await res.json()).errors[0]).toMatchObject({ in: 'query' });
    }
    expect(count()).toBe(before);
    expect(tokenCount()).toEqual(tokensBefore);
  });

  it('the sign-in and token routes refuse one too, and sign no one in or out, revoke nothing', async () => {
    const app = createApp({ db: fx.db, now: () => NOW });
    const tokens = () => fx.db.prepare('SELECT count(*) AS n FROM api_tokens WHERE revoked_at IS NULL').get();
    const made = await signedIn({ app, db: fx.db }, 'admin').post('/api/tokens', { role: 'analyst' });
    expect(made.status).toBe(201);
    const { id } = (await made.json()) as { id: number };
    const was = tokens();
    for (const [method, path] of [['POST', '/api/session?next=/'], ['DELETE', '/api/session?x=1'], ['DELETE', `/api/tokens/${id}?x=1`]] as const) {
      const res = await signedIn({ app, db: fx.db }, 'admin')(path, {
        method, headers: { 'Content-Type': 'application/json' }, body: method === 'POST' ? JSON.stringify({ username: 'admin', password: 'x' }) : undefined,
      });
      expect(res.status, `${method} ${path}`).toBe(400);
      expect((await res.json()).errors[0], path).toMatchObject({ in: 'query' });
    }
    expect(tokens()).toEqual(was);
  });
});

describe('early answers over a pooled keep-alive connection', () => {
  const fx = createFixture();
  const app = createApp({ db: fx.db, now: () => NOW, rateLimit: { perSecond: 0, burst: 0 } });
  let server: Server;
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    fx.db.close();
  });

  it('answers 413 to oversized bodies (declared, chunked, slow, past 64 MB) without failing the next request on the socket', async () => {
    server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0 }, () => resolve(s as Server));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const agent = new Agent({ connections: 1, pipelining: 1 });
    // Bodies that trickle in for over a second after the limit: longer than node-server's own drain waits.
    const slowBody = () => Readable.from((async function* () {
      yield Buffer.alloc(MAX_BODY_BYTES + 1, 0x20);
      for (let i = 0; i < 6; i++) {
        await new Promise((r) => setTimeout(r, 200));
        yield Buffer.alloc(1024, 0x20);
      }
    })());
    const declared = String(MAX_BODY_BYTES + 1 + 6 * 1024);
    // And bodies past what node-server drains (64 MB): it cut those sockets after saying keep-alive.
    const huge = Buffer.alloc(70_000_000, 0x20);
    const outcomes: string[] = [];
    for (let i = 0; i < 16; i++) {
      const headers: Record<string, string> = { 'Content-Type': 'application/json', ...(i % 4 === 1 ? {} : { 'Content-Length': declared }) };
      const body = i % 4 < 2 ? slowBody() : huge;
      if (i % 4 >= 2) delete headers['Content-Length'];
      const jobs = [
        request(`${url}/api/events`, { dispatcher: agent, method: 'POST', headers, body }),
        request(`${url}/api/health`, { dispatcher: agent }),
        request(`${url}/api/health`, { dispatcher: agent }),
      ].map((p) => p.then(async (res) => (await res.body.dump(), String(res.statusCode)), (err: Error) => err.message));
      outcomes.push(...(await Promise.all(jobs)));
    }
    await agent.close();
    expect(new Set(outcomes)).toEqual(new Set(['413', '200']));
  });
});
