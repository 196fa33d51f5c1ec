/**
 * Routing on a RoadGraph: fastest routes between arbitrary points, and travel times from many points to one.
 *
 * Points are snapped to the nearest point on the network (RoadGraph.snap); a route starts and ends with the partial
 * links from and to the snapped points, and a one-way link is travelled only forwards, partial parts included (a
 * point snapped exactly onto a node stands at that node, so it may leave or arrive by any link there). Both ends on
 * one link give the direct way along it too (when its direction allows).
 *
 *   route(from, to)              A* over the forward adjacency with an admissible, consistent heuristic: chord
 *                                distance to the target (never more than any road path) over the graph's top speed.
 *   travelTimesTo(target, srcs)  one Dijkstra over the reverse adjacency from the target, stopped as soon as every
 *                                source's link ends are settled; result.routeFrom(i) draws source i's route from
 *                                that search tree.
 *
 * Searches reuse scratch arrays sized to the graph (distances, predecessors, a binary heap on typed arrays) and mark
 * what one search touched with a stamp, so a search allocates only its result. A Router is not re-entrant (searches
 * are synchronous, so one Router per graph serves a whole process).
 *
 * Results are plain data: seconds, metres, a GeoJSON LineString along the real road shape from the snapped start to
 * the snapped end, and per-vertex times from the start for animation. A point that cannot be snapped or a target
 * that cannot be reached gives { reachable: false, reason } with one of the exported reason constants.
 */
import type { LineString } from 'geojson';
import { EARTH_RADIUS_M, type LonLat, type RoadGraph } from './road-graph.ts';

export type { LonLat } from './road-graph.ts';

/** No road network to route on (an empty graph). */
export const NO_NETWORK = 'no-network';
/** A coordinate is not a finite lon/lat. */
export const INVALID_POINT = 'invalid-point';
/** A point is farther from every road than the router's maxSnapMetres. */
export const OFF_NETWORK = 'off-network';
/** Both points are on the network, but no road path (respecting one-way links) leads from one to the other. */
export const NO_PATH = 'no-path';
export type UnreachableReason = typeof NO_NETWORK | typeof INVALID_POINT | typeof OFF_NETWORK | typeof NO_PATH;

export interface RouteFound {
  reachable: true;
  /** Travel time, seconds. */
  seconds: number;
  /** Road distance, metres (from the snapped start to the snapped end). */
  metres: number;
  /** From the snapped start to the snapped end along the roads; at least two positions. */
  geometry: LineString;
  /** Seconds from the start at each position of geometry: non-decreasing, 0 first, `seconds` last. */
  times: number[];
  /** Metres from the query points to their snapped points. */
  snapFrom: number;
  snapTo: number;
  /**
   * Directed link refs travelled, in order (link * 2 + dir, dir 1 = against the link's vertex order), the partial
   * links at both ends included.
   */
  links: number[];
}

export interface RouteUnreachable {
  reachable: false;
  reason: UnreachableReason;
  /** Snap distances, metres, where that point was snapped. */
  snapFrom?: number;
  snapTo?: number;
}

export type RouteResult = RouteFound | RouteUnreachable;

export interface RouterOptions {
  /** Points farther than this from every road are off the network, metres (default Infinity: always snap). */
  maxSnapMetres?: number;
}

const defaultOptions: Required<RouterOptions> = {
  maxSnapMetres: Infinity, // callers with GPS fixes decide what is too far; the snap distance is always reported
};

export interface TravelTimes {
  /** Seconds from each source to the target; Infinity where unreachable or not snapped. */
  seconds: Float64Array;
  /** Metres from each source to its snapped point; NaN where not snapped. */
  snapDistances: Float64Array;
  /** Metres from the target to its snapped point (NaN if not snapped). */
  snapTo: number;
  /** The route from source i to the target (re-runs the reverse search if the router has searched since). */
  routeFrom(i: number): RouteResult;
}

// pred sentinels: how a node was first reached from outside the graph (the snapped point's partial link)
const VIA_FWD = -2; // from the snapped point along its link's direction (to the link's `to` node)
const VIA_BWD = -3; // against it (to the link's `from` node)
const DIRECT = -4; // route along the one link both points are on

