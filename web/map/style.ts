import type { StyleSpecification, LayerSpecification } from 'maplibre-gl';
import type { LayerName } from '../api/types';
import { PALETTES, type Theme } from './palette';

/**
 * The local basemap: a MapLibre style built from our own GeoJSON layers, so nothing is fetched from another host.
 * It has no symbol layers (and so no `glyphs`): every label is drawn by deck.gl's TextLayer from a local font.
 * Sources start empty and are filled with `setData` when /api/layers/* arrive, so the map starts while they load.
 */

const EMPTY = { type: 'FeatureCollection', features: [] } as const;

/** Layer ids of the local basemap, bottom to top. deck.gl layers slot in between with `beforeId`. */
export const BASEMAP_IDS = {
  background: 'background',
  districtFill: 'district-fill',
  water: 'water-fill',
  rivers: 'rivers-line',
  communities: 'communities-line',
  subdistricts: 'subdistricts-line',
  roadStreet: 'roads-street',
  roadSecondaryCasing: 'roads-secondary-casing',
  roadSecondary: 'roads-secondary',
  roadArterialCasing: 'roads-arterial-casing',
  roadArterial: 'roads-arterial',
  districtLine: 'district-line',
} as const;

export const ROAD_LAYER_IDS = [
  BASEMAP_IDS.roadStreet,
  BASEMAP_IDS.roadSecondaryCasing,
  BASEMAP_IDS.roadSecondary,
  BASEMAP_IDS.roadArterialCasing,
  BASEMAP_IDS.roadArterial,
] as const;

/** Where the deck.gl layers go: block fills above the water, outlines above community lines, the rest on top. */
export const BEFORE_IDS = {
  blocks: BASEMAP_IDS.communities,
  outlines: BASEMAP_IDS.subdistricts,
} as const;

type Paint = Record<string, unknown>;

/** Theme-dependent paint of every basemap layer (also used to re-theme a live map with setPaintProperty). */
export function basemapPaint(theme: Theme): Record<string, Paint> {
  const p = PALETTES[theme];
  const zoomWidth = (z10: number, z16: number) => ['interpolate', ['exponential', 1.6], ['zoom'], 10, z10, 16, z16];
  return {
    [BASEMAP_IDS.background]: { 'background-color': p.background },
    [BASEMAP_IDS.districtFill]: { 'fill-color': p.districtFill },
    [BASEMAP_IDS.water]: { 'fill-color': p.water },
    [BASEMAP_IDS.rivers]: { 'line-color': p.river, 'line-width': zoomWidth(1, 4) },
    [BASEMAP_IDS.communities]: { 'line-color': p.communityLine, 'line-width': 0.8, 'line-dasharray': [3, 2] },
    [BASEMAP_IDS.subdistricts]: { 'line-color': p.subdistrictLine, 'line-width': zoomWidth(1.2, 3), 'line-dasharray': [4, 2] },
    [BASEMAP_IDS.roadStreet]: { 'line-color': p.roadStreet, 'line-width': zoomWidth(0.4, 3), 'line-opacity': 0.9 },
    [BASEMAP_IDS.roadSecondaryCasing]: { 'line-color': p.roadCasing, 'line-width': zoomWidth(1.4, 7) },
    [BASEMAP_IDS.roadSecondary]: { 'line-color': p.roadSecondary, 'line-width': zoomWidth(0.8, 5) },
    [BASEMAP_IDS.roadArterialCasing]: { 'line-color': p.roadCasing, 'line-width': zoomWidth(2.2, 11) },
    [BASEMAP_IDS.roadArterial]: { 'line-color': p.roadArterial, 'line-width': zoomWidth(1.6, 9) },
    [BASEMAP_IDS.districtLine]: { 'line-color': p.districtLine, 'line-width': zoomWidth(1.8, 4) },
  };
}

const ROUND = { 'line-join': 'round', 'line-cap': 'round' } as const;

export function buildBasemapStyle(theme: Theme): StyleSpecification {
  const paint = basemapPaint(theme);
  const sources = Object.fromEntries(
    (['district', 'subdistricts', 'communities', 'roads', 'water', 'rivers'] satisfies LayerName[]).map((name) => [
      name,
      { type: 'geojson', data: EMPTY, tolerance: 0.3 },
    ]),
  );
  const roadClass = (c: string) => ['==', ['get', 'class'], c];
  const layers = [
    { id: BASEMAP_IDS.background, type: 'background' },
    { id: BASEMAP_IDS.districtFill, type: 'fill', source: 'district' },
    { id: BASEMAP_IDS.water, type: 'fill', source: 'water' },
    { id: BASEMAP_IDS.rivers, type: 'line', source: 'rivers', layout: ROUND },
    { id: BASEMAP_IDS.communities, type: 'line', source: 'communities', minzoom: 12 },
    { id: BASEMAP_IDS.subdistricts, type: 'line', source: 'subdistricts', layout: ROUND },
    { id: BASEMAP_IDS.roadStreet, type: 'line', source: 'roads', minzoom: 12, filter: roadClass('street'), layout: ROUND },
    { id: BASEMAP_IDS.roadSecondaryCasing, type: 'line', source: 'roads', minzoom: 12, filter: roadClass('secondary'), layout: ROUND },
    { id: BASEMAP_IDS.roadSecondary, type: 'line', source: 'roads', filter: roadClass('secondary'), layout: ROUND },
    { id: BASEMAP_IDS.roadArterialCasing, type: 'line', source: 'roads', minzoom: 11, filter: roadClass('arterial'), layout: ROUND },
    { id: BASEMAP_IDS.roadArterial, type: 'line', source: 'roads', filter: roadClass('arterial'), layout: ROUND },
    { id: BASEMAP_IDS.districtLine, type: 'line', source: 'district', layout: ROUND },
  ].map((layer) => ({ ...layer, paint: paint[layer.id] })) as LayerSpecification[];
  return { version: 8, name: `gezhi-${theme}`, sources: sources as StyleSpecification['sources'], layers };
}
