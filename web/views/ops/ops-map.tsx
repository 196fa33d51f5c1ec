import type { PickingInfo } from '@deck.gl/core';
import type { Map as MlMap } from 'maplibre-gl';
import { createEffect, createMemo, createSignal, on, onCleanup, onMount, Show, type JSX } from 'solid-js';
import type { BasemapLayers, LayerName, LonLat } from '../../../server/contract/api';
import type { Display } from '../../map/display';
import { createMapShell } from '../../map/map-shell';
import { opsBounds, opsLayers, OPS_LAYER_IDS, type OpsCandidatePoint, type OpsRoute } from '../../map/ops-layers';
import type { Theme } from '../../map/palette';
import { BASEMAP_IDS, BLOCK_SOURCE, buildBasemapStyle, selectedFilter, STREET_SOURCE } from '../../map/style';

/** Read-only hooks for browser tests: what the console's map shows. */
export interface GezhiOpsMapHook {
  ready(): boolean;
  /** Routes drawn now (candidate routes and the dispatched one). */
  routeCount(): number;
  /** Whether a dispatched (sent) route is drawn. */
  sentRouteCount(): number;
  candidateCount(): number;
  hasCasePoint(): boolean;
  layerIds(): string[];
  frames(): number;
  /** Screen position (relative to the map's container) of a WGS-84 point. */
  project(lon: number, lat: number): [number, number];
}

declare global {
  interface Window {
    __gezhiOps?: GezhiOpsMapHook;
  }
}

export interface OpsMapProps {
  theme: Theme;
  display: Display;
  animate: boolean;
  basemap: BasemapLayers | undefined;
  casePoint: LonLat | null;
  /** The case's block outline (from GET /api/blocks/:code). */
  block: GeoJSON.Feature | null;
  candidates: readonly OpsCandidatePoint[];
  routes: readonly OpsRoute[];
  focused: number | null;
  onFocus: (staffId: number | null) => void;
  /** Tooltip text for a candidate under the pointer. */
  tooltip: (c: OpsCandidatePoint) => JSX.Element;
  /** A click on the map, in WGS-84 (placing a request that came with an address only). */
  onMapClick?: (lonLat: LonLat) => void;
}

/** The case's block outline: slate, so it does not read as the first candidate's (blue) route. */
export const CASE_BLOCK_LINE = '#475569';
function caseBlockPaint(map: MlMap): void {
  if (!map.getLayer(BASEMAP_IDS.blockSelected)) return;
  map.setPaintProperty(BASEMAP_IDS.blockSelected, 'line-color', CASE_BLOCK_LINE);
  map.setPaintProperty(BASEMAP_IDS.blockSelected, 'line-opacity', 0.7);
  map.setPaintProperty(BASEMAP_IDS.blockSelected, 'line-width', 2.5);
}

const INITIAL_VIEW = { center: [112.88, 27.88] as [number, number], zoom: 11 };

