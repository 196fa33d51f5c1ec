/** GeoJSON text helpers for responses built by string assembly (no parse/stringify round trip per request). */

/** Rounds every decimal number with more than 6 fraction digits in GeoJSON text to 6 (≈0.1 m). */
export function roundCoordinates(geojson: string): string {
  return geojson.replace(/-?\d+\.\d{7,}(?:[eE][-+]?\d+)?/g, (m) => {
    const r = Math.round(Number(m) * 1e6) / 1e6;
    return Object.is(r, -0) ? '0' : String(r);
  });
}

/** `{"type":"FeatureCollection",...members,"features":[...]}` from already-serialised feature texts. */
export function featureCollectionText(features: string[], members: Record<string, unknown> = {}): string {
  const head = Object.entries(members)
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)},`)
    .join('');
  return `{"type":"FeatureCollection",${head}"features":[${features.join(',')}]}`;
}

/** One Feature's text; `geometry` is trusted GeoJSON geometry text from the database. */
export function featureText(id: string | number | undefined, geometry: string, properties: unknown): string {
  const idPart = id === undefined ? '' : `"id":${JSON.stringify(id)},`;
  return `{"type":"Feature",${idPart}"geometry":${geometry},"properties":${JSON.stringify(properties)}}`;
}
