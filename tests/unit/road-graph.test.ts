import { beforeAll, describe, expect, it } from 'vitest';
import type { LineString } from 'geojson';
import { RoadGraph, haversineMetres, type RoadInput } from '../../server/geo/road-graph.ts';
import { generateDistrict } from '../../server/geo/gen/index.ts';
import { createRng } from '../../server/domain/prng.ts';
import { road, at, LON0, LAT0, M_LAT, M_LON } from '../helpers/roads.ts';

function lengthOf(coords: number[][]): number {
  let m = 0;
  for (let i = 1; i < coords.length; i++) m += haversineMetres(coords[i - 1][0], coords[i - 1][1], coords[i][0], coords[i][1]);
  return m;
}

function linkCoords(g: RoadGraph, l: number): number[][] {
  const out: number[][] = [];
  for (let v = g.linkVertexStart[l]; v < g.linkVertexStart[l + 1]; v++) out.push([g.vertexCoords[2 * v], g.vertexCoords[2 * v + 1]]);
  return out;
}

/** Every CSR edge matches a link and direction, both ways, and every link gives exactly its edges. */
function checkAdjacency(g: RoadGraph): void {
  const seenOut = new Map<number, number>();
  for (let u = 0; u < g.nodeCount; u++) {
    for (let e = g.outOffsets[u]; e < g.outOffsets[u + 1]; e++) {
      const ref = g.outRef[e], l = ref >> 1;
      expect(g.refSource(ref)).toBe(u);
      expect(g.refTarget(ref)).toBe(g.outTarget[e]);
      expect(g.outSeconds[e]).toBe(g.linkSeconds[l]);
      if (ref & 1) expect(g.linkOneway[l]).toBe(0);
      seenOut.set(ref, (seenOut.get(ref) ?? 0) + 1);
    }
  }
  for (let v = 0; v < g.nodeCount; v++) {
    for (let e = g.inOffsets[v]; e < g.inOffsets[v + 1]; e++) {
      expect(g.refTarget(g.inRef[e])).toBe(v);
      expect(g.refSource(g.inRef[e])).toBe(g.inSource[e]);
      expect(g.inSeconds[e]).toBe(g.linkSeconds[g.inRef[e] >> 1]);
    }
  }
  for (let l = 0; l < g.linkCount; l++) {
    expect(seenOut.get(l * 2)).toBe(1);
    expect(seenOut.get(l * 2 + 1)).toBe(g.linkOneway[l] ? undefined : 1);
  }
  expect(g.outOffsets[g.nodeCount]).toBe(g.edgeCount);
  expect(g.inOffsets[g.nodeCount]).toBe(g.edgeCount);
}

