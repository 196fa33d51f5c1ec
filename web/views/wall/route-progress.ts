/**
 * Where a responder is along a stored route: times are seconds from the route's start, one per coordinate, as the
 * dispatch service stores them (travel time along the road graph). Pure: no Solid, no DOM.
 */
export function routeProgress(coords: readonly [number, number][], times: readonly number[], elapsed: number): { head: [number, number]; done: boolean } {
  const n = Math.min(coords.length, times.length);
  if (n < 2 || elapsed <= times[0]) return { head: coords[0], done: n < 2 && elapsed > 0 };
  if (elapsed >= times[n - 1]) return { head: coords[n - 1], done: true };
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (times[mid] <= elapsed) lo = mid;
    else hi = mid;
  }
  const f = (elapsed - times[lo]) / Math.max(1e-9, times[hi] - times[lo]);
  const [ax, ay] = coords[lo];
  const [bx, by] = coords[hi];
  return { head: [ax + (bx - ax) * f, ay + (by - ay) * f], done: false };
}

/** Whole minutes still to go (rounded up), never negative. */
export function minutesLeft(etaSeconds: number, elapsed: number): number {
  return Math.max(0, Math.ceil((etaSeconds - elapsed) / 60));
}
