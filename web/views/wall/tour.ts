import type { Map as MlMap, LngLatBoundsLike } from 'maplibre-gl';

/**
 * The automatic tour: the whole district, then each subdistrict in turn, then the district again, for ever. Each
 * stop holds for `dwellMs` (the district a little longer). No timer outlives `stop()`.
 */
export interface TourStop {
  name: string;
  bounds: [number, number, number, number];
}

export interface Tour {
  current: () => string;
  stop(): void;
}

export function startTour(
  map: MlMap,
  district: TourStop,
  stops: readonly TourStop[],
  options: { dwellMs?: number; animate: boolean; padding: number; onStop?: (name: string) => void },
): Tour {
  const dwell = options.dwellMs ?? 20_000;
  const sequence = [district, ...stops];
  let i = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const go = () => {
    if (stopped) return;
    const stop = sequence[i];
    map.fitBounds(stop.bounds as LngLatBoundsLike, {
      padding: options.padding,
      animate: options.animate,
      duration: options.animate ? 2500 : 0,
      maxZoom: 14.5,
    });
    options.onStop?.(stop.name);
    timer = setTimeout(go, i === 0 ? dwell * 1.5 : dwell);
    i = (i + 1) % sequence.length;
  };
  timer = setTimeout(go, dwell * 1.5); // the district is already in view at the start
  return {
    current: () => sequence[(i + sequence.length - 1) % sequence.length].name,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** The bounding box of a GeoJSON geometry's coordinates. */
export function geometryBounds(g: GeoJSON.Geometry | null): [number, number, number, number] | null {
  if (!g) return null;
  const b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const [x, y] = c as number[];
      if (x < b[0]) b[0] = x;
      if (y < b[1]) b[1] = y;
      if (x > b[2]) b[2] = x;
      if (y > b[3]) b[3] = y;
    } else if (Array.isArray(c)) for (const child of c) visit(child);
  };
  if ('coordinates' in g) visit(g.coordinates);
  return Number.isFinite(b[0]) ? b : null;
}
