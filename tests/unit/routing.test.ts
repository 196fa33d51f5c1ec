import { beforeAll, describe, expect, it } from 'vitest';
import { RoadGraph, haversineMetres, type LonLat, type RoadInput } from '../../server/geo/road-graph.ts';
import {
  INVALID_POINT, NO_NETWORK, NO_PATH, OFF_NETWORK, Router, type RouteFound,
} from '../../server/geo/routing.ts';
import { generateDistrict } from '../../server/geo/gen/index.ts';
import { createRng, type Rng } from '../../server/domain/prng.ts';
import { road, at, M_LAT, M_LON } from '../helpers/roads.ts';

/**
 * The reference: a deliberately plain Dijkstra over the graph's links (not its CSR arrays), with the snapped points
 * as two extra nodes joined by the partial links — the same snapping, an independent search.
 */
const adjacency = new WeakMap<RoadGraph, Array<Array<[number, number]>>>();

function referenceSeconds(g: RoadGraph, from: LonLat, to: LonLat): number {
  const s = g.snap(from[0], from[1])!, t = g.snap(to[0], to[1])!;
  const S = g.nodeCount, T = g.nodeCount + 1;
  if (!adjacency.has(g)) {
    const adj: Array<Array<[number, number]>> = Array.from({ length: g.nodeCount }, () => []);
    for (let l = 0; l < g.linkCount; l++) {
      adj[g.linkFrom[l]].push([g.linkTo[l], g.linkMetres[l] / g.linkSpeed[l]]);
      if (!g.linkOneway[l]) adj[g.linkTo[l]].push([g.linkFrom[l], g.linkMetres[l] / g.linkSpeed[l]]);
    }
    adjacency.set(g, adj);
  }
  const base = adjacency.get(g)!;
  // a partial link may be travelled against a one-way link only when it has no length (the point is on the node)
  const a = s.link, b = t.link;
  const fromS: Array<[number, number]> = [[g.linkTo[a], (g.linkMetres[a] - s.metres) / g.linkSpeed[a]]];
  if (!g.linkOneway[a] || s.metres === 0) fromS.push([g.linkFrom[a], s.metres / g.linkSpeed[a]]);
  if (a === b && (t.metres >= s.metres || !g.linkOneway[a])) fromS.push([T, Math.abs(t.metres - s.metres) / g.linkSpeed[a]]);
  const toT = new Map<number, Array<[number, number]>>();
  const addToT = (u: number, w: number) => toT.set(u, [...(toT.get(u) ?? []), [T, w]]);
  addToT(g.linkFrom[b], t.metres / g.linkSpeed[b]);
  if (!g.linkOneway[b] || t.metres === g.linkMetres[b]) addToT(g.linkTo[b], (g.linkMetres[b] - t.metres) / g.linkSpeed[b]);
  const none: Array<[number, number]> = [];

  const dist = new Array<number>(g.nodeCount + 2).fill(Infinity);
  const done = new Array<boolean>(g.nodeCount + 2).fill(false);
  dist[S] = 0;
  const queue: Array<[number, number]> = [[0, S]]; // a plain binary heap of [seconds, node]
  const push = (x: [number, number]) => {
    queue.push(x);
    for (let i = queue.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (queue[p][0] <= queue[i][0]) break;
      [queue[p], queue[i]] = [queue[i], queue[p]];
      i = p;
    }
  };
  const pop = (): [number, number] => {
    const top = queue[0], last = queue.pop()!;
    if (queue.length) {
      queue[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < queue.length && queue[l][0] < queue[m][0]) m = l;
        if (r < queue.length && queue[r][0] < queue[m][0]) m = r;
        if (m === i) break;
        [queue[m], queue[i]] = [queue[i], queue[m]];
        i = m;
      }
    }
    return top;
  };
  while (queue.length) {
    const [d, u] = pop();
    if (done[u]) continue;
    done[u] = true;
    if (u === T) return d;
    for (const edges of u === S ? [fromS] : [base[u], toT.get(u) ?? none]) {
      for (const [v, w] of edges) {
        if (d + w < dist[v]) { dist[v] = d + w; push([d + w, v]); }
      }
    }
  }
  return Infinity;
}