export class Router {
  readonly graph: RoadGraph;
  private readonly maxSnapMetres: number;
  /** Node positions on the unit sphere (x, y, z per node), for the chord heuristic. */
  private readonly xyz: Float64Array;
  /** Seconds per unit-sphere chord length: a lower bound of travel time for any road path. */
  private readonly secondsPerChord: number;

  // scratch, valid where seen[u] === stamp / done[u] === stamp
  private readonly dist: Float64Array;
  private readonly pred: Int32Array;
  private readonly seen: Uint32Array;
  private readonly done: Uint32Array;
  private readonly need: Uint32Array;
  private readonly heap: Heap;
  private stamp = 0;

  constructor(graph: RoadGraph, options?: RouterOptions) {
    const maxSnapMetres = options?.maxSnapMetres ?? defaultOptions.maxSnapMetres;
    if (!(maxSnapMetres >= 0)) throw new RangeError(`maxSnapMetres must be >= 0, got ${maxSnapMetres}.`);
    this.graph = graph;
    this.maxSnapMetres = maxSnapMetres;
    const n = graph.nodeCount;
    this.xyz = new Float64Array(n * 3);
    for (let u = 0; u < n; u++) unitVector(graph.nodeLon[u], graph.nodeLat[u], this.xyz, u * 3);
    // shaved by 1e-9 so floating-point rounding can never make the heuristic overestimate
    this.secondsPerChord = graph.maxSpeed > 0 ? (EARTH_RADIUS_M / graph.maxSpeed) * (1 - 1e-9) : 0;
    this.dist = new Float64Array(n);
    this.pred = new Int32Array(n);
    this.seen = new Uint32Array(n);
    this.done = new Uint32Array(n);
    this.need = new Uint32Array(n);
    this.heap = new Heap(graph.edgeCount + 4);
  }

  /** The fastest route from one point to another. */
  route(from: LonLat, to: LonLat): RouteResult {
    const g = this.graph;
    if (g.linkCount === 0) return { reachable: false, reason: NO_NETWORK };
    if (!validPoint(from) || !validPoint(to)) return { reachable: false, reason: INVALID_POINT };
    if (!g.snapInto(from[0], from[1], this.maxSnapMetres)) return { reachable: false, reason: OFF_NETWORK };
    const a = g.sLink, sa = g.sMetres, aLon = g.sLon, aLat = g.sLat, snapFrom = g.sDistance;
    if (!g.snapInto(to[0], to[1], this.maxSnapMetres)) return { reachable: false, reason: OFF_NETWORK, snapFrom };
    const b = g.sLink, tb = g.sMetres, bLon = g.sLon, bLat = g.sLat, snapTo = g.sDistance;

    const { dist, pred, seen, done, heap, xyz, linkFrom, linkTo, linkSpeed, linkMetres, linkOneway } = this.fields();
    const { outOffsets, outTarget, outSeconds, outRef } = g;
    const stamp = this.nextStamp();
    const tx = Math.cos(bLat * RAD) * Math.cos(bLon * RAD), ty = Math.cos(bLat * RAD) * Math.sin(bLon * RAD);
    const tz = Math.sin(bLat * RAD);
    const k = this.secondsPerChord;
    const h = (u: number): number => {
      const dx = xyz[3 * u] - tx, dy = xyz[3 * u + 1] - ty, dz = xyz[3 * u + 2] - tz;
      return Math.sqrt(dx * dx + dy * dy + dz * dz) * k;
    };
    heap.clear();
    const relax = (u: number, d: number, via: number): void => {
      if (seen[u] !== stamp || d < dist[u]) {
        seen[u] = stamp; dist[u] = d; pred[u] = via;
        heap.push(u, d + h(u));
      }
    };
    relax(linkTo[a], (linkMetres[a] - sa) / linkSpeed[a], VIA_FWD);
    if (!linkOneway[a] || sa === 0) relax(linkFrom[a], sa / linkSpeed[a], VIA_BWD);

    // the best arrival so far: direct along a shared link, or a settled end node of b plus its partial link
    let best = Infinity, bestVia = 0, bestNode = -1;
    if (a === b) {
      if (tb >= sa) { best = (tb - sa) / linkSpeed[a]; bestVia = DIRECT; }
      else if (!linkOneway[a]) { best = (sa - tb) / linkSpeed[a]; bestVia = DIRECT; }
    }
    const bFrom = linkFrom[b], bTo = linkTo[b], bOneway = linkOneway[b] && tb !== linkMetres[b];
    while (heap.length) {
      if (heap.peekKey() >= best) break;
      const u = heap.pop();
      if (done[u] === stamp) continue;
      done[u] = stamp;
      const du = dist[u];
      if (u === bFrom) {
        const s = du + tb / linkSpeed[b];
        if (s < best) { best = s; bestVia = VIA_FWD; bestNode = u; }
      }
      if (u === bTo && !bOneway) {
        const s = du + (linkMetres[b] - tb) / linkSpeed[b];
        if (s < best) { best = s; bestVia = VIA_BWD; bestNode = u; }
      }
      for (let e = outOffsets[u], end = outOffsets[u + 1]; e < end; e++) {
        const v = outTarget[e];
        if (done[v] === stamp) continue;
        const d = du + outSeconds[e];
        if (seen[v] !== stamp || d < dist[v]) {
          seen[v] = stamp; dist[v] = d; pred[v] = outRef[e];
          heap.push(v, d + h(v));
        }
      }
    }
    if (best === Infinity) return { reachable: false, reason: NO_PATH, snapFrom, snapTo };

    // the links between the two partial ones, start to end
    const middle: number[] = [];
    let startVia = DIRECT;
    if (bestVia !== DIRECT) {
      let u = bestNode;
      while (pred[u] >= 0) { middle.push(pred[u]); u = g.refSource(pred[u]); }
      startVia = pred[u];
      middle.reverse();
    }
    return this.assemble(
      { link: a, metres: sa, lon: aLon, lat: aLat }, startVia, middle, bestVia,
      { link: b, metres: tb, lon: bLon, lat: bLat }, snapFrom, snapTo,
    );
  }

