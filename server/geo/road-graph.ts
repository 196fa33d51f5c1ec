/**
 * Road graph: a road network (LineStrings with a speed and a one-way flag) as a directed graph in flat typed arrays,
 * with nearest-point snapping. The routing engine (routing.ts) searches it.
 *
 * Topology. Every vertex coordinate of every road is a point; equal coordinates are one point, and points within
 * `mergeMetres` of an earlier point are merged into it (greedy, centre-based, so merges never chain), which joins
 * imported lines that miss each other by rounding. A merged point takes the coordinate of the point it merged into.
 * A point is a node when it ends a road or appears more than once (a junction of two roads, or a road crossing
 * itself). Roads are split at their nodes into links: one link is one piece of one road between two nodes, with all
 * its vertices, so routes can be drawn along the real shape. Consecutive vertices of a road that fall on the same
 * point are dropped; a road that collapses to one point is skipped (counted in stats.skippedRoads).
 *
 *   nodes   nodeLon/nodeLat                        Float64Array per node
 *   links   linkFrom/linkTo (nodes), linkRoad      Int32Array per link (linkRoad: index into the input array)
 *           linkMetres, linkSeconds, linkSpeed     Float64Array per link (metres, seconds, metres per second)
 *           linkOneway                             Uint8Array per link: 1 = travel only from linkFrom to linkTo
 *           linkVertexStart                        Int32Array, linkCount + 1: link l's vertices are
 *                                                  [linkVertexStart[l], linkVertexStart[l + 1]) in
 *   vertices vertexCoords (lon, lat pairs), vertexMetres (metres along its link from the link's first vertex);
 *           a link's first and last vertex are exactly its nodes' coordinates
 *   edges   directed, as CSR both ways: node u's outgoing edges are outOffsets[u] .. outOffsets[u + 1] - 1 in
 *           outTarget / outSeconds / outRef; node v's incoming ones inOffsets[v] .. in inSource / inSeconds / inRef.
 *           A two-way link gives two edges, a one-way link one. A "ref" names a link and a direction:
 *           ref = link * 2 + dir, dir 0 along the link's vertex order (from → to), dir 1 against it.
 *
 * Lengths are haversine sums over the vertices (mean Earth radius); travel time is length / speed. Snapping uses a
 * Flatbush index over the links' segments in a local equirectangular projection centred on the network: the nearest
 * segment by planar distance, the point on it, its distance along the link and its haversine distance from the query.
 */
import type { LineString } from 'geojson';
import Flatbush from 'flatbush';

/** [longitude, latitude] in WGS-84 degrees. */
export type LonLat = [number, number];

/** What the graph needs of a road; GeneratedRoad and road rows both fit. */
export interface RoadInput {
  geometry: LineString;
  /** Travel speed on this road, km/h (> 0). */
  speedKmh: number;
  /** Travel only in the order of the LineString's coordinates. */
  oneway: boolean;
  class: string;
}

export interface RoadGraphOptions {
  /** Points of different roads closer than this are one point, metres (default 0.5; 0 = exact equality only). */
  mergeMetres?: number;
}

/**
 * Snapping first searches this far (metres) around the point; only points farther from every road need a k-NN walk.
 * With the index's node size, chosen by measurement on the Yuhu roads (2,000 points up to 30 m off the road: probe
 * 16 / 32 / 64 m × node size 4 / 8 / 16 / 32 → 32 m and 8 fastest, 1.2 ms against 1.6 ms for 64 m and 16).
 */
const SNAP_PROBE_M = 32;
const INDEX_NODE_SIZE = 8;

const defaultOptions: Required<RoadGraphOptions> = {
  mergeMetres: 0.5, // imported lines that should meet often miss by centimetres to decimetres of rounding
};

/** The point on the network nearest to a query point. */
export interface Snap {
  /** The link snapped to. */
  link: number;
  /** Metres along the link from its first vertex (linkFrom) to the snapped point. */
  metres: number;
  /** metres / linkMetres[link], in [0, 1]. */
  fraction: number;
  /** The snapped point. */
  lon: number;
  lat: number;
  /** Haversine distance from the query point to the snapped point, metres. */
  distance: number;
}