describe('RoadGraph topology', () => {
  it('splits roads at shared vertices and ends, keeping interior vertices and lengths', () => {
    // a cross: a west–east road through a bend vertex and the centre, a north–south road through the centre
    const we = road([at(-100, 0), at(-50, 5), at(0, 0), at(100, 0)], 36);
    const ns = road([at(0, 100), at(0, 0), at(0, -100)], 18, true);
    const g = RoadGraph.build([we, ns]);
    expect(g.nodeCount).toBe(5); // 4 ends + the centre; the bend is not a node
    expect(g.linkCount).toBe(4);
    expect(g.edgeCount).toBe(2 * 2 + 2); // two-way halves, one-way halves
    expect(g.stats).toMatchObject({ roads: 2, skippedRoads: 0, vertices: 3 + 2 + 2 + 2, mergedPoints: 0 });
    // links in road order: W→centre (with the bend), centre→E, N→centre, centre→S
    expect(Array.from(g.linkRoad)).toEqual([0, 0, 1, 1]);
    expect(linkCoords(g, 0)).toEqual([at(-100, 0), at(-50, 5), at(0, 0)]);
    expect(linkCoords(g, 3)).toEqual([at(0, 0), at(0, -100)]);
    expect(g.linkTo[0]).toBe(g.linkFrom[1]);
    expect(g.linkTo[2]).toBe(g.linkTo[0]);
    expect(g.linkFrom[3]).toBe(g.linkTo[0]);
    const c = g.linkTo[0];
    expect([g.nodeLon[c], g.nodeLat[c]]).toEqual(at(0, 0));
    for (let l = 0; l < 4; l++) {
      expect(g.linkMetres[l]).toBeCloseTo(lengthOf(linkCoords(g, l)), 9);
      expect(g.linkSeconds[l]).toBeCloseTo(g.linkMetres[l] / g.linkSpeed[l], 9);
    }
    expect(g.linkMetres[0]).toBeCloseTo(2 * Math.hypot(50, 5), 1);
    expect(g.linkMetres[1]).toBeCloseTo(100, 1);
    expect(g.linkSpeed[0]).toBe(10);
    expect(g.linkSeconds[2]).toBeCloseTo(20, 1); // 100 m at 18 km/h
    expect(Array.from(g.linkOneway)).toEqual([0, 0, 1, 1]);
    expect(g.maxSpeed).toBe(10);
    checkAdjacency(g);
    // one-way: the centre's out edges are to W, E and S, not N
    const outs = [];
    for (let e = g.outOffsets[c]; e < g.outOffsets[c + 1]; e++) outs.push(g.outTarget[e]);
    expect(outs.sort()).toEqual([g.linkFrom[0], g.linkTo[1], g.linkTo[3]].sort());
  });

  it('merges points of different roads closer than mergeMetres, not farther ones', () => {
    const a = road([at(0, 0), at(100, 0)]);
    const near = road([at(100.3, 0), at(100, 100)]); // 0.3 m from a's end
    const far = road([at(102, 0), at(200, 0)]); // 2 m from a's end
    const g = RoadGraph.build([a, near, far]);
    expect(g.stats.mergedPoints).toBe(1);
    expect(g.nodeCount).toBe(5);
    expect(g.linkFrom[1]).toBe(g.linkTo[0]);
    // the merged vertex takes the earlier point's coordinate, so the link ends exactly on its node
    expect(linkCoords(g, 1)[0]).toEqual(at(100, 0));
    const exact = RoadGraph.build([a, near, far], { mergeMetres: 0 });
    expect(exact.nodeCount).toBe(6);
    expect(exact.stats.mergedPoints).toBe(0);
  });

  it('drops repeated and collapsed vertices, skips roads that collapse to one point', () => {
    const g = RoadGraph.build([
      road([at(0, 0), at(0, 0), at(50, 0), at(50.1, 0), at(100, 0)]),
      road([at(100, 0), at(100.2, 0)]), // shorter than the merge tolerance
      road([at(300, 0)]), // a single position
    ]);
    expect(g.stats.skippedRoads).toBe(2);
    expect(g.linkCount).toBe(1);
    expect(linkCoords(g, 0)).toEqual([at(0, 0), at(50, 0), at(100, 0)]);
  });

  it('a road crossing itself or closing a ring gets a node there', () => {
    const ring = road([at(0, 0), at(100, 0), at(100, 100), at(0, 100), at(0, 0)]);
    const g = RoadGraph.build([ring]);
    expect(g.nodeCount).toBe(1);
    expect(g.linkCount).toBe(1);
    expect(g.linkFrom[0]).toBe(g.linkTo[0]);
    expect(g.linkMetres[0]).toBeCloseTo(400, 0);
    const eight = road([at(0, 0), at(100, 0), at(50, 50), at(50, -50), at(100, 0), at(200, 0)]);
    const h = RoadGraph.build([eight]);
    expect(h.nodeCount).toBe(3);
    expect(h.linkCount).toBe(3);
    checkAdjacency(h);
  });

  it('rejects invalid input with messages that name the road', () => {
    expect(() => RoadGraph.build([road([at(0, 0), [NaN, 1]])])).toThrow(/Road 0 has an invalid coordinate/);
    expect(() => RoadGraph.build([road([at(0, 0), at(1, 1)], 0)])).toThrow(/Road 0: speedKmh must be a positive number, got 0/);
    expect(() => RoadGraph.build([{ ...road([at(0, 0), at(1, 1)]), geometry: { type: 'Point' } as unknown as LineString }]))
      .toThrow(/expected a LineString/);
    expect(() => RoadGraph.build([], { mergeMetres: -1 })).toThrow(/mergeMetres/);
    const empty = RoadGraph.build([]);
    expect([empty.nodeCount, empty.linkCount, empty.edgeCount]).toEqual([0, 0, 0]);
    expect(empty.snap(LON0, LAT0)).toBeNull();
  });
});

describe('RoadGraph snapping', () => {
  it('finds the point on the nearest segment, its fraction along the link and the distance', () => {
    const g = RoadGraph.build([
      road([at(0, 0), at(100, 0), at(100, 100)]),
      road([at(0, 30), at(60, 30)]),
    ]);
    const s = g.snap(...at(100 + 7, 40))!;
    expect(s.link).toBe(0);
    expect(s.metres).toBeCloseTo(140, 1);
    expect(s.fraction).toBe(s.metres / g.linkMetres[0]);
    expect(s.distance).toBeCloseTo(7, 1);
    expect(s.lon).toBeCloseTo(at(100, 40)[0], 8);
    const t = g.snap(...at(20, 20))!; // 10 m from the second road, 20 m from the first
    expect(t.link).toBe(1);
    expect(t.distance).toBeCloseTo(10, 1);
    expect(t.metres).toBeCloseTo(20, 1);
    const end = g.snap(...at(-10, -10))!; // beyond the first vertex: the vertex itself
    expect([end.link, end.metres, end.fraction, end.lon, end.lat]).toEqual([0, 0, 0, ...at(0, 0)]);
    expect(g.snap(...at(-10, -10), 5)).toBeNull(); // farther than maxMetres
    expect(g.snap(NaN, 0)).toBeNull();
  });
});

