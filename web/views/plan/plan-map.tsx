import { GeoJsonLayer, PathLayer, ScatterplotLayer } from '@deck.gl/layers';
import { createEffect, createMemo, createSignal, on, onCleanup, onMount, type JSX } from 'solid-js';
import type { BasemapLayers, LayerName } from '../../../server/contract/api';
import type { PlanBuildingsOut } from '../../../server/contract/plan';
import type { Display } from '../../map/display';
import { createMapShell } from '../../map/map-shell';
import type { Theme } from '../../map/palette';
import { buildBasemapStyle, STREET_SOURCE } from '../../map/style';
import type { BlockShapes } from './api';

type Rgba = [number, number, number, number];

/** Read-only hooks for browser tests: what the plan map shows, and where a point is on screen. */
export interface GezhiPlanHook {
  ready(): boolean;
  blockCount(): number;
  /** Screen position (relative to the map's container) of a WGS-84 point. */
  project(lon: number, lat: number): [number, number];
  /** Zooms to a block. */
  focus(code: string): void;
  /** Zooms to a box [minLon, minLat, maxLon, maxLat]. */
  fit(box: [number, number, number, number]): void;
}

declare global {
  interface Window {
    __gezhiPlan?: GezhiPlanHook;
  }
}

export interface PlanMapProps {
  theme: Theme;
  display: Display;
  basemap: BasemapLayers | undefined;
  /** The draft's blocks, or the published ones while no draft is open. */
  blocks: BlockShapes | undefined;
  buildings: PlanBuildingsOut | undefined;
  showBuildings: boolean;
  /** Fill of each block (by code). */
  fill: (f: { code: string }) => Rgba;
  /** Codes drawn with a heavy outline (changed in the draft). */
  outlined: ReadonlySet<string>;
  selected: string | null;
  selectedBuildings: ReadonlySet<number>;
  line: [number, number][];
  /** A click on the map: where (in WGS-84, whatever the display shifts), and the screen distance from there to any point. */
  onMapClick: (lonLat: [number, number], pixelsTo: (lon: number, lat: number) => number) => void;
  /** Changes whenever fills change, so deck.gl recolours. */
  fillKey: string;
}

const INITIAL_VIEW = { center: [112.9, 27.88] as [number, number], zoom: 11.5 };

/** The draft's blocks over the local basemap, with buildings to pick and the split line being drawn. */
export function PlanMap(props: PlanMapProps): JSX.Element {
  let container!: HTMLDivElement;
  const shell = createMapShell();
  const [ready, setReady] = createSignal(false);

  const buildingData = createMemo(() => {
    const b = props.buildings;
    if (!b) return [];
    return b.ids.map((id, i) => ({ id, position: props.display.point(b.lon[i], b.lat[i]) }));
  });

  const layers = createMemo(() => {
    const fc = props.blocks;
    if (!fc) return [];
    const out = [
      new GeoJsonLayer<{ code: string }>({
        id: 'plan-blocks',
        data: props.display.collection(fc as never) as never,
        filled: true,
        stroked: true,
        getFillColor: (f: { properties: { code: string } }) => props.fill(f.properties),
        getLineColor: (f: { properties: { code: string } }) =>
          f.properties.code === props.selected ? [10, 10, 10, 255] : props.outlined.has(f.properties.code) ? [200, 90, 0, 255] : [255, 255, 255, 160],
        getLineWidth: (f: { properties: { code: string } }) => (f.properties.code === props.selected ? 3 : props.outlined.has(f.properties.code) ? 2.5 : 0.7),
        lineWidthUnits: 'pixels',
        updateTriggers: { getFillColor: props.fillKey, getLineColor: [props.selected, props.fillKey], getLineWidth: [props.selected, props.fillKey] },
      }),
    ] as unknown[];
    if (props.showBuildings) {
      out.push(
        new ScatterplotLayer<{ id: number; position: [number, number] }>({
          id: 'plan-buildings',
          data: buildingData(),
          getPosition: (d) => d.position,
          getRadius: (d) => (props.selectedBuildings.has(d.id) ? 5 : 3),
          radiusUnits: 'pixels',
          getFillColor: (d) => (props.selectedBuildings.has(d.id) ? [220, 30, 30, 255] : [40, 40, 60, 200]),
          updateTriggers: { getRadius: props.selectedBuildings.size, getFillColor: [...props.selectedBuildings].join(',') },
        }),
      );
    }
    if (props.line.length > 0) {
      const path = props.line.map(([x, y]) => props.display.point(x, y));
      out.push(
        new PathLayer({ id: 'plan-line', data: [{ path }], getPath: (d: { path: [number, number][] }) => d.path, getColor: [220, 20, 60, 255], getWidth: 3, widthUnits: 'pixels' }),
        new ScatterplotLayer({ id: 'plan-line-points', data: path, getPosition: (d: [number, number]) => d, getRadius: 4, radiusUnits: 'pixels', getFillColor: [220, 20, 60, 255] }),
      );
    }
    return out;
  });

  onMount(() => {
    const map = shell.mount(container, { style: buildBasemapStyle(props.theme), center: INITIAL_VIEW.center, zoom: INITIAL_VIEW.zoom });
    map.doubleClickZoom.disable();
    // Clicks are resolved against the buildings (a parcel is the Voronoi cell of its building, so the nearest
    // building is the one whose parcel holds the point), not by GPU picking: exact, and independent of redraws.
    map.on('click', (e) =>
      props.onMapClick(props.display.unpoint(e.lngLat.lng, e.lngLat.lat), (lon, lat) => {
        const p = map.project(props.display.point(lon, lat));
        return Math.hypot(p.x - e.point.x, p.y - e.point.y);
      }),
    );
    window.__gezhiPlan = {
      ready,
      blockCount: () => props.blocks?.features.length ?? 0,
      project: (lon, lat) => {
        const [x, y] = props.display.point(lon, lat);
        const p = map.project([x, y]);
        return [p.x, p.y];
      },
      fit: ([a, b, c, d]) => map.fitBounds([props.display.point(a, b), props.display.point(c, d)], { padding: 60, animate: false }),
      focus: (code) => {
        const f = props.blocks?.features.find((x) => x.id === code);
        if (!f) return;
        let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
        const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
        for (const p of polys) for (const [x, y] of p[0]) (minX = Math.min(minX, x)), (minY = Math.min(minY, y)), (maxX = Math.max(maxX, x)), (maxY = Math.max(maxY, y));
        map.fitBounds([props.display.point(minX, minY), props.display.point(maxX, maxY)], { padding: 80, animate: false });
      },
    };
  });
  onCleanup(() => delete window.__gezhiPlan);

  createEffect(() => {
    const b = props.basemap;
    if (!b || !shell.styleParsed()) return;
    for (const name of Object.keys(b) as LayerName[]) shell.setSource(name, props.display.collection(b[name]));
    const roads = props.display.collection(b.roads);
    shell.setSource(STREET_SOURCE, { ...roads, features: roads.features.filter((f) => (f.properties as { class?: string } | null)?.class === 'street') });
  });

  createEffect(() => {
    shell.setLayers(layers() as never);
    const map = shell.map();
    if (!shell.styleLoaded() || !props.blocks || !map) return;
    setReady(false);
    map.once('idle', () => setReady(true));
    map.triggerRepaint();
  });

  createEffect(on(() => props.theme, (theme) => shell.applyTheme(theme), { defer: true }));

  return (
    <div class="plan-map" data-ready={ready() ? 'true' : 'false'} data-blocks={props.blocks?.features.length ?? 0}>
      <div ref={container} class="map-canvas" />
    </div>
  );
}
