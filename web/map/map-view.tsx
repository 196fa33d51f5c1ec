import type { Layer, PickingInfo } from '@deck.gl/core';
import type { Map as MlMap } from 'maplibre-gl';
import { createEffect, createMemo, createSignal, on, onCleanup, onMount, Show, type JSX } from 'solid-js';
import type { BasemapLayers, BlockCollection, BlockFeature, EventSummary, LayerName } from '../../server/contract/api';
import { collectionBounds } from './bounds';
import type { Display } from './display';
import type { EventPoints } from './events';
import { areaLabels, lineLabels, type Label } from './labels';
import { createMapShell } from './map-shell';
import { blocksLayer, eventsLayer, labelLayer, LABEL_ZOOMS, LAYER_IDS, type LabelKind } from './layers';
import type { Theme } from './palette';
import {
  basemapPaint,
  BASEMAP_IDS,
  BEFORE_IDS,
  BLOCK_SOURCE,
  buildBasemapStyle,
  ROAD_LAYER_IDS,
  selectedFilter,
  STREET_SOURCE,
} from './style';

/** What the layer switcher controls. */
export interface LayerVisibility {
  blocks: boolean;
  outlines: boolean;
  events: boolean;
  roads: boolean;
  labels: boolean;
}

export type Hover =
  | { kind: 'block'; x: number; y: number; block: BlockFeature['properties'] }
  | { kind: 'event'; x: number; y: number; event: EventSummary };

export interface MapViewProps {
  theme: Theme;
  english: boolean;
  waterName: string;
  display: Display;
  styleUrl: string | null;
  animate: boolean;
  visibility: LayerVisibility;
  basemap: BasemapLayers | undefined;
  blocks: BlockCollection | undefined;
  events: EventPoints | undefined;
  selected: string | null;
  onSelect: (code: string | null) => void;
  /** The tooltip's content for what is under the pointer (the view owns the wording). */
  tooltip: (hover: Hover) => JSX.Element;
}

/** Read-only hooks for browser tests and benchmarks: state of the rendered map, never a way to change it. */
export interface GezhiTestHook {
  ready(): boolean;
  firstRenderMs(): number | null;
  /** Frames the map has drawn so far. */
  frames(): number;
  blockCount(): number;
  eventCount(): number;
  layerIds(): string[];
  /** Page coordinates of a WGS-84 point as currently displayed. */
  screenPoint(lon: number, lat: number): { x: number; y: number };
}

declare global {
  interface Window {
    __gezhi?: GezhiTestHook;
  }
}

const isStreet = (f: { properties: Record<string, unknown> | null }) => f.properties?.class === 'street';

