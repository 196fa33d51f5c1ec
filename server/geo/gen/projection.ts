import type { LonLat } from './types.ts';

/**
 * A local equirectangular projection in metres around a fixed origin. Over a district (≈ 40 km) its distortion
 * is far below what the generator cares about, and it is exact to invert, so shared vertices stay shared.
 */
export interface LocalProjection {
  toXY(lon: number, lat: number): [number, number];
  toLonLat(x: number, y: number): LonLat;
}

const METRES_PER_DEGREE_LAT = 110_574;
const METRES_PER_DEGREE_LON_EQUATOR = 111_320;

export function localProjection(originLon: number, originLat: number): LocalProjection {
  const kx = METRES_PER_DEGREE_LON_EQUATOR * Math.cos((originLat * Math.PI) / 180);
  const ky = METRES_PER_DEGREE_LAT;
  return {
    toXY: (lon, lat) => [(lon - originLon) * kx, (lat - originLat) * ky],
    // 1e-7° ≈ 1 cm: rounding here makes equal projected vertices equal coordinates in the output.
    toLonLat: (x, y) => [roundDeg(originLon + x / kx), roundDeg(originLat + y / ky)],
  };
}

export function roundDeg(v: number): number {
  return Math.round(v * 1e7) / 1e7;
}
