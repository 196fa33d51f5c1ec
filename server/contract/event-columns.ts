/**
 * Event columns: the compact binary form of a window of events (GZEV, version 1), for the map to draw 10⁵–10⁶
 * points as deck.gl binary attributes without one JavaScript object per event. This module is the format: the spec
 * below, a pure encoder from column arrays and a zero-copy decoder. It uses only ECMAScript built-ins
 * (ArrayBuffer, DataView, TextEncoder/TextDecoder), so the server, the web app and the tests share it.
 *
 * ## Format, version 1
 *
 * One response is one buffer: a header, then one column per field. Little-endian throughout. Every column starts at
 * a multiple of 8 bytes from the start of the buffer and is zero-padded to the next multiple of 8, so a decoder can
 * view each one as a typed array in place. `n` is the event count; `pad8(x)` rounds x up to a multiple of 8.
 *
 * Header, fixed part (80 bytes):
 *
 * | offset | size | type     | field                                                                        |
 * |-------:|-----:|----------|------------------------------------------------------------------------------|
 * |      0 |    4 | u8[4]    | magic `GZEV` (0x47 0x5A 0x45 0x56)                                           |
 * |      4 |    2 | u16      | version = 1; a decoder refuses any other                                     |
 * |      6 |    2 | u16      | flags: bit 0 DELTA, the id and time columns are delta-coded (below); other   |
 * |        |      |          | bits are 0 in v1 and ignored on read                                         |
 * |      8 |    4 | u32      | n, the number of events                                                      |
 * |     12 |    4 | u32      | H, the header length in bytes = offset of the first column (multiple of 8)   |
 * |     16 |    8 | f64      | timeOrigin: the window's start, epoch ms (inclusive)                         |
 * |     24 |    8 | f64      | timeEnd: the window's end, epoch ms (exclusive)                              |
 * |     32 |    8 | f64      | asOf: the instant the overdue bits were evaluated, epoch ms                  |
 * |     40 |    8 | f64      | originLon: longitude of position step 0, WGS-84 degrees                      |
 * |     48 |    8 | f64      | originLat: latitude of position step 0                                       |
 * |     56 |    8 | f64      | scaleLon: degrees per longitude step (0 when all events share a longitude)   |
 * |     64 |    8 | f64      | scaleLat: degrees per latitude step                                          |
 * |     72 |    2 | u16      | C, entries in the category table                                             |
 * |     74 |    2 | u16      | S, entries in the status table (at most 64)                                  |
 * |     76 |    4 | u32      | reserved, 0                                                                  |
 *
 * Header, tables (from offset 80): C category codes, then S status names; each entry is a u8 byte length followed
 * by that many bytes of UTF-8. Zero bytes pad the header to H.
 *
 * Columns:
 *
 * | offset                | type       | column                                                                   |
 * |-----------------------|------------|--------------------------------------------------------------------------|
 * | P0 = H                | u16[2n]    | position, (x, y) per event: lon = originLon + x·scaleLon,                |
 * |                       |            | lat = originLat + y·scaleLat                                             |
 * | P1 = P0 + pad8(4n)    | u32[n]     | event id (events.id)                                       (DELTA)       |
 * | P2 = P1 + pad8(4n)    | u32[n]     | reported time: whole seconds since timeOrigin (floor)      (DELTA)       |
 * | P3 = P2 + pad8(4n)    | u16[n]     | category: index into the category table                                  |
 * | P4 = P3 + pad8(2n)    | u8[n]      | status byte: bits 0–5 index into the status table; bit 6 urgent          |
 * |                       |            | priority; bit 7 overdue at asOf (open and past its due time)             |
 * | end = P4 + pad8(n)    |            | the buffer's length                                                      |
 *
 * With DELTA set, a (DELTA) column stores differences: stored[0] = v[0], stored[i] = v[i] − v[i−1] modulo 2³², and a
 * decoder restores v[i] = v[i−1] + stored[i] modulo 2³² (any order round-trips; sorted windows give small values).
 *
 * 15 bytes per event plus at most 7 bytes of padding per column and the header (≈ 80 + 5·C + 10·S bytes).
 *
 * ## Why these choices
 *
 * - Position as two u16 steps across the window's own bounding box (origin = its south-west corner, scale =
 *   extent / 65535): 4 bytes, against 8 for i32 micro-degrees, which would take the total to 19 bytes and past the
 *   16-byte budget. The error is at most half a step: over the Yuhu district (0.35° × 0.27°) a step is 0.52 m × 0.46
 *   m, so ≤ 0.26 m; over a whole city of 10,000 blocks (Xiangtan, ~5,000 km², about 1° × 1°) a step is 1.5 m × 1.7
 *   m, ≤ 0.85 m: still under the ≈1 m a map dot needs. A narrower window (a bbox) gets finer steps.
 * - Time as u32 seconds from the window's start: 136 years of range; sub-second precision is of no use on a map.
 * - Category and status as indices into tables carried in the header, so the decoder needs no shared constants and
 *   a new category or status needs no new version. Categories are the full taxonomy in code order (stable across
 *   windows), not only those present.
 * - The id (u32, 4·10⁹ events) opens a case from a clicked point; the urgent and overdue bits ride in the status
 *   byte's spare bits, so the wall can colour overdue cases without a due-time column.
 * - Columns rather than rows: each column is what one deck.gl attribute or filter reads, and like values sit together,
 *   which gzip rewards.
 * - DELTA: a window is sent in (reported time, id) order, so consecutive ids and times differ by small amounts, and
 *   gzip shrinks those 8 bytes per event to about 1 (10⁶ demo-like events: 10.1 → 4.9 bytes/event gzipped). Restoring
 *   them is one pass into fresh arrays (a few ms per 10⁶); positions, categories and statuses stay views in place.
 */

