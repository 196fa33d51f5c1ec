import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../server/db/migrations.ts';
import { bodyText, readProblem, type Fixture } from './fixture.ts';
import { fixtureApp } from '../helpers/apps.ts';
import type { Requester } from '../helpers/signed-in.ts';

let fx: Fixture;
/** Requests as a leader: signed in, district-wide reads. */
let api: Requester;

beforeAll(() => {
  const made = fixtureApp();
  fx = made.fx;
  api = made.as('leader');
});
afterAll(() => fx.db.close());

describe('GET /api/health', () => {
  it('reports version, schema, counts, demo flag and the time with +08:00', async () => {
    const res = await api('/api/health');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: 'ok', schemaVersion: MIGRATIONS[MIGRATIONS.length - 1].version, blocks: 6, events: 30, demo: true, time: '2024-06-15T12:00:00.000+08:00' });
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('GET /api/areas', () => {
  it('returns the tree with block, resident and household totals and no geometry', async () => {
    const res = await api('/api/areas');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.district).toMatchObject({ code: '430302', name: '雨湖区', type: '区', urban: true, parentCode: null, blocks: 6 });
    expect(body.subdistricts.map((a: { code: string }) => a.code)).toEqual(['430302001', '430302002']);
    expect(body.communities).toHaveLength(3);
    const residents = fx.db.prepare('SELECT sum(residents) AS n FROM blocks WHERE version_id = 1').get() as { n: number };
    expect(body.district.residents).toBe(residents.n);
    expect(body.subdistricts[0].blocks + body.subdistricts[1].blocks).toBe(6);
    expect(body.communities[2]).toMatchObject({ code: '430302002001', parentCode: '430302002', urban: false, blocks: 2 });
    expect(body.district.center).toEqual([112.83, 27.855]);
    expect(JSON.stringify(body)).not.toContain('geometry');
  });
});

describe('errors', () => {
  it('answers an unknown /api path with a 404 problem', async () => {
    const res = await api('/api/no-such-thing');
    expect(res.status).toBe(404);
    const p = await readProblem(res);
    expect(p.detail).toContain('/api/no-such-thing');
  });

  it('answers a wrong method on a known path with a 404 problem, not a 500', async () => {
    const res = await api('/api/blocks', { method: 'DELETE' });
    expect(res.status).toBe(404);
    await readProblem(res);
  });

  it('refuses bodies over 1 MB with 413 problem+json', async () => {
    const res = await api('/api/events', {
      method: 'POST',
      body: 'x'.repeat(1024 * 1024 + 1),
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(1024 * 1024 + 1) },
    });
    expect(res.status).toBe(413);
    const p = await readProblem(res);
    expect(p.title).toBe('Payload too large');
  });

  it('compresses JSON responses when the client accepts gzip', async () => {
    const res = await api('/api/areas', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(JSON.parse(await bodyText(res)).district.code).toBe('430302');
  });
});
