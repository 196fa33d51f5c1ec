import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startServer, type StartedServer } from '../helpers/server.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { signedIn, type Requester } from '../helpers/signed-in.ts';

/** Every endpoint once over real HTTP, against the really started server on a copy of the seeded Yuhu database. */
describe('the started server on the seeded Yuhu database', () => {
  let server: StartedServer;
  let db: Db;
  let api: Requester;
  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gezhi-http-')), 'gezhi.db');
    copyFileSync(inject('seededDb'), file);
    server = await startServer({ GEZHI_DB: file });
    // The token is made on the server's own database file, through the accounts service.
    db = openDatabase(file);
    api = signedIn({ url: server.url, db }, 'leader');
  });
  afterAll(async () => {
    db?.close();
    expect(await server?.stop()).toBe(0);
  });

  const get = async (path: string) => {
    const res = await api(path, { headers: { 'Accept-Encoding': 'gzip' } });
    return { res, body: await res.json() };
  };

  it('answers every endpoint', async () => {
    const health = await get('/api/health');
    expect(health.body).toMatchObject({ status: 'ok', blocks: 667, demo: true });
    expect(health.body.events).toBeGreaterThanOrEqual(29_000);

    const areas = await get('/api/areas');
    expect(areas.body.subdistricts).toHaveLength(12);
    expect(areas.body.communities.length).toBeGreaterThan(80);

    const blocks = await get('/api/blocks');
    expect(blocks.res.headers.get('content-encoding')).toBe('gzip');
    expect(blocks.body.features).toHaveLength(667);
    const code = blocks.body.features[0].id;

    const block = await get(`/api/blocks/${code}`);
    expect(block.body.team.governor.name).toBe(blocks.body.features[0].properties.governor.name);
    expect(block.body.team.assistants.length).toBeGreaterThanOrEqual(1);
    expect(block.body.team.supervisor.id).not.toBe(block.body.team.governor.id);

    const staff = await get(`/api/staff?block=${code}`);
    expect(staff.body.items.map((s: { role: string }) => s.role)).toEqual(expect.arrayContaining(['governor', 'assistant', 'supervisor']));

    const events = await get('/api/events?limit=5&status=closed');
    expect(events.body.items).toHaveLength(5);
    expect(events.body.nextCursor).toBeTruthy();
    const event = await get(`/api/events/${events.body.items[0].id}`);
    expect(event.body.log.length).toBeGreaterThanOrEqual(4);

    for (const name of ['district', 'subdistricts', 'communities', 'roads', 'water', 'rivers']) {
      const layer = await get(`/api/layers/${name}`);
      expect(layer.res.status, name).toBe(200);
      expect(layer.body.features.length, name).toBeGreaterThan(0);
    }
  });

  it('answers a client mistake with a 400 problem naming the parameter', async () => {
    const { res, body } = await get('/api/events?bbox=1,2,3');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(body)).toContain('bbox');
  });
});

describe('first start on an empty database file', () => {
  it('seeds the Yuhu demo data and answers within 60 s', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gezhi-first-')), 'gezhi.db');
    const started = performance.now();
    const server = await startServer({ GEZHI_DB: file }, 60_000);
    try {
      const health = await (await fetch(`${server.url}/api/health`)).json();
      const seconds = (performance.now() - started) / 1000;
      console.log(`first start: seeded and answering after ${seconds.toFixed(1)} s`);
      expect(health).toMatchObject({ status: 'ok', blocks: 667, demo: true });
      expect(seconds).toBeLessThan(60);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