  /**
   * Travel times from many points to one, in one reverse search. Options: maxSeconds stops the search at that
   * travel time (sources beyond it get Infinity).
   */
  travelTimesTo(target: LonLat, sources: ReadonlyArray<LonLat>, options?: { maxSeconds?: number }): TravelTimes {
    const g = this.graph;
    const count = sources.length;
    const seconds = new Float64Array(count).fill(Infinity);
    const snapDistances = new Float64Array(count).fill(NaN);
    const sLink = new Int32Array(count).fill(-1), sMetres = new Float64Array(count);
    const sLon = new Float64Array(count), sLat = new Float64Array(count);
    const maxSeconds = options?.maxSeconds ?? Infinity;
    const unreachable = (reason: UnreachableReason, snapTo?: number): TravelTimes => ({
      seconds, snapDistances, snapTo: snapTo ?? NaN,
      routeFrom: (i) => (checkIndex(i, count), { reachable: false, reason }),
    });
    if (g.linkCount === 0) return unreachable(NO_NETWORK);
    if (!validPoint(target)) return unreachable(INVALID_POINT);
    if (!g.snapInto(target[0], target[1], this.maxSnapMetres)) return unreachable(OFF_NETWORK);
    const b = g.sLink, tb = g.sMetres, bLon = g.sLon, bLat = g.sLat, snapTo = g.sDistance;
    for (let i = 0; i < count; i++) {
      const p = sources[i];
      if (!validPoint(p) || !g.snapInto(p[0], p[1], this.maxSnapMetres)) continue;
      sLink[i] = g.sLink; sMetres[i] = g.sMetres; sLon[i] = g.sLon; sLat[i] = g.sLat;
      snapDistances[i] = g.sDistance;
    }

    const { dist, done, linkFrom, linkTo, linkSpeed, linkMetres, linkOneway } = this.fields();
    let searchStamp = 0;
    const search = (): void => {
      searchStamp = this.reverseSearch(b, tb, sLink, sMetres, maxSeconds);
    };
    search();
    for (let i = 0; i < count; i++) {
      const a = sLink[i];
      if (a < 0) continue;
      const sa = sMetres[i], v = linkSpeed[a];
      let best = Infinity;
      if (a === b) {
        if (tb >= sa) best = (tb - sa) / v;
        else if (!linkOneway[a]) best = (sa - tb) / v;
      }
      const to = linkTo[a], from = linkFrom[a];
      if (done[to] === searchStamp) best = Math.min(best, (linkMetres[a] - sa) / v + dist[to]);
      if ((!linkOneway[a] || sa === 0) && done[from] === searchStamp) best = Math.min(best, sa / v + dist[from]);
      seconds[i] = best <= maxSeconds ? best : Infinity;
    }

    const routeFrom = (i: number): RouteResult => {
      checkIndex(i, count);
      const a = sLink[i];
      if (a < 0) {
        return { reachable: false, reason: validPoint(sources[i]) ? OFF_NETWORK : INVALID_POINT, snapTo };
      }
      const snapFrom = snapDistances[i];
      if (seconds[i] === Infinity) return { reachable: false, reason: NO_PATH, snapFrom, snapTo };
      if (this.stamp !== searchStamp) search();
      // the same choice as above: direct, or leave the link forwards / backwards and follow the tree
      const sa = sMetres[i], v = linkSpeed[a];
      let best = Infinity, startVia = DIRECT;
      if (a === b) {
        if (tb >= sa) best = (tb - sa) / v;
        else if (!linkOneway[a]) best = (sa - tb) / v;
      }
      const to = linkTo[a], from = linkFrom[a];
      if (done[to] === searchStamp) {
        const s = (linkMetres[a] - sa) / v + dist[to];
        if (s < best) { best = s; startVia = VIA_FWD; }
      }
      if ((!linkOneway[a] || sa === 0) && done[from] === searchStamp) {
        const s = sa / v + dist[from];
        if (s < best) { best = s; startVia = VIA_BWD; }
      }
      const middle: number[] = [];
      let endVia = DIRECT;
      if (startVia !== DIRECT) {
        let u = startVia === VIA_FWD ? to : from;
        while (this.pred[u] >= 0) { middle.push(this.pred[u]); u = g.refTarget(this.pred[u]); }
        endVia = this.pred[u];
      }
      return this.assemble(
        { link: a, metres: sa, lon: sLon[i], lat: sLat[i] }, startVia, middle, endVia,
        { link: b, metres: tb, lon: bLon, lat: bLat }, snapFrom, snapTo,
      );
    };
    return { seconds, snapDistances, snapTo, routeFrom };
  }