export const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

/** Great-circle distance in metres between two lon/lat points (degrees). */
export function haversineMetres(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const dLat = (lat2 - lat1) * RAD, dLon = (lon2 - lon1) * RAD;
  const s = Math.sin(dLat / 2), t = Math.sin(dLon / 2);
  const a = s * s + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * t * t;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

export class RoadGraph {
  readonly nodeCount: number;
  readonly linkCount: number;
  readonly edgeCount: number;

  readonly nodeLon: Float64Array;
  readonly nodeLat: Float64Array;

  readonly linkFrom: Int32Array;
  readonly linkTo: Int32Array;
  readonly linkRoad: Int32Array;
  readonly linkMetres: Float64Array;
  readonly linkSeconds: Float64Array;
  readonly linkSpeed: Float64Array;
  readonly linkOneway: Uint8Array;
  readonly linkVertexStart: Int32Array;
  readonly vertexCoords: Float64Array;
  readonly vertexMetres: Float64Array;

  readonly outOffsets: Int32Array;
  readonly outTarget: Int32Array;
  readonly outSeconds: Float64Array;
  readonly outRef: Int32Array;
  readonly inOffsets: Int32Array;
  readonly inSource: Int32Array;
  readonly inSeconds: Float64Array;
  readonly inRef: Int32Array;

  /** The highest link speed, metres per second (0 for an empty graph): the bound of A*'s heuristic. */
  readonly maxSpeed: number;
  readonly stats: {
    roads: number;
    skippedRoads: number;
    vertices: number;
    /** Distinct coordinates merged into a nearby point by the mergeMetres tolerance. */
    mergedPoints: number;
    buildMs: number;
  };

  /** Segment index: item k is the segment from vertex segVertex[k] to the next vertex, on link segLink[k]. */
  private readonly index: Flatbush | null;
  private readonly segVertex: Int32Array;
  private readonly segLink: Int32Array;
  /** Vertices in the local projection (x, y per vertex), metres. */
  private readonly vertexXY: Float64Array;
  /** The snap in progress: query point, best squared distance and segment (visit() updates them). */
  private qx = 0;
  private qy = 0;
  private best = Infinity;
  private bestSeg = -1;
  private readonly visit: (k: number) => boolean;
  /** Local projection: x = (lon - lon0) * kx, y = (lat - lat0) * ky, metres. */
  private readonly lon0: number;
  private readonly lat0: number;
  private readonly kx: number;
  private readonly ky: number;

  // the last snap, written by snapInto (no allocation on the one-to-many path)
  /** @internal */ sLink = -1;
  /** @internal */ sMetres = 0;
  /** @internal */ sLon = 0;
  /** @internal */ sLat = 0;
  /** @internal */ sDistance = 0;

  private constructor(p: {
    nodeLon: Float64Array; nodeLat: Float64Array; linkFrom: Int32Array; linkTo: Int32Array; linkRoad: Int32Array;
    linkMetres: Float64Array; linkSeconds: Float64Array; linkSpeed: Float64Array; linkOneway: Uint8Array;
    linkVertexStart: Int32Array; vertexCoords: Float64Array; vertexMetres: Float64Array;
    lon0: number; lat0: number; stats: RoadGraph['stats'];
  }) {
    this.nodeLon = p.nodeLon;
    this.nodeLat = p.nodeLat;
    this.linkFrom = p.linkFrom;
    this.linkTo = p.linkTo;
    this.linkRoad = p.linkRoad;
    this.linkMetres = p.linkMetres;
    this.linkSeconds = p.linkSeconds;
    this.linkSpeed = p.linkSpeed;
    this.linkOneway = p.linkOneway;
    this.linkVertexStart = p.linkVertexStart;
    this.vertexCoords = p.vertexCoords;
    this.vertexMetres = p.vertexMetres;
    this.nodeCount = p.nodeLon.length;
    this.linkCount = p.linkFrom.length;
    this.stats = p.stats;
    this.lon0 = p.lon0;
    this.lat0 = p.lat0;
    this.ky = EARTH_RADIUS_M * RAD;
    this.kx = this.ky * Math.cos(p.lat0 * RAD);

    // --- CSR adjacency, both ways ---------------------------------------------------------------------------------
    const n = this.nodeCount, m = this.linkCount;
    let edges = 0;
    let maxSpeed = 0;
    for (let l = 0; l < m; l++) {
      edges += p.linkOneway[l] ? 1 : 2;
      if (p.linkSpeed[l] > maxSpeed) maxSpeed = p.linkSpeed[l];
    }
    this.edgeCount = edges;
    this.maxSpeed = maxSpeed;
    const outOffsets = new Int32Array(n + 1), inOffsets = new Int32Array(n + 1);
    for (let l = 0; l < m; l++) {
      outOffsets[p.linkFrom[l] + 1]++; inOffsets[p.linkTo[l] + 1]++;
      if (!p.linkOneway[l]) { outOffsets[p.linkTo[l] + 1]++; inOffsets[p.linkFrom[l] + 1]++; }
    }
    for (let u = 0; u < n; u++) { outOffsets[u + 1] += outOffsets[u]; inOffsets[u + 1] += inOffsets[u]; }
    const outTarget = new Int32Array(edges), outSeconds = new Float64Array(edges), outRef = new Int32Array(edges);
    const inSource = new Int32Array(edges), inSeconds = new Float64Array(edges), inRef = new Int32Array(edges);
    const outFill = outOffsets.slice(0, n), inFill = inOffsets.slice(0, n);
    const add = (u: number, v: number, s: number, ref: number) => {
      const o = outFill[u]++, i = inFill[v]++;
      outTarget[o] = v; outSeconds[o] = s; outRef[o] = ref;
      inSource[i] = u; inSeconds[i] = s; inRef[i] = ref;
    };
    for (let l = 0; l < m; l++) {
      add(p.linkFrom[l], p.linkTo[l], p.linkSeconds[l], l * 2);
      if (!p.linkOneway[l]) add(p.linkTo[l], p.linkFrom[l], p.linkSeconds[l], l * 2 + 1);
    }
    this.outOffsets = outOffsets; this.outTarget = outTarget; this.outSeconds = outSeconds; this.outRef = outRef;
    this.inOffsets = inOffsets; this.inSource = inSource; this.inSeconds = inSeconds; this.inRef = inRef;

    // --- segment index ------------------------------------------------------------------------------------------
    const vs = p.linkVertexStart, c = p.vertexCoords;
    const xy = this.vertexXY = new Float64Array(c.length);
    for (let i = 0; i < c.length; i += 2) { xy[i] = this.px(c[i]); xy[i + 1] = this.py(c[i + 1]); }
    this.visit = (k: number): boolean => {
      const d = this.segDist2(k, this.qx, this.qy);
      if (d < this.best || (d === this.best && k < this.bestSeg)) { this.best = d; this.bestSeg = k; }
      return false; // nothing collected: the search only visits
    };
    const segCount = vs[m] - m;
    this.segVertex = new Int32Array(segCount);
    this.segLink = new Int32Array(segCount);
    this.index = segCount > 0 ? new Flatbush(segCount, INDEX_NODE_SIZE) : null;
    let k = 0;
    for (let l = 0; l < m; l++) {
      for (let v = vs[l]; v < vs[l + 1] - 1; v++) {
        const x0 = xy[2 * v], y0 = xy[2 * v + 1], x1 = xy[2 * v + 2], y1 = xy[2 * v + 3];
        this.index!.add(Math.min(x0, x1), Math.min(y0, y1), Math.max(x0, x1), Math.max(y0, y1));
        this.segVertex[k] = v; this.segLink[k++] = l;
      }
    }
    this.index?.finish();
  }

  /**
   * Builds the graph of a road network. Throws a RangeError for a non-finite coordinate or a speed that is not a
   * positive number; skips roads with fewer than two distinct points.
   */
  static build(roads: ReadonlyArray<RoadInput>, options?: RoadGraphOptions): RoadGraph {
    const t0 = performance.now();
    const mergeMetres = options?.mergeMetres ?? defaultOptions.mergeMetres;
    if (!(mergeMetres >= 0 && mergeMetres < 1000)) {
      throw new RangeError(`mergeMetres must be in [0, 1000) metres, got ${mergeMetres}.`);
    }

    // --- 1. all vertices, flat; distinct coordinates by exact equality ----------------------------------------------
    let total = 0;
    for (let r = 0; r < roads.length; r++) {
      const g = roads[r].geometry;
      if (!g || g.type !== 'LineString' || !Array.isArray(g.coordinates)) {
        throw new TypeError(`Road ${r}: expected a LineString geometry, got ${g ? (g as { type: unknown }).type : g}.`);
      }
      const s = roads[r].speedKmh;
      if (!(s > 0 && s < Infinity)) throw new RangeError(`Road ${r}: speedKmh must be a positive number, got ${s}.`);
      total += g.coordinates.length;
    }
    const raw = new Float64Array(total * 2);
    let minLon = Infinity, minLat = Infinity, maxLon = -Infinity, maxLat = -Infinity;
    for (let r = 0, v = 0; r < roads.length; r++) {
      for (const pos of roads[r].geometry.coordinates) {
        const lon = pos[0], lat = pos[1];
        if (!(Number.isFinite(lon) && Number.isFinite(lat) && Math.abs(lat) <= 90)) {
          throw new RangeError(`Road ${r} has an invalid coordinate [${lon}, ${lat}].`);
        }
        raw[2 * v] = lon; raw[2 * v + 1] = lat; v++;
        if (lon < minLon) minLon = lon;
        if (lon > maxLon) maxLon = lon;
        if (lat < minLat) minLat = lat;
        if (lat > maxLat) maxLat = lat;
      }
    }
    const lon0 = total ? (minLon + maxLon) / 2 : 0, lat0 = total ? (minLat + maxLat) / 2 : 0;
    const { ids: pointOf, count: pointCount, first } = distinctCoordinates(raw, total);

    // --- 2. tolerance merge: each point to a cluster (the earliest point within mergeMetres) ----------------------
    const cluster = new Int32Array(pointCount);
    for (let i = 0; i < pointCount; i++) cluster[i] = i;
    let mergedPoints = 0;
    if (mergeMetres > 0 && pointCount > 1) {
      const ky = EARTH_RADIUS_M * RAD, kx = ky * Math.cos(lat0 * RAD);
      const pts = new Flatbush(pointCount);
      const xs = new Float64Array(pointCount), ys = new Float64Array(pointCount);
      for (let i = 0; i < pointCount; i++) {
        const v = first[i];
        xs[i] = (raw[2 * v] - lon0) * kx; ys[i] = (raw[2 * v + 1] - lat0) * ky;
        pts.add(xs[i], ys[i], xs[i], ys[i]);
      }
      pts.finish();
      const assigned = new Uint8Array(pointCount);
      const reach = mergeMetres * 1.01; // the projection's scale error across a city is far below 1%
      for (let i = 0; i < pointCount; i++) {
        if (assigned[i]) continue;
        assigned[i] = 1;
        const near = pts.search(xs[i] - reach, ys[i] - reach, xs[i] + reach, ys[i] + reach);
        if (near.length < 2) continue;
        const vi = first[i];
        for (const j of near) {
          if (assigned[j]) continue;
          const vj = first[j];
          if (haversineMetres(raw[2 * vi], raw[2 * vi + 1], raw[2 * vj], raw[2 * vj + 1]) <= mergeMetres) {
            assigned[j] = 1; cluster[j] = i; mergedPoints++;
          }
        }
      }
    }

    // --- 3. road vertex sequences over clusters; uses per cluster; nodes -------------------------------------------
    const seq = new Int32Array(total); // per road: its clusters, consecutive repeats dropped
    const seqStart = new Int32Array(roads.length + 1);
    const uses = new Int32Array(pointCount);
    const isEnd = new Uint8Array(pointCount);
    let skippedRoads = 0;
    for (let r = 0, v = 0, s = 0; r < roads.length; r++) {
      const start = s;
      for (let i = 0; i < roads[r].geometry.coordinates.length; i++, v++) {
        const c = cluster[pointOf[v]];
        if (s > start && seq[s - 1] === c) continue;
        seq[s++] = c;
      }
      if (s - start < 2) { s = start; skippedRoads++; }
      else {
        for (let i = start; i < s; i++) uses[seq[i]]++;
        isEnd[seq[start]] = 1; isEnd[seq[s - 1]] = 1;
      }
      seqStart[r + 1] = s;
    }
    const nodeOf = new Int32Array(pointCount).fill(-1);
    const nodeLonList: number[] = [], nodeLatList: number[] = [];
    const nodeAt = (c: number): number => {
      if (nodeOf[c] < 0) {
        nodeOf[c] = nodeLonList.length;
        const v = first[c];
        nodeLonList.push(raw[2 * v]); nodeLatList.push(raw[2 * v + 1]);
      }
      return nodeOf[c];
    };

    // --- 4. links: split each road at its nodes ---------------------------------------------------------------------
    let linkCount = 0;
    for (let r = 0; r < roads.length; r++) {
      for (let i = seqStart[r] + 1; i < seqStart[r + 1]; i++) {
        const c = seq[i];
        if (isEnd[c] || uses[c] > 1) linkCount++;
      }
    }
    const vertexCount = seqStart[roads.length] + linkCount - (roads.length - skippedRoads);
    const linkFrom = new Int32Array(linkCount), linkTo = new Int32Array(linkCount);
    const linkRoad = new Int32Array(linkCount);
    const linkMetres = new Float64Array(linkCount), linkSeconds = new Float64Array(linkCount);
    const linkSpeed = new Float64Array(linkCount), linkOneway = new Uint8Array(linkCount);
    const linkVertexStart = new Int32Array(linkCount + 1);
    const vertexCoords = new Float64Array(vertexCount * 2), vertexMetres = new Float64Array(vertexCount);
    let l = 0, w = 0;
    for (let r = 0; r < roads.length; r++) {
      const s0 = seqStart[r], s1 = seqStart[r + 1];
      if (s1 - s0 < 2) continue;
      const speed = roads[r].speedKmh / 3.6;
      const oneway = roads[r].oneway ? 1 : 0;
      let metres = 0;
      linkFrom[l] = nodeAt(seq[s0]);
      linkVertexStart[l] = w;
      putVertex(seq[s0]);
      for (let i = s0 + 1; i < s1; i++) {
        const c = seq[i];
        const v = first[c];
        metres += haversineMetres(vertexCoords[2 * w - 2], vertexCoords[2 * w - 1], raw[2 * v], raw[2 * v + 1]);
        putVertex(c, metres);
        if (isEnd[c] || uses[c] > 1) {
          linkTo[l] = nodeAt(c);
          linkRoad[l] = r;
          linkMetres[l] = metres;
          linkSpeed[l] = speed;
          linkSeconds[l] = metres / speed;
          linkOneway[l] = oneway;
          l++;
          if (i < s1 - 1) { // the next link starts at this node
            linkFrom[l] = linkTo[l - 1];
            linkVertexStart[l] = w;
            metres = 0;
            putVertex(c);
          }
        }
      }
    }
    linkVertexStart[linkCount] = w;
    function putVertex(c: number, metres = 0): void {
      const v = first[c];
      vertexCoords[2 * w] = raw[2 * v]; vertexCoords[2 * w + 1] = raw[2 * v + 1];
      vertexMetres[w++] = metres;
    }

    const graph = new RoadGraph({
      nodeLon: Float64Array.from(nodeLonList), nodeLat: Float64Array.from(nodeLatList),
      linkFrom, linkTo, linkRoad, linkMetres, linkSeconds, linkSpeed, linkOneway, linkVertexStart, vertexCoords,
      vertexMetres, lon0, lat0,
      stats: { roads: roads.length - skippedRoads, skippedRoads, vertices: vertexCount, mergedPoints, buildMs: 0 },
    });
    graph.stats.buildMs = performance.now() - t0;
    return graph;
  }

  /** The directed link ref's tail node (where travelling along it starts). */
  refSource(ref: number): number {
    return ref & 1 ? this.linkTo[ref >> 1] : this.linkFrom[ref >> 1];
  }

  /** The directed link ref's head node. */
  refTarget(ref: number): number {
    return ref & 1 ? this.linkFrom[ref >> 1] : this.linkTo[ref >> 1];
  }

  /** The nearest point on the network, or null when the graph is empty, the point invalid or farther than maxMetres. */
  snap(lon: number, lat: number, maxMetres = Infinity): Snap | null {
    if (!this.snapInto(lon, lat, maxMetres)) return null;
    const l = this.sLink;
    return {
      link: l, metres: this.sMetres, fraction: this.linkMetres[l] > 0 ? this.sMetres / this.linkMetres[l] : 0,
      lon: this.sLon, lat: this.sLat, distance: this.sDistance,
    };
  }

  /**
   * snap() without allocation: writes sLink, sMetres, sLon, sLat, sDistance and returns true, or returns false.
   * @internal
   */
  snapInto(lon: number, lat: number, maxMetres = Infinity): boolean {
    const index = this.index;
    if (!index || !(Number.isFinite(lon) && Number.isFinite(lat))) return false;
    const x = this.qx = this.px(lon), y = this.qy = this.py(lat);
    // every segment nearer than r has its box within the square of half-width r: a nearest segment found within r
    // is the nearest of all
    this.best = Infinity; this.bestSeg = -1;
    const probe = SNAP_PROBE_M;
    index.search(x - probe, y - probe, x + probe, y + probe, this.visit);
    if (!(this.best <= probe * probe)) { // far from every road: the nearest box, then every box within its distance
      this.bestSeg = index.neighbors(x, y, 1)[0];
      this.best = this.segDist2(this.bestSeg, x, y);
      const r = Math.sqrt(this.best) * (1 + 1e-9) + 1e-9;
      index.search(x - r, y - r, x + r, y + r, this.visit);
    }
    const bestSeg = this.bestSeg;
    // the point on the segment
    const c = this.vertexCoords, v = this.segVertex[bestSeg];
    const t = this.segParam(bestSeg, x, y);
    const w = t === 1 ? v + 1 : v; // exact vertex coordinates at the segment's ends
    const sLon = t === 0 || t === 1 ? c[2 * w] : c[2 * v] + (c[2 * v + 2] - c[2 * v]) * t;
    const sLat = t === 0 || t === 1 ? c[2 * w + 1] : c[2 * v + 1] + (c[2 * v + 3] - c[2 * v + 1]) * t;
    const distance = haversineMetres(lon, lat, sLon, sLat);
    if (distance > maxMetres) return false;
    const m0 = this.vertexMetres[v], m1 = this.vertexMetres[v + 1];
    this.sLink = this.segLink[bestSeg];
    this.sMetres = t === 0 ? m0 : t === 1 ? m1 : Math.min(m1, m0 + (m1 - m0) * t);
    this.sLon = sLon; this.sLat = sLat; this.sDistance = distance;
    return true;
  }

  /** The coordinate at `metres` along link l (clamped to the link). */
  pointAlong(l: number, metres: number): LonLat {
    const vs = this.linkVertexStart, c = this.vertexCoords, vm = this.vertexMetres;
    let lo = vs[l], hi = vs[l + 1] - 1; // find the segment [lo, lo + 1] holding metres
    if (metres <= 0) return [c[2 * lo], c[2 * lo + 1]];
    if (metres >= vm[hi]) return [c[2 * hi], c[2 * hi + 1]];
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (vm[mid] <= metres) lo = mid; else hi = mid;
    }
    const t = (metres - vm[lo]) / (vm[lo + 1] - vm[lo]);
    return [c[2 * lo] + (c[2 * lo + 2] - c[2 * lo]) * t, c[2 * lo + 1] + (c[2 * lo + 3] - c[2 * lo + 1]) * t];
  }

  private px(lon: number): number { return (lon - this.lon0) * this.kx; }
  private py(lat: number): number { return (lat - this.lat0) * this.ky; }

  /** Parameter in [0, 1] of the point on segment k nearest to (x, y), planar. */
  private segParam(k: number, x: number, y: number): number {
    const xy = this.vertexXY, v = this.segVertex[k];
    const x0 = xy[2 * v], y0 = xy[2 * v + 1];
    const dx = xy[2 * v + 2] - x0, dy = xy[2 * v + 3] - y0;
    const len2 = dx * dx + dy * dy;
    if (len2 === 0) return 0;
    const t = ((x - x0) * dx + (y - y0) * dy) / len2;
    return t <= 0 ? 0 : t >= 1 ? 1 : t;
  }

  private segDist2(k: number, x: number, y: number): number {
    const xy = this.vertexXY, v = this.segVertex[k];
    const x0 = xy[2 * v], y0 = xy[2 * v + 1], dx = xy[2 * v + 2] - x0, dy = xy[2 * v + 3] - y0;
    const len2 = dx * dx + dy * dy;
    let t = len2 > 0 ? ((x - x0) * dx + (y - y0) * dy) / len2 : 0;
    t = t <= 0 ? 0 : t >= 1 ? 1 : t;
    const qx = x0 + dx * t - x, qy = y0 + dy * t - y;
    return qx * qx + qy * qy;
  }
}

