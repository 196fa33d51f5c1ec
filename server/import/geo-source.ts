/**
 * Boundary files as features in their source coordinates: GeoJSON (a FeatureCollection, a Feature or a geometry),
 * TopoJSON (every object, or the one named), and Shapefiles — a .zip holding .shp, .dbf, .prj and .cpg, or those
 * files side by side. The files come as bytes (a CLI path read from disk or an upload), so both share one reader.
 *
 * Attribute text of a .dbf is decoded by, in order: the caller's encoding, the .cpg file, and otherwise UTF-8 when
 * the bytes are valid UTF-8, else GBK (Chinese GIS exports without a .cpg are GBK/GB18030 far more often than not).
 * The coordinate system comes from the caller, else the .prj, else a GeoJSON `crs` member, else WGS-84.
 */
import { unzipSync } from 'fflate';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import * as shapefile from 'shapefile';
import { feature as topoFeature } from 'topojson-client';
import type { Topology } from 'topojson-specification';
import { SourceFormatError } from './source-error.ts';

export interface SourceFeature {
  /** 1-based position in the file (the report's row). */
  row: number;
  properties: Record<string, unknown>;
  geometry: Geometry | null;
}

export interface BoundarySource {
  features: SourceFeature[];
  /** The coordinate system the file declares (a .prj's WKT or a GeoJSON crs name); null when it says nothing. */
  declaredCrs: string | null;
  /** How the attributes were decoded (Shapefiles), for the report. */
  encoding: string | null;
  format: 'geojson' | 'topojson' | 'shapefile';
}

export { SourceFormatError };

export interface ReadOptions {
  /** Attribute encoding of a .dbf (utf-8, gbk, gb18030, …). */
  encoding?: string;
  /** TopoJSON: the object to read (default: all). */
  object?: string;
}

const extOf = (name: string): string => name.toLowerCase().replace(/^.*\./, '');

const text = (bytes: Uint8Array): string => new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, '');

/** The encoding of a .dbf's records: UTF-8 if they decode as such, else GBK (see the module comment). */
function sniffDbfEncoding(dbf: Uint8Array): string {
  const headerLength = dbf.length >= 10 ? dbf[8] | (dbf[9] << 8) : 0;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(dbf.subarray(headerLength));
    return 'utf-8';
  } catch {
    return 'gbk';
  }
}

/** A .cpg names a code page: "UTF-8", "GBK", "936", "CP936", "GB2312" … → a TextDecoder label. */
function cpgEncoding(cpg: string): string {
  const c = cpg.trim().toLowerCase();
  if (c === '936' || c === 'cp936' || c === 'gb2312' || c === 'gbk' || c === 'ansi 936') return 'gbk';
  if (c === '54936' || c === 'gb18030') return 'gb18030';
  if (c === '65001' || c === 'utf8' || c === 'utf-8') return 'utf-8';
  return c;
}

async function readShapefile(files: Map<string, Uint8Array>, options: ReadOptions): Promise<BoundarySource> {
  const shp = files.get('shp');
  if (!shp) throw new SourceFormatError('no .shp file (a Shapefile needs at least .shp and .dbf)');
  const dbf = files.get('dbf');
  const cpg = files.get('cpg');
  const encoding = options.encoding ?? (cpg ? cpgEncoding(text(cpg)) : dbf ? sniffDbfEncoding(dbf) : 'utf-8');
  try {
    new TextDecoder(encoding);
  } catch {
    throw new SourceFormatError(`unknown attribute encoding "${encoding}" (try utf-8, gbk or gb18030)`);
  }
  const features: SourceFeature[] = [];
  try {
    const source = await shapefile.open(shp, dbf, { encoding });
    for (let row = 1; ; row++) {
      const r = await source.read();
      if (r.done) break;
      const f = r.value as Feature;
      features.push({ row, properties: trimmed(f.properties ?? {}), geometry: f.geometry });
    }
  } catch (err) {
    throw new SourceFormatError(`not a readable Shapefile: ${err instanceof Error ? err.message : String(err)}`);
  }
  const prj = files.get('prj');
  return { features, declaredCrs: prj ? text(prj).trim() : null, encoding, format: 'shapefile' };
}

/** dBASE pads text with spaces. */
function trimmed(p: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) out[k] = typeof v === 'string' ? v.trim() : v;
  return out;
}

