/**
 * GET /api/insight/* over the seeded Yuhu database (generator + 30,000 events, fixed clock): the planted problem
 * areas come out as 99 %-confidence hot spots, the filters change the answers, the ranking carries the teams and
 * figures, the drill-down and CSV export work, and bad parameters are problem+json naming the parameter.
 * Also the null case on the real block map: counts drawn uniformly by population flag fewer than 5 % of blocks.
 */
import type { MultiPolygon, Polygon } from 'geojson';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BlockInsight, InsightClusters, InsightEmerging, InsightHotspots, InsightRanking } from '../../server/contract/insight.ts';
import type { Db } from '../../server/db/database.ts';
import { queenContiguity, type PolygonParts } from '../../server/domain/hotspots.ts';
import { giStarTest } from '../../server/domain/stats/gi-star.ts';
import { weightsFromAdjacency } from '../../server/domain/stats/weights.ts';
import { generateDistrict } from '../../server/geo/gen/index.ts';
import type { GeneratedDistrict } from '../../server/geo/gen/types.ts';
import { seededApp, type App } from '../helpers/apps.ts';
import { poisson as knuthPoisson } from '../../server/domain/prng.ts';
import { signedIn } from '../helpers/signed-in.ts';

let db: Db;
let app: App;
let district: GeneratedDistrict;
const now = inject('seedNow');

beforeAll(() => {
  ({ db, app } = seededApp('insight', () => now));
  district = generateDistrict();
});
afterAll(() => db?.close());

async function get<T>(path: string): Promise<T> {
  const res = await signedIn({ app, db }, 'leader')(path);
  expect(res.status, `${path}: ${res.status} ${res.status === 200 ? '' : await res.clone().text()}`).toBe(200);
  return (await res.json()) as T;
}

/** Metres between two lon/lat points (equirectangular; fine at a few km). */
const metres = (a: readonly number[], b: readonly number[]) =>
  Math.hypot((a[0] - b[0]) * 111_320 * Math.cos((a[1] * Math.PI) / 180), (a[1] - b[1]) * 110_540);

describe('hotspots', () => {
  it('finds every planted problem area as a 99 %-confidence hot spot (cases that ran late, whole history, FDR on)', async () => {
    const r = await get<InsightHotspots>('/api/insight/hotspots?from=2022-01-01&overdue=true');
    expect(r.method).toBe('getis-ord-gi*');
    expect(r.weights).toBe('queen-contiguity');
    expect(r.filter.fdr).toBe(true);
    expect(r.units.length).toBe(667);
    const byId = new Map(r.units.map((u) => [u.id, u]));
    for (const h of district.hotspots) expect(byId.get(h.blockCode)?.bin, h.id).toBe(3);
    // And the 99 % blocks are mostly the planted areas: at least three in four lie within 2 km of one (the rest sit
    // in the densest estates, where raw counts are high because many people live there).
    const blockCentre = new Map(district.blocks.map((b) => [b.code, b.center]));
    const hot = r.units.filter((u) => u.bin === 3);
    const near = hot.filter((u) => district.hotspots.some((h) => metres(blockCentre.get(u.id)!, blockCentre.get(h.blockCode)!) < 2000));
    expect(near.length / hot.length).toBeGreaterThanOrEqual(0.75);
    expect(r.bins['3']).toBe(hot.length);
    expect(r.total).toBe(r.units.reduce((a, u) => a + u.count, 0));
  });

  it('the last year by count already shows the old-town market at 99 %', async () => {
    const r = await get<InsightHotspots>('/api/insight/hotspots');
    const code = district.hotspots.find((h) => h.id === 'old-town-market')!.blockCode;
    expect(r.units.find((u) => u.id === code)?.bin).toBe(3);
    expect(r.comparison.thisYear).toBeGreaterThan(0);
    expect(r.comparison.thisMonth).toBeLessThanOrEqual(r.comparison.thisYear);
  });

  it('a category filter changes the map: the riverside dumping categories light up the riverside, not the market', async () => {
    const riverside = district.hotspots.find((h) => h.id === 'riverside-dumping')!.blockCode;
    const market = district.hotspots.find((h) => h.id === 'old-town-market')!.blockCode;
    const dumping = await get<InsightHotspots>('/api/insight/hotspots?from=2022-01-01&category=0102');
    const stalls = await get<InsightHotspots>('/api/insight/hotspots?from=2022-01-01&category=0501');
    const bin = (r: InsightHotspots, code: string) => r.units.find((u) => u.id === code)!.bin;
    expect(bin(dumping, riverside)).toBe(3);
    expect(bin(stalls, market)).toBe(3);
    expect(bin(stalls, riverside)).toBeLessThan(3);
    expect(dumping.total).not.toBe(stalls.total);
    expect(dumping.filter.category).toBe('0102');
  });

  it('hexagons: H3 cells with outlines and a distance band; normalised rates', async () => {
    const r = await get<InsightHotspots>('/api/insight/hotspots?unit=h3&res=8&normalise=residents');
    expect(r.weights).toBe('distance-band');
    expect(r.bandM).toBeGreaterThan(800);
    expect(r.units.length).toBeGreaterThan(300);
    const u = r.units.find((x) => x.count > 0)!;
    expect(u.id).toMatch(/^88[0-9a-f]{13}$/);
    expect(u.outline?.coordinates[0].length).toBe(7);
    expect(u.value).not.toBe(u.count);
    expect(r.units.some((x) => x.bin === 3)).toBe(true);
  });
});

