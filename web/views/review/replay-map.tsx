import { MapboxOverlay } from '@deck.gl/mapbox';
import { PathLayer, ScatterplotLayer } from '@deck.gl/layers';
import maplibregl, { type GeoJSONSource, type Map as MlMap } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import { createEffect, createMemo, createSignal, onCleanup, onMount, type JSX } from 'solid-js';
import type { BasemapLayers, LayerName } from '../../../server/contract/api';
import { fitDistrict } from '../../map/bounds';
import type { Display } from '../../map/display';
import type { Theme } from '../../map/palette';
import { buildBasemapStyle } from '../../map/style';
import type { ReplayLine, ReplayPoint } from './replay-model';

/** Status colours of the replay: new (red), with the dispatcher (amber), being handled (blue), done (green). */
const STATUS_COLORS: Record<string, [number, number, number]> = {
  reported: [220, 38, 38], filed: [234, 140, 12], rejected: [120, 120, 130], dispatched: [29, 95, 208],
  accepted: [29, 95, 208], arrived: [112, 72, 232], resolved: [11, 114, 133], closed: [43, 138, 62], evaluated: [43, 138, 62],
};
const ROUTE_COLOR: [number, number, number, number] = [234, 88, 12, 255];
const ROUTE_AHEAD: [number, number, number, number] = [234, 88, 12, 70];
const PULSE_MS = 20 * 60_000;

export interface GezhiReviewMapHook {
  ready(): boolean;
  points(): number;
  routes(): number;
  /** Responders' head positions of the routes drawn now. */
  heads(): [number, number][];
}

declare global {
  interface Window {
    __gezhiReview?: GezhiReviewMapHook;
  }
}

/** The replay's map: the local basemap, the day's cases at the slider's time and the routes travelled so far. */
export function ReplayMap(props: { theme: Theme; display: Display; basemap: BasemapLayers | undefined; points: ReplayPoint[]; lines: ReplayLine[]; onPick: (id: number) => void }): JSX.Element {
  let container!: HTMLDivElement;
  let map: MlMap | undefined;
  let overlay: MapboxOverlay | undefined;
  const [styleLoaded, setStyleLoaded] = createSignal(false);
  const [ready, setReady] = createSignal(false);

  const layers = createMemo(() => [
    new PathLayer<ReplayLine>({
      id: 'replay-route-ahead', data: props.lines, getPath: (l) => l.whole.map((p) => props.display.point(p[0], p[1])),
      getColor: ROUTE_AHEAD, widthUnits: 'pixels', getWidth: 3,
    }),
    new PathLayer<ReplayLine>({
      id: 'replay-route', data: props.lines, getPath: (l) => l.travelled.map((p) => props.display.point(p[0], p[1])),
      getColor: ROUTE_COLOR, widthUnits: 'pixels', getWidth: 4, updateTriggers: { getPath: props.lines },
    }),
    new ScatterplotLayer<ReplayLine>({
      id: 'replay-route-head', data: props.lines, getPosition: (l) => props.display.point(l.head[0], l.head[1]),
      getFillColor: [255, 255, 255, 255], getLineColor: ROUTE_COLOR, stroked: true, lineWidthUnits: 'pixels', getLineWidth: 3,
      radiusUnits: 'pixels', getRadius: 6, updateTriggers: { getPosition: props.lines },
    }),
    new ScatterplotLayer<ReplayPoint>({
      id: 'replay-cases', data: props.points, pickable: true,
      getPosition: (p) => props.display.point(p.position[0], p.position[1]),
      getFillColor: (p) => [...(STATUS_COLORS[p.status] ?? [90, 90, 90]), 230] as [number, number, number, number],
      getLineColor: [255, 255, 255, 255], stroked: true, lineWidthUnits: 'pixels', getLineWidth: 1,
      radiusUnits: 'pixels', getRadius: (p) => (p.sinceStep < PULSE_MS ? 7 : 4),
      updateTriggers: { getFillColor: props.points, getRadius: props.points },
      onClick: (info) => info.object && props.onPick(info.object.id),
    }),
  ]);

  onMount(() => {
    map = new maplibregl.Map({
      container, style: buildBasemapStyle(props.theme), center: [112.88, 27.88], zoom: 10.5, attributionControl: false,
      dragRotate: false, pitchWithRotate: false, fadeDuration: 0,
    });
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    overlay = new MapboxOverlay({ interleaved: true, layers: [] });
    map.addControl(overlay);
    map.on('load', () => setStyleLoaded(true));
    map.on('error', (e) => console.error(`map error: ${e.error?.message ?? e.error}`));
    window.__gezhiReview = {
      ready,
      points: () => props.points.length,
      routes: () => props.lines.length,
      heads: () => props.lines.map((l) => l.head),
    };
  });
  onCleanup(() => {
    delete window.__gezhiReview;
    overlay?.finalize();
    map?.remove();
  });

  let fitted = false;
  createEffect(() => {
    const b = props.basemap;
    if (!b || !styleLoaded()) return;
    for (const name of Object.keys(b) as LayerName[]) (map!.getSource(name) as GeoJSONSource | undefined)?.setData(props.display.collection(b[name]));
    // The district's own extent, whichever district the database holds.
    if (!fitted) fitted = fitDistrict(map!, b.district, props.display);
    map!.once('idle', () => setReady(true));
    map!.triggerRepaint();
  });
  createEffect(() => overlay?.setProps({ layers: layers() }));

  return <div class="replay-map" ref={container} data-testid="replay-map" />;
}
