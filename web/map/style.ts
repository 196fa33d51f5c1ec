import type { FilterSpecification, LayerSpecification, StyleSpecification } from 'maplibre-gl';
import type { LayerName } from '../../server/contract/api';
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
  blockOutlines: 'block-outlines',
  blockSelected: 'block-selected',
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

/** Where the deck.gl layers go: the block choropleth under the water and every line; the rest on top. */
export const BEFORE_IDS = {
  blocks: BASEMAP_IDS.water,
} as const;

/**
 * Block outlines and the selected block are MapLibre line layers over the same block GeoJSON the choropleth uses:
 * they share the line shader the basemap compiles anyway, where a deck.gl PathLayer cost seconds of first render
 * under software WebGL.
 */
export const BLOCK_SOURCE = 'blocks';

/** Roads come in two parts: the major classes at once, streets (drawn from zoom 12 only) after the first render. */
export const STREET_SOURCE = 'streets';

type Paint = Record<string, unknown>;

/** Theme-dependent paint of every basemap layer (also used to re-theme a live map with setPaintProperty). */
export function basemapPaint(theme: Theme): Record<string, Paint> {
  const p = PALETTES[theme];
  const zoomWidth = (z10: number, z16: number) => ['interpolate', ['exponential', 1.6], ['zoom'], 10, z10, 16, z16];
  return {
    // No fill antialiasing and no dashed lines: each would add a shader program, and compiling programs is most of
    // the first-render time under software WebGL.
    [BASEMAP_IDS.background]: { 'background-color': p.background },
    [BASEMAP_IDS.districtFill]: { 'fill-color': p.districtFill, 'fill-antialias': false },
    [BASEMAP_IDS.water]: { 'fill-color': p.water, 'fill-antialias': false },
    [BASEMAP_IDS.rivers]: { 'line-color': p.river, 'line-width': zoomWidth(1, 4) },
    [BASEMAP_IDS.communities]: { 'line-color': p.communityLine, 'line-width': 0.8 },
    [BASEMAP_IDS.blockOutlines]: { 'line-color': p.blockOutline, 'line-width': zoomWidth(0.5, 1.5) },
    [BASEMAP_IDS.blockSelected]: { 'line-color': p.blockSelectedLine, 'line-width': zoomWidth(2.5, 4) },
    [BASEMAP_IDS.subdistricts]: { 'line-color': p.subdistrictLine, 'line-width': zoomWidth(1.2, 3), 'line-opacity': 0.9 },
    [BASEMAP_IDS.roadStreet]: { 'line-color': p.roadStreet, 'line-width': zoomWidth(0.4, 3), 'line-opacity': 0.9 },
    [BASEMAP_IDS.roadSecondaryCasing]: { 'line-color': p.roadCasing, 'line-width': zoomWidth(1.4, 7) },
    [BASEMAP_IDS.roadSecondary]: { 'line-color': p.roadSecondary, 'line-width': zoomWidth(0.8, 5) },
    [BASEMAP_IDS.roadArterialCasing]: { 'line-color': p.roadCasing, 'line-width': zoomWidth(2.6, 11) },
    [BASEMAP_IDS.roadArterial]: { 'line-color': p.roadArterial, 'line-width': zoomWidth(1.6, 9) },
    [BASEMAP_IDS.districtLine]: { 'line-color': p.districtLine, 'line-width': zoomWidth(1.8, 4) },
  };
}

const ROUND = { 'line-join': 'round', 'line-cap': 'round' } as const;

/** The filter of the selected-block line layer. */
export function selectedFilter(code: string | null): FilterSpecification {
  return ['==', ['get', 'code'], code ?? ''];
}

export function buildBasemapStyle(theme: Theme): StyleSpecification {
  const paint = basemapPaint(theme);
  const sources = Object.fromEntries(
    ([...(['district', 'subdistricts', 'communities', 'roads', 'water', 'rivers'] satisfies LayerName[]), BLOCK_SOURCE, STREET_SOURCE]).map((name) => [
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
    { id: BASEMAP_IDS.blockOutlines, type: 'line', source: BLOCK_SOURCE, layout: ROUND },
    { id: BASEMAP_IDS.subdistricts, type: 'line', source: 'subdistricts', layout: ROUND },
    { id: BASEMAP_IDS.roadStreet, type: 'line', source: STREET_SOURCE, minzoom: 12, layout: ROUND },
    { id: BASEMAP_IDS.roadSecondaryCasing, type: 'line', source: 'roads', minzoom: 12, filter: roadClass('secondary'), layout: ROUND },
    { id: BASEMAP_IDS.roadSecondary, type: 'line', source: 'roads', filter: roadClass('secondary'), layout: ROUND },
    { id: BASEMAP_IDS.roadArterialCasing, type: 'line', source: 'roads', filter: roadClass('arterial'), layout: ROUND },
    { id: BASEMAP_IDS.roadArterial, type: 'line', source: 'roads', filter: roadClass('arterial'), layout: ROUND },
    { id: BASEMAP_IDS.districtLine, type: 'line', source: 'district', layout: ROUND },
    { id: BASEMAP_IDS.blockSelected, type: 'line', source: BLOCK_SOURCE, filter: selectedFilter(null), layout: ROUND },
  ].map((layer) => ({ ...layer, paint: paint[layer.id] })) as LayerSpecification[];
  return { version: 8, name: `gezhi-${theme}`, sources: sources as StyleSpecification['sources'], layers };
}
