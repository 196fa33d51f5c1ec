/** Small road networks for the road-graph and routing tests: roads by their points, points by metres east/north. */
import type { RoadInput } from '../../server/geo/road-graph.ts';

/** A street through `coords` (lon/lat) at `speedKmh`, two-way unless `oneway`. */
export const road = (coords: number[][], speedKmh = 36, oneway = false): RoadInput => ({
  geometry: { type: 'LineString', coordinates: coords },
  speedKmh,
  oneway,
  class: 'street',
});

/** The base point (near Xiangtan) and the degrees of one metre there. */
export const LON0 = 112.9, LAT0 = 27.85;
export const M_LAT = 1 / 111_195, M_LON = M_LAT / Math.cos(LAT0 * Math.PI / 180);

/** The point `east` and `north` metres from the base point, as lon/lat. */
export const at = (east: number, north: number): [number, number] => [LON0 + east * M_LON, LAT0 + north * M_LAT];
