/**
 * Coordinate reference systems of imported data, converted to WGS-84 (what Gezhi stores; CGCS2000 agrees with it to
 * a few centimetres, far below any address's precision, so it is taken as-is).
 *
 * - geographic: WGS84 (EPSG:4326), CGCS2000 (EPSG:4490), GCJ-02 (the obfuscated datum of Amap, Tencent and DataV),
 *   BD-09 (Baidu). The Chinese offsets are not projections and no EPSG code names them: gcoord applies them, and
 *   china-offsets.ts inverts them per point (the same maths).
 * - projected: an EPSG code of the systems Chinese surveying bureaus and GPS exports use (CGCS2000 3°/6°
 *   Gauss-Krüger zones with and without zone prefix, UTM on WGS-84, Web Mercator), or a .prj file's WKT; proj4 does
 *   the projection maths. Other EPSG codes need their WKT (a .prj), since no registry is reachable at run time.
 *
 * Pure: no I/O. `crsConverter(spec)` parses once and returns a fast per-point function.
 */
import gcoord from 'gcoord';
import proj4 from 'proj4';
import { bd09ToWgs84, gcj02ToWgs84 } from './china-offsets.ts';

/** Converts one source coordinate pair (x = lon/easting, y = lat/northing) to WGS-84 [lon, lat]. */
export type ToWgs84 = (x: number, y: number) => [number, number];

export class CrsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CrsError';
  }
}

/** The spellings accepted for the geographic systems (case-insensitive, '-', '_' and spaces ignored). */
const GEOGRAPHIC: Record<string, 'WGS84' | 'GCJ02' | 'BD09'> = {
  wgs84: 'WGS84', epsg4326: 'WGS84', cgcs2000: 'WGS84', epsg4490: 'WGS84',
  gcj02: 'GCJ02', amap: 'GCJ02', tencent: 'GCJ02',
  bd09: 'BD09', baidu: 'BD09',
};

const GRS80_TM = (lon0: number, x0: number) => `+proj=tmerc +lat_0=0 +lon_0=${lon0} +k=1 +x_0=${x0} +y_0=0 +ellps=GRS80 +units=m +no_defs`;

/** proj4 definition of the EPSG codes we know without a registry; undefined for others. */
export function epsgDefinition(code: number): string | undefined {
  if (code === 3857 || code === 900913) return '+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs';
  // CGCS2000 / 3-degree Gauss-Kruger zone 25..45 (false easting carries the zone number).
  if (code >= 4513 && code <= 4533) {
    const zone = 25 + code - 4513;
    return GRS80_TM(zone * 3, zone * 1e6 + 500000);
  }
  // CGCS2000 / 3-degree Gauss-Kruger CM 75E..135E.
  if (code >= 4534 && code <= 4554) return GRS80_TM(75 + 3 * (code - 4534), 500000);
  // CGCS2000 / Gauss-Kruger zone 13..23 (6-degree).
  if (code >= 4491 && code <= 4501) {
    const zone = 13 + code - 4491;
    return GRS80_TM(zone * 6 - 3, zone * 1e6 + 500000);
  }
  // CGCS2000 / Gauss-Kruger CM 75E..135E (6-degree).
  if (code >= 4502 && code <= 4512) return GRS80_TM(75 + 6 * (code - 4502), 500000);
  // WGS 84 / UTM zone 1..60 N and S.
  if (code >= 32601 && code <= 32660) return `+proj=utm +zone=${code - 32600} +datum=WGS84 +units=m +no_defs`;
  if (code >= 32701 && code <= 32760) return `+proj=utm +zone=${code - 32700} +south +datum=WGS84 +units=m +no_defs`;
  return undefined;
}

/**
 * A converter for a source CRS: 'WGS84' / 'CGCS2000' / 'GCJ02' / 'BD09' (or 'EPSG:4326', 'EPSG:4490'), 'EPSG:nnnn'
 * for the projected codes of epsgDefinition, or the WKT text of a .prj file (anything starting with PROJCS, GEOGCS,
 * PROJCRS or GEOGCRS). A geographic WKT on a Chinese or WGS datum is taken as WGS-84.
 */
export function crsConverter(spec: string): ToWgs84 {
  const text = spec.trim();
  const key = text.toLowerCase().replace(/[-_:\s]/g, '');
  const geographic = GEOGRAPHIC[key];
  if (geographic === 'WGS84') return (x, y) => [x, y];
  if (geographic) return geographic === 'GCJ02' ? gcj02ToWgs84 : bd09ToWgs84;
  let definition: string | undefined;
  const epsg = /^epsg:(\d+)$/i.exec(text.replace(/\s/g, ''));
  if (epsg) {
    definition = epsgDefinition(Number(epsg[1]));
    if (!definition) throw new CrsError(`EPSG:${epsg[1]} is not built in; give the system's WKT (a .prj file) instead`);
  } else if (/^(PROJCS|GEOGCS|PROJCRS|GEOGCRS)\s*\[/i.test(text)) {
    if (/^GEOG/i.test(text)) return (x, y) => [x, y];
    definition = text;
  } else {
    throw new CrsError(`unknown coordinate system "${spec}": use WGS84, CGCS2000, GCJ02, BD09, EPSG:<code> or a .prj WKT`);
  }
  let converter: proj4.Converter;
  try {
    converter = proj4(definition, 'EPSG:4326');
  } catch (err) {
    throw new CrsError(`cannot read the coordinate system: ${err instanceof Error ? err.message : String(err)}`);
  }
  return (x, y) => {
    const p = converter.forward([x, y]);
    return [p[0], p[1]];
  };
}

/** The inverse for the geographic offsets only: WGS-84 → GCJ-02 / BD-09 (exports for Amap/Baidu users, tests). */
export function fromWgs84(spec: 'GCJ02' | 'BD09', lon: number, lat: number): [number, number] {
  return gcoord.transform([lon, lat], gcoord.WGS84, spec === 'GCJ02' ? gcoord.GCJ02 : gcoord.BD09) as [number, number];
}
