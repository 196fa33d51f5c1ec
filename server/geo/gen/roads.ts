import type { MultiLineString } from 'geojson';
import type { GeneratedRoad, LonLat, RoadClass } from './types.ts';
import type { LocalProjection } from './projection.ts';
import { pointInRings, type Ring, type XY } from './planar.ts';

export interface RoadLineInput {
  class: RoadClass;
  lines: MultiLineString;
}

export interface RoadOptions {
  water: Ring[];
  proj: LocalProjection;
  urban: (x: number, y: number) => boolean;
  /** Names one stitched line (a whole road before it is split at junctions); '' leaves it unnamed. */
  nameLine: (cls: RoadClass, pts: readonly XY[]) => string;
  /** Whether a street here may be made one-way (the old town's narrow lanes), and a draw to pick some of them. */
  onewayCandidate?: (x: number, y: number) => boolean;
  pickOneway?: () => boolean;
}

const SPEED_KMH: Record<RoadClass, [urban: number, rural: number]> = {
  arterial: [50, 60],
  secondary: [40, 50],
  street: [25, 30],
};
/** Douglas–Peucker tolerance: block edges follow parcel zigzags; roads are straighter. */
const SIMPLIFY_M = { urban: 20, rural: 40 };

/**
 * Roads along the edges between blocks (streets), communities (secondary roads) and subdistricts (arterials):
 * the lines are cut where they would cross the river, simplified without moving any junction, split at every
 * junction into road segments, and joined into one connected network (each stray piece is linked to the
 * nearest node of the main network).
 */
export function buildRoads(inputs: readonly RoadLineInput[], { water, proj, urban: urbanAt, nameLine, onewayCandidate, pickOneway }: RoadOptions): GeneratedRoad[] {
  type Line = { cls: RoadClass; name: string; pts: XY[] };
  const key = (p: XY) => `${p[0].toFixed(3)},${p[1].toFixed(3)}`;
  const lines: Line[] = [];
  for (const input of inputs) {
    for (const coords of input.lines.coordinates) {
      const pts = coords.map(([lon, lat]) => proj.toXY(lon, lat));
      const name = nameLine(input.class, pts);
      let run: XY[] = [];
      const flush = () => {
        if (run.length >= 2) lines.push({ cls: input.class, name, pts: run });
        run = [];
      };
      for (let i = 0; i < pts.length; i++) {
        if (i > 0) {
          const mx = (pts[i - 1][0] + pts[i][0]) / 2, my = (pts[i - 1][1] + pts[i][1]) / 2;
          if (pointInRings(mx, my, water)) {
            flush();
            continue;
          }
        }
        if (run.length === 0 && i > 0) run.push(pts[i - 1]);
        run.push(pts[i]);
      }
      flush();
    }
  }

  // Junctions: line ends and any vertex used more than once; these never move and split segments.
  const uses = new Map<string, number>();
  for (const l of lines) l.pts.forEach((p, i) => uses.set(key(p), (uses.get(key(p)) ?? 0) + (i === 0 || i === l.pts.length - 1 ? 2 : 1)));
  const isJunction = (p: XY) => (uses.get(key(p)) ?? 0) >= 2;

  const segments: Line[] = [];
  for (const l of lines) {
    let start = 0;
    for (let i = 1; i < l.pts.length; i++) {
      if (i === l.pts.length - 1 || isJunction(l.pts[i])) {
        const piece = l.pts.slice(start, i + 1);
        const urban = urbanAt(piece[0][0], piece[0][1]);
        segments.push({ cls: l.cls, name: l.name, pts: douglasPeucker(piece, urban ? SIMPLIFY_M.urban : SIMPLIFY_M.rural) });
        start = i;
      }
    }
  }

  connect(segments, key);
  const oneway = onewayCandidate && pickOneway ? chooseOneway(segments, key, onewayCandidate, pickOneway) : new Set<number>();

  return segments.map((s, i) => {
    const urban = urbanAt(s.pts[0][0], s.pts[0][1]);
    return {
      id: i + 1,
      name: s.name,
      class: s.cls,
      speedKmh: SPEED_KMH[s.cls][urban ? 0 : 1],
      oneway: oneway.has(i),
      geometry: { type: 'LineString', coordinates: s.pts.map(([x, y]) => proj.toLonLat(x, y) as LonLat) },
    };
  });
}

/**
 * Makes some streets one-way (in their drawn direction) while every node stays reachable from every other:
 * a candidate is kept only if the directed network is still strongly connected with it.
 */