/** The console's map: the local basemap, the case's block, the case point, candidates and routes. */
export function OpsMap(props: OpsMapProps): JSX.Element {
  let container!: HTMLDivElement;
  let map: MlMap | undefined;
  const shell = createMapShell();
  const { styleLoaded, setSource } = shell;
  const [ready, setReady] = createSignal(false);
  const [hover, setHover] = createSignal<{ x: number; y: number; c: OpsCandidatePoint } | null>(null);

  const onHover = (info: PickingInfo<OpsCandidatePoint>) => {
    setHover(info.object ? { x: info.x, y: info.y, c: info.object } : null);
    props.onFocus(info.object?.staffId ?? null);
  };

  const layers = createMemo(() =>
    opsLayers({
      display: props.display,
      casePoint: props.casePoint,
      candidates: props.candidates,
      routes: props.routes,
      focused: props.focused,
      onHover,
    }),
  );

  onMount(() => {
    map = shell.mount(container, {
      style: buildBasemapStyle(props.theme),
      ...INITIAL_VIEW,
      keyboard: false, // the console's own keys (j/k/d/f) must not pan the map
      onLoad: caseBlockPaint,
    });
    map.on('click', (e) => props.onMapClick?.(props.display.unpoint(e.lngLat.lng, e.lngLat.lat)));
    window.__gezhiOps = {
      ready,
      routeCount: () => props.routes.length,
      sentRouteCount: () => props.routes.filter((r) => r.rank === -1).length,
      candidateCount: () => props.candidates.length,
      hasCasePoint: () => props.casePoint !== null,
      layerIds: () => layers().map((l) => l.id),
      frames: shell.frames,
      project: (lon, lat) => {
        const p = map!.project(props.display.point(lon, lat));
        return [p.x, p.y];
      },
    };
  });

  onCleanup(() => delete window.__gezhiOps);

  createEffect(() => {
    const b = props.basemap;
    if (!b || !styleLoaded()) return;
    const isStreet = (f: GeoJSON.Feature) => (f.properties as { class?: string } | null)?.class === 'street';
    for (const name of Object.keys(b) as LayerName[]) {
      const fc = props.display.collection(b[name]);
      setSource(name, name === 'roads' ? { ...fc, features: fc.features.filter((f) => !isStreet(f)) } : fc);
    }
    map!.once('idle', () => {
      setReady(true);
      // Streets after the first render (they are most of the road data), as the overview map does.
      const roads = props.display.collection(b.roads);
      setSource(STREET_SOURCE, { ...roads, features: roads.features.filter(isStreet) });
    });
    map!.triggerRepaint();
  });

  createEffect(() => {
    const block = props.block;
    if (!styleLoaded()) return;
    const fc = { type: 'FeatureCollection', features: block ? [block] : [] } as GeoJSON.FeatureCollection;
    setSource(BLOCK_SOURCE, props.display.collection(fc));
    const code = (block?.properties as { code?: string } | null)?.code ?? null;
    if (map?.getLayer(BASEMAP_IDS.blockSelected)) map.setFilter(BASEMAP_IDS.blockSelected, selectedFilter(code));
  });

  createEffect(() => shell.setLayers(layers()));

  // Fit the camera to the case, the nearest candidates and the routes when the case or its candidates change.
  const framing = createMemo(() => {
    const top = props.candidates.filter((c) => c.rank < 5).map((c) => c.position);
    // The case's block too, so its outline (属地) is in view.
    const g = props.block?.geometry;
    if (g && (g.type === 'Polygon' || g.type === 'MultiPolygon')) {
      const rings = g.type === 'Polygon' ? [g.coordinates[0]] : g.coordinates.map((p) => p[0]);
      for (const ring of rings) for (const p of ring ?? []) top.push([p[0], p[1]]);
    }
    return opsBounds(props.casePoint, top, props.routes);
  });
  createEffect(
    on(
      () => [framing(), styleLoaded()] as const,
      ([b, loaded]) => {
        if (!b || !loaded || !map) return;
        const [w, s, e, n] = b;
        const pad = 0.004;
        const [x0, y0] = props.display.point(w - pad, s - pad);
        const [x1, y1] = props.display.point(e + pad, n + pad);
        map.fitBounds([x0, y0, x1, y1], { padding: 40, maxZoom: 16, animate: props.animate, duration: props.animate ? 500 : 0 });
      },
    ),
  );

  createEffect(
    on(
      () => props.theme,
      (theme) => {
        if (!styleLoaded() || !map) return;
        shell.applyTheme(theme);
        caseBlockPaint(map);
      },
      { defer: true },
    ),
  );

  return (
    <div class="ops-map" data-ready={ready() ? 'true' : 'false'} data-routes={props.routes.length} data-layers={OPS_LAYER_IDS.routes}>
      <div ref={container} class="map-canvas" />
      <Show when={hover()}>
        {(h) => (
          <div class="map-tooltip" role="tooltip" style={{ left: `${h().x + 12}px`, top: `${h().y + 12}px` }}>
            {props.tooltip(h().c)}
          </div>
        )}
      </Show>
    </div>
  );
}
