/**
 * A polygon Shapefile writer (ESRI Shapefile Technical Description, 1998): .shp, .shx, .dbf (dBASE III), .prj and
 * .cpg, zipped. Written here rather than taken from a library because the attribute encoding must be chosen (UTF-8
 * with a .cpg for our exports; GBK for files like those Chinese GIS desktops write) and the package that writes
 * Shapefiles for the browser (shp-write) fixes it.
 *
 * Layout: .shp and .shx share a 100-byte header (file code 9994 and length big-endian, version, shape type and
 * bounding box little-endian); each .shp record is a big-endian (number, content length in 16-bit words) then the
 * polygon: type 5, box, part count, point count, part starts, points. Outer rings are clockwise and holes
 * counter-clockwise (GeoJSON's are the other way round). Each .shx record is the .shp record's offset and length.
 *
 * Pure: bytes in memory, no I/O.
 */
import { zipSync } from 'fflate';
import type { MultiPolygon, Polygon, Position } from 'geojson';

export type FieldValue = string | number | null;

export interface ShapeFeature {
  geometry: Polygon | MultiPolygon;
  properties: Record<string, FieldValue>;
}

export interface FieldSpec {
  name: string;
  type: 'C' | 'N';
  /** Decimal places of a numeric field (default 0). */
  decimals?: number;
}

export interface ShapefileOptions {
  fields: readonly FieldSpec[];
  /** Attribute text → bytes (default UTF-8). */
  encode?: (s: string) => Uint8Array;
  /** The .cpg content naming that encoding (default "UTF-8"); null writes no .cpg. */
  codePage?: string | null;
  /** The .prj WKT (default WGS-84 geographic). */
  prj?: string;
}

export const WGS84_PRJ =
  'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function signedArea(r: Position[]): number {
  let s = 0;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) s += (r[j][0] - r[i][0]) * (r[j][1] + r[i][1]);
  return s / 2;
}

/** Rings of a feature in Shapefile order and winding: outer clockwise, holes counter-clockwise. */
function shapeRings(g: Polygon | MultiPolygon): Position[][] {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  const out: Position[][] = [];
  for (const rings of polys) {
    rings.forEach((r, i) => {
      const clockwise = signedArea(r) < 0;
      out.push(clockwise === (i === 0) ? r : [...r].reverse());
    });
  }
  return out;
}

function header(view: DataView, lengthBytes: number, box: number[]): void {
  view.setInt32(0, 9994, false);
  view.setInt32(24, lengthBytes / 2, false);
  view.setInt32(28, 1000, true);
  view.setInt32(32, 5, true);
  box.forEach((v, i) => view.setFloat64(36 + i * 8, v, true));
}

function writeShp(features: readonly ShapeFeature[]): { shp: Uint8Array; shx: Uint8Array } {
  const records = features.map((f) => {
    const rings = shapeRings(f.geometry);
    const points = rings.reduce((n, r) => n + r.length, 0);
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const r of rings) for (const p of r) {
      x0 = Math.min(x0, p[0]); x1 = Math.max(x1, p[0]); y0 = Math.min(y0, p[1]); y1 = Math.max(y1, p[1]);
    }
    return { rings, points, box: [x0, y0, x1, y1], content: 44 + 4 * rings.length + 16 * points };
  });
  const shpLength = 100 + records.reduce((n, r) => n + 8 + r.content, 0);
  const shp = new DataView(new ArrayBuffer(shpLength));
  const shx = new DataView(new ArrayBuffer(100 + 8 * records.length));
  const all = records.length
    ? [Math.min(...records.map((r) => r.box[0])), Math.min(...records.map((r) => r.box[1])), Math.max(...records.map((r) => r.box[2])), Math.max(...records.map((r) => r.box[3]))]
    : [0, 0, 0, 0];
  header(shp, shpLength, all);
  header(shx, shx.byteLength, all);
  let at = 100;
  records.forEach((r, i) => {
    shx.setInt32(100 + i * 8, at / 2, false);
    shx.setInt32(104 + i * 8, r.content / 2, false);
    shp.setInt32(at, i + 1, false);
    shp.setInt32(at + 4, r.content / 2, false);
    shp.setInt32(at + 8, 5, true);
    r.box.forEach((v, k) => shp.setFloat64(at + 12 + k * 8, v, true));
    shp.setInt32(at + 44, r.rings.length, true);
    shp.setInt32(at + 48, r.points, true);
    let part = 0;
    r.rings.forEach((ring, k) => {
      shp.setInt32(at + 52 + k * 4, part, true);
      part += ring.length;
    });
    let p = at + 52 + 4 * r.rings.length;
    for (const ring of r.rings) for (const [x, y] of ring) {
      shp.setFloat64(p, x, true);
      shp.setFloat64(p + 8, y, true);
      p += 16;
    }
    at += 8 + r.content;
  });
  return { shp: new Uint8Array(shp.buffer), shx: new Uint8Array(shx.buffer) };
}