  /**
   * Dijkstra over the reverse adjacency from the point `tb` metres along link b, until every end node of the
   * sources' links is settled (or maxSeconds passed). pred[u] is the edge leaving u towards the target, or
   * VIA_FWD / VIA_BWD at b's from / to node. Returns the search's stamp.
   */
  private reverseSearch(b: number, tb: number, sLink: Int32Array, sMetres: Float64Array, maxSeconds: number): number {
    const g = this.graph;
    const { dist, pred, seen, done, need, heap, linkFrom, linkTo, linkSpeed, linkMetres, linkOneway } = this.fields();
    const { inOffsets, inSource, inSeconds, inRef } = g;
    const stamp = this.nextStamp();
    let remaining = 0;
    for (let i = 0; i < sLink.length; i++) {
      const a = sLink[i];
      if (a < 0) continue;
      if (need[linkTo[a]] !== stamp) { need[linkTo[a]] = stamp; remaining++; }
      const from = linkFrom[a];
      if ((!linkOneway[a] || sMetres[i] === 0) && need[from] !== stamp) { need[from] = stamp; remaining++; }
    }
    heap.clear();
    const start = (u: number, d: number, via: number): void => {
      if (seen[u] !== stamp || d < dist[u]) { seen[u] = stamp; dist[u] = d; pred[u] = via; heap.push(u, d); }
    };
    start(linkFrom[b], tb / linkSpeed[b], VIA_FWD);
    if (!linkOneway[b] || tb === linkMetres[b]) start(linkTo[b], (linkMetres[b] - tb) / linkSpeed[b], VIA_BWD);
    while (heap.length && remaining > 0) {
      if (heap.peekKey() > maxSeconds) break;
      const u = heap.pop();
      if (done[u] === stamp) continue;
      done[u] = stamp;
      if (need[u] === stamp) remaining--;
      const du = dist[u];
      for (let e = inOffsets[u], end = inOffsets[u + 1]; e < end; e++) {
        const v = inSource[e];
        if (done[v] === stamp) continue;
        const d = du + inSeconds[e];
        if (seen[v] !== stamp || d < dist[v]) {
          seen[v] = stamp; dist[v] = d; pred[v] = inRef[e];
          heap.push(v, d);
        }
      }
    }
    return stamp;
  }

