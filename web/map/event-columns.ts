import {
  decodeEventColumns,
  EVENT_COLUMNS_MEDIA_TYPE,
  STATUS_INDEX_MASK,
  STATUS_OVERDUE,
  STATUS_URGENT,
  type EventColumns,
} from '../../server/contract/event-columns.ts';
import { isFinishedStatus } from '../../server/contract/statuses';
import { EVENT_COLORS, type RGBA } from './palette';

/**
 * Bulk event windows for the map: fetch /api/events/columns (GZEV v1), decode in place and build deck.gl binary
 * attributes, with no JavaScript object per event.
 *
 * Positions are a Float32Array of (lon, lat) offsets in degrees from the window's centre, drawn with
 * `coordinateSystem: 'lnglat-offsets'` and `coordinateOrigin` at that centre (`layerProps` carries all three).
 * Why not absolute coordinates: as Float32, lon ≈ 112.8 has a 7.6·10⁻⁶° (0.67 m) step, and deck.gl draws Float64
 * positions in "64-bit" mode, which uploads a second low-part attribute and doubles the position bytes on the GPU.
 * Offsets within ±0.5° keep Float32 steps under 6·10⁻⁸° (6 mm), far below the format's own ≤ 0.26 m over a district,
 * and deck.gl's offset projection corrects for latitude to second order, so a city-wide window still lands within
 * ~1 m. Both ScatterplotLayer and HeatmapLayer accept this coordinate system.
 *
 * Colours come from one Uint32 lookup per point, indexed by the whole status byte (status, urgent, overdue).
 * Time, category and id stay as the decoded columns, for filters (e.g. DataFilterExtension) and for opening a case.
 */

/** deck.gl `data` for a layer fed by binary attributes. */
export interface EventColumnData {
  length: number;
  attributes: {
    getPosition: { value: Float32Array; size: 2 };
    getFillColor: { value: Uint8Array; size: 4; normalized: true };
  };
}

export interface LoadedEventColumns {
  count: number;
  attributes: EventColumnData['attributes'];
  /** Spread into a ScatterplotLayer / HeatmapLayer: data, coordinateSystem and coordinateOrigin. */
  layerProps: {
    data: EventColumnData;
    coordinateSystem: 'lnglat-offsets';
    coordinateOrigin: [number, number, number];
  };
  /** Reported time per event: seconds since `timeOrigin` (epoch ms). */
  times: Uint32Array;
  timeOrigin: number;
  timeEnd: number;
  /** Category per event: index into `categoryCodes`. */
  categories: Uint16Array;
  categoryCodes: string[];
  /** Event id per event (opens the case behind a picked point: `info.index` → `ids[info.index]`). */
  ids: Uint32Array;
  /** The decoded columns and header, for anything else (status bytes, exact origin and scale). */
  columns: EventColumns;
  /** Milliseconds spent reading the body, decoding and building the attributes. */
  timings: { body: number; decode: number; build: number };
}

/** A colour for a status, given whether the case is overdue and urgent. */
export type StatusColor = (status: string, overdue: boolean, urgent: boolean) => RGBA;

/** The map's colours: overdue red, finished grey, every other (open) status blue. */
export const defaultStatusColor: StatusColor = (status, overdue) =>
  overdue ? EVENT_COLORS.overdue : isFinishedStatus(status) ? EVENT_COLORS.closed : EVENT_COLORS.open;

/** RGBA per possible status byte (256 entries), as Uint32 in the host's (little-endian) byte order. */
export function statusColorTable(statuses: readonly string[], color: StatusColor = defaultStatusColor): Uint32Array {
  const table = new Uint32Array(256);
  const bytes = new Uint8Array(table.buffer);
  for (let b = 0; b < 256; b++) {
    const status = statuses[b & STATUS_INDEX_MASK];
    if (status === undefined) continue; // not a valid byte for this window: transparent
    bytes.set(color(status, (b & STATUS_OVERDUE) !== 0, (b & STATUS_URGENT) !== 0), b * 4);
  }
  return table;
}

/** Builds the binary attributes of a decoded window (see the module comment for the position choice). */
export function buildEventColumnAttributes(
  columns: EventColumns,
  color: StatusColor = defaultStatusColor,
): Pick<LoadedEventColumns, 'count' | 'attributes' | 'layerProps'> {
  const n = columns.count;
  const { positions: steps, scaleLon, scaleLat, statusBytes } = columns;
  // The centre step: offsets stay within ±32768 steps, i.e. within ±half the window's extent.
  const centreLon = columns.originLon + 32768 * scaleLon;
  const centreLat = columns.originLat + 32768 * scaleLat;
  const positions = new Float32Array(2 * n);
  for (let i = 0; i < 2 * n; i += 2) {
    positions[i] = (steps[i] - 32768) * scaleLon;
    positions[i + 1] = (steps[i + 1] - 32768) * scaleLat;
  }
  const table = statusColorTable(columns.statuses, color);
  const colors32 = new Uint32Array(n);
  for (let i = 0; i < n; i++) colors32[i] = table[statusBytes[i]];
  const attributes: EventColumnData['attributes'] = {
    getPosition: { value: positions, size: 2 },
    getFillColor: { value: new Uint8Array(colors32.buffer), size: 4, normalized: true },
  };
  return {
    count: n,
    attributes,
    layerProps: {
      data: { length: n, attributes },
      coordinateSystem: 'lnglat-offsets',
      coordinateOrigin: [centreLon, centreLat, 0],
    },
  };
}

