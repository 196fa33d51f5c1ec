/** Where a responder is on a dispatch route a number of seconds after setting off. */
import type { RouteFound } from '../geo/routing.ts';

/** The position at `seconds` into a route (interpolated along its geometry by its per-vertex times). */
export function positionAt(route: Pick<RouteFound, 'geometry' | 'times'>, seconds: number): [number, number] {
  const c = route.geometry.coordinates;
  const t = route.times;
  if (seconds <= 0 || c.length === 1) return [c[0][0], c[0][1]];
  if (seconds >= t[t.length - 1]) return [c[c.length - 1][0], c[c.length - 1][1]];
  let lo = 0, hi = t.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (t[mid] <= seconds) lo = mid;
    else hi = mid;
  }
  const span = t[hi] - t[lo];
  const f = span > 0 ? (seconds - t[lo]) / span : 0;
  return [c[lo][0] + (c[hi][0] - c[lo][0]) * f, c[lo][1] + (c[hi][1] - c[lo][1]) * f];
}
