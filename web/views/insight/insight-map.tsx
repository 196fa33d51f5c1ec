import { GeoJsonLayer } from '@deck.gl/layers';
import type { PickingInfo } from '@deck.gl/core';
import { createEffect, createMemo, createSignal, on, onCleanup, onMount, Show, type JSX } from 'solid-js';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import type { BasemapLayers, LayerName } from '../../../server/contract/api';
import { fitDistrict } from '../../map/bounds';
import type { Display } from '../../map/display';
import { createMapShell } from '../../map/map-shell';
import type { Theme } from '../../map/palette';
import { buildBasemapStyle, STREET_SOURCE } from '../../map/style';
import { binColor } from './colors';

/** A unit on the map: its outline, its bin and what the tooltip shows. */
export interface InsightFeatureProps {
  id: string;
  name: string | null;
  bin: number;
  count: number;
  value: number;
  z: number;
}
export type InsightFeature = Feature<Polygon | MultiPolygon, InsightFeatureProps>;

/** Read-only hooks for browser tests: what the insight map shows. */
export interface GezhiInsightHook {
  ready(): boolean;
  unitCount(): number;
  /** Units per bin, as drawn. */
  bins(): Record<string, number>;
  frames(): number;
}

declare global {
  interface Window {
    __gezhiInsight?: GezhiInsightHook;
  }
}

export interface InsightMapProps {
  theme: Theme;
  display: Display;
  basemap: BasemapLayers | undefined;
  units: FeatureCollection<Polygon | MultiPolygon, InsightFeatureProps> | undefined;
  selected: string | null;
  onSelect: (id: string) => void;
  tooltip: (p: InsightFeatureProps) => JSX.Element;
}

const INITIAL_VIEW = { center: [112.86, 27.9] as [number, number], zoom: 10.3 };

/** The local basemap with the units coloured by Gi* bin (deck.gl over MapLibre, as the other views). */
export function InsightMap(props: InsightMapProps): JSX.Element {
  let container!: HTMLDivElement;
  const shell = createMapShell();
  const [ready, setReady] = createSignal(false);
  const [hover, setHover] = createSignal<{ x: number; y: number; p: InsightFeatureProps } | null>(null);

  const data = createMemo(() => (props.units ? props.display.collection(props.units) : undefined));

  const layers = createMemo(() => {
    const fc = data();
    if (!fc) return [];
    return [
      new GeoJsonLayer<InsightFeatureProps>({
        id: 'insight-bins',
        data: fc as never,
        filled: true,
        stroked: true,
        pickable: true,
        getFillColor: (f) => binColor(f.properties.bin),
        getLineColor: (f) => (f.properties.id === props.selected ? [20, 20, 20, 255] : [255, 255, 255, 120]),
        getLineWidth: (f) => (f.properties.id === props.selected ? 3 : 0.6),
        lineWidthUnits: 'pixels',
        updateTriggers: { getLineColor: props.selected, getLineWidth: props.selected },
        onHover: (info: PickingInfo<InsightFeature>) => {
          setHover(info.object ? { x: info.x, y: info.y, p: info.object.properties } : null);
        },
        onClick: (info: PickingInfo<InsightFeature>) => {
          if (info.object) props.onSelect(info.object.properties.id);
        },
      }),
    ];
  });

  onMount(() => {
    shell.mount(container, { style: buildBasemapStyle(props.theme), center: INITIAL_VIEW.center, zoom: INITIAL_VIEW.zoom });
    window.__gezhiInsight = {
      ready,
      unitCount: () => props.units?.features.length ?? 0,
      bins: () => {
        const out: Record<string, number> = {};
        for (const f of props.units?.features ?? []) out[f.properties.bin] = (out[f.properties.bin] ?? 0) + 1;
        return out;
      },
      frames: shell.frames,
    };
  });
  onCleanup(() => delete window.__gezhiInsight);

  let fitted = false;
  createEffect(() => {
    const b = props.basemap;
    if (!b || !shell.styleParsed()) return;
    for (const name of Object.keys(b) as LayerName[]) shell.setSource(name, props.display.collection(b[name]));
    // The district's own extent, whichever district the database holds.
    const map = shell.map();
    if (!fitted && map) fitted = fitDistrict(map, b.district, props.display);
    const roads = props.display.collection(b.roads);
    shell.setSource(STREET_SOURCE, { ...roads, features: roads.features.filter((f) => (f.properties as { class?: string } | null)?.class === 'street') });
  });

  createEffect(() => {
    shell.setLayers(layers());
    const map = shell.map();
    if (!shell.styleLoaded() || !props.units || !props.basemap || !map) return;
    setReady(false);
    map.once('idle', () => setReady(true));
    map.triggerRepaint();
  });

  createEffect(on(() => props.theme, (theme) => shell.applyTheme(theme), { defer: true }));

  return (
    <div class="insight-map" data-ready={ready() ? 'true' : 'false'} data-units={props.units?.features.length ?? 0}>
      <div ref={container} class="map-canvas" />
      <Show when={hover()}>
        {(h) => (
          <div class="map-tooltip" role="tooltip" style={{ left: `${h().x + 12}px`, top: `${h().y + 12}px` }}>
            {props.tooltip(h().p)}
          </div>
        )}
      </Show>
    </div>
  );
}
