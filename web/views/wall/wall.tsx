import type { Layer } from '@deck.gl/core';
import type { Map as MlMap } from 'maplibre-gl';
import { createEffect, createMemo, createSignal, For, onCleanup, onMount, Show, type JSX } from 'solid-js';
import type { AnyCollection, BasemapLayers, LayerName } from '../../../server/contract/api';
import { useDistrict } from '../../district';
import { formatNumber, lang, t, type MessageKey } from '../../i18n';
import { areaLabels } from '../../map/labels';
import { createMapShell } from '../../map/map-shell';
import { BEFORE_IDS, BLOCK_SOURCE, buildBasemapStyle, STREET_SOURCE } from '../../map/style';
import {
  HEAT_RANGE, HOTSPOT_COLOR, LOAD_COLORS, ROUTE_COLOR, SLA_COLORS, STAFF_COLOR, wallBlocksLayer, wallCasesLayer, wallHeatLayer,
  wallPulseLayer, wallRingsLayer, wallRouteHeadLayer, wallStaffLayer, type CasePoint, type RoutePath,
} from '../../map/wall-layers';
import { cssColor, type RGBA } from '../../map/palette';
import { routeLines, WALL_MAP_LAYERS, WALL_SOURCES, wallLineWidths, withWallLines } from '../../map/wall-lines';
import { authHeaders, setDisplayToken, wallApi } from './api';
import { WallClock } from './clock';
import { KpiStrip } from './kpi-strip';
import { createWallLabels } from './labels';
import { WALL_DOM_LAYERS, WallMapLabels } from './map-labels';
import { openStream } from '../../live/stream';
import { routeProgress } from './route-progress';
import { HEAT_WINDOWS, readWallParams, type HeatWindow } from './params';
import { StaleIndicator } from './stale-indicator';
import { createWallStore, RESYNC_MS, RING_MS } from './store';
import { Ticker } from './ticker';
import { geometryBounds, startTour, type Tour } from './tour';
import './wall.css';

/** Read-only state of the wall for browser tests and the soak: counts, never a way to change anything. */
export interface GezhiWallHook {
  ready(): boolean;
  layerIds(): string[];
  layerCount(): number;
  rings(): number;
  tickerItems(): number;
  tickerIds(): number[];
  /** Report times of the ticker rows (epoch ms), newest first. */
  tickerTimes(): number[];
  streamStatus(): string;
  lastMessageId(): string;
  reconnects(): number;
  /** Completed full resyncs (start-up, every 5 min, after a recovery, on reset). */
  syncs(): number;
  hotspots(): number;
  routes(): number;
  /** Hotspot and route labels placed on the map (a label with no room is left off). */
  placedLabels(): { hotspots: number; routes: number };
  staff(): number;
  openCases(): number;
  heatPoints(): number;
  frames(): number;
  screenPoint(lon: number, lat: number): { x: number; y: number };
}

declare global {
  interface Window {
    __gezhiWall?: GezhiWallHook;
  }
}

const isStreet = (f: { properties: Record<string, unknown> | null }) => f.properties?.class === 'street';
const HEAT_CYCLE_MS = 60_000;
const WINDOW_KEYS: Record<HeatWindow, MessageKey> = { '24h': 'wall.window.24h', '7d': 'wall.window.7d', '30d': 'wall.window.30d' };

