import { batch, createSignal } from 'solid-js';
import type { DispatchRoute, EventSummary, Kpi } from '../../../server/contract/api';
import type { LiveMessage, StreamMessages, StreamType } from '../../../server/contract/live';
import { EN_ROUTE_STATUSES, isFinishedStatus } from '../../../server/contract/statuses';
import { EVENT_COLUMNS_MEDIA_TYPE } from '../../../server/contract/event-columns';
import { findCategory } from '../../../server/contract/taxonomy';
import type { BlockCollection } from '../../../server/contract/api';
import { readEventColumns, type LoadedEventColumns } from '../../map/event-columns';
import { authHeaders, wallApi, type HotspotAnswer } from './api';
import { WINDOW_MS, type HeatWindow } from './params';

/**
 * The wall's state: what the layers and panels draw, kept current by the live stream and a periodic full resync.
 * Every buffer is bounded, so a screen left on for weeks holds as much as one left on for a minute:
 * - ticker: the latest TICKER_MAX reports;
 * - rings: new-report animations, at most RINGS_MAX, each removed RING_MS after it starts;
 * - staff: one position per staff id (a Map, overwritten);
 * - open cases: keyed by event id, removed when a case finishes; replaced wholesale by each resync;
 * - routes: keyed by route id, dropped ROUTE_LINGER_MS after arrival and replaced by each resync.
 * Layers read versions (counters) of these maps rather than new arrays per message, and arrays for deck.gl are
 * rebuilt at most once per animation frame when something changed.
 */
export const TICKER_MAX = 8;
export const RINGS_MAX = 40;
export const RING_MS = 4_000;
export const ROUTE_LINGER_MS = 60_000;
export const RESYNC_MS = 5 * 60_000;

export interface TickerItem {
  id: number;
  category: string;
  place: string;
  at: number;
}
export interface Ring {
  id: number;
  lon: number;
  lat: number;
  born: number;
}
export interface OpenCase {
  id: number;
  lon: number;
  lat: number;
  dueAt: number;
  warningAt: number | null;
}
export interface StaffPos {
  id: number;
  lon: number;
  lat: number;
}
export interface RouteState extends DispatchRoute {
  start: number;
}

type Counts = { open: number; overdue: number };