export const EVENT_COLUMNS_MAGIC = 'GZEV';
export const EVENT_COLUMNS_VERSION = 1;
/** The media type of a GZEV buffer; the version is in the bytes and in the `version` parameter. */
export const EVENT_COLUMNS_MEDIA_TYPE = 'application/vnd.gezhi.events+octet-stream';

/** Byte offsets of the header's fixed fields. */
export const HEADER = {
  magic: 0,
  version: 4,
  flags: 6,
  count: 8,
  headerBytes: 12,
  timeOrigin: 16,
  timeEnd: 24,
  asOf: 32,
  originLon: 40,
  originLat: 48,
  scaleLon: 56,
  scaleLat: 64,
  categoryCount: 72,
  statusCount: 74,
  reserved: 76,
  /** Where the string tables start. */
  tables: 80,
} as const;

/** Bytes per event in the columns, before padding. */
export const BYTES_PER_EVENT = 15;
/** Position steps per axis: 0 … 65535. */
export const POSITION_STEPS = 65535;
/** Status byte: the status table index, the urgent bit and the overdue bit. */
export const STATUS_INDEX_MASK = 0x3f;
export const STATUS_URGENT = 0x40;
export const STATUS_OVERDUE = 0x80;
const MAX_STATUSES = STATUS_INDEX_MASK + 1;
const MAX_U32 = 0xffff_ffff;
/** Typed arrays use the host's byte order; the columns are viewed in place, which needs a little-endian host. */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** What the encoder takes: one array per field, index i of each describing event i. */
export interface EventColumnsInput {
  /** Window start (inclusive), end (exclusive) and evaluation instant, epoch ms. */
  timeOrigin: number;
  timeEnd: number;
  asOf: number;
  /** Category codes; `category[i]` indexes this list. */
  categories: readonly string[];
  /** Status names; `status[i]` indexes this list. */
  statuses: readonly string[];
  count: number;
  id: ArrayLike<number>;
  lon: ArrayLike<number>;
  lat: ArrayLike<number>;
  /** Reported time, epoch ms, in [timeOrigin, timeOrigin + 2³² s). */
  reportedAt: ArrayLike<number>;
  category: ArrayLike<number>;
  status: ArrayLike<number>;
  /** Per event: bit 0 urgent, bit 1 overdue (at asOf). */
  flags: ArrayLike<number>;
}

/** Header flag: the id and time columns are delta-coded. */
export const HEADER_FLAG_DELTA = 1;

/** Input flag bits (EventColumnsInput.flags). */
export const FLAG_URGENT = 1;
export const FLAG_OVERDUE = 2;

/** A decoded window: typed-array views into the buffer (no copies), and the header's values. */
export interface EventColumns {
  version: number;
  flags: number;
  count: number;
  timeOrigin: number;
  timeEnd: number;
  asOf: number;
  originLon: number;
  originLat: number;
  scaleLon: number;
  scaleLat: number;
  categories: string[];
  statuses: string[];
  /** (x, y) steps per event; see `lonOf` / `latOf`. */
  positions: Uint16Array;
  ids: Uint32Array;
  /** Seconds since timeOrigin. */
  times: Uint32Array;
  categoryIndex: Uint16Array;
  /** Status byte per event: STATUS_INDEX_MASK, STATUS_URGENT, STATUS_OVERDUE. */
  statusBytes: Uint8Array;
}

