/**
 * Counts of points per H3 cell (h3-js), fast enough for a million points.
 *
 * h3-js's latLngToCell costs ~3 µs a call (a trip into its compiled module and a string per call), 3 s for 10⁶
 * points. Over a district, though, the cells of one resolution form a regular hexagonal lattice: on one
 * icosahedron face H3 cells are hexagons of the face's gnomonic plane, and a point belongs to the cell whose centre
 * is nearest in that plane. So the aggregation calibrates, once per resolution and area, a cubic map from
 * (lon, lat) to continuous local IJ lattice coordinates (cellToLocalIj of sampled cells against their centres),
 * rounds each point to its nearest lattice centre, and asks h3-js only (a) once per lattice cell, for its index,
 * (with the first point met in that cell, safely inside it) and (b) for the few points whose distance to a cell edge
 * is within a safety margin of the calibration's error.
 * Answers are the same as calling latLngToCell on every point (the unit tests compare them on random points); where
 * the lattice is not regular (the area crosses a face edge or nears a pentagon) the calibration's error is large
 * and every point takes the exact path.
 */
import { cellToLatLng, cellToLocalIj, latLngToCell, gridDisk, getHexagonEdgeLengthAvg } from 'h3-js';

export interface H3Counts {
  cells: string[];
  counts: Uint32Array;
}

interface Calibration {
  origin: string;
  lon0: number;
  lat0: number;
  /** Cubic coefficients for i and j over (u, v) = (lon − lon0, lat − lat0) scaled: [1, u, v, u², uv, v², u³, u²v, uv², v³]. */
  ci: Float64Array;
  cj: Float64Array;
  scale: number;
  /** Lattice-unit distance from an edge below which a point takes the exact path. */
  margin: number;
}

const SQRT3_2 = Math.sqrt(3) / 2;

/** Solves the normal equations (Gaussian elimination with partial pivoting). */
function solve(a: number[][], b: number[]): Float64Array {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c || m[c][c] === 0) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return Float64Array.from(m.map((row, i) => (row[i] === 0 ? 0 : row[n] / row[i])));
}

const TERMS = 10;
const basis = (u: number, v: number) => [1, u, v, u * u, u * v, v * v, u * u * u, u * u * v, u * v * v, v * v * v];

function calibrate(res: number, minLon: number, minLat: number, maxLon: number, maxLat: number): Calibration | null {
  const lon0 = (minLon + maxLon) / 2;
  const lat0 = (minLat + maxLat) / 2;
  const origin = latLngToCell(lat0, lon0, res);
  // Sample the lattice over the area (and a little beyond): a disk of cells wide enough to cover the box.
  const edgeKm = getHexagonEdgeLengthAvg(res, 'km');
  const spanKm = Math.max((maxLon - minLon) * 111 * Math.cos((lat0 * Math.PI) / 180), (maxLat - minLat) * 111) / 2 + 2 * edgeKm;
  const k = Math.ceil(spanKm / (1.5 * edgeKm)) + 1;
  let cells = gridDisk(origin, k);
  // At fine resolutions a whole disk is large: a thinned sample is enough for ten coefficients.
  if (cells.length > 4000) cells = cells.filter((_, i) => i % Math.ceil(cells.length / 4000) === 0);
  const scale = 1 / Math.max(1e-6, Math.max(maxLon - minLon, maxLat - minLat));
  const ata = Array.from({ length: TERMS }, () => new Array<number>(TERMS).fill(0));
  const atbi = new Array<number>(TERMS).fill(0);
  const atbj = new Array<number>(TERMS).fill(0);
  const samples: [number, number, number, number][] = [];
  for (const cell of cells) {
    let ij: { i: number; j: number };
    try {
      ij = cellToLocalIj(origin, cell);
    } catch {
      return null; // a pentagon distortion or a failed unfolding: no regular lattice here
    }
    const [lat, lon] = cellToLatLng(cell);
    const u = (lon - lon0) * scale;
    const v = (lat - lat0) * scale;
    const f = basis(u, v);
    for (let r = 0; r < TERMS; r++) {
      for (let c = 0; c < TERMS; c++) ata[r][c] += f[r] * f[c];
      atbi[r] += f[r] * ij.i;
      atbj[r] += f[r] * ij.j;
    }
    samples.push([u, v, ij.i, ij.j]);
  }
  const ci = solve(ata, atbi);
  const cj = solve(ata, atbj);
  let err = 0;
  for (const [u, v, i, j] of samples) {
    const f = basis(u, v);
    let pi = 0;
    let pj = 0;
    for (let r = 0; r < TERMS; r++) {
      pi += ci[r] * f[r];
      pj += cj[r] * f[r];
    }
    // Error in the lattice's plane (unit centre spacing).
    const di = pi - i;
    const dj = pj - j;
    err = Math.max(err, Math.hypot(di - dj / 2, dj * SQRT3_2));
  }
  if (!(err < 0.02)) return null;
  return { origin, lon0, lat0, ci, cj, scale, margin: Math.max(10 * err, 1e-5) };
}

/**
 * Counts per H3 cell of resolution `res` for points given as lon/lat arrays (WGS-84 degrees). Cells are listed in
 * the order first met.
 */
