import { describe, it, expect, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import area from '@turf/area';
import booleanValid from '@turf/boolean-valid';
import polygonClipping from 'polygon-clipping';
import Flatbush from 'flatbush';
import bbox from '@turf/bbox';
import type { MultiPolygon, Polygon } from 'geojson';
import { generateDistrict } from '../../server/geo/gen/index.ts';
import type { GeneratedDistrict } from '../../server/geo/gen/types.ts';

const coordsOf = (g: Polygon | MultiPolygon) => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as polygonClipping.MultiPolygon;
const areaOfCoords = (mp: polygonClipping.MultiPolygon) => area({ type: 'MultiPolygon', coordinates: mp });

describe('district generator', () => {
  let d: GeneratedDistrict;
  let districtArea: number;
  beforeAll(() => {
    d = generateDistrict();
    districtArea = area(d.district.geometry);
  });

  it('is deterministic: two runs give byte-identical output', () => {
    const hash = (x: unknown) => createHash('sha256').update(JSON.stringify(x)).digest('hex');
    expect(hash(generateDistrict())).toBe(hash(d));
  });

  it('keeps the 12 township-level units of Yuhu, without the Jiuhua zone units', () => {
    expect(d.subdistricts.map((s) => s.name).sort()).toEqual(
      ['万楼街道', '云塘街道', '先锋街道', '城正街街道', '姜畲镇', '广场街道', '昭潭街道', '楠竹山镇', '窑湾街道', '长城乡', '雨湖路街道', '鹤岭镇'].sort(),
    );
    const urban = d.subdistricts.filter((s) => s.urban);
    const rural = d.subdistricts.filter((s) => !s.urban);
    // The eight urban subdistricts are small and dense, the four towns large and rural.
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(urban.map((s) => area(s.geometry)))).toBeLessThan(mean(rural.map((s) => area(s.geometry))) / 5);
    const density = (s: (typeof d.subdistricts)[number]) =>
      d.blocks.filter((b) => b.subdistrictCode === s.code).reduce((t, b) => t + b.residents, 0) / area(s.geometry);
    expect(Math.min(...urban.map(density))).toBeGreaterThan(Math.max(...rural.map(density)) * 5);
  });

  it('cuts the district into exactly 667 blocks with 15-digit codes in reading order', () => {
    expect(d.blocks).toHaveLength(667);
    const communityCodes = new Set(d.communities.map((c) => c.code));
    const perCommunity = new Map<string, number[]>();
    for (const b of d.blocks) {
      expect(b.code).toMatch(/^430302\d{9}$/);
      expect(b.code.slice(0, 12)).toBe(b.communityCode);
      expect(communityCodes.has(b.communityCode)).toBe(true);
      perCommunity.set(b.communityCode, [...(perCommunity.get(b.communityCode) ?? []), Number(b.code.slice(12))]);
    }
    for (const seqs of perCommunity.values()) expect(seqs.sort((a, b) => a - b)).toEqual(seqs.map((_, i) => i + 1));
    for (const c of d.communities) {
      expect(c.code).toMatch(/^\d{12}$/);
      expect(c.code.slice(0, 9)).toBe(c.subdistrictCode);
      expect(c.name.endsWith(c.type)).toBe(true);
    }
    expect(new Set(d.blocks.map((b) => b.code)).size).toBe(667);
  });

  it('tiles the district: block areas sum to the district area within 0.5%', () => {
    const sum = d.blocks.reduce((t, b) => t + area(b.geometry), 0);
    expect(Math.abs(sum - districtArea) / districtArea).toBeLessThan(0.005);
  });

  it('has valid blocks whose pairwise overlap is below 0.01% of the district', () => {
    for (const b of d.blocks) expect(booleanValid(b.geometry), b.code).toBe(true);
    const index = new Flatbush(d.blocks.length);
    const boxes = d.blocks.map((b) => bbox(b.geometry));
    for (const [a, b, c, e] of boxes) index.add(a, b, c, e);
    index.finish();
    let overlap = 0;
    d.blocks.forEach((b, i) => {
      for (const j of index.search(...(boxes[i] as [number, number, number, number]))) {
        if (j <= i) continue;
        overlap += areaOfCoords(polygonClipping.intersection(coordsOf(b.geometry), coordsOf(d.blocks[j].geometry)));
      }
    });
    expect(overlap / districtArea).toBeLessThan(0.0001);
  });

  it('puts every block inside exactly one community and one subdistrict', () => {
    const byCode = new Map([...d.communities, ...d.subdistricts].map((a) => [a.code, a]));
    for (const b of d.blocks) {
      const a = area(b.geometry);
      for (const code of [b.communityCode, b.subdistrictCode]) {
        const inside = areaOfCoords(polygonClipping.intersection(coordsOf(b.geometry), coordsOf(byCode.get(code)!.geometry)));
        expect(inside / a, `${b.code} in ${code}`).toBeGreaterThan(0.999);
      }
    }
  });

  it('houses about 600,000 residents at about 2.6 per household, urban blocks 150–400 households', () => {
    const residents = d.blocks.reduce((t, b) => t + b.residents, 0);
    const households = d.blocks.reduce((t, b) => t + b.households, 0);
    expect(Math.abs(residents - 600_000) / 600_000).toBeLessThan(0.02);
    expect(residents / households).toBeGreaterThan(2.5);
    expect(residents / households).toBeLessThan(2.7);
    expect(d.buildings.reduce((t, b) => t + b.residents, 0)).toBe(residents);
    const urban = new Set(d.subdistricts.filter((s) => s.urban).map((s) => s.code));
    for (const b of d.blocks.filter((x) => urban.has(x.subdistrictCode))) {
      expect(b.households, b.code).toBeGreaterThanOrEqual(150);
      expect(b.households, b.code).toBeLessThanOrEqual(400);
    }
  });

  it('has a connected road network of classed roads with speeds', () => {
    const parent = new Map<string, string>();
    const find = (k: string): string => {
      while (parent.get(k) !== k) k = parent.get(k)!;
      return k;
    };
    const key = ([x, y]: number[]) => `${x},${y}`;
    for (const r of d.roads) {
      expect(['arterial', 'secondary', 'street']).toContain(r.class);
      expect(r.speedKmh).toBeGreaterThan(0);
      const keys = r.geometry.coordinates.map(key);
      for (const k of keys) if (!parent.has(k)) parent.set(k, k);
      for (let i = 1; i < keys.length; i++) parent.set(find(keys[i - 1]), find(keys[i]));
    }
    const roots = new Set([...parent.keys()].map(find));
    expect(roots.size).toBe(1);

    // One-way streets exist (the old town) and never cut a node off: the directed network is strongly connected.
    expect(d.roads.filter((r) => r.oneway).length).toBeGreaterThan(20);
    const ids = new Map<string, number>();
    for (const r of d.roads) for (const c of [r.geometry.coordinates[0], r.geometry.coordinates.at(-1)!]) if (!ids.has(key(c))) ids.set(key(c), ids.size);
    const reach = (forward: boolean) => {
      const adj: number[][] = Array.from({ length: ids.size }, () => []);
      for (const r of d.roads) {
        const c = r.geometry.coordinates;
        const a = ids.get(key(c[0]))!, b = ids.get(key(c[c.length - 1]))!;
        // Forward: a→b always, b→a unless one-way; the reverse graph turns every arc round.
        if (forward) adj[a].push(b);
        else adj[b].push(a);
        if (!r.oneway) forward ? adj[b].push(a) : adj[a].push(b);
      }
      const seen = new Set([0]);
      const stack = [0];
      while (stack.length) for (const m of adj[stack.pop()!]) if (!seen.has(m)) seen.add(m), stack.push(m);
      return seen.size;
    };
    expect(reach(true)).toBe(ids.size);
    expect(reach(false)).toBe(ids.size);
    expect(d.roads.filter((r) => r.class === 'arterial').length).toBeGreaterThan(20);
  });

  it('plants documented problem areas on real blocks', () => {
    const codes = new Set(d.blocks.map((b) => b.code));
    expect(d.hotspots.length).toBeGreaterThanOrEqual(3);
    for (const h of d.hotspots) expect(codes.has(h.blockCode)).toBe(true);
  });
});