/** A buffer that is not a GZEV v1 buffer, or is cut short. */
export class EventColumnsFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventColumnsFormatError';
  }
}

const pad8 = (x: number) => (x + 7) & ~7;

/** Offsets of the columns for n events after a header of H bytes, and the total length. */
export function columnLayout(n: number, headerBytes: number) {
  const positions = headerBytes;
  const ids = positions + pad8(4 * n);
  const times = ids + pad8(4 * n);
  const categories = times + pad8(4 * n);
  const statuses = categories + pad8(2 * n);
  const end = statuses + pad8(n);
  return { positions, ids, times, categories, statuses, end };
}

function encodeTable(name: string, entries: readonly string[], encoder: TextEncoder): Uint8Array[] {
  return entries.map((s) => {
    const bytes = encoder.encode(s);
    if (bytes.length > 255) throw new RangeError(`${name} entry ${JSON.stringify(s.slice(0, 20))} is ${bytes.length} bytes; at most 255`);
    return bytes;
  });
}

/**
 * Bounds of one axis → [origin, scale]: origin at the minimum, 65535 steps to the maximum (scale 0 when all equal).
 */
function axis(values: ArrayLike<number>, n: number, name: string): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) throw new RangeError(`${name}[${i}] = ${v}; every value must be a finite number`);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (n === 0) return [0, 0];
  return [min, (max - min) / POSITION_STEPS];
}

/**
 * Encodes a window of events as one GZEV v1 buffer (see the spec above). Pure; throws RangeError on bad input.
 * `delta` (default true) delta-codes the id and time columns.
 */