function pathMetres(coords: number[][]): number {
  let m = 0;
  for (let i = 1; i < coords.length; i++) m += haversineMetres(coords[i - 1][0], coords[i - 1][1], coords[i][0], coords[i][1]);
  return m;
}

/** Shape checks every found route must pass. */
function checkRoute(g: RoadGraph, r: RouteFound, from: LonLat, to: LonLat): void {
  const s = g.snap(from[0], from[1])!, t = g.snap(to[0], to[1])!;
  const cs = r.geometry.coordinates;
  expect(r.geometry.type).toBe('LineString');
  expect(cs.length).toBeGreaterThanOrEqual(2);
  expect(cs[0]).toEqual([s.lon, s.lat]);
  expect(cs[cs.length - 1]).toEqual([t.lon, t.lat]);
  expect(r.snapFrom).toBe(s.distance);
  expect(r.snapTo).toBe(t.distance);
  expect(r.times.length).toBe(cs.length);
  expect(r.times[0]).toBe(0);
  expect(r.times[r.times.length - 1]).toBe(r.seconds);
  expect(r.times.every((t, i) => i === 0 || t >= r.times[i - 1]), 'times non-decreasing').toBe(true);
  // the drawn shape is the travelled road: its length is the route's metres
  expect(Math.abs(pathMetres(cs) - r.metres)).toBeLessThan(1e-6 * r.metres + 0.01);
  // the links chain up: each full link starts where the previous one ended
  expect(r.links[0] >> 1).toBe(s.link);
  expect(r.links[r.links.length - 1] >> 1).toBe(t.link);
  const chained = r.links.every((ref, i) => i === 0 || g.refSource(ref) === g.refTarget(r.links[i - 1]));
  expect(chained, 'each link starts where the previous one ends').toBe(true);
}

/** A one-way link may only be travelled against its direction on a zero-length partial end. */
function checkOneway(g: RoadGraph, r: RouteFound, from: LonLat, to: LonLat): void {
  const s = g.snap(from[0], from[1])!, t = g.snap(to[0], to[1])!;
  r.links.forEach((ref, i) => {
    if (!(ref & 1) || !g.linkOneway[ref >> 1]) return;
    const zeroStart = i === 0 && s.metres === 0;
    const zeroEnd = i === r.links.length - 1 && t.metres === g.linkMetres[ref >> 1];
    expect(zeroStart || zeroEnd, `one-way link ${ref >> 1} travelled backwards`).toBe(true);
  });
}

const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));

/** Points within ~250 m of the network, plus some anywhere in its bounding box. */
function randomPoints(g: RoadGraph, rng: Rng, n: number): LonLat[] {
  let minLon = Infinity, maxLon = -Infinity, minLat = Infinity, maxLat = -Infinity;
  for (let u = 0; u < g.nodeCount; u++) {
    minLon = Math.min(minLon, g.nodeLon[u]); maxLon = Math.max(maxLon, g.nodeLon[u]);
    minLat = Math.min(minLat, g.nodeLat[u]); maxLat = Math.max(maxLat, g.nodeLat[u]);
  }
  const out: LonLat[] = [];
  for (let i = 0; i < n; i++) {
    if (rng.chance(0.1)) { out.push([rng.range(minLon, maxLon), rng.range(minLat, maxLat)]); continue; }
    const l = rng.int(0, g.linkCount - 1);
    const [lon, lat] = g.pointAlong(l, rng.next() * g.linkMetres[l]);
    out.push(rng.chance(0.05) ? [lon, lat] : [lon + rng.range(-250, 250) * M_LON, lat + rng.range(-250, 250) * M_LAT]);
  }
  return out;
}