describe('emerging, clusters, ranking, drill-down', () => {
  it('emerging hot spots: categories from the documented set, counted over every block', async () => {
    const r = await get<InsightEmerging>('/api/insight/emerging?steps=12&overdue=true');
    expect(r.steps).toBe(12);
    expect(r.stepStarts[11]).toBe('2026-11-01T00:00:00.000+08:00');
    expect(Object.values(r.categories).reduce((a, b) => a + b, 0)).toBe(667);
    for (const u of r.units) expect(u.category).toMatch(/^(new|consecutive|intensifying|persistent|diminishing|sporadic|oscillating|historical)-(hot|cold)$/);
    expect(r.units.length).toBeGreaterThan(0);
    const weekly = await get<InsightEmerging>('/api/insight/emerging?step=week&steps=8');
    expect(weekly.stepStarts.length).toBe(8);
  });

  it('overdue clusters: DBSCAN over the cases overdue now, each with its blocks and governors', async () => {
    const r = await get<InsightClusters>('/api/insight/clusters?from=2022-01-01&eps=1500&minPoints=3');
    expect(r.method).toBe('dbscan');
    expect(r.overdue).toBeGreaterThan(0);
    expect(r.noise + r.clusters.reduce((a, c) => a + c.count, 0)).toBe(r.overdue);
    for (const c of r.clusters) {
      expect(c.count).toBeGreaterThanOrEqual(3);
      expect(c.blocks.reduce((a, b) => a + b.count, 0)).toBe(c.count);
      expect(c.blocks[0].governor?.name.length).toBeGreaterThan(1);
    }
  });

  it('ranking: hot blocks first, with governor, supervisor, rate, on-time closure rate, trend and bin', async () => {
    const r = await get<InsightRanking>('/api/insight/ranking?from=2022-01-01&overdue=true&limit=20');
    expect(r.blocks).toBe(667);
    expect(r.rows.length).toBe(20);
    expect(r.rows[0].bin).toBe(3);
    for (let i = 1; i < r.rows.length; i++) expect(r.rows[i].bin).toBeLessThanOrEqual(r.rows[i - 1].bin);
    const top = r.rows[0];
    expect(top.governor?.name.length).toBeGreaterThan(1);
    expect(top.supervisor?.name.length).toBeGreaterThan(1);
    expect(top.governor?.id).not.toBe(top.supervisor?.id);
    expect(['up', 'down', 'flat']).toContain(top.trend.direction);
    const planted = new Set(district.hotspots.map((h) => h.blockCode));
    expect(r.rows.some((row) => planted.has(row.code))).toBe(true);
    // On-time closure over all cases (no overdue filter) is a rate in [0, 1] where cases are decided.
    const all = await get<InsightRanking>('/api/insight/ranking?limit=667');
    const decided = all.rows.filter((row) => row.onTimeRate !== null);
    expect(decided.length).toBeGreaterThan(300);
    for (const row of decided) expect(row.onTimeRate!).toBeGreaterThanOrEqual(0), expect(row.onTimeRate!).toBeLessThanOrEqual(1);
    expect(decided.some((row) => row.onTimeRate! > 0.5)).toBe(true);
    const perResident = await get<InsightRanking>('/api/insight/ranking?normalise=residents&limit=5');
    expect(perResident.rows[0].rate).toBeCloseTo((perResident.rows[0].count * 1000) / perResident.rows[0].residents, 2);
  });

  it('drill-down of a block: categories, monthly timeline, recent cases', async () => {
    const code = district.hotspots.find((h) => h.id === 'old-town-market')!.blockCode;
    const r = await get<BlockInsight>(`/api/insight/blocks/${code}?from=2026-01-01`);
    expect(r.code).toBe(code);
    expect(r.timeline.length).toBe(11);
    expect(r.timeline[0].month).toBe('2026-01');
    expect(r.timeline.reduce((a, m) => a + m.count, 0)).toBe(r.count);
    expect(r.categories.reduce((a, c) => a + c.count, 0)).toBe(r.count);
    expect(r.categories.slice(0, 3).map((c) => c.code).some((c) => ['0501', '0504', '5105'].includes(c))).toBe(true);
    expect(r.recent.length).toBeGreaterThan(0);
    expect(r.recent[0].reportedAt >= r.recent[r.recent.length - 1].reportedAt).toBe(true);
    expect(r.governor?.name.length).toBeGreaterThan(1);
  });

  it('CSV export: UTF-8 BOM, Chinese headers by default, one line per ranked block', async () => {
    const res = await signedIn({ app, db }, 'leader')('/api/insight/ranking.csv?limit=10');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.slice(3));
    const lines = text.trimEnd().split('\r\n');
    expect(lines.length).toBe(11);
    expect(lines[0]).toContain('治理员');
    const en = await (await signedIn({ app, db }, 'leader')('/api/insight/ranking.csv?limit=1&lang=en')).text();
    expect(en).toContain('governor');
  });
});