  /**
   * A route from its parts: the start point's partial link (left forwards for VIA_FWD, backwards for VIA_BWD),
   * the middle links (directed refs), the end point's partial link (entered at its from node for VIA_FWD, at its
   * to node for VIA_BWD); or for DIRECT just the stretch of the one shared link. Times add up in the same order as
   * the forward search, so the last time is the search's own figure.
   */
  private assemble(
    s: SnapPoint, startVia: number, middle: number[], endVia: number, t: SnapPoint, snapFrom: number, snapTo: number,
  ): RouteFound {
    const g = this.graph;
    const coords: [number, number][] = [[s.lon, s.lat]];
    const times: number[] = [0];
    const links: number[] = [];
    let seconds = 0, metres = 0;
    if (startVia === DIRECT) {
      const forward = t.metres >= s.metres;
      const m = Math.abs(t.metres - s.metres);
      seconds = m / g.linkSpeed[s.link];
      this.walk(s.link, s.metres, t.metres, 0, seconds, coords, times);
      links.push(s.link * 2 + (forward ? 0 : 1));
      metres = m;
    } else {
      // start partial
      const a = s.link;
      const aEnd = startVia === VIA_FWD ? g.linkMetres[a] : 0;
      const m0 = Math.abs(aEnd - s.metres);
      seconds = m0 / g.linkSpeed[a];
      this.walk(a, s.metres, aEnd, 0, seconds, coords, times);
      links.push(a * 2 + (startVia === VIA_FWD ? 0 : 1));
      metres = m0;
      for (const ref of middle) {
        const l = ref >> 1;
        const t0 = seconds;
        seconds += g.linkSeconds[l];
        if (ref & 1) this.walk(l, g.linkMetres[l], 0, t0, seconds, coords, times);
        else this.walk(l, 0, g.linkMetres[l], t0, seconds, coords, times);
        links.push(ref);
        metres += g.linkMetres[l];
      }
      // end partial
      const b = t.link;
      const bStart = endVia === VIA_FWD ? 0 : g.linkMetres[b];
      const m1 = Math.abs(t.metres - bStart);
      const t0 = seconds;
      seconds += m1 / g.linkSpeed[b];
      this.walk(b, bStart, t.metres, t0, seconds, coords, times);
      links.push(b * 2 + (endVia === VIA_FWD ? 0 : 1));
      metres += m1;
    }
    // the exact snapped end point (the walk ended at its metres along the link) and the final time
    if (coords.length === 1) { coords.push([t.lon, t.lat]); times.push(seconds); }
    else coords[coords.length - 1] = [t.lon, t.lat];
    for (let i = 1; i < times.length; i++) if (times[i] < times[i - 1]) times[i] = times[i - 1];
    times[times.length - 1] = seconds;
    return {
      reachable: true, seconds, metres, geometry: { type: 'LineString', coordinates: coords }, times, snapFrom,
      snapTo, links,
    };
  }