describe('routing on the generated Yuhu roads', () => {
  let roads: RoadInput[];
  let g: RoadGraph;
  let router: Router;
  beforeAll(() => {
    roads = generateDistrict().roads;
    g = RoadGraph.build(roads);
    router = new Router(g);
  });

  it('1,000 seeded pairs: travel times equal a plain reference Dijkstra; routes are drawn along the roads', () => {
    const rng = createRng(20250601);
    const pts = randomPoints(g, rng, 2000);
    let worst = 0;
    for (let i = 0; i < 1000; i++) {
      const from = pts[2 * i], to = pts[2 * i + 1];
      const r = router.route(from, to);
      const ref = referenceSeconds(g, from, to);
      if (!r.reachable) { expect(ref).toBe(Infinity); continue; }
      worst = Math.max(worst, rel(r.seconds, ref));
      expect(rel(r.seconds, ref)).toBeLessThan(1e-9);
      checkRoute(g, r, from, to);
    }
    console.log(`routing: worst relative difference from the reference ${worst.toExponential(2)}`);
  });

  it('one-to-many travel times equal point-to-point routes, and routeFrom draws the same routes', () => {
    const rng = createRng(7);
    for (let k = 0; k < 5; k++) {
      const [target, ...sources] = randomPoints(g, rng, 301);
      const tt = router.travelTimesTo(target, sources);
      expect(tt.snapTo).toBe(g.snap(target[0], target[1])!.distance);
      for (let i = 0; i < sources.length; i++) {
        const r = router.route(sources[i], target);
        expect(r.reachable).toBe(tt.seconds[i] < Infinity);
        if (r.reachable) expect(rel(tt.seconds[i], r.seconds)).toBeLessThan(1e-9);
        expect(tt.snapDistances[i]).toBe(g.snap(sources[i][0], sources[i][1])!.distance);
      }
      // routeFrom after other searches ran (its tree was overwritten) and right after its own
      for (const i of [0, 17, 123, 299]) {
        const r = tt.routeFrom(i);
        expect(r.reachable).toBe(tt.seconds[i] < Infinity);
        if (!r.reachable) { expect(r.reason).toBe(NO_PATH); continue; }
        expect(rel(r.seconds, tt.seconds[i])).toBeLessThan(1e-9);
        checkRoute(g, r, sources[i], target);
      }
      expect(() => tt.routeFrom(300)).toThrow(RangeError);
    }
  });

  it('the one-to-many search stops early when its sources are near, and honours maxSeconds', () => {
    const l = Math.floor(g.linkCount / 2);
    const target = g.pointAlong(l, g.linkMetres[l] / 2);
    const near = [g.pointAlong(l, g.linkMetres[l] / 4)];
    const tt = router.travelTimesTo(target, near);
    expect(rel(tt.seconds[0], (g.linkMetres[l] / 4) / g.linkSpeed[l])).toBeLessThan(1e-9);
    const rng = createRng(3);
    const sources = randomPoints(g, rng, 200);
    const all = router.travelTimesTo(target, sources);
    const capped = router.travelTimesTo(target, sources, { maxSeconds: 600 });
    for (let i = 0; i < sources.length; i++) {
      expect(capped.seconds[i]).toBe(all.seconds[i] <= 600 ? all.seconds[i] : Infinity);
    }
  });

  it('respects one-way roads marked on the real network (its own plus a seeded tenth of the rest)', () => {
    const rng = createRng(99);
    const marked = roads.map((r) => ({ ...r, oneway: r.oneway || rng.chance(0.1) }));
    const og = RoadGraph.build(marked);
    const or = new Router(og);
    expect(og.edgeCount).toBeLessThan(g.edgeCount);
    // directed vertex pairs of one-way roads, and of two-way roads (either direction)
    const key = (a: number[], b: number[]) => `${a[0]},${a[1]}>${b[0]},${b[1]}`;
    const forwardOnly = new Set<string>(), allowed = new Set<string>();
    for (const r of marked) {
      const cs = r.geometry.coordinates;
      for (let i = 1; i < cs.length; i++) {
        allowed.add(key(cs[i - 1], cs[i]));
        if (r.oneway) forwardOnly.add(key(cs[i], cs[i - 1]));
        else allowed.add(key(cs[i], cs[i - 1]));
      }
    }
    const pts = randomPoints(og, rng, 1000);
    let reachable = 0;
    for (let i = 0; i < 500; i++) {
      const from = pts[2 * i], to = pts[2 * i + 1];
      const r = or.route(from, to);
      const ref = referenceSeconds(og, from, to);
      if (!r.reachable) { expect(ref).toBe(Infinity); continue; }
      reachable++;
      expect(rel(r.seconds, ref)).toBeLessThan(1e-9);
      checkRoute(og, r, from, to);
      checkOneway(og, r, from, to);
      // and by the drawn shape itself: no step runs backwards along a one-way road
      const cs = r.geometry.coordinates;
      for (let k = 1; k < cs.length; k++) {
        const step = key(cs[k - 1], cs[k]);
        if (forwardOnly.has(step)) expect(allowed.has(step), `step ${step} against a one-way road`).toBe(true);
      }
      // more one-way roads make some trips longer, never shorter
      const fewer = router.route(from, to);
      expect(fewer.reachable).toBe(true);
      if (fewer.reachable) expect(r.seconds).toBeGreaterThanOrEqual(fewer.seconds * (1 - 1e-12));
    }
    expect(reachable).toBeGreaterThan(250);
  });
});