/**
 * Distinct coordinates of n (lon, lat) pairs by exact equality (-0 equals 0): ids[v] is vertex v's point, first[p]
 * the first vertex of point p. An open-addressing hash table over the coordinates' bits.
 */
function distinctCoordinates(raw: Float64Array, n: number): { ids: Int32Array; count: number; first: Int32Array } {
  let cap = 16;
  while (cap < n * 2) cap <<= 1;
  const table = new Int32Array(cap).fill(-1); // point ids
  const ids = new Int32Array(n), first = new Int32Array(n);
  const bits = new Uint32Array(raw.buffer, raw.byteOffset, n * 4);
  for (let v = 0; v < n; v++) if (raw[2 * v] === 0) raw[2 * v] = 0; // -0 → 0, so equal coordinates hash equally
  for (let v = 0; v < n; v++) if (raw[2 * v + 1] === 0) raw[2 * v + 1] = 0;
  let count = 0;
  const mask = cap - 1;
  for (let v = 0; v < n; v++) {
    let h = Math.imul(bits[4 * v] ^ Math.imul(bits[4 * v + 1], 0x9e3779b1), 0x85ebca6b);
    h = Math.imul(h ^ bits[4 * v + 2] ^ (h >>> 15), 0xc2b2ae35) ^ Math.imul(bits[4 * v + 3], 0x27d4eb2f);
    h ^= h >>> 16;
    let slot = h & mask;
    for (;;) {
      const p = table[slot];
      if (p < 0) { table[slot] = count; first[count] = v; ids[v] = count++; break; }
      const u = first[p];
      if (raw[2 * u] === raw[2 * v] && raw[2 * u + 1] === raw[2 * v + 1]) { ids[v] = p; break; }
      slot = (slot + 1) & mask;
    }
  }
  return { ids, count, first: first.subarray(0, count) };
}
