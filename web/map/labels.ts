import type { Feature, Geometry, LineString, MultiLineString, Position } from 'geojson';
import type { AnyCollection } from '../../server/contract/api';

/** One label: where, what (both languages) and the angle in degrees (counter-clockwise, kept upright). */
export interface Label {
  position: [number, number];
  name: string;
  nameEn: string;
  angle: number;
}

type Props = Record<string, unknown>;

function str(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

/** Labels of area features at their `center` property (a point inside the area, chosen by the server). */
export function areaLabels(fc: AnyCollection): Label[] {
  const out: Label[] = [];
  for (const f of fc.features) {
    const p = f.properties as Props;
    const center = p.center as [number, number] | undefined;
    if (!center) continue;
    out.push({ position: center, name: str(p.name), nameEn: str(p.nameEn, str(p.name)), angle: 0 });
  }
  return out;
}

function lines(g: Geometry | null): Position[][] {
  if (!g) return [];
  if (g.type === 'LineString') return [(g as LineString).coordinates];
  if (g.type === 'MultiLineString') return (g as MultiLineString).coordinates;
  return [];
}

/** Length in degrees with longitude scaled at this latitude: only ever compared, never shown. */
function scaledLength(line: Position[], kx: number): number {
  let sum = 0;
  for (let i = 1; i < line.length; i++) sum += Math.hypot((line[i][0] - line[i - 1][0]) * kx, line[i][1] - line[i - 1][1]);
  return sum;
}

/** The point halfway along a line and the direction of the segment there, upright. */
function midpoint(line: Position[], kx: number): { position: [number, number]; angle: number } {
  const half = scaledLength(line, kx) / 2;
  let walked = 0;
  for (let i = 1; i < line.length; i++) {
    const [x0, y0] = line[i - 1];
    const [x1, y1] = line[i];
    const d = Math.hypot((x1 - x0) * kx, y1 - y0);
    if (walked + d >= half && d > 0) {
      const t = (half - walked) / d;
      let angle = (Math.atan2(y1 - y0, (x1 - x0) * kx) * 180) / Math.PI;
      if (angle > 90) angle -= 180;
      if (angle < -90) angle += 180;
      return { position: [x0 + (x1 - x0) * t, y0 + (y1 - y0) * t], angle };
    }
    walked += d;
  }
  return { position: [line[0][0], line[0][1]], angle: 0 };
}

/** One label per distinct line name, on its longest piece (a road is many segments; one label each is clutter). */
export function lineLabels(fc: AnyCollection, fallbackName = '', fallbackNameEn = ''): Label[] {
  const best = new Map<string, { line: Position[]; length: number; nameEn: string }>();
  let kx = 0.885; // cos(27.9°), the district's latitude
  for (const f of fc.features as Feature<Geometry | null, Props>[]) {
    const name = str(f.properties?.name, fallbackName);
    if (!name) continue;
    for (const line of lines(f.geometry)) {
      if (line.length < 2) continue;
      kx = Math.cos((line[0][1] * Math.PI) / 180);
      const length = scaledLength(line, kx);
      const current = best.get(name);
      if (!current || length > current.length) {
        best.set(name, { line, length, nameEn: str(f.properties?.nameEn, fallbackNameEn || name) });
      }
    }
  }
  return [...best].map(([name, { line, nameEn }]) => ({ name, nameEn, ...midpoint(line, kx) }));
}