export function encodeEventColumns(input: EventColumnsInput, options: { delta?: boolean } = {}): ArrayBuffer {
  const delta = options.delta ?? true;
  const n = input.count;
  if (!Number.isInteger(n) || n < 0 || n > MAX_U32) throw new RangeError(`count must be an integer from 0 to ${MAX_U32}, got ${n}`);
  for (const key of ['id', 'lon', 'lat', 'reportedAt', 'category', 'status', 'flags'] as const) {
    if (input[key].length < n) throw new RangeError(`${key} has ${input[key].length} values; expected at least count = ${n}`);
  }
  for (const key of ['timeOrigin', 'timeEnd', 'asOf'] as const) {
    if (!Number.isFinite(input[key])) throw new RangeError(`${key} must be a finite epoch ms, got ${input[key]}`);
  }
  if (input.categories.length > 0xffff) throw new RangeError(`at most 65535 categories, got ${input.categories.length}`);
  if (input.statuses.length > MAX_STATUSES) throw new RangeError(`at most ${MAX_STATUSES} statuses, got ${input.statuses.length}`);

  const encoder = new TextEncoder();
  const categoryBytes = encodeTable('category', input.categories, encoder);
  const statusBytes = encodeTable('status', input.statuses, encoder);
  const tableBytes = [...categoryBytes, ...statusBytes].reduce((s, b) => s + 1 + b.length, 0);
  const headerBytes = pad8(HEADER.tables + tableBytes);
  const layout = columnLayout(n, headerBytes);
  const [originLon, scaleLon] = axis(input.lon, n, 'lon');
  const [originLat, scaleLat] = axis(input.lat, n, 'lat');

  if (!LITTLE_ENDIAN_HOST) throw new RangeError('GZEV columns are written in place as little-endian; this host is big-endian');
  const buffer = new ArrayBuffer(layout.end);
  const view = new DataView(buffer);
  const bytes = new Uint8Array(buffer);
  for (let i = 0; i < 4; i++) bytes[HEADER.magic + i] = EVENT_COLUMNS_MAGIC.charCodeAt(i);
  view.setUint16(HEADER.version, EVENT_COLUMNS_VERSION, true);
  view.setUint16(HEADER.flags, delta ? HEADER_FLAG_DELTA : 0, true);
  view.setUint32(HEADER.count, n, true);
  view.setUint32(HEADER.headerBytes, headerBytes, true);
  view.setFloat64(HEADER.timeOrigin, input.timeOrigin, true);
  view.setFloat64(HEADER.timeEnd, input.timeEnd, true);
  view.setFloat64(HEADER.asOf, input.asOf, true);
  view.setFloat64(HEADER.originLon, originLon, true);
  view.setFloat64(HEADER.originLat, originLat, true);
  view.setFloat64(HEADER.scaleLon, scaleLon, true);
  view.setFloat64(HEADER.scaleLat, scaleLat, true);
  view.setUint16(HEADER.categoryCount, categoryBytes.length, true);
  view.setUint16(HEADER.statusCount, statusBytes.length, true);
  let at = HEADER.tables;
  for (const b of [...categoryBytes, ...statusBytes]) {
    bytes[at] = b.length;
    bytes.set(b, at + 1);
    at += 1 + b.length;
  }

  const positions = new Uint16Array(buffer, layout.positions, 2 * n);
  const ids = new Uint32Array(buffer, layout.ids, n);
  const times = new Uint32Array(buffer, layout.times, n);
  const categories = new Uint16Array(buffer, layout.categories, n);
  const statuses = new Uint8Array(buffer, layout.statuses, n);
  const invLon = scaleLon > 0 ? 1 / scaleLon : 0;
  const invLat = scaleLat > 0 ? 1 / scaleLat : 0;
  const { id, lon, lat, reportedAt, category, status, flags, timeOrigin } = input;
  const nCategories = input.categories.length;
  const nStatuses = input.statuses.length;
  let prevId = 0;
  let prevTime = 0;
  for (let i = 0; i < n; i++) {
    // Math.round of a value in [0, 65535] (up to rounding noise at the top, hence the clamp).
    const x = Math.round((lon[i] - originLon) * invLon);
    const y = Math.round((lat[i] - originLat) * invLat);
    positions[2 * i] = x > POSITION_STEPS ? POSITION_STEPS : x;
    positions[2 * i + 1] = y > POSITION_STEPS ? POSITION_STEPS : y;
    const e = id[i];
    if (!(e >= 0 && e <= MAX_U32 && e === Math.floor(e))) throw new RangeError(`id[${i}] = ${e} does not fit a u32`);
    ids[i] = delta ? e - prevId : e; // a Uint32Array store wraps modulo 2³²
    prevId = e;
    const s = Math.floor((reportedAt[i] - timeOrigin) / 1000);
    if (!(s >= 0 && s <= MAX_U32)) throw new RangeError(`reportedAt[${i}] = ${reportedAt[i]} is outside the window starting ${timeOrigin}`);
    times[i] = delta ? s - prevTime : s;
    prevTime = s;
    const c = category[i];
    if (!(c >= 0 && c < nCategories)) throw new RangeError(`category[${i}] = ${c} is not an index into ${nCategories} categories`);
    categories[i] = c;
    const st = status[i];
    if (!(st >= 0 && st < nStatuses)) throw new RangeError(`status[${i}] = ${st} is not an index into ${nStatuses} statuses`);
    const f = flags[i];
    statuses[i] = st | (f & FLAG_URGENT ? STATUS_URGENT : 0) | (f & FLAG_OVERDUE ? STATUS_OVERDUE : 0);
  }
  return buffer;
}

/**
 * Decodes a GZEV v1 buffer. Positions, categories and statuses are views into `data`'s memory (copied once only if
 * `data` starts at an offset that is not a multiple of 8); delta-coded ids and times are restored into new arrays,
 * so `data` is never written. Throws EventColumnsFormatError for anything that is not a whole v1 buffer.
 */