describe('RoadGraph on the generated Yuhu roads', () => {
  let roads: ReturnType<typeof generateDistrict>['roads'];
  let g: RoadGraph;
  beforeAll(() => {
    roads = generateDistrict().roads;
    g = RoadGraph.build(roads);
  });

  it('keeps every road metre (less collapsed slivers) and a consistent adjacency', () => {
    expect(g.linkCount).toBeGreaterThanOrEqual(roads.length - g.stats.skippedRoads);
    expect(g.stats.roads + g.stats.skippedRoads).toBe(roads.length);
    let linkTotal = 0, roadTotal = 0;
    for (let l = 0; l < g.linkCount; l++) linkTotal += g.linkMetres[l];
    for (const r of roads) roadTotal += lengthOf(r.geometry.coordinates);
    // merging moves a vertex at most 0.5 m: each merged point changes the total by at most 2 × 0.5 m per use
    expect(Math.abs(linkTotal - roadTotal)).toBeLessThan(4 * 0.5 * (g.stats.mergedPoints + g.stats.skippedRoads) + 1e-6);
    checkAdjacency(g);
    // every node is a link end, and link ends are exactly their nodes' coordinates
    const used = new Uint8Array(g.nodeCount);
    for (let l = 0; l < g.linkCount; l++) {
      const cs = linkCoords(g, l);
      expect(cs[0]).toEqual([g.nodeLon[g.linkFrom[l]], g.nodeLat[g.linkFrom[l]]]);
      expect(cs[cs.length - 1]).toEqual([g.nodeLon[g.linkTo[l]], g.nodeLat[g.linkTo[l]]]);
      used[g.linkFrom[l]] = used[g.linkTo[l]] = 1;
    }
    expect(used.every((x) => x === 1)).toBe(true);
    console.log(`road graph: ${g.nodeCount} nodes, ${g.linkCount} links, ${g.edgeCount} edges, ` +
      `${g.stats.mergedPoints} merged points, ${g.stats.skippedRoads} collapsed roads, built in ${g.stats.buildMs.toFixed(1)} ms`);
  });

  it('snaps 2,000 seeded points to the nearest segment (brute force over every segment)', () => {
    const rng = createRng(11);
    const segs: number[][] = [];
    for (let l = 0; l < g.linkCount; l++) {
      for (let v = g.linkVertexStart[l]; v < g.linkVertexStart[l + 1] - 1; v++) segs.push([l, v]);
    }
    for (let i = 0; i < 2000; i++) {
      // near a random link (within 300 m), so the nearest segment is a close call
      const l = rng.int(0, g.linkCount - 1);
      const v = rng.int(g.linkVertexStart[l], g.linkVertexStart[l + 1] - 1);
      const lon = g.vertexCoords[2 * v] + rng.range(-300, 300) * M_LON, lat = g.vertexCoords[2 * v + 1] + rng.range(-300, 300) * M_LAT;
      const kx = Math.cos(lat * Math.PI / 180);
      let best = Infinity;
      for (const [, w] of segs) {
        const x0 = (g.vertexCoords[2 * w] - lon) * kx, y0 = g.vertexCoords[2 * w + 1] - lat;
        const x1 = (g.vertexCoords[2 * w + 2] - lon) * kx, y1 = g.vertexCoords[2 * w + 3] - lat;
        const dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
        const t = len2 > 0 ? Math.max(0, Math.min(1, -(x0 * dx + y0 * dy) / len2)) : 0;
        best = Math.min(best, Math.hypot(x0 + dx * t, y0 + dy * t) * 111_195);
      }
      const s = g.snap(lon, lat)!;
      expect(Math.abs(s.distance - best)).toBeLessThan(0.005 * best + 0.01);
      expect(s.metres).toBeGreaterThanOrEqual(0);
      expect(s.metres).toBeLessThanOrEqual(g.linkMetres[s.link]);
      const [plon, plat] = g.pointAlong(s.link, s.metres);
      expect(haversineMetres(plon, plat, s.lon, s.lat)).toBeLessThan(1e-3);
    }
  });
});
