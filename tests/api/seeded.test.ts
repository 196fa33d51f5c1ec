import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { signedIn } from '../helpers/signed-in.ts';
import { seededCopy } from '../helpers/seeded.ts';

/** The API on the seeded Yuhu demo database (skipped when the global setup could not seed one). */
const file = inject('seededDb');
const now = inject('seedNow');

describe.skipIf(!file)('API on the seeded Yuhu database', () => {
  let db: Db;
  let app: ReturnType<typeof createApp>;
  beforeAll(() => {
    // A private copy: signing in writes (the test's token), and the shared seeded file must stay untouched.
    db = openDatabase(seededCopy('seeded-api'));
    app = createApp({ db, now: () => now });
  });
  afterAll(() => db?.close());

  it('serves all 667 blocks with full teams, compressed under 400 KB', async () => {
    const res = await signedIn({ app, db }, 'leader')('/api/blocks', { headers: { 'Accept-Encoding': 'br, gzip' } });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBeLessThan(400_000);
    const fc = await (await signedIn({ app, db }, 'leader')('/api/blocks')).json();
    expect(fc.features).toHaveLength(667);
    for (const f of fc.features) {
      expect(f.properties.governor, f.id).not.toBeNull();
      expect(f.properties.supervisor, f.id).not.toBeNull();
      expect(f.properties.assistants, f.id).toBeGreaterThanOrEqual(1);
      expect(['Polygon', 'MultiPolygon']).toContain(f.geometry.type);
    }
    const open = db.prepare(
      `SELECT count(*) AS n FROM events WHERE status NOT IN ('rejected', 'closed', 'evaluated')`,
    ).get() as { n: number };
    expect(fc.features.reduce((n: number, f: { properties: { open: number } }) => n + f.properties.open, 0)).toBe(open.n);
  });

  it('answers every block geometry without a repeated consecutive vertex, each ring closed with 4+ positions', async () => {
    const fc = (await (await signedIn({ app, db }, 'leader')('/api/blocks')).json()) as {
      features: { id: string; geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown } }[];
    };
    const repeated: string[] = [];
    let rings = 0;
    for (const f of fc.features) {
      const polygons = (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates) as number[][][][];
      for (const polygon of polygons) {
        for (const ring of polygon) {
          rings++;
          expect(ring.length, f.id).toBeGreaterThanOrEqual(4);
          expect(ring[ring.length - 1], f.id).toEqual(ring[0]);
          for (let i = 1; i < ring.length; i++) {
            if (ring[i][0] === ring[i - 1][0] && ring[i][1] === ring[i - 1][1]) repeated.push(`${f.id} at ${i}`);
          }
        }
      }
    }
    expect(rings).toBeGreaterThanOrEqual(667);
    expect(repeated).toEqual([]);
    // Roads shorter than the rounding step keep a (degenerate) line rather than losing their geometry.
    const roads = (await (await signedIn({ app, db }, 'leader')('/api/layers/roads')).json()) as { features: { id: number; geometry: { coordinates: number[][] } | null }[] };
    for (const r of roads.features) expect(r.geometry?.coordinates.length ?? 0, `road ${r.id}`).toBeGreaterThanOrEqual(2);
    // The single-block answer is rounded the same way.
    const one = (await (await signedIn({ app, db }, 'leader')(`/api/blocks/${fc.features[0].id}`)).json()) as { geometry: unknown };
    expect(one.geometry).toEqual(fc.features[0].geometry);
  });

  it('pages through every event exactly once', async () => {
    const total = (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    const seen = new Set<number>();
    let cursor: string | null = null;
    let last = Infinity;
    do {
      const res = await signedIn({ app, db }, 'leader')(`/api/events?limit=5000${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const page: { items: { id: number; reportedAt: string }[]; nextCursor: string | null } = await res.json();
      for (const e of page.items) {
        expect(seen.has(e.id)).toBe(false);
        seen.add(e.id);
        const t = Date.parse(e.reportedAt);
        expect(t).toBeLessThanOrEqual(last);
        last = t;
      }
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.size).toBe(total);
  });

  it('returns a block with its 1+N+1 team and every layer', async () => {
    const code = (db.prepare('SELECT code FROM blocks ORDER BY code LIMIT 1').get() as { code: string }).code;
    const b = await (await signedIn({ app, db }, 'leader')(`/api/blocks/${code}`)).json();
    expect(b.team.governor.role).toBe('governor');
    expect(b.team.supervisor.role).toBe('supervisor');
    expect(b.team.assistants.length).toBeGreaterThanOrEqual(1);
    const staff = await (await signedIn({ app, db }, 'leader')(`/api/staff?block=${code}`)).json();
    expect(staff.items).toHaveLength(2 + b.team.assistants.length);
    for (const name of ['district', 'subdistricts', 'communities', 'roads', 'water', 'rivers']) {
      const res = await signedIn({ app, db }, 'leader')(`/api/layers/${name}`);
      expect(res.status, name).toBe(200);
      expect((await res.json()).features.length, name).toBeGreaterThan(0);
    }
  });
});