export function decodeEventColumns(data: ArrayBuffer | Uint8Array): EventColumns {
  let buffer: ArrayBuffer;
  let base = 0;
  let length: number;
  if (data instanceof Uint8Array) {
    if (data.byteOffset % 8 === 0 && data.buffer instanceof ArrayBuffer) {
      buffer = data.buffer;
      base = data.byteOffset;
    } else {
      buffer = data.slice().buffer as ArrayBuffer;
    }
    length = data.byteLength;
  } else {
    buffer = data;
    length = data.byteLength;
  }
  const fail = (msg: string): never => {
    throw new EventColumnsFormatError(msg);
  };
  if (!LITTLE_ENDIAN_HOST) fail('GZEV columns are little-endian and are viewed in place; this host is big-endian');
  if (length < HEADER.tables) fail(`${length} bytes is shorter than the ${HEADER.tables}-byte GZEV header`);
  const view = new DataView(buffer, base, length);
  const magic = String.fromCharCode(view.getUint8(0), view.getUint8(1), view.getUint8(2), view.getUint8(3));
  if (magic !== EVENT_COLUMNS_MAGIC) fail(`not a GZEV buffer (magic ${JSON.stringify(magic)})`);
  const version = view.getUint16(HEADER.version, true);
  if (version !== EVENT_COLUMNS_VERSION) {
    fail(`GZEV version ${version} is not supported; this decoder reads version ${EVENT_COLUMNS_VERSION}`);
  }
  const count = view.getUint32(HEADER.count, true);
  const headerBytes = view.getUint32(HEADER.headerBytes, true);
  if (headerBytes % 8 !== 0 || headerBytes < HEADER.tables) fail(`header length ${headerBytes} is not a multiple of 8 of at least ${HEADER.tables}`);
  const layout = columnLayout(count, headerBytes);
  if (layout.end !== length) fail(`a window of ${count} events with a ${headerBytes}-byte header is ${layout.end} bytes; got ${length}`);

  const decoder = new TextDecoder('utf-8', { fatal: true });
  let at = HEADER.tables;
  const readTable = (entries: number, name: string): string[] => {
    const out: string[] = [];
    for (let i = 0; i < entries; i++) {
      if (at >= headerBytes) fail(`${name} table runs past the header`);
      const len = view.getUint8(at);
      if (at + 1 + len > headerBytes) fail(`${name} table runs past the header`);
      try {
        out.push(decoder.decode(new Uint8Array(buffer, base + at + 1, len)));
      } catch {
        fail(`${name} table entry ${i} is not UTF-8`);
      }
      at += 1 + len;
    }
    return out;
  };
  const categories = readTable(view.getUint16(HEADER.categoryCount, true), 'category');
  const statusCount = view.getUint16(HEADER.statusCount, true);
  if (statusCount > MAX_STATUSES) fail(`${statusCount} statuses; at most ${MAX_STATUSES}`);
  const statuses = readTable(statusCount, 'status');

  const flags = view.getUint16(HEADER.flags, true);
  let ids = new Uint32Array(buffer, base + layout.ids, count);
  let times = new Uint32Array(buffer, base + layout.times, count);
  if (flags & HEADER_FLAG_DELTA) {
    ids = undelta(ids);
    times = undelta(times);
  }
  return {
    version,
    flags,
    count,
    timeOrigin: view.getFloat64(HEADER.timeOrigin, true),
    timeEnd: view.getFloat64(HEADER.timeEnd, true),
    asOf: view.getFloat64(HEADER.asOf, true),
    originLon: view.getFloat64(HEADER.originLon, true),
    originLat: view.getFloat64(HEADER.originLat, true),
    scaleLon: view.getFloat64(HEADER.scaleLon, true),
    scaleLat: view.getFloat64(HEADER.scaleLat, true),
    categories,
    statuses,
    positions: new Uint16Array(buffer, base + layout.positions, 2 * count),
    ids,
    times,
    categoryIndex: new Uint16Array(buffer, base + layout.categories, count),
    statusBytes: new Uint8Array(buffer, base + layout.statuses, count),
  };
}

/** Prefix sums modulo 2³² into a new array. */
function undelta(stored: Uint32Array): Uint32Array<ArrayBuffer> {
  const out = new Uint32Array(stored.length);
  let v = 0;
  for (let i = 0; i < stored.length; i++) {
    v = (v + stored[i]) >>> 0;
    out[i] = v;
  }
  return out;
}

/** Longitude of event i (degrees). */
export function lonOf(c: EventColumns, i: number): number {
  return c.originLon + c.positions[2 * i] * c.scaleLon;
}

/** Latitude of event i (degrees). */
export function latOf(c: EventColumns, i: number): number {
  return c.originLat + c.positions[2 * i + 1] * c.scaleLat;
}

/** Reported time of event i (epoch ms, whole seconds). */
export function reportedAtOf(c: EventColumns, i: number): number {
  return c.timeOrigin + c.times[i] * 1000;
}

/** Status name of event i. */
export function statusOf(c: EventColumns, i: number): string {
  return c.statuses[c.statusBytes[i] & STATUS_INDEX_MASK];
}

/** Category code of event i. */
export function categoryOf(c: EventColumns, i: number): string {
  return c.categories[c.categoryIndex[i]];
}
