/**
 * GCJ-02 and BD-09 → WGS-84 for one point, the per-row path of a large import. The maths are gcoord's (the same
 * constants, series and fixed-point inversion, so the results are identical: tests/unit/china-offsets.test.ts holds
 * them to gcoord's own). Why not call gcoord.transform per point: it validates its input with messages built
 * eagerly, turning the coordinate array into text twice on every call, which made it a tenth of an import's
 * planning time. gcoord remains the library for everything else (WGS-84 → GCJ-02, GeoJSON).
 */
const { sin, cos, sqrt, abs, atan2, PI } = Math;
const A = 6378245;
const EE = 0.006693421622965823;
const BAIDU = (PI * 3000.0) / 180.0;
/** Steps of the inversion: inside China it converges in three or four. */
const MAX_STEPS = 30;

// Outside this box GCJ-02 is WGS-84 (the offsets apply in China only).
const inChinaBox = (lon: number, lat: number) => lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271;

function seriesLat(x: number, y: number): number {
  let r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(abs(x));
  r += ((20 * sin(6 * x * PI) + 20 * sin(2 * x * PI)) * 2) / 3;
  r += ((20 * sin(y * PI) + 40 * sin((y / 3) * PI)) * 2) / 3;
  r += ((160 * sin((y / 12) * PI) + 320 * sin((y * PI) / 30)) * 2) / 3;
  return r;
}

function seriesLon(x: number, y: number): number {
  let r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(abs(x));
  r += ((20 * sin(6 * x * PI) + 20 * sin(2 * x * PI)) * 2) / 3;
  r += ((20 * sin(x * PI) + 40 * sin((x / 3) * PI)) * 2) / 3;
  r += ((150 * sin((x / 12) * PI) + 300 * sin((x / 30) * PI)) * 2) / 3;
  return r;
}

/** The GCJ-02 offset at a WGS-84 point, into out[0] (lon) and out[1] (lat). */
function offset(lon: number, lat: number, out: [number, number]): void {
  const dLon = seriesLon(lon - 105, lat - 35);
  const dLat = seriesLat(lon - 105, lat - 35);
  const radLat = (lat / 180) * PI;
  let magic = sin(radLat);
  magic = 1 - EE * magic * magic;
  const sqrtMagic = sqrt(magic);
  out[0] = (dLon * 180) / ((A / sqrtMagic) * cos(radLat) * PI);
  out[1] = (dLat * 180) / (((A * (1 - EE)) / (magic * sqrtMagic)) * PI);
}

/**
 * GCJ-02 → WGS-84: the WGS-84 point whose GCJ-02 image is the given one, to 1e-6 degrees. Near the box's edge the
 * image jumps (offset inside, none outside) and the iteration can cycle for ever (gcoord's does): it stops after
 * MAX_STEPS, at the last estimate, less than the offset itself (a few hundred metres) from the answer.
 */
export function gcj02ToWgs84(lon: number, lat: number): [number, number] {
  if (!inChinaBox(lon, lat)) return [lon, lat];
  const d: [number, number] = [0, 0];
  let wLon = lon;
  let wLat = lat;
  image(wLon, wLat, lon, lat, d);
  for (let step = 0; step < MAX_STEPS && (abs(d[0]) > 1e-6 || abs(d[1]) > 1e-6); step++) {
    wLon -= d[0];
    wLat -= d[1];
    image(wLon, wLat, lon, lat, d);
  }
  return [wLon, wLat];
}

/**
 * How far the GCJ-02 image of (x, y) lies from the target (lon, lat), into d. The forward map of gcoord, which
 * skips the offset outside the box: kept so the iteration matches it exactly. (A module function, not a closure
 * made per point.)
 */
function image(x: number, y: number, lon: number, lat: number, d: [number, number]): void {
  if (inChinaBox(x, y)) offset(x, y, d);
  else d[0] = d[1] = 0;
  d[0] = x + d[0] - lon;
  d[1] = y + d[1] - lat;
}

/** BD-09 → GCJ-02 (closed form) → WGS-84. */
export function bd09ToWgs84(lon: number, lat: number): [number, number] {
  const x = lon - 0.0065;
  const y = lat - 0.006;
  const z = sqrt(x * x + y * y) - 0.00002 * sin(y * BAIDU);
  const theta = atan2(y, x) - 0.000003 * cos(x * BAIDU);
  return gcj02ToWgs84(z * cos(theta), z * sin(theta));
}