export function aggregateH3(lon: ArrayLike<number>, lat: ArrayLike<number>, res: number): H3Counts {
  const n = lon.length;
  if (lat.length !== n) throw new Error(`aggregateH3: ${n} longitudes but ${lat.length} latitudes`);
  if (!(Number.isInteger(res) && res >= 0 && res <= 15)) throw new Error(`aggregateH3: res must be an integer 0…15, got ${res}`);
  const byCell = new Map<string, number>();
  const cells: string[] = [];
  const counts: number[] = [];
  const add = (cell: string) => {
    let k = byCell.get(cell);
    if (k === undefined) {
      k = cells.length;
      byCell.set(cell, k);
      cells.push(cell);
      counts.push(0);
    }
    counts[k]++;
  };
  if (n === 0) return { cells, counts: new Uint32Array(0) };
  let minLon = Infinity, minLat = Infinity, maxLon = -Infinity, maxLat = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = lon[i];
    const y = lat[i];
    if (x < minLon) minLon = x;
    if (x > maxLon) maxLon = x;
    if (y < minLat) minLat = y;
    if (y > maxLat) maxLat = y;
  }
  const cal = res >= 5 && maxLon - minLon < 2 && maxLat - minLat < 2 ? calibrate(res, minLon, minLat, maxLon, maxLat) : null;
  if (!cal) {
    for (let i = 0; i < n; i++) add(latLngToCell(lat[i], lon[i], res));
    return { cells, counts: Uint32Array.from(counts) };
  }
  const { ci, cj, scale, lon0, lat0, margin } = cal;
  // Lattice cell (i, j) → slot in `cells` + 1 (0: not looked up yet), in a dense table over the box's IJ range.
  let iMin = Infinity, iMax = -Infinity, jMin = Infinity, jMax = -Infinity;
  for (const [x, y] of [[minLon, minLat], [minLon, maxLat], [maxLon, minLat], [maxLon, maxLat], [lon0, minLat], [lon0, maxLat], [minLon, lat0], [maxLon, lat0]]) {
    const f = basis((x - lon0) * scale, (y - lat0) * scale);
    let fi = 0, fj = 0;
    for (let r = 0; r < TERMS; r++) {
      fi += ci[r] * f[r];
      fj += cj[r] * f[r];
    }
    iMin = Math.min(iMin, Math.floor(fi) - 2);
    iMax = Math.max(iMax, Math.ceil(fi) + 2);
    jMin = Math.min(jMin, Math.floor(fj) - 2);
    jMax = Math.max(jMax, Math.ceil(fj) + 2);
  }
  const width = iMax - iMin + 1;
  const height = jMax - jMin + 1;
  const dense = width * height <= 1 << 23 ? new Int32Array(width * height) : null;
  const sparse = new Map<number, number>();
  for (let p = 0; p < n; p++) {
    const u = (lon[p] - lon0) * scale;
    const v = (lat[p] - lat0) * scale;
    const uu = u * u, uv = u * v, vv = v * v;
    const uuu = uu * u, uuv = uu * v, uvv = u * vv, vvv = vv * v;
    const fi = ci[0] + ci[1] * u + ci[2] * v + ci[3] * uu + ci[4] * uv + ci[5] * vv + ci[6] * uuu + ci[7] * uuv + ci[8] * uvv + ci[9] * vvv;
    const fj = cj[0] + cj[1] * u + cj[2] * v + cj[3] * uu + cj[4] * uv + cj[5] * vv + cj[6] * uuu + cj[7] * uuv + cj[8] * uvv + cj[9] * vvv;
    // Nearest lattice centre among the corners of the (120°-basis) parallelogram holding the point. The distance
    // to the cell edge is at least (d₂ − d₁)/(2√3) for the squared distances d₁ ≤ d₂ to the nearest two corners
    // (corners are 1 or √3 apart), so a point is safe when that exceeds the margin.
    const i0 = Math.floor(fi);
    const j0 = Math.floor(fj);
    const di0 = fi - i0;
    const dj0 = fj - j0;
    const x0 = di0 - dj0 / 2, y0 = dj0 * SQRT3_2; // corner (i0, j0)
    const x1 = x0 - 1; // corner (i0 + 1, j0): one step along i is (1, 0)
    const x2 = x0 + 0.5, y2 = y0 - SQRT3_2; // corner (i0, j0 + 1): one step along j is (−½, √3/2)
    const x3 = x0 - 0.5; // corner (i0 + 1, j0 + 1), y as corner 2
    const d0 = x0 * x0 + y0 * y0;
    const d1 = x1 * x1 + y0 * y0;
    const d2 = x2 * x2 + y2 * y2;
    const d3 = x3 * x3 + y2 * y2;
    let bestD = d0, secondD = Infinity, bi = i0, bj = j0;
    if (d1 < bestD) { secondD = bestD; bestD = d1; bi = i0 + 1; bj = j0; } else secondD = d1;
    if (d2 < bestD) { secondD = bestD; bestD = d2; bi = i0; bj = j0 + 1; } else if (d2 < secondD) secondD = d2;
    if (d3 < bestD) { secondD = bestD; bestD = d3; bi = i0 + 1; bj = j0 + 1; } else if (d3 < secondD) secondD = d3;
    const minGap = (secondD - bestD) / (2 * Math.sqrt(3));
    if (minGap <= margin) {
      add(latLngToCell(lat[p], lon[p], res));
      continue;
    }
    const inside = bi >= iMin && bi <= iMax && bj >= jMin && bj <= jMax;
    const key = inside ? (bj - jMin) * width + (bi - iMin) : (bi + 1e6) * 4e6 + (bj + 1e6);
    let slot: number | undefined = dense && inside ? dense[key] - 1 : sparse.get(key);
    if (slot === undefined || slot < 0) {
      // The point lies safely inside this lattice cell, so its own index is the cell's (latLngToCell is several
      // times cheaper than localIjToCell).
      const cell = latLngToCell(lat[p], lon[p], res);
      slot = byCell.get(cell);
      if (slot === undefined) {
        slot = cells.length;
        byCell.set(cell, slot);
        cells.push(cell);
        counts.push(0);
      }
      if (dense && inside) dense[key] = slot + 1;
      else sparse.set(key, slot);
    }
    counts[slot]++;
  }
  return { cells, counts: Uint32Array.from(counts) };
}
