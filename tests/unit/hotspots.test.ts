import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Db } from '../../server/db/database.ts';
import {
  benjaminiHochberg, erfc, findHotspots, getisOrdGiStar, mergeOutline, normalUpperTail, queenContiguity, type PolygonParts,
} from '../../server/domain/hotspots.ts';
import { generateDistrict } from '../../server/geo/gen/index.ts';
import type { GeneratedDistrict } from '../../server/geo/gen/types.ts';
import { Hono } from 'hono';
import { onError } from '../../server/http/problem.ts';
import { hotspotRoutes, type HotspotResponse } from '../../server/routes/hotspots.ts';
import { poisson } from '../../server/domain/prng.ts';
import { signedIn, withAuth } from '../helpers/signed-in.ts';

/** A w×h grid of unit squares as block polygons (index = row * w + col). */
function grid(w: number, h: number): { parts: PolygonParts[]; centers: [number, number][] } {
  const parts: PolygonParts[] = [];
  const centers: [number, number][] = [];
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      parts.push([[[[c, r], [c + 1, r], [c + 1, r + 1], [c, r + 1], [c, r]]]]);
      centers.push([c + 0.5, r + 0.5]);
    }
  }
  return { parts, centers };
}

/** A small deterministic PRNG (mulberry32), for synthetic counts. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('statistics', () => {
  it('erfc and the normal tail match reference values, far into the tail', () => {
    expect(erfc(0)).toBeCloseTo(1, 6);
    expect(erfc(1)).toBeCloseTo(0.157299207, 6);
    expect(erfc(-1)).toBeCloseTo(1.842700793, 6);
    expect(normalUpperTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(normalUpperTail(3.090232) / 0.001).toBeCloseTo(1, 4);
    expect(normalUpperTail(8) / 6.22096e-16).toBeCloseTo(1, 3);
  });

  it('Benjamini–Hochberg adjusts as the textbook example does', () => {
    const p = [0.01, 0.04, 0.03, 0.005];
    // sorted 0.005, 0.01, 0.03, 0.04 → ×4/k: 0.02, 0.02, 0.04, 0.04 (monotone from the top)
    expect(benjaminiHochberg(p).map((v) => Number(v.toFixed(6)))).toEqual([0.02, 0.04, 0.04, 0.02]);
    expect(benjaminiHochberg([0.9, 0.95])).toEqual([0.95, 0.95]);
  });

  it('queen contiguity: a grid cell touches its 8 surrounding cells, corners included', () => {
    const { parts, centers } = grid(3, 3);
    const adj = queenContiguity(parts, centers);
    expect(adj[4]).toEqual([0, 1, 2, 3, 5, 6, 7, 8]);
    expect(adj[0]).toEqual([1, 3, 4]);
  });

  it('an isolated polygon gets its nearest blocks as neighbours', () => {
    const { parts, centers } = grid(3, 1);
    parts.push([[[[10, 10], [11, 10], [11, 11], [10, 11], [10, 10]]]]);
    centers.push([10.5, 10.5]);
    const adj = queenContiguity(parts, centers, 2);
    expect(adj[3]).toEqual([1, 2]);
  });

  it('Gi* is zero-mean-ish and positive only where high values cluster', () => {
    const { parts, centers } = grid(5, 5);
    const adj = queenContiguity(parts, centers);
    const x = new Array(25).fill(1);
    x[0] = x[1] = x[5] = x[6] = 10;
    const z = getisOrdGiStar(x, adj);
    expect(z[0]).toBeGreaterThan(2);
    expect(z[24]).toBeLessThan(0);
    expect(getisOrdGiStar(new Array(25).fill(3), adj).every((v) => v === 0)).toBe(true);
  });

  it('finds no hotspot in spatially random counts (the correction keeps false alarms out)', () => {
    const { parts, centers } = grid(30, 30);
    const adj = queenContiguity(parts, centers);
    let falseClusters = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const u = rng(seed);
      const x = parts.map(() => poisson(2, u));
      falseClusters += findHotspots(x, adj, { alpha: 0.05 }).clusters.length;
    }
    expect(falseClusters).toBeLessThanOrEqual(1);
  });

  it('finds a planted cluster and only it, with the most-case block as its core', () => {
    const { parts, centers } = grid(30, 30);
    const adj = queenContiguity(parts, centers);
    const u = rng(42);
    const x = parts.map(() => poisson(1, u));
    const planted = [10 * 30 + 10, 10 * 30 + 11, 11 * 30 + 10, 11 * 30 + 11];
    for (const i of planted) x[i] += 6;
    x[planted[0]] += 4;
    const r = findHotspots(x, adj);
    expect(r.clusters.length).toBe(1);
    const c = r.clusters[0];
    for (const i of planted) expect(c.members).toContain(i);
    expect(c.core).toBe(planted[0]);
    expect(c.qMin).toBeLessThan(0.05);
    expect(c.count).toBeGreaterThan(c.expected * 2);
    const outline = mergeOutline(c.members.map((i) => parts[i]));
    expect(outline.type).toBe('Polygon'); // touching squares merge into one polygon
  });
});

describe('GET /api/hotspots on the seeded district', () => {
  let db: Db;
  let district: GeneratedDistrict;
  const file = join(process.cwd(), 'tests', '.tmp', `hotspots-${process.pid}.db`);
  const now = inject('seedNow');

  beforeAll(() => {
    copyFileSync(inject('seededDb'), file);
    db = openDatabase(file);
    district = generateDistrict();
  });
  afterAll(() => {
    db?.close();
    for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  });

  const get = async (qs: string): Promise<HotspotResponse> => {
    const res = await signedIn({ app: withAuth(db, hotspotRoutes({ db, now: () => now })), db }, 'wall')(`/?${qs}`);
    expect(res.status).toBe(200);
    return (await res.json()) as HotspotResponse;
  };

  it('recovers the planted problem areas from a year of late cases, old-town market included', async () => {
    const r = await get('measure=late&days=365');
    expect(r.method).toBe('getis-ord-gi*');
    expect(r.blocks).toBe(667);
    const found = district.hotspots.filter((h) => r.items.some((i) => i.blocks.includes(h.blockCode)));
    expect(found.map((h) => h.id)).toContain('old-town-market');
    expect(found.length, `found ${found.map((h) => h.id).join(', ')}`).toBeGreaterThanOrEqual(4);
    const market = r.items.find((i) => i.blocks.includes(district.hotspots.find((h) => h.id === 'old-town-market')!.blockCode))!;
    expect(market.subdistrict.name).toBe('城正街街道');
    expect(market.z).toBeGreaterThan(3);
    expect(market.q).toBeLessThan(0.05);
    expect(market.count).toBeGreaterThan(market.expected * 3);
    expect(market.governor?.name.length).toBeGreaterThan(1);
    expect(['Polygon', 'MultiPolygon']).toContain(market.outline.type);
    // Not everything lights up: hotspots are a small part of the district.
    expect(r.items.reduce((a, i) => a + i.blocks.length, 0)).toBeLessThan(667 * 0.15);
  });

  it('the last 90 days already show the old-town market', async () => {
    const r = await get('measure=late&days=90');
    const code = district.hotspots.find((h) => h.id === 'old-town-market')!.blockCode;
    expect(r.items.some((i) => i.blocks.includes(code))).toBe(true);
  });

  it('answers the other measures and refuses bad parameters', async () => {
    for (const m of ['overdue', 'open']) {
      const r = await get(`measure=${m}`);
      expect(r.measure).toBe(m);
      for (const i of r.items) expect(i.q).toBeLessThanOrEqual(0.05);
    }
    const app = withAuth(db, hotspotRoutes({ db, now: () => now })).onError(onError);
    for (const bad of ['measure=nope', 'days=0', 'alpha=0.5', 'alpha=x', 'extra=1']) {
      const res = await signedIn({ app, db }, 'wall')(`/?${bad}`);
      expect(res.status, bad).toBe(400);
    }
  });
});