function chooseOneway(
  segments: ReadonlyArray<{ cls: RoadClass; pts: XY[] }>,
  key: (p: XY) => string,
  candidate: (x: number, y: number) => boolean,
  pick: () => boolean,
): Set<number> {
  const ids = new Map<string, number>();
  const id = (p: XY) => {
    const k = key(p);
    if (!ids.has(k)) ids.set(k, ids.size);
    return ids.get(k)!;
  };
  const ends = segments.map((s) => [id(s.pts[0]), id(s.pts[s.pts.length - 1])] as const);
  const n = ids.size;
  const oneway = new Set<number>();
  const reachesAll = (forward: boolean) => {
    const adj: number[][] = Array.from({ length: n }, () => []);
    // Forward: a→b always, b→a unless one-way. Reverse graph: every arc turned round.
    ends.forEach(([a, b], i) => {
      if (forward) adj[a].push(b);
      else adj[b].push(a);
      if (!oneway.has(i)) {
        if (forward) adj[b].push(a);
        else adj[a].push(b);
      }
    });
    const seen = new Uint8Array(n);
    const stack = [0];
    seen[0] = 1;
    let count = 1;
    while (stack.length) for (const m of adj[stack.pop()!]) if (!seen[m]) (seen[m] = 1), count++, stack.push(m);
    return count === n;
  };
  segments.forEach((s, i) => {
    const [x, y] = s.pts[Math.floor(s.pts.length / 2)];
    if (s.cls !== 'street' || ends[i][0] === ends[i][1] || !candidate(x, y) || !pick()) return;
    oneway.add(i);
    if (!reachesAll(true) || !reachesAll(false)) oneway.delete(i);
  });
  return oneway;
}

/** Links every connected component to the largest one with a straight connector from its nearest node. */
function connect(segments: Array<{ cls: RoadClass; name: string; pts: XY[] }>, key: (p: XY) => string) {
  const parent = new Map<string, string>();
  const find = (k: string): string => {
    let r = k;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(k, r);
    return r;
  };
  const node = (p: XY) => {
    const k = key(p);
    if (!parent.has(k)) parent.set(k, k);
    return k;
  };
  const coords = new Map<string, XY>();
  for (const s of segments) {
    const a = node(s.pts[0]), b = node(s.pts[s.pts.length - 1]);
    coords.set(a, s.pts[0]);
    coords.set(b, s.pts[s.pts.length - 1]);
    parent.set(find(a), find(b));
  }
  for (;;) {
    const members = new Map<string, string[]>();
    for (const k of coords.keys()) {
      const r = find(k);
      if (!members.has(r)) members.set(r, []);
      members.get(r)!.push(k);
    }
    if (members.size <= 1) return;
    const comps = [...members.values()].sort((a, b) => b.length - a.length || (a[0] < b[0] ? -1 : 1));
    const main = comps[0];
    const stray = comps[comps.length - 1];
    let best: [string, string] = [stray[0], main[0]], bestD = Infinity;
    for (const a of stray) {
      const pa = coords.get(a)!;
      for (const b of main) {
        const pb = coords.get(b)!;
        const d = (pa[0] - pb[0]) ** 2 + (pa[1] - pb[1]) ** 2;
        if (d < bestD) (bestD = d), (best = [a, b]);
      }
    }
    const pa = coords.get(best[0])!, pb = coords.get(best[1])!;
    segments.push({ cls: Math.sqrt(bestD) > 2000 ? 'secondary' : 'street', name: '', pts: [pa, pb] });
    parent.set(find(best[0]), find(best[1]));
  }
}

function douglasPeucker(pts: XY[], tolerance: number): XY[] {
  if (pts.length <= 2) return pts;
  const keep = new Uint8Array(pts.length);
  keep[0] = keep[pts.length - 1] = 1;
  const stack: Array<[number, number]> = [[0, pts.length - 1]];
  while (stack.length) {
    const [a, b] = stack.pop()!;
    let far = -1, farD = tolerance;
    const [ax, ay] = pts[a], [bx, by] = pts[b];
    const len = Math.hypot(bx - ax, by - ay) || 1;
    for (let i = a + 1; i < b; i++) {
      const d = Math.abs((bx - ax) * (ay - pts[i][1]) - (ax - pts[i][0]) * (by - ay)) / len;
      if (d > farD) (farD = d), (far = i);
    }
    if (far >= 0) {
      keep[far] = 1;
      stack.push([a, far], [far, b]);
    }
  }
  return pts.filter((_, i) => keep[i]);
}