function writeDbf(features: readonly ShapeFeature[], fields: readonly FieldSpec[], encode: (s: string) => Uint8Array): Uint8Array {
  const cells = features.map((f) => fields.map((fd) => {
    const v = f.properties[fd.name];
    if (fd.type === 'N') return utf8(v === null || v === undefined || v === '' ? '' : Number(v).toFixed(fd.decimals ?? 0));
    return encode(v === null || v === undefined ? '' : String(v));
  }));
  const widths = fields.map((fd, k) => Math.min(254, Math.max(fd.type === 'N' ? 1 : 1, ...cells.map((c) => c[k].length))));
  const headerLength = 32 + 32 * fields.length + 1;
  const recordLength = 1 + widths.reduce((a, b) => a + b, 0);
  const out = new Uint8Array(headerLength + recordLength * features.length + 1);
  const view = new DataView(out.buffer);
  const today = new Date();
  out[0] = 0x03;
  out[1] = today.getUTCFullYear() - 1900;
  out[2] = today.getUTCMonth() + 1;
  out[3] = today.getUTCDate();
  view.setUint32(4, features.length, true);
  view.setUint16(8, headerLength, true);
  view.setUint16(10, recordLength, true);
  fields.forEach((fd, k) => {
    const base = 32 + 32 * k;
    const name = encode(fd.name);
    if (name.length > 10) throw new RangeError(`field name "${fd.name}" is longer than dBASE's 10 bytes`);
    out.set(name, base);
    out[base + 11] = fd.type.charCodeAt(0);
    out[base + 16] = widths[k];
    out[base + 17] = fd.decimals ?? 0;
  });
  out[headerLength - 1] = 0x0d;
  let at = headerLength;
  for (const row of cells) {
    out[at++] = 0x20;
    row.forEach((bytes, k) => {
      const w = widths[k];
      out.fill(0x20, at, at + w);
      const b = bytes.subarray(0, w);
      // Numbers right-aligned, text left-aligned, as dBASE writes them.
      out.set(b, fields[k].type === 'N' ? at + w - b.length : at);
      at += w;
    });
  }
  out[at] = 0x1a;
  return out;
}

/** The parts of a polygon Shapefile named `${name}.shp` etc. */
export function shapefileParts(name: string, features: readonly ShapeFeature[], o: ShapefileOptions): Record<string, Uint8Array> {
  const { shp, shx } = writeShp(features);
  const parts: Record<string, Uint8Array> = {
    [`${name}.shp`]: shp,
    [`${name}.shx`]: shx,
    [`${name}.dbf`]: writeDbf(features, o.fields, o.encode ?? utf8),
    [`${name}.prj`]: utf8(o.prj ?? WGS84_PRJ),
  };
  const cpg = o.codePage === undefined ? 'UTF-8' : o.codePage;
  if (cpg !== null) parts[`${name}.cpg`] = utf8(cpg);
  return parts;
}

/** The Shapefile as one zip. */
export function zippedShapefile(name: string, features: readonly ShapeFeature[], o: ShapefileOptions): Uint8Array {
  return zipSync(shapefileParts(name, features, o), { level: 6, mtime: new Date('2026-01-01T00:00:00Z') });
}
