import type { LayerSpecification, StyleSpecification } from 'maplibre-gl';
import { cssColor } from './palette';
import { HOTSPOT_COLOR, ROUTE_COLOR, WALL_LAYER_IDS } from './wall-layers';

/**
 * The wall's outlines and routes are MapLibre layers on top of the basemap, under every deck.gl layer. A constant
 * colour and width keep them on the fill and line programs the basemap compiles anyway: as deck.gl layers they
 * needed a PathLayer program of their own, about 0.8 s of GPU-process CPU in the first render under software WebGL.
 */
export const WALL_SOURCES = {
  hotspots: 'wall-hotspots',
  routes: 'wall-routes',
} as const;

/** The hotspot fill beneath its outline (the outline carries the layer id the wall reports). */
export const HOTSPOT_FILL_ID = `${WALL_LAYER_IDS.hotspots}-fill`;

/** Wall layers drawn by MapLibre, bottom to top, and the source each reads. */
export const WALL_MAP_LAYERS = [
  { id: HOTSPOT_FILL_ID, source: WALL_SOURCES.hotspots },
  { id: WALL_LAYER_IDS.hotspots, source: WALL_SOURCES.hotspots },
  { id: WALL_LAYER_IDS.routes, source: WALL_SOURCES.routes },
] as const;

const HOTSPOT_LINE_PX = 3.5;
const ROUTE_LINE_PX = 4;

/** Line widths at a wall scale (1 at 1920×1080), for the style and for setPaintProperty after a resize. */
export function wallLineWidths(scale: number): Record<string, number> {
  return { [WALL_LAYER_IDS.hotspots]: HOTSPOT_LINE_PX * scale, [WALL_LAYER_IDS.routes]: ROUTE_LINE_PX * scale };
}

/** The basemap style with the wall's sources and layers on top. */
export function withWallLines(style: StyleSpecification, scale: number): StyleSpecification {
  const width = wallLineWidths(scale);
  const round = { 'line-join': 'round', 'line-cap': 'round' } as const;
  const layers: LayerSpecification[] = [
    { id: HOTSPOT_FILL_ID, type: 'fill', source: WALL_SOURCES.hotspots, paint: { 'fill-color': cssColor([255, 64, 160, 40]), 'fill-antialias': false } },
    { id: WALL_LAYER_IDS.hotspots, type: 'line', source: WALL_SOURCES.hotspots, layout: round, paint: { 'line-color': cssColor(HOTSPOT_COLOR), 'line-width': width[WALL_LAYER_IDS.hotspots] } },
    { id: WALL_LAYER_IDS.routes, type: 'line', source: WALL_SOURCES.routes, layout: round, paint: { 'line-color': cssColor([ROUTE_COLOR[0], ROUTE_COLOR[1], ROUTE_COLOR[2], 200]), 'line-width': width[WALL_LAYER_IDS.routes] } },
  ];
  const sources = { ...style.sources };
  for (const name of Object.values(WALL_SOURCES)) sources[name] = { type: 'geojson', data: { type: 'FeatureCollection', features: [] }, tolerance: 0.3 };
  return { ...style, sources, layers: [...style.layers, ...layers] };
}

/** Route polylines as GeoJSON for the routes source. */
export function routeLines(paths: readonly (readonly [number, number][])[]): GeoJSON.FeatureCollection {
  return {
    type: 'FeatureCollection',
    features: paths.map((coordinates) => ({ type: 'Feature', geometry: { type: 'LineString', coordinates: [...coordinates] }, properties: {} })),
  };
}