describe('bad input', () => {
  const cases: [string, string][] = [
    ['/api/insight/hotspots?unit=hex', 'unit'],
    ['/api/insight/hotspots?unit=h3&res=12', 'res'],
    ['/api/insight/hotspots?res=8', 'res'],
    ['/api/insight/hotspots?category=123', 'category'],
    ['/api/insight/hotspots?kind=demand,nope', 'kind'],
    ['/api/insight/hotspots?channel=fax', 'channel'],
    ['/api/insight/hotspots?status=lost', 'status'],
    ['/api/insight/hotspots?overdue=maybe', 'overdue'],
    ['/api/insight/hotspots?normalise=area', 'normalise'],
    ['/api/insight/hotspots?fdr=yes', 'fdr'],
    ['/api/insight/hotspots?from=2026-13-01', 'from'],
    ['/api/insight/hotspots?from=2026-06-01&to=2026-05-01', 'from'],
    ['/api/insight/hotspots?colour=red', 'colour'],
    ['/api/insight/emerging?steps=2', 'steps'],
    ['/api/insight/emerging?step=day', 'step'],
    ['/api/insight/clusters?eps=0', 'eps'],
    ['/api/insight/ranking?limit=0', 'limit'],
    ['/api/insight/ranking?unit=h3', 'unit'],
    ['/api/insight/ranking.csv?lang=fr', 'lang'],
    ['/api/insight/blocks/12', 'code'],
  ];
  for (const [path, name] of cases) {
    it(`${path} → 400 naming '${name}'`, async () => {
      const res = await signedIn({ app, db }, 'leader')(path);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      const body = (await res.json()) as { errors?: { name: string }[] };
      expect(body.errors?.map((e) => e.name)).toContain(name);
    });
  }

  it('an unknown block is a 404 problem', async () => {
    const res = await signedIn({ app, db }, 'leader')('/api/insight/blocks/430302999999999');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { reason: string }).reason).toBe('not-found');
  });
});

describe('no planted pattern', () => {
  it('counts drawn uniformly by population, as rates per resident: fewer than 5 % of blocks flagged at 95 % with FDR', () => {
    const blocks = generateDistrict().blocks;
    const parts = blocks.map((b) => {
      const g = b.geometry as Polygon | MultiPolygon;
      return (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as PolygonParts;
    });
    const w = weightsFromAdjacency(queenContiguity(parts, blocks.map((b) => b.center as [number, number])));
    let seed = 11;
    const u = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const poisson = (lambda: number) => {
      // Normal approximation above 30 keeps the draw cheap; exact Knuth below.
      if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * Math.sqrt(-2 * Math.log(u() || 1e-12)) * Math.cos(2 * Math.PI * u())));
      return knuthPoisson(lambda, u);
    };
    const shares: number[] = [];
    for (let run = 0; run < 20; run++) {
      const rates = blocks.map((b) => (b.residents > 0 ? (poisson(b.residents * 0.02) * 1000) / b.residents : 0));
      const r = giStarTest(rates, w, { fdr: true });
      shares.push(Array.from(r.bin).filter((b) => Math.abs(b) >= 2).length / blocks.length);
    }
    expect(Math.max(...shares), shares.join(', ')).toBeLessThan(0.05);
    // Without the correction the same data flags more (this is what FDR is for) — but still far from 5 % is fine.
  });
});