function geojsonCrs(doc: { crs?: { properties?: { name?: unknown } } }): string | null {
  const name = doc.crs?.properties?.name;
  if (typeof name !== 'string') return null;
  const epsg = /EPSG:{1,2}(\d+)/i.exec(name);
  if (epsg) return `EPSG:${epsg[1]}`;
  if (/CRS84/i.test(name)) return 'WGS84';
  return name;
}

function readJson(bytes: Uint8Array, options: ReadOptions): BoundarySource {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text(bytes)) as Record<string, unknown>;
  } catch (err) {
    throw new SourceFormatError(`not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (doc.type === 'Topology') {
    const topo = doc as unknown as Topology;
    const names = options.object ? [options.object] : Object.keys(topo.objects ?? {});
    const features: SourceFeature[] = [];
    for (const name of names) {
      const obj = topo.objects?.[name];
      if (!obj) throw new SourceFormatError(`the TopoJSON has no object "${name}" (it has ${Object.keys(topo.objects ?? {}).join(', ')})`);
      const f = topoFeature(topo, obj) as Feature | FeatureCollection;
      for (const g of f.type === 'FeatureCollection' ? f.features : [f]) {
        features.push({ row: features.length + 1, properties: g.properties ?? {}, geometry: g.geometry });
      }
    }
    return { features, declaredCrs: geojsonCrs(doc), encoding: null, format: 'topojson' };
  }
  let list: Feature[];
  if (doc.type === 'FeatureCollection' && Array.isArray(doc.features)) list = doc.features as Feature[];
  else if (doc.type === 'Feature') list = [doc as unknown as Feature];
  else if (typeof doc.type === 'string' && 'coordinates' in doc) list = [{ type: 'Feature', properties: {}, geometry: doc as unknown as Geometry }];
  else throw new SourceFormatError('expected a GeoJSON FeatureCollection, Feature or geometry, or a TopoJSON Topology');
  const features = list.map((f, i) => ({ row: i + 1, properties: (f?.properties ?? {}) as Record<string, unknown>, geometry: f?.geometry ?? null }));
  return { features, declaredCrs: geojsonCrs(doc), encoding: null, format: 'geojson' };
}

/**
 * Reads a boundary file given as named byte arrays: one .geojson/.json/.topojson, one .zip, or the parts of a
 * Shapefile (.shp, .dbf, .prj, .cpg).
 */
export async function readBoundarySource(files: { name: string; bytes: Uint8Array }[], options: ReadOptions = {}): Promise<BoundarySource> {
  if (files.length === 0) throw new SourceFormatError('no file');
  const byExt = new Map<string, Uint8Array>();
  for (const f of files) {
    const ext = extOf(f.name);
    if (ext === 'zip') {
      let entries: Record<string, Uint8Array>;
      try {
        entries = unzipSync(f.bytes);
      } catch (err) {
        throw new SourceFormatError(`not a readable zip file: ${err instanceof Error ? err.message : String(err)}`);
      }
      const names = Object.keys(entries).filter((n) => !n.startsWith('__MACOSX/') && !n.endsWith('/'));
      const shps = names.filter((n) => extOf(n) === 'shp');
      if (shps.length === 0) {
        const json = names.find((n) => ['geojson', 'json', 'topojson'].includes(extOf(n)));
        if (json) return readJson(entries[json], options);
        throw new SourceFormatError(`the zip holds no .shp (it holds ${names.join(', ') || 'nothing'})`);
      }
      if (shps.length > 1) throw new SourceFormatError(`the zip holds ${shps.length} Shapefiles (${shps.join(', ')}); put one layer per zip`);
      const base = shps[0].slice(0, -4).toLowerCase();
      for (const n of names) if (n.slice(0, n.length - extOf(n).length - 1).toLowerCase() === base) byExt.set(extOf(n), entries[n]);
    } else byExt.set(ext, f.bytes);
  }
  if (byExt.has('shp')) return readShapefile(byExt, options);
  const json = byExt.get('geojson') ?? byExt.get('json') ?? byExt.get('topojson');
  if (json) return readJson(json, options);
  throw new SourceFormatError(`unknown boundary file type (${files.map((f) => f.name).join(', ')}): use .geojson, .topojson, .json, .zip or .shp`);
}