export function createWallStore(opts: { hotspotDays: number; heatWindow?: HeatWindow }) {
  const [kpi, setKpi] = createSignal<Omit<Kpi, 'asOf'> | null>(null);
  const [ticker, setTicker] = createSignal<TickerItem[]>([]);
  const [blocks, setBlocks] = createSignal<BlockCollection | null>(null);
  const [blockVersion, setBlockVersion] = createSignal(0);
  const [heat, setHeat] = createSignal<LoadedEventColumns | null>(null);
  const [heatWindow, setHeatWindow] = createSignal<HeatWindow>(opts.heatWindow ?? '24h');
  const [hotspots, setHotspots] = createSignal<HotspotAnswer | null>(null);
  const [casesVersion, setCasesVersion] = createSignal(0);
  const [staffVersion, setStaffVersion] = createSignal(0);
  const [routesVersion, setRoutesVersion] = createSignal(0);
  const [ringsVersion, setRingsVersion] = createSignal(0);
  const [lastSync, setLastSync] = createSignal<number | null>(null);
  let syncs = 0;

  const blockCounts = new Map<string, Counts>();
  const blockInfo = new Map<string, { subdistrict: string; community: string; name: string }>();
  const cases = new Map<number, OpenCase>();
  const staff = new Map<number, StaffPos>();
  const routes = new Map<number, RouteState>();
  let rings: Ring[] = [];

  const placeOf = (blockCode: string | null): string => {
    const b = blockCode ? blockInfo.get(blockCode) : undefined;
    return b ? `${b.subdistrict.replace(/街道|镇|乡$/, '')} · ${b.community}` : '';
  };
  const categoryName = (code: string): string => findCategory(code)?.name ?? code;

  const bumpBlock = (code: string | null | undefined, open: number, overdue: number) => {
    if (!code) return;
    const c = blockCounts.get(code);
    if (!c) return; // not a block of the version in force
    c.open = Math.max(0, c.open + open);
    c.overdue = Math.max(0, c.overdue + overdue);
    setBlockVersion((v) => v + 1);
  };

  // ---- live messages ----
  function onCreated(m: LiveMessage<'event.created'>) {
    const at = Date.parse(m.reportedAt) || Date.now();
    batch(() => {
      setTicker((list) => [{ id: m.id, category: categoryName(m.category), place: placeOf(m.blockCode), at }, ...list.filter((x) => x.id !== m.id)].slice(0, TICKER_MAX));
      rings.push({ id: m.id, lon: m.lon, lat: m.lat, born: performance.now() });
      if (rings.length > RINGS_MAX) rings = rings.slice(rings.length - RINGS_MAX);
      setRingsVersion((v) => v + 1);
      // Today's count moves at once; the next kpi.tick (every 30 s) brings the authoritative figures.
      if (!cases.has(m.id)) setKpi((k) => (k ? { ...k, reports: k.reports + 1 } : k));
      if (!cases.has(m.id)) {
        cases.set(m.id, { id: m.id, lon: m.lon, lat: m.lat, dueAt: Date.parse(m.dueAt), warningAt: null });
        setCasesVersion((v) => v + 1);
        bumpBlock(m.blockCode, 1, 0);
      }
    });
  }

  function onTransitioned(m: LiveMessage<'event.transitioned'>) {
    const enRoute = EN_ROUTE_STATUSES.includes(m.to);
    const c = cases.get(m.id);
    if (!c) {
      if (!enRoute) for (const [id, r] of routes) if (r.eventId === m.id) routes.delete(id);
      return;
    }
    if (m.transition === 'warning' && m.warningAt) c.warningAt = Date.parse(m.warningAt);
    else if (m.transition === 'breach') bumpBlock(m.blockCode, 0, 1);
    if (m.dueAt) c.dueAt = Date.parse(m.dueAt);
    // A route is drawn while its responder is on the way: once the case moves past dispatched/accepted (arrived,
    // resolved, returned, …) it goes, whatever the planned ETA said.
    if (!enRoute) {
      let dropped = false;
      for (const [id, r] of routes) {
        if (r.eventId === m.id) {
          routes.delete(id);
          dropped = true;
        }
      }
      if (dropped) setRoutesVersion((v) => v + 1);
    }
    // Resolved is not finished: the case stays (and counts) until a supervisor closes it.
    if (isFinishedStatus(m.to)) {
      cases.delete(m.id);
      bumpBlock(m.blockCode, -1, c.dueAt < Date.now() ? -1 : 0);
    }
    setCasesVersion((v) => v + 1);
  }

  function onPosition(m: LiveMessage<'staff.position'>) {
    const s = staff.get(m.staffId);
    if (s) {
      s.lon = m.lon;
      s.lat = m.lat;
    } else staff.set(m.staffId, { id: m.staffId, lon: m.lon, lat: m.lat });
    setStaffVersion((v) => v + 1);
  }

  function addRoute(r: DispatchRoute) {
    if (!r || !Array.isArray(r.coordinates) || r.coordinates.length < 2) return;
    const start = Date.parse(r.createdAt) || Date.now();
    routes.set(r.id, { ...r, start });
    setRoutesVersion((v) => v + 1);
  }

  /** One stream message; types the wall does not draw are ignored. */
  function onMessage<T extends StreamType>(type: T, data: StreamMessages[T]): void;
  function onMessage(type: string, data: unknown): void;
  function onMessage(type: string, data: unknown): void {
    const m = data as StreamMessages[StreamType];
    switch (type) {
      case 'event.created':
        return onCreated(m as LiveMessage<'event.created'>);
      case 'event.transitioned':
        return onTransitioned(m as LiveMessage<'event.transitioned'>);
      case 'staff.position':
        return onPosition(m as LiveMessage<'staff.position'>);
      case 'kpi.tick':
        return void setKpi(m as LiveMessage<'kpi.tick'>);
      case 'route.dispatched':
        return addRoute(m as LiveMessage<'route.dispatched'>); // the message is the route itself
      case 'reset':
        return void resync();
    }
  }

  /** Drops expired rings and arrived routes (called about once a second). */
  function sweep(nowPerf: number, nowWall: number) {
    const before = rings.length;
    if (before && nowPerf - rings[0].born > RING_MS) {
      rings = rings.filter((r) => nowPerf - r.born <= RING_MS);
      if (rings.length !== before) setRingsVersion((v) => v + 1);
    }
    let dropped = false;
    for (const [id, r] of routes) {
      if (nowWall > r.start + r.etaSeconds * 1000 + ROUTE_LINGER_MS) {
        routes.delete(id);
        dropped = true;
      }
    }
    if (dropped) setRoutesVersion((v) => v + 1);
  }

  // ---- full resync ----
  async function loadHeat(w: HeatWindow) {
    const from = new Date(Date.now() - WINDOW_MS[w]).toISOString();
    const res = await fetch(`/api/events/columns?from=${encodeURIComponent(from)}`, {
      headers: authHeaders({ Accept: EVENT_COLUMNS_MEDIA_TYPE }),
    });
    const loaded = await readEventColumns(res);
    batch(() => {
      setHeat(loaded);
      setHeatWindow(w);
    });
  }

  let resyncing: Promise<void> | null = null;
  // The window the wall shows: the start-up resync loads it (one columns request, not a default window first).
  let heatWanted: HeatWindow = opts.heatWindow ?? '24h';
  function resync(): Promise<void> {
    resyncing ??= (async () => {
      const settle = <T,>(p: Promise<T>, use: (v: T) => void, what: string) =>
        p.then(use, (err: unknown) => console.warn(`wall: ${what} failed`, err));
      // Every request starts at once; the ticker's rows are applied after the blocks (which name the places).
      const recent = wallApi.recent(TICKER_MAX);
      recent.catch(() => undefined);
      await Promise.all([
        settle(wallApi.kpi(), setKpi, 'kpi'),
        settle(wallApi.blocks(), (fc) => {
          blockCounts.clear();
          for (const f of fc.features) {
            blockCounts.set(f.properties.code, { open: f.properties.open, overdue: f.properties.overdue });
            blockInfo.set(f.properties.code, { subdistrict: f.properties.subdistrictName, community: f.properties.communityName, name: f.properties.name });
          }
          // The geometry is kept from the first load (same version); counts live in blockCounts.
          if (!blocks() || blocks()!.features.length !== fc.features.length) setBlocks(fc);
          setBlockVersion((v) => v + 1);
        }, 'blocks'),
        settle(Promise.all([wallApi.open(), wallApi.due()]), ([open, due]) => {
          const warning = new Map(due.map((d) => [Number(d.id), Date.parse(d.warningAt)]));
          cases.clear();
          for (const e of open) {
            const id = Number(e.id);
            cases.set(id, { id, lon: e.lon, lat: e.lat, dueAt: e.dueAt ? Date.parse(e.dueAt) : Infinity, warningAt: warning.get(id) ?? null });
          }
          setCasesVersion((v) => v + 1);
        }, 'open cases'),
        settle(wallApi.routes(), (items) => {
          routes.clear();
          for (const r of items) addRoute(r);
          setRoutesVersion((v) => v + 1);
        }, 'routes'),
        settle(wallApi.hotspots(opts.hotspotDays), setHotspots, 'hotspots'),
        settle(wallApi.staff(), (items) => {
          staff.clear();
          for (const s of items) staff.set(s.id, { id: s.id, lon: s.position!.lon, lat: s.position!.lat });
          setStaffVersion((v) => v + 1);
        }, 'staff'),
        settle(loadHeat(heatWanted), () => undefined, 'heat window'),
      ]);
      // The ticker starts from the newest reports (after the blocks, which name the places).
      await settle(recent, (items: EventSummary[]) => {
        const known = new Set(ticker().map((t) => t.id));
        const fresh = items
          .filter((e) => !known.has(Number(e.id)))
          .map((e) => ({ id: Number(e.id), category: e.category.name, place: placeOf(e.blockCode), at: Date.parse(e.reportedAt) }));
        setTicker((list) => [...list, ...fresh].sort((a, b) => b.at - a.at || b.id - a.id).slice(0, TICKER_MAX));
      }, 'recent reports');
      syncs++;
      setLastSync(Date.now());
    })().finally(() => {
      resyncing = null;
    });
    return resyncing;
  }

  return {
    kpi, ticker, blocks, blockVersion, heat, heatWindow, hotspots, casesVersion, staffVersion, routesVersion, ringsVersion, lastSync,
    blockCounts, cases, staff, routes,
    rings: () => rings,
    syncs: () => syncs,
    onMessage, sweep, resync,
    setHeatWindow: (w: HeatWindow) => {
      heatWanted = w;
      return loadHeat(w).catch((err: unknown) => console.warn('wall: heat window failed', err));
    },
  };
}

export type WallStore = ReturnType<typeof createWallStore>;