export function WallView(): JSX.Element {
  const district = useDistrict();
  const params = readWallParams();
  setDisplayToken(params.token);
  const store = createWallStore({ hotspotDays: params.hotspotDays, heatWindow: params.window === 'cycle' ? HEAT_WINDOWS[0] : params.window });
  let container!: HTMLDivElement;
  let map: MlMap | undefined;
  const shell = createMapShell();
  let tour: Tour | undefined;
  let currentLayers: Layer[] = [];

  const [now, setNow] = createSignal(Date.now());
  const [frame, setFrame] = createSignal(performance.now());
  /**
   * The style is parsed (its sources exist): data goes into the sources from here, so the worker tiles it while the
   * first frames are drawn. `styleLoaded` (MapLibre's load: every source tiled and drawn once) comes a second later.
   */
  const { styleParsed, styleLoaded } = shell;
  const [basemap, setBasemap] = createSignal<BasemapLayers | null>(null);
  /** The district is in view (basemap applied and fitted): the heatmap aggregates once, for the view it shows. */
  const [fitted, setFitted] = createSignal(false);
  const [ready, setReady] = createSignal(false);
  const [scale, setScale] = createSignal(1);
  const [staffPoints, setStaffPoints] = createSignal<{ lon: number; lat: number }[]>([]);
  const [tourStop, setTourStop] = createSignal('');
  const english = () => lang() === 'en';

  if (params.kiosk) document.documentElement.dataset.kiosk = '1';
  onCleanup(() => delete document.documentElement.dataset.kiosk);

  const measureScale = () => setScale(Math.max(0.75, Math.min(window.innerWidth / 1920, window.innerHeight / 1080)));
  measureScale();
  window.addEventListener('resize', measureScale);
  onCleanup(() => window.removeEventListener('resize', measureScale));

  // ---- live stream and resync ----
  const stream = openStream('/api/stream', {
    onMessage: (type, data) => store.onMessage(type, data),
    onRecovered: () => void store.resync(),
    headers: () => authHeaders(),
  });
  onCleanup(() => stream.close());
  void store.resync();
  const resyncTimer = setInterval(() => void store.resync(), RESYNC_MS);
  onCleanup(() => clearInterval(resyncTimer));

  // Heat window: fixed by the URL, or turning through 24 h / 7 d / 30 d (the start-up resync loads the first).
  if (params.window === 'cycle') {
    let i = 0;
    const cycle = setInterval(() => {
      i = (i + 1) % HEAT_WINDOWS.length;
      void store.setHeatWindow(HEAT_WINDOWS[i]);
    }, HEAT_CYCLE_MS);
    onCleanup(() => clearInterval(cycle));
  }

  // ---- clocks: a 1 Hz tick always (clock, countdown colours, expiry); animation frames only with motion ----
  let staffSeen = -1;
  const slow = setInterval(() => {
    const wall = Date.now();
    setNow(wall);
    store.sweep(performance.now(), wall);
    if (store.staffVersion() !== staffSeen) {
      staffSeen = store.staffVersion();
      setStaffPoints([...store.staff.values()]);
    }
    if (!params.motion) setFrame(performance.now());
  }, 1000);
  onCleanup(() => clearInterval(slow));
  // Motion begins once the first full render is up: animation frames while the layers and their programs are still
  // loading only redraw half-built maps, and under software WebGL each one delays the full render.
  if (params.motion) {
    const anim = setInterval(() => {
      if (!document.hidden && ready()) setFrame(performance.now());
    }, 1000 / params.fps);
    onCleanup(() => clearInterval(anim));
  }

  // ---- derived layer data ----
  const casePoints = createMemo<CasePoint[]>(() => {
    store.casesVersion();
    return [...store.cases.values()];
  });
  const colourEpoch = createMemo(() => Math.floor(now() / 10_000));
  const overduePoints = createMemo(() => {
    colourEpoch();
    const t0 = Date.now();
    return casePoints().filter((c) => c.dueAt <= t0);
  });
  const hotspotFc = createMemo<GeoJSON.FeatureCollection>(() => ({
    type: 'FeatureCollection',
    features: (store.hotspots()?.items ?? []).map((h) => ({ type: 'Feature', id: h.id, geometry: h.outline, properties: { id: h.id } })),
  }));
  const [viewEpoch, setViewEpoch] = createSignal(0);
  const [moveTick, setMoveTick] = createSignal(0);
  const labelEpoch = createMemo(() => Math.floor(now() / 5_000));
  const routeList = createMemo(() => {
    store.routesVersion();
    return [...store.routes.values()];
  });
  const labels = createWallLabels({
    map: () => (styleParsed() ? map ?? null : null),
    scale,
    hotspots: store.hotspots,
    routes: routeList,
    viewEpoch,
    labelEpoch,
  });
  /** Screen position of a map point, renewed on every frame of a move (the HTML labels follow it). */
  const projector = createMemo(
    () => {
      moveTick();
      viewEpoch();
      const m = map;
      return styleParsed() && m ? (p: [number, number]) => m.project(p) : null;
    },
    undefined,
    { equals: false },
  );
  const subdistrictLabels = createMemo(() =>
    (basemap() ? areaLabels(basemap()!.subdistricts) : []).map((l) => ({ position: l.position, text: english() ? l.nameEn : l.name })),
  );
  const routePaths = createMemo<RoutePath[]>(() => {
    frame();
    const wall = Date.now();
    return routeList().map((r) => ({ head: routeProgress(r.coordinates, r.times, (wall - r.start) / 1000).head }));
  });

  const layers = createMemo<Layer[]>(() => {
    const s = scale();
    const f = frame();
    const out: Layer[] = [];
    const blocks = store.blocks();
    const before = styleParsed() ? BEFORE_IDS.blocks : undefined;
    if (blocks) out.push(wallBlocksLayer(blocks, store.blockCounts, store.blockVersion(), before));
    const heat = fitted() ? store.heat() : null;
    if (heat) out.push(wallHeatLayer(heat, s, before));
    out.push(wallStaffLayer(staffPoints(), store.staffVersion(), s));
    out.push(wallCasesLayer(casePoints(), Date.now(), colourEpoch() + store.casesVersion() * 1e6, s));
    const phase = params.motion ? ((f / 1600) % 1) : 0.35;
    out.push(wallPulseLayer(overduePoints(), phase, s));
    store.ringsVersion();
    const p = performance.now();
    const rings = store.rings().map((r) => ({ lon: r.lon, lat: r.lat, age: params.motion ? Math.min(1, (p - r.born) / RING_MS) : 0.3 }));
    out.push(wallRingsLayer(rings, f, s));
    out.push(wallRouteHeadLayer(routePaths(), f, s));
    return out;
  });

  createEffect(() => {
    currentLayers = layers();
    shell.setLayers(currentLayers);
  });

  // ---- the map ----
  onMount(() => {
    map = shell.mount(container, {
      style: withWallLines(buildBasemapStyle('dark'), scale()),
      center: [112.85, 27.92],
      zoom: 10,
      interactive: !params.kiosk,
      controls: false,
      layers: currentLayers,
      onLoad: () => performance.mark('wall:style'),
    });
    map.on('moveend', () => setViewEpoch((v) => v + 1));
    map.on('move', () => setMoveTick((v) => v + 1));
    const names: LayerName[] = ['district', 'subdistricts', 'communities', 'roads', 'water', 'rivers'];
    Promise.all(names.map((n) => wallApi.layer(n))).then(
      (cols) => setBasemap(Object.fromEntries(names.map((n, i) => [n, cols[i]])) as BasemapLayers),
      (err: unknown) => console.warn('wall: basemap failed', err),
    );

    window.__gezhiWall = {
      ready,
      layerIds: () => [
        ...currentLayers.map((l) => l.id),
        ...WALL_MAP_LAYERS.filter((l) => fed.has(l.source) && map?.getLayer(l.id)).map((l) => l.id),
        ...WALL_DOM_LAYERS.filter((id) => container.parentElement?.querySelector(`[data-layer="${id}"]`)),
      ],
      layerCount: () => currentLayers.length,
      rings: () => store.rings().length,
      tickerItems: () => store.ticker().length,
      tickerIds: () => store.ticker().map((x) => x.id),
      tickerTimes: () => store.ticker().map((x) => x.at),
      streamStatus: () => stream.status(),
      lastMessageId: () => stream.lastId(),
      reconnects: () => stream.connects(),
      syncs: () => store.syncs(),
      hotspots: () => store.hotspots()?.items.length ?? 0,
      routes: () => store.routes.size,
      placedLabels: () => ({ hotspots: labels.hotspots().filter((l) => l.box).length, routes: labels.routes().filter((l) => l.box).length }),
      staff: () => store.staff.size,
      openCases: () => store.cases.size,
      heatPoints: () => store.heat()?.count ?? 0,
      frames: shell.frames,
      screenPoint: (lon, lat) => {
        const pt = map!.project([lon, lat]);
        const rect = container.getBoundingClientRect();
        return { x: rect.left + pt.x, y: rect.top + pt.y };
      },
    };
  });

  /** Wall sources given their data (the MapLibre wall layers the test hook reports). */
  const fed = new Set<string>();
  const setSource = (name: string, data: GeoJSON.GeoJSON) => {
    if (shell.setSource(name, data)) fed.add(name);
  };
  const padding = () => Math.round(40 * scale());

  createEffect(() => {
    const b = basemap();
    if (!b || !styleParsed() || !map) return;
    // Streets and community lines are drawn from zoom 12 only (the tour's closer stops): they follow the first render,
    // as on the overview, so the first render's worker tiling and uploads are the district view's alone.
    for (const name of Object.keys(b) as LayerName[]) {
      if (name === 'communities') continue;
      setSource(name, name === 'roads' ? { ...b.roads, features: b.roads.features.filter((f) => !isStreet(f)) } : b[name]);
    }
    const bounds = geometryBounds(b.district.features[0]?.geometry ?? null);
    if (bounds) map.fitBounds(bounds, { padding: padding(), animate: false });
    setFitted(true);
    if (params.tour && bounds && !tour) {
      const stops = (b.subdistricts as AnyCollection).features
        .map((f) => ({ name: String(f.properties?.name ?? ''), bounds: geometryBounds(f.geometry) }))
        .filter((s): s is { name: string; bounds: [number, number, number, number] } => s.bounds !== null);
      tour = startTour(map, { name: t('wall.tour.district'), bounds }, stops, { animate: params.motion, padding: padding(), onStop: setTourStop });
    }
  });
  createEffect(() => {
    const b = basemap();
    if (!b || !ready() || !map) return;
    setSource('communities', b.communities);
    setSource(STREET_SOURCE, { ...b.roads, features: b.roads.features.filter(isStreet) });
  });
  const routeFc = createMemo(() => routeLines(routeList().map((r) => r.coordinates)));
  createEffect(() => {
    const hotspots = hotspotFc();
    if (styleParsed()) setSource(WALL_SOURCES.hotspots, hotspots);
  });
  createEffect(() => {
    const routes = routeFc();
    if (styleParsed()) setSource(WALL_SOURCES.routes, routes);
  });
  createEffect(() => {
    const widths = wallLineWidths(scale());
    if (!styleParsed() || !map) return;
    for (const [id, width] of Object.entries(widths)) map.setPaintProperty(id, 'line-width', width);
  });
  createEffect(() => {
    const blocks = store.blocks();
    if (blocks && styleParsed()) shell.setSource(BLOCK_SOURCE, blocks);
  });
  // First full render: the start-up sync complete (every panel's and layer's data in), the district fitted, the
  // style loaded, then the first idle map.
  createEffect(() => {
    if (ready() || !map || !fitted() || !styleLoaded() || store.lastSync() === null || !store.blocks() || !store.heat()) return;
    const m = map;
    performance.mark('wall:data');
    m.once('idle', () => { performance.mark('wall:ready'); setReady(true); });
    m.triggerRepaint();
  });

  onCleanup(() => {
    tour?.stop();
    delete window.__gezhiWall;
  });

  const legend: { color: RGBA; label: () => string; kind: 'dot' | 'line' | 'ring' | 'swatch' }[] = [
    { color: SLA_COLORS.onTrack, label: () => t('wall.legend.onTrack'), kind: 'dot' },
    { color: SLA_COLORS.warning, label: () => t('wall.legend.warning'), kind: 'dot' },
    { color: SLA_COLORS.overdue, label: () => t('wall.legend.overdue'), kind: 'dot' },
    { color: HOTSPOT_COLOR, label: () => t('wall.legend.hotspot', { alpha: store.hotspots()?.alpha ?? 0.05 }), kind: 'line' },
    { color: ROUTE_COLOR, label: () => t('wall.legend.route'), kind: 'line' },
    { color: STAFF_COLOR, label: () => t('wall.legend.staff'), kind: 'dot' },
    { color: [255, 255, 255, 255], label: () => t('wall.legend.new'), kind: 'ring' },
  ];

  return (
    <section class="wall" classList={{ kiosk: params.kiosk }} data-ready={ready() ? 'true' : 'false'} data-stream={stream.status()}>
      <header class="wall-top">
        <h1 class="wall-title">{t('wall.title', { district: district.name() })}</h1>
        <span class="wall-live" data-status={stream.status()}>
          <span class="wall-live-dot" />
          {stream.status() === 'live' ? t('wall.live') : stream.status() === 'stale' ? t('wall.stale.title') : t('wall.stale.connecting')}
        </span>
        <span class="wall-tour">{tourStop()}</span>
        <WallClock now={now} />
      </header>
      <KpiStrip kpi={store.kpi} />
      <div class="wall-body">
        <div class="wall-map">
          <div ref={container} class="wall-canvas" />
          <WallMapLabels project={projector} scale={scale} areas={subdistrictLabels} hotspots={labels.hotspots} routes={labels.routes} />
          <div class="wall-map-caption">
            {t('wall.heat', { window: t(WINDOW_KEYS[store.heatWindow()]), n: formatNumber(store.heat()?.count ?? 0) })}
          </div>
          <div class="wall-data-note">{t(district.demo() ? 'wall.dataNote' : 'wall.dataNoteImported')}</div>
          <section class="wall-legend" data-testid="wall-legend">
            <h2>{t('wall.legend.title')}</h2>
            <div class="wall-legend-ramp">
              <span>{t('wall.legend.heat')}</span>
              <i style={{ background: `linear-gradient(90deg, ${HEAT_RANGE.map(cssColor).join(', ')})` }} />
            </div>
            <div class="wall-legend-ramp">
              <span>{t('wall.legend.load')}</span>
              <i style={{ background: `linear-gradient(90deg, ${[...LOAD_COLORS.open, ...LOAD_COLORS.overdue].map((c) => cssColor([c[0], c[1], c[2], 255])).join(', ')})` }} />
            </div>
            <ul>
              <For each={legend}>
                {(item) => (
                  <li>
                    <i class={`wall-key wall-key-${item.kind}`} style={{ '--c': cssColor(item.color) }} />
                    {item.label()}
                  </li>
                )}
              </For>
            </ul>
          </section>
          <Show when={!ready()}>
            <div class="wall-loading">{t('wall.loading')}</div>
          </Show>
        </div>
        <aside class="wall-side">
          <Ticker items={store.ticker} now={now} />
          <section class="wall-hotspot-list" data-testid="wall-hotspots">
            <h2>{t('wall.hotspots.title', { days: store.hotspots()?.days ?? params.hotspotDays })}</h2>
            <Show when={(store.hotspots()?.items.length ?? 0) > 0} fallback={<p class="wall-muted">{t('wall.hotspots.none')}</p>}>
              <ol>
                <For each={store.hotspots()?.items.slice(0, 6)}>
                  {(h) => (
                    <li>
                      <span class="wall-hs-place">{h.subdistrict.name} · {h.block.communityName}</span>
                      <span class="wall-hs-meta">
                        {t('wall.hotspot.stats', { n: h.count, z: h.z.toFixed(1) })} · {h.governor?.name ?? t('wall.hotspot.noGovernor')}
                      </span>
                    </li>
                  )}
                </For>
              </ol>
            </Show>
          </section>
        </aside>
      </div>
      <StaleIndicator status={stream.status} lastMessageAt={stream.lastMessageAt} />
    </section>
  );
}