describe('routing on hand-made networks', () => {
  // a 100 m square block: A(0,0) → B(100,0) one-way east, B–C, C–D, D–A two-way; 36 km/h = 10 m/s
  const A = at(0, 0), B = at(100, 0), C = at(100, 100), D = at(0, 100);
  const square = () => RoadGraph.build([road([A, B], 36, true), road([B, C]), road([C, D]), road([D, A])]);

  it('a one-way street: forwards directly, the way back detours round the block', () => {
    const g = square();
    const r = new Router(g);
    const there = r.route(at(10, -3), at(90, 3)) as RouteFound;
    expect(there.seconds).toBeCloseTo(8, 3);
    expect(there.links).toEqual([0]);
    const back = r.route(at(90, 3), at(10, -3)) as RouteFound;
    // 10 m forward to B, then B→C→D→A (300 m), then 10 m to the point: 320 m
    expect(back.seconds).toBeCloseTo(32, 3);
    expect(back.metres).toBeCloseTo(320, 1);
    expect(back.links.map((ref) => ref >> 1)).toEqual([0, 1, 2, 3, 0]);
    checkOneway(g, back, at(90, 3), at(10, -3));
    checkRoute(g, back, at(90, 3), at(10, -3));
    // corners of the route: the snapped start, B, C, D, A, the snapped end
    expect(back.geometry.coordinates.slice(1, -1)).toEqual([B, C, D, A]);
    expect(back.times).toEqual([0, 1, 11, 21, 31, 32].map((x) => expect.closeTo(x, 3)));
    // the same trips from the one-to-many search
    const tt = r.travelTimesTo(at(10, -3), [at(90, 3), at(50, 110)]);
    expect(tt.seconds[0]).toBeCloseTo(32, 3);
    expect(tt.seconds[1]).toBeCloseTo(5 + 10 + 1, 3); // 50 m to D, 100 m to A, 10 m along A→B
    expect((tt.routeFrom(0) as RouteFound).links.map((ref) => ref >> 1)).toEqual([0, 1, 2, 3, 0]);
  });

  it('a point exactly on the tail node of a one-way link may leave by the other links', () => {
    const g = square();
    const r = new Router(g);
    const fromA = r.route(A, D) as RouteFound; // A snaps to A on link 0 (metres 0): A→D directly, 100 m
    expect(fromA.seconds).toBeCloseTo(10, 3);
    expect(referenceSeconds(g, A, D)).toBeCloseTo(10, 3);
    const toB = r.route(C, B) as RouteFound;
    expect(toB.seconds).toBeCloseTo(10, 3);
  });

  it('disconnected components give reachable: false quickly, never a hang', () => {
    const far = (e: number, n: number) => at(e + 20_000, n);
    const g = RoadGraph.build([
      road([A, B]), road([B, C]), road([C, D]), road([D, A]),
      road([far(0, 0), far(100, 0)]), road([far(100, 0), far(100, 100)]),
      road([at(300, 0), at(400, 0)], 36, true), road([at(400, 0), at(400, 100)], 36), // a one-way trap
    ]);
    const r = new Router(g);
    const t0 = performance.now();
    const res = r.route(at(50, 1), far(50, 1));
    expect(res).toEqual({ reachable: false, reason: NO_PATH, snapFrom: expect.any(Number), snapTo: expect.any(Number) });
    const back = r.route(at(400, 50), at(300, 0));
    expect(back.reachable).toBe(false);
    expect((r.route(at(300, 0), at(400, 50)) as RouteFound).seconds).toBeCloseTo(15, 3);
    const tt = r.travelTimesTo(at(50, 1), [far(10, 0), at(60, 1), at(400, 50)]);
    expect(tt.seconds[0]).toBe(Infinity);
    expect(tt.seconds[1]).toBeCloseTo(1, 3);
    expect(tt.seconds[2]).toBe(Infinity);
    expect(tt.routeFrom(0)).toMatchObject({ reachable: false, reason: NO_PATH });
    expect(performance.now() - t0).toBeLessThan(50);
  });

  it('bad input and edge cases give clear answers', () => {
    const g = square();
    const r = new Router(g);
    expect(r.route([NaN, 1], A)).toEqual({ reachable: false, reason: INVALID_POINT });
    expect(r.route(A, [0, 91])).toEqual({ reachable: false, reason: INVALID_POINT });
    expect(new Router(RoadGraph.build([])).route(A, B)).toEqual({ reachable: false, reason: NO_NETWORK });
    const strict = new Router(g, { maxSnapMetres: 50 });
    expect(strict.route(at(50, 1), at(50, -500))).toMatchObject({ reachable: false, reason: OFF_NETWORK, snapFrom: expect.any(Number) });
    const tt = strict.travelTimesTo(at(50, 1), [at(50, -500), [NaN, 0]]);
    expect(Array.from(tt.seconds)).toEqual([Infinity, Infinity]);
    expect(tt.routeFrom(0)).toMatchObject({ reachable: false, reason: OFF_NETWORK });
    expect(tt.routeFrom(1)).toMatchObject({ reachable: false, reason: INVALID_POINT });
    expect(() => new Router(g, { maxSnapMetres: -1 })).toThrow(/maxSnapMetres/);
    // the same point: zero seconds, a two-position line
    const same = r.route(at(50, 2), at(50, 2)) as RouteFound;
    expect(same.seconds).toBe(0);
    const p = g.snap(...at(50, 2))!;
    expect(same.geometry.coordinates).toEqual([[p.lon, p.lat], [p.lon, p.lat]]);
    expect(same.times).toEqual([0, 0]);
    // both on one two-way link, backwards: the direct way
    const direct = r.route(at(50, 102), at(20, 98)) as RouteFound;
    expect(direct.seconds).toBeCloseTo(3, 3);
    expect(direct.links).toEqual([2 * 2]);
    // both on the one-way link, against it: 40 m on to B, round the block, 40 m back along it
    const round = r.route(at(60, 0), at(40, 0)) as RouteFound;
    expect(round.metres).toBeCloseTo(40 + 300 + 40, 1);
    checkRoute(g, round, at(60, 0), at(40, 0));
  });
});
