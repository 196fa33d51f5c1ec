/**
 * Which side of a drawn line a point stands on, for splitting a block: the line's end segments are taken as rays
 * (a line drawn across a block need not reach past its edge), and a point takes the side of the nearest segment.
 * Where the nearest point is a bend of the line, the point lies in the bend's outer wedge: the convex side.
 */
import type { PlanarFrame } from './shape.ts';

/** +1 left of the line (walking from its first to its last vertex), −1 right, 0 on it. */
export type Side = 1 | -1 | 0;

export function sideOfLine(line: readonly (readonly [number, number])[], lon: number, lat: number, f: PlanarFrame): Side {
  const P = line.map(([x, y]) => [(x - f.lon0) * f.kx, (y - f.lat0) * f.ky] as const);
  const px = (lon - f.lon0) * f.kx, py = (lat - f.lat0) * f.ky;
  let best = Infinity;
  let side: Side = 0;
  const last = P.length - 2;
  for (let i = 0; i <= last; i++) {
    const [ax, ay] = P[i], [bx, by] = P[i + 1];
    const dx = bx - ax, dy = by - ay;
    const len2 = dx * dx + dy * dy;
    if (len2 === 0) continue;
    let t = ((px - ax) * dx + (py - ay) * dy) / len2;
    // The first segment extends backwards without end, the last one forwards.
    const lo = i === 0 ? -Infinity : 0, hi = i === last ? Infinity : 1;
    t = Math.max(lo, Math.min(hi, t));
    const d = Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
    if (d >= best) continue;
    best = d;
    const c = dx * (py - ay) - dy * (px - ax);
    if ((t === 0 && i > 0) || (t === 1 && i < last)) {
      // At a bend V between U→V and V→W: the outer wedge is the side away from the turn.
      const v = t === 0 ? i : i + 1;
      const [ux, uy] = P[v - 1], [vx, vy] = P[v], [wx, wy] = P[v + 1];
      const turn = (vx - ux) * (wy - vy) - (vy - uy) * (wx - vx);
      side = turn > 0 ? -1 : turn < 0 ? 1 : c > 0 ? 1 : c < 0 ? -1 : 0;
    } else side = c > 0 ? 1 : c < 0 ? -1 : 0;
  }
  return side;
}