  /**
   * Appends link l's shape from m0 to m1 metres along it (either direction) after the last coordinate, with times
   * t0 → t1 spread by distance: the link's vertices strictly between m0 and m1, then the point at m1. Repeated
   * positions are not appended.
   */
  private walk(
    l: number, m0: number, m1: number, t0: number, t1: number, coords: [number, number][], times: number[],
  ): void {
    const g = this.graph, c = g.vertexCoords, vm = g.vertexMetres;
    const s = g.linkVertexStart[l], e = g.linkVertexStart[l + 1];
    const span = Math.abs(m1 - m0);
    const push = (lon: number, lat: number, m: number): void => {
      const prev = coords[coords.length - 1];
      if (prev[0] === lon && prev[1] === lat) return;
      const t = span > 0 ? Math.min(t1, t0 + ((t1 - t0) * Math.abs(m - m0)) / span) : t1;
      coords.push([lon, lat]); times.push(t);
    };
    if (m1 >= m0) {
      for (let v = s; v < e; v++) if (vm[v] > m0 && vm[v] < m1) push(c[2 * v], c[2 * v + 1], vm[v]);
    } else {
      for (let v = e - 1; v >= s; v--) if (vm[v] < m0 && vm[v] > m1) push(c[2 * v], c[2 * v + 1], vm[v]);
    }
    const [lon, lat] = m1 === 0 ? [c[2 * s], c[2 * s + 1]] : m1 === g.linkMetres[l] ? [c[2 * e - 2], c[2 * e - 1]]
      : g.pointAlong(l, m1);
    const prev = coords[coords.length - 1];
    if (prev[0] === lon && prev[1] === lat) times[times.length - 1] = Math.max(times[times.length - 1], t1);
    else { coords.push([lon, lat]); times.push(t1); }
  }

  private nextStamp(): number {
    if (this.stamp === 0xffffffff) {
      this.seen.fill(0); this.done.fill(0); this.need.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
  }

  private fields() {
    const g = this.graph;
    return {
      dist: this.dist, pred: this.pred, seen: this.seen, done: this.done, need: this.need, heap: this.heap,
      xyz: this.xyz, linkFrom: g.linkFrom, linkTo: g.linkTo, linkSpeed: g.linkSpeed, linkMetres: g.linkMetres,
      linkOneway: g.linkOneway,
    };
  }
}

interface SnapPoint { link: number; metres: number; lon: number; lat: number }

const RAD = Math.PI / 180;

function unitVector(lon: number, lat: number, out: Float64Array, o: number): void {
  const cl = Math.cos(lat * RAD);
  out[o] = cl * Math.cos(lon * RAD); out[o + 1] = cl * Math.sin(lon * RAD); out[o + 2] = Math.sin(lat * RAD);
}

function validPoint(p: LonLat | undefined): boolean {
  return !!p && Number.isFinite(p[0]) && Number.isFinite(p[1]) && Math.abs(p[1]) <= 90;
}

function checkIndex(i: number, count: number): void {
  if (!(Number.isInteger(i) && i >= 0 && i < count)) {
    throw new RangeError(`routeFrom: source index must be an integer in 0..${count - 1}, got ${i}.`);
  }
}

/** A binary min-heap of (id, key) pairs on typed arrays; duplicates allowed (lazy deletion by the caller). */
class Heap {
  ids: Int32Array;
  keys: Float64Array;
  length = 0;
  constructor(capacity: number) {
    this.ids = new Int32Array(capacity);
    this.keys = new Float64Array(capacity);
  }
  clear(): void { this.length = 0; }
  peekKey(): number { return this.keys[0]; }
  push(id: number, key: number): void {
    if (this.length === this.ids.length) this.grow();
    const ids = this.ids, keys = this.keys;
    let pos = this.length++;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      const pk = keys[parent];
      if (key >= pk) break;
      ids[pos] = ids[parent]; keys[pos] = pk;
      pos = parent;
    }
    ids[pos] = id; keys[pos] = key;
  }
  pop(): number {
    const ids = this.ids, keys = this.keys;
    const top = ids[0];
    const n = --this.length;
    if (n > 0) {
      const id = ids[n], key = keys[n];
      let pos = 0;
      const half = n >> 1;
      while (pos < half) {
        let child = 2 * pos + 1;
        const right = child + 1;
        if (right < n && keys[right] < keys[child]) child = right;
        if (keys[child] >= key) break;
        ids[pos] = ids[child]; keys[pos] = keys[child];
        pos = child;
      }
      ids[pos] = id; keys[pos] = key;
    }
    return top;
  }
  private grow(): void {
    const ids = new Int32Array(this.ids.length * 2), keys = new Float64Array(this.keys.length * 2);
    ids.set(this.ids); keys.set(this.keys);
    this.ids = ids; this.keys = keys;
  }
}