/** On an external basemap our own style layers are absent: add the block lines to it on top. */
function addBlockLinesTo(map: MlMap, theme: Theme): void {
  const paint = basemapPaint(theme);
  map.addSource(BLOCK_SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  map.addLayer({ id: BASEMAP_IDS.blockOutlines, type: 'line', source: BLOCK_SOURCE, paint: paint[BASEMAP_IDS.blockOutlines] });
  map.addLayer({
    id: BASEMAP_IDS.blockSelected,
    type: 'line',
    source: BLOCK_SOURCE,
    filter: selectedFilter(null),
    paint: paint[BASEMAP_IDS.blockSelected],
  });
}

const INITIAL_VIEW = { center: [112.85, 27.92] as [number, number], zoom: 10 };

export function MapView(props: MapViewProps): JSX.Element {
  let container!: HTMLDivElement;
  let map: MlMap | undefined;
  const shell = createMapShell();
  const { styleLoaded, setSource } = shell;
  const [zoom, setZoom] = createSignal(INITIAL_VIEW.zoom);
  const [hover, setHover] = createSignal<Hover | null>(null);
  const [basemapApplied, setBasemapApplied] = createSignal(false);
  const [ready, setReady] = createSignal(false);
  let firstRenderMs: number | null = null;
  let currentLayers: Layer[] = [];

  const local = () => !props.styleUrl;

  // Display-space copies of the data (identity unless GCJ-02 is on).
  const basemap = createMemo(() => {
    const b = props.basemap;
    if (!b) return undefined;
    const out = {} as BasemapLayers;
    for (const key of Object.keys(b) as LayerName[]) out[key] = props.display.collection(b[key]);
    return out;
  });
  const blocks = createMemo(() => (props.blocks ? props.display.collection(props.blocks) : undefined));
  const labels = createMemo(() => {
    const b = basemap();
    if (!b) return undefined;
    return {
      subdistricts: areaLabels(b.subdistricts),
      communities: areaLabels(b.communities),
      roads: lineLabels(b.roads),
      water: lineLabels(b.rivers, props.waterName, props.waterName),
    } satisfies Record<LabelKind, Label[]>;
  });

  // One memo per label family, so a zoom change rebuilds layers only when a family crosses its threshold.
  const inZoom = (kind: LabelKind) => createMemo(() => zoom() >= LABEL_ZOOMS[kind][0] && zoom() < LABEL_ZOOMS[kind][1]);
  const labelVisible = {
    subdistricts: inZoom('subdistricts'),
    communities: inZoom('communities'),
    roads: inZoom('roads'),
    water: inZoom('water'),
  };

  const onBlockHover = (info: PickingInfo<BlockFeature>) => {
    setHover(info.object ? { kind: 'block', x: info.x, y: info.y, block: info.object.properties } : null);
  };
  const onBlockClick = (info: PickingInfo<BlockFeature>) => {
    props.onSelect(info.object ? info.object.properties.code : null);
  };
  const onEventHover = (info: PickingInfo) => {
    const item = info.index >= 0 ? props.events?.items[info.index] : undefined;
    setHover(item ? { kind: 'event', x: info.x, y: info.y, event: item } : null);
  };

  const layers = createMemo<Layer[]>(() => {
    const out: Layer[] = [];
    const theme = props.theme;
    const v = props.visibility;
    const b = blocks();
    if (b) {
      out.push(
        blocksLayer({
          data: b,
          visible: v.blocks,
          theme,
          beforeId: local() ? BEFORE_IDS.blocks : undefined,
          onHover: onBlockHover,
          onClick: onBlockClick,
        }),
      );
    }
    if (props.events) out.push(eventsLayer(props.events, v.events, onEventHover));
    const l = labels();
    if (l) {
      for (const kind of ['water', 'roads', 'communities', 'subdistricts'] as const) {
        const visible = v.labels && labelVisible[kind]() && (kind !== 'roads' || v.roads);
        out.push(labelLayer(kind, l[kind], visible, theme, props.english));
      }
    }
    return out;
  });

  onMount(() => {
    map = shell.mount(container, {
      style: props.styleUrl ?? buildBasemapStyle(props.theme),
      ...INITIAL_VIEW,
      onLoad: (m) => {
        performance.mark('gezhi:style-loaded');
        if (!local()) addBlockLinesTo(m, props.theme);
      },
    });
    map.on('zoom', () => setZoom(map!.getZoom()));
    map.on('mouseout', () => setHover(null));

    window.__gezhi = {
      ready,
      firstRenderMs: () => firstRenderMs,
      frames: shell.frames,
      blockCount: () => {
        const layer = currentLayers.find((l) => l.id === LAYER_IDS.blocks);
        return (layer?.props.data as BlockCollection | undefined)?.features.length ?? 0;
      },
      eventCount: () => props.events?.length ?? 0,
      layerIds: () => currentLayers.map((l) => l.id),
      screenPoint: (lon, lat) => {
        const [x, y] = props.display.point(lon, lat);
        const p = map!.project([x, y]);
        const rect = container.getBoundingClientRect();
        return { x: rect.left + p.x, y: rect.top + p.y };
      },
    };
  });

  onCleanup(() => {
    if (window.__gezhi) delete window.__gezhi;
  });

  // Basemap data into the style's sources (streets wait for the first render), then fit the district.
  createEffect(() => {
    const b = basemap();
    if (!b || !styleLoaded() || !map) return;
    if (local()) {
      for (const name of Object.keys(b) as LayerName[]) {
        setSource(name, name === 'roads' ? { ...b.roads, features: b.roads.features.filter((f) => !isStreet(f)) } : b[name]);
      }
    }
    const bounds = collectionBounds(b.district);
    if (bounds && !basemapApplied()) {
      map.fitBounds(bounds, { padding: 24, animate: props.animate, duration: props.animate ? 600 : 0 });
    }
    performance.mark('gezhi:basemap-applied');
    setBasemapApplied(true);
  });

  createEffect(() => {
    currentLayers = layers();
    shell.setLayers(currentLayers);
  });

  // Theme and road visibility on the live style, without rebuilding it.
  createEffect(
    on(
      () => [props.theme, styleLoaded()] as const,
      ([theme, loaded]) => {
        if (loaded) shell.applyTheme(theme);
      },
      { defer: true },
    ),
  );
  createEffect(() => {
    const b = basemap();
    if (!b || !ready() || !local()) return;
    setSource(STREET_SOURCE, { ...b.roads, features: b.roads.features.filter(isStreet) });
  });

  // Block outlines and the selected block: line layers over the block GeoJSON.
  createEffect(() => {
    const b = blocks();
    if (b && styleLoaded()) setSource(BLOCK_SOURCE, b);
  });
  createEffect(() => {
    const code = props.selected;
    if (styleLoaded() && map?.getLayer(BASEMAP_IDS.blockSelected)) map.setFilter(BASEMAP_IDS.blockSelected, selectedFilter(code));
  });
  createEffect(() => {
    const visible = props.visibility.outlines ? 'visible' : 'none';
    if (styleLoaded() && map?.getLayer(BASEMAP_IDS.blockOutlines)) map.setLayoutProperty(BASEMAP_IDS.blockOutlines, 'visibility', visible);
  });

  createEffect(() => {
    const roads = props.visibility.roads;
    if (!styleLoaded() || !map || !local()) return;
    for (const id of ROAD_LAYER_IDS) map.setLayoutProperty(id, 'visibility', roads ? 'visible' : 'none');
  });

  // First full render: style, basemap, blocks and events all in, then the map goes idle.
  createEffect(() => {
    if (ready() || !map || !basemapApplied() || !blocks() || !props.events) return;
    const m = map;
    const done = () => {
      if (ready()) return;
      firstRenderMs = Math.round(performance.now());
      performance.mark('gezhi:ready');
      setReady(true);
    };
    m.once('idle', done);
    m.triggerRepaint();
  });

  return (
    <div class="map-view" data-ready={ready() ? 'true' : 'false'}>
      <div ref={container} class="map-canvas" />
      <Show when={hover()}>
        {(h) => (
          <div class="map-tooltip" role="tooltip" style={{ left: `${h().x + 12}px`, top: `${h().y + 12}px` }}>
            {props.tooltip(h())}
          </div>
        )}
      </Show>
    </div>
  );
}