/** Rejects with the API's problem detail when the response is not a GZEV window. */
async function checkResponse(res: Response, url: string): Promise<void> {
  if (res.ok && (res.headers.get('Content-Type') ?? '').startsWith(EVENT_COLUMNS_MEDIA_TYPE)) return;
  let detail = `${res.status} ${res.statusText}`;
  if ((res.headers.get('Content-Type') ?? '').includes('json')) {
    const problem = (await res.json().catch(() => null)) as { detail?: string } | null;
    if (problem?.detail) detail = problem.detail;
  }
  throw new Error(`GET ${url} failed: ${detail}`);
}

/** Decodes a fetched response body and builds the attributes. `t0` is when the response arrived. */
export async function readEventColumns(res: Response, color?: StatusColor): Promise<LoadedEventColumns> {
  const t0 = performance.now();
  await checkResponse(res, res.url);
  const body = await res.arrayBuffer();
  const t1 = performance.now();
  const columns = decodeEventColumns(body);
  const t2 = performance.now();
  const built = buildEventColumnAttributes(columns, color);
  const t3 = performance.now();
  return {
    ...built,
    times: columns.times,
    timeOrigin: columns.timeOrigin,
    timeEnd: columns.timeEnd,
    categories: columns.categoryIndex,
    categoryCodes: columns.categories,
    ids: columns.ids,
    columns,
    timings: { body: t1 - t0, decode: t2 - t1, build: t3 - t2 },
  };
}

/**
 * Fetches a window (e.g. `/api/events/columns?from=2026-11-01&status=open`) and returns deck.gl-ready attributes.
 *
 * @example
 * const w = await loadEventColumns('/api/events/columns');
 * new ScatterplotLayer({ id: 'wall-events', ...w.layerProps, radiusUnits: 'pixels', getRadius: 2 });
 * new HeatmapLayer({ id: 'wall-heat', ...w.layerProps, getWeight: 1 });
 */
export async function loadEventColumns(url: string, options: { signal?: AbortSignal; color?: StatusColor } = {}): Promise<LoadedEventColumns> {
  const res = await fetch(url, { signal: options.signal, headers: { Accept: EVENT_COLUMNS_MEDIA_TYPE } });
  return readEventColumns(res, options.color);
}

/** Read-only hook for browser tests: loads a window and returns a small, serialisable summary of it. */
export interface GezhiColumnsTestHook {
  load(
    url: string,
    sample: number,
  ): Promise<{
    count: number;
    ids: number[];
    lon: number[];
    lat: number[];
    reportedAt: number[];
    status: string[];
    overdue: boolean[];
    category: string[];
    colors: number[][];
    positionBytes: number;
    colorBytes: number;
    scale: [number, number];
    coordinateOrigin: [number, number, number];
    timings: LoadedEventColumns['timings'];
  }>;
}

declare global {
  interface Window {
    __gezhiColumns?: GezhiColumnsTestHook;
  }
}

if (typeof window !== 'undefined') {
  window.__gezhiColumns ??= {
    async load(url, sample) {
      const w = await loadEventColumns(url);
      const c = w.columns;
      const k = Math.min(sample, w.count);
      const idx = Array.from({ length: k }, (_, i) => i);
      const pos = w.attributes.getPosition.value;
      const [ox, oy] = w.layerProps.coordinateOrigin;
      return {
        count: w.count,
        ids: idx.map((i) => w.ids[i]),
        // Read back from the attributes the layer will draw, not from the header, so the test checks the build too.
        lon: idx.map((i) => ox + pos[2 * i]),
        lat: idx.map((i) => oy + pos[2 * i + 1]),
        reportedAt: idx.map((i) => w.timeOrigin + w.times[i] * 1000),
        status: idx.map((i) => c.statuses[c.statusBytes[i] & STATUS_INDEX_MASK]),
        overdue: idx.map((i) => (c.statusBytes[i] & STATUS_OVERDUE) !== 0),
        category: idx.map((i) => w.categoryCodes[w.categories[i]]),
        colors: idx.map((i) => Array.from(w.attributes.getFillColor.value.subarray(4 * i, 4 * i + 4))),
        positionBytes: pos.byteLength,
        colorBytes: w.attributes.getFillColor.value.byteLength,
        scale: [c.scaleLon, c.scaleLat],
        coordinateOrigin: w.layerProps.coordinateOrigin,
        timings: w.timings,
      };
    },
  };
}
