/**
 * Transport bench: one window of 1,000,000 events as binary event columns (GZEV v1) against the same window as JSON
 * (the /api/events item shape) and as GeoJSON (a FeatureCollection of Points with the same properties).
 *
 * - Input: a copy of the seeded demo database plus N synthetic events (default 1,000,000) in one 30-day window
 *   before the demo history starts, made in SQL in ~20 s instead of the generator's ~80 s. Each synthetic event copies a
 *   demo event (drawn by a fixed integer hash: its text, category, status, priority, block, lifecycle durations) and
 *   moves it by up to ±100 m and to an evenly spread instant in the window, so positions keep the demo's
 *   hotspots and density, and the mix of categories and statuses is the demo's. Cached in tests/.tmp by N.
 * - Server: query + encode (ms, median of RUNS) and bytes per event, raw and gzip (level 6, as the API sends it).
 *   JSON and GeoJSON at 1M rows exceed what one V8 string may hold, so they are built the way a server would
 *   stream them: pages of 50,000 rows by keyset, each serialised to UTF-8 and fed to one gzip stream.
 * - Browser: headless Chromium (the harness's flags, SwiftShader WebGL) fetches the binary window from the app served
 *   in-process, decodes it, builds the deck.gl attributes and draws one ScatterplotLayer frame on a Deck without a
 *   map. The goal span is "response → layer ready": from fetch() resolving (headers in) to the first frame drawn
 *   after the layer's attributes were uploaded, which includes reading the body, decode, attribute build, layer
 *   construction, attribute upload and one draw; the parts are reported too.
 *
 * GEZHI_BENCH_TRANSPORT_EVENTS: window size (default 1,000,000). GEZHI_BENCH_TRANSPORT_RUNS: runs (default 3).
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { brotliCompressSync, constants, createGzip, gzipSync } from 'node:zlib';
import { serve } from '@hono/node-server';
import { createApp } from '../../server/app.ts';
import { benchToken } from './auth.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { MIGRATIONS } from '../../server/db/migrations.ts';
import { eventWindowQueries } from '../../server/db/queries/event-window.ts';
import { eventQueries, type EventSummaryRow } from '../../server/db/queries/events.ts';
import { encodeEventColumns } from '../../server/contract/event-columns.ts';
import { featureText } from '../../server/http/geojson.ts';
import { toEventSummary } from '../../server/routes/present.ts';
import { launchBrowser, ROOT } from '../../tests/browser/harness.ts';
import { consume, median, now, round, type BenchResult } from './util.ts';

const N = Number(process.env.GEZHI_BENCH_TRANSPORT_EVENTS ?? 1_000_000);
const RUNS = Number(process.env.GEZHI_BENCH_TRANSPORT_RUNS ?? 3);
/** Rows per page when serialising JSON / GeoJSON (as a streaming server would). */
const PAGE = 50_000;
const GOAL_BYTES_PER_EVENT = 16;
const GOAL_SMALLER_THAN_GEOJSON = 10;
const GOAL_BROWSER_MS = 500;
const TMP = join(ROOT, 'tests', '.tmp');
/** The synthetic window: 30 days ending at the demo history's start (2022-01-01 00:00 +08:00). */
export const WINDOW_TO = Date.parse('2022-01-01T00:00:00+08:00');
export const WINDOW_FROM = WINDOW_TO - 30 * 86_400_000;
const SYNTHETIC_ID_BASE = 100_000_000;

/** A seeded demo database: GEZHI_BENCH_DB, else the test suite's, else a fresh one (30,000 events). */
async function baseDatabase(): Promise<string> {
  const fallback = join(TMP, 'seeded.db');
  const given = process.env.GEZHI_BENCH_DB ?? (existsSync(fallback) && statSync(fallback).size > 0 ? fallback : undefined);
  if (given) return given;
  const file = join(TMP, `transport-base-${process.pid}.db`);
  const { seedDemo } = await import('../../server/db/seed/index.ts');
  const db = openDatabase(file);
  await seedDemo(db, { now: Date.parse('2026-11-25T10:00:00+08:00') });
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return file;
}

/** Adds `n` synthetic events in [WINDOW_FROM, WINDOW_TO) by copying demo events in SQL (see the header). */
export function addSyntheticEvents(db: Db, n: number): void {
  const demo = db.prepare(`SELECT count(*) FROM events WHERE id < ?`).pluck().get(SYNTHETIC_ID_BASE) as number;
  if (demo === 0) throw new Error('the base database has no events to copy');
  const span = WINDOW_TO - WINDOW_FROM;
  const shift = (col: string) => `s.${col} - s.reported_at + t.at`;
  db.transaction(() => {
    db.prepare(
      `WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < :n),
       src AS (SELECT row_number() OVER (ORDER BY id) - 1 AS r, * FROM events WHERE id < :base),
       t AS (SELECT i, (i * 2654435761) % :demo AS r,
                    :from + i * :span / :n + (i * 40503) % 1000 AS at,
                    ((i * 1103515245 + 12345) % 2001 - 1000) * 1e-6 AS dlon,
                    ((i * 69069 + 1) % 2001 - 1000) * 1e-6 AS dlat
               FROM k)
       INSERT INTO events (id, case_no, kind, channel, category_code, priority, status, tier, text, lon, lat,
         version_id, block_code, community_code, subdistrict_code, reporter, assignee_id, unit_id, reported_at,
         filed_at, dispatched_at, accepted_at, arrived_at, resolved_at, closed_at, evaluated_at, due_at,
         satisfaction, rework_count, extension_count, escalated)
       SELECT :base + t.i, 'SYN' || printf('%09d', t.i), s.kind, s.channel, s.category_code, s.priority, s.status,
         s.tier, s.text, s.lon + t.dlon, s.lat + t.dlat, s.version_id, s.block_code, s.community_code,
         s.subdistrict_code, s.reporter, s.assignee_id, s.unit_id, t.at,
         ${['filed_at', 'dispatched_at', 'accepted_at', 'arrived_at', 'resolved_at', 'closed_at', 'evaluated_at', 'due_at'].map(shift).join(', ')},
         s.satisfaction, s.rework_count, s.extension_count, s.escalated
       FROM t JOIN src s ON s.r = t.r ORDER BY t.i`,
    ).run({ n, base: SYNTHETIC_ID_BASE, demo, from: WINDOW_FROM, span });
  })();
}

/** The schema version of a database file (0 when it cannot be read). */
function schemaVersion(file: string): number {
  try {
    const db = openDatabase(file, { readonly: true });
    try {
      return db.pragma('user_version', { simple: true }) as number;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

/**
 * The bench database with N synthetic events, built once and cached in tests/.tmp; a cache written by an older
 * schema is rebuilt (it is opened read-only, so it would not be migrated).
 */
export async function transportDatabase(n = N): Promise<string> {
  mkdirSync(TMP, { recursive: true });
  const file = join(TMP, `transport-${n}.db`);
  if (existsSync(file) && schemaVersion(file) === MIGRATIONS[MIGRATIONS.length - 1].version) return file;
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  const base = await baseDatabase();
  const tmp = join(TMP, `transport-${n}-${process.pid}.db`);
  for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  // A private copy, checkpointed first so the copy holds every page.
  const src = openDatabase(base, { readonly: true });
  src.close();
  copyFileSync(base, tmp);
  if (existsSync(`${base}-wal`)) copyFileSync(`${base}-wal`, `${tmp}-wal`);
  const db = openDatabase(tmp);
  const t0 = performance.now();
  addSyntheticEvents(db, n);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('ANALYZE');
  db.close();
  for (const f of [`${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  renameSync(tmp, file);
  console.log(`  built ${file}: ${n} synthetic events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return file;
}

/**
 * Bundles `source` (an ES module that may import the web code and deck.gl) into one classic script for
 * page.addScriptTag, so a page can run web modules that the production build does not (yet) include.
 */
export async function bundleForPage(source: string): Promise<string> {
  const { build } = await import('esbuild');
  const out = await build({
    stdin: { contents: source, resolveDir: ROOT, sourcefile: 'page-entry.ts', loader: 'ts' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0].text;
}

interface Sizes {
  raw: number;
  gzip: number;
}

/** Server side of the binary form: query + encode per run, then its compressed sizes. */
function benchBinary(db: Db, from: number, to: number) {
  const q = eventWindowQueries(db);
  const read: number[] = [];
  const encode: number[] = [];
  let buf = new ArrayBuffer(0);
  let count = 0;
  for (let i = 0; i <= RUNS; i++) {
    const t0 = now();
    const w = q.read({ from, to, now: to, limit: 2_000_000 });
    const t1 = now();
    buf = encodeEventColumns({ ...w, timeOrigin: from, timeEnd: to, asOf: to });
    const t2 = now();
    count = w.count;
    if (i > 0) (read.push(t1 - t0), encode.push(t2 - t1)); // run 0 warms up
  }
  const bytes = new Uint8Array(buf);
  const timeIt = <T>(f: () => T): [T, number] => {
    const t = now();
    const r = f();
    return [r, now() - t];
  };
  const [gz1, gzip1Ms] = timeIt(() => gzipSync(bytes, { level: 1 }));
  const [gz6, gzip6Ms] = timeIt(() => gzipSync(bytes, { level: 6 }));
  const [br1, br1Ms] = timeIt(() => brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } }));
  const total = read.map((r, i) => r + encode[i]);
  return {
    count,
    readMs: median(read),
    encodeMs: median(encode),
    totalMs: median(total),
    samples: total,
    sizes: { raw: bytes.length, gzip: gz6.length } satisfies Sizes,
    served: { gzip1: gz1.length, gzip1Ms, gzip6Ms, br1: br1.length, br1Ms },
  };
}

type Serialise = (rows: EventSummaryRow[], asOf: number, first: boolean) => string;

const jsonPage: Serialise = (rows, asOf, first) =>
  (first ? '' : ',') + JSON.stringify(rows.map((r) => toEventSummary(r, asOf))).slice(1, -1);

const geojsonPage: Serialise = (rows, asOf, first) =>
  (first ? '' : ',') +
  rows
    .map((r) => {
      const { lon, lat, ...properties } = toEventSummary(r, asOf);
      return featureText(r.id, `{"type":"Point","coordinates":[${lon},${lat}]}`, properties);
    })
    .join(',');

/**
 * One text form of the window, page by page (keyset, newest first, as GET /api/events pages): query + serialise +
 * UTF-8 per run; the gzip size (level 6, as the JSON API compresses) once, streamed.
 */
async function benchText(db: Db, from: number, to: number, head: string, tail: string, page: Serialise) {
  const q = eventQueries(db);
  const pass = (sink: ((b: Buffer) => void) | null): [ms: number, bytes: number, rows: number] => {
    const t0 = now();
    let bytes = 0;
    let rows = 0;
    let after: { reportedAt: number; id: number } | undefined;
    const emit = (text: string) => {
      const b = Buffer.from(text, 'utf8');
      bytes += b.length;
      sink?.(b);
    };
    emit(head);
    for (;;) {
      const batch = q.list({ from, to, after, limit: PAGE, now: to });
      if (batch.length === 0) break;
      emit(page(batch, to, rows === 0));
      rows += batch.length;
      const last = batch[batch.length - 1];
      after = { reportedAt: last.reported_at, id: last.id };
      if (batch.length < PAGE) break;
    }
    emit(tail);
    return [now() - t0, bytes, rows];
  };
  const samples: number[] = [];
  let raw = 0;
  let rows = 0;
  for (let i = 0; i < RUNS; i++) {
    const [ms, bytes, n] = pass(null);
    samples.push(ms);
    raw = bytes;
    rows = n;
  }
  const gzip = createGzip({ level: 6 });
  let gz = 0;
  gzip.on('data', (c: Buffer) => (gz += c.length));
  const done = new Promise((r) => gzip.on('end', r));
  pass((b) => gzip.write(b));
  gzip.end();
  await done;
  return { rows, totalMs: median(samples), samples, sizes: { raw, gzip: gz } satisfies Sizes };
}

/**
 * The page's side: a Deck without a map, created and warmed up once; then per run, everything after the response
 * arrives, synchronously: body → decode → attributes → layer update (deck.gl matches the layer, updates its
 * attributes and uploads them) → one draw, finished by a 1-pixel readPixels so SwiftShader's work is counted.
 * (Headless Chromium schedules animation frames irregularly, up to ~1 s apart on a busy machine, so waiting for
 * the next frame would time the compositor, not the layer.)
 */
const PAGE_ENTRY = `
import { Deck } from '@deck.gl/core';
import { ScatterplotLayer } from '@deck.gl/layers';
import { readEventColumns } from './web/map/event-columns.ts';

const SIZE = 512;
let deck;
function finish() {
  const gl = deck.device.gl;
  gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
}
window.__transportBench = async (url) => {
  if (!deck) {
    const canvas = document.createElement('canvas');
    canvas.style.width = canvas.style.height = SIZE + 'px';
    document.body.appendChild(canvas);
    await new Promise((resolve) => {
      deck = new Deck({
        canvas, width: SIZE, height: SIZE, useDevicePixels: false, controller: false,
        initialViewState: { longitude: 112.83, latitude: 27.94, zoom: 9.5 },
        layers: [],
        onAfterRender: () => resolve(),
      });
    });
  }
  const res = await fetch(url);
  const t0 = performance.now();
  const w = await readEventColumns(res);
  const t1 = performance.now();
  // A stable id, as a view refreshing its window would keep: deck.gl updates the layer in place.
  deck.setProps({
    layers: [new ScatterplotLayer({ id: 'events', ...w.layerProps, radiusUnits: 'pixels', getRadius: 1, radiusMinPixels: 1 })],
  });
  deck.layerManager.updateLayers();
  const t2 = performance.now();
  deck.redraw('bench');
  finish();
  const t3 = performance.now();
  deck.redraw('bench again');
  finish();
  const t4 = performance.now();
  return {
    count: w.count,
    encoding: res.headers.get('content-encoding') || 'identity',
    body: w.timings.body,
    decode: w.timings.decode,
    build: w.timings.build,
    toAttributes: t1 - t0,
    layerUpdate: t2 - t1,
    toLayerReady: t2 - t0,
    toFirstFrame: t3 - t0,
    drawOnly: t4 - t3,
  };
};
`;

interface PageRun {
  count: number;
  encoding: string;
  body: number;
  decode: number;
  build: number;
  toAttributes: number;
  layerUpdate: number;
  toLayerReady: number;
  toFirstFrame: number;
  drawOnly: number;
}

/** Browser side: the app served in-process over the bench database, the window loaded RUNS times after a warm-up. */
async function benchBrowser(file: string, from: number, to: number) {
  // The app writes (a token's last use, the audit of its making): its own writable handle on the bench's copy.
  const db = openDatabase(file);
  const token = benchToken(db, { role: 'wall' });
  const app = createApp({ db, now: () => to });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const script = await bundleForPage(PAGE_ENTRY);
  const browser = await launchBrowser();
  const runs: PageRun[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 600, height: 600 }, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
    await page.route('**/favicon.ico', (route) => route.fulfill({ status: 204 }));
    await page.goto(`${url}/api/health`);
    // An HTML document of the app's origin (a JSON document's viewer gets few animation frames).
    await page.setContent('<!doctype html><html><body style="margin:0"></body></html>');
    await page.addScriptTag({ content: script });
    const windowUrl = `/api/events/columns?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`;
    // Warm-up: shaders compiled, code paths hot.
    const load = () => page.evaluate((u) => (window as unknown as { __transportBench: (u: string) => Promise<PageRun> }).__transportBench(u), windowUrl);
    await load();
    for (let i = 0; i < RUNS; i++) runs.push(await load());
  } finally {
    await browser.close();
    await new Promise((r) => server.close(r));
    db.close();
  }
  const med = (k: keyof Omit<PageRun, 'encoding'>) => round(median(runs.map((r) => r[k])), 1);
  return {
    count: runs[0].count,
    encoding: runs[0].encoding,
    body: med('body'),
    decode: med('decode'),
    build: med('build'),
    toAttributes: med('toAttributes'),
    layerUpdate: med('layerUpdate'),
    toLayerReady: med('toLayerReady'),
    toFirstFrame: med('toFirstFrame'),
    drawOnly: med('drawOnly'),
    runs,
  };
}

export async function runTransportBench(): Promise<BenchResult> {
  const file = await transportDatabase();
  const db = openDatabase(file, { readonly: true });
  const [from, to] = [WINDOW_FROM, WINDOW_TO];
  try {
    const binary = benchBinary(db, from, to);
    const json = await benchText(db, from, to, '{"items":[', '],"nextCursor":null}', jsonPage);
    const geojson = await benchText(db, from, to, '{"type":"FeatureCollection","features":[', ']}', geojsonPage);
    if (json.rows !== binary.count || geojson.rows !== binary.count) {
      throw new Error(`forms disagree on the window: binary ${binary.count}, JSON ${json.rows}, GeoJSON ${geojson.rows} rows`);
    }
    const browser = await benchBrowser(file, from, to);
    consume(browser.count);
    const n = binary.count;
    const per = (b: number) => round(b / n, 2);
    const bytesPerEvent = per(binary.sizes.raw);
    const ratioRaw = round(geojson.sizes.raw / binary.sizes.raw, 1);
    const ratioGzip = round(geojson.sizes.gzip / binary.sizes.gzip, 1);
    return {
      name: 'transport',
      description:
        `one window of ${n} events (synthetic copies of demo events, see the module header): GZEV v1 vs JSON vs GeoJSON ` +
        `on the server (median of ${RUNS}), and fetch → decode → deck.gl layer in headless Chromium (SwiftShader)`,
      metrics: {
        events: n,
        binaryBytesPerEvent: bytesPerEvent,
        binaryGzipBytesPerEvent: per(binary.sizes.gzip),
        binaryServedGzip1BytesPerEvent: per(binary.served.gzip1),
        binaryServedBr1BytesPerEvent: per(binary.served.br1),
        jsonBytesPerEvent: per(json.sizes.raw),
        jsonGzipBytesPerEvent: per(json.sizes.gzip),
        geojsonBytesPerEvent: per(geojson.sizes.raw),
        geojsonGzipBytesPerEvent: per(geojson.sizes.gzip),
        geojsonOverBinaryRaw: ratioRaw,
        geojsonOverBinaryGzip: ratioGzip,
        jsonOverBinaryRaw: round(json.sizes.raw / binary.sizes.raw, 1),
        binaryQueryEncodeMs: round(binary.totalMs, 0),
        binaryQueryMs: round(binary.readMs, 0),
        binaryEncodeMs: round(binary.encodeMs, 0),
        binaryGzip1Ms: round(binary.served.gzip1Ms, 0),
        binaryBr1Ms: round(binary.served.br1Ms, 0),
        binaryGzip6Ms: round(binary.served.gzip6Ms, 0),
        jsonQueryEncodeMs: round(json.totalMs, 0),
        geojsonQueryEncodeMs: round(geojson.totalMs, 0),
        browserEncoding: browser.encoding,
        browserBodyMs: browser.body,
        browserDecodeMs: browser.decode,
        browserBuildAttributesMs: browser.build,
        browserResponseToAttributesMs: browser.toAttributes,
        browserLayerUpdateMs: browser.layerUpdate,
        browserResponseToLayerReadyMs: browser.toLayerReady,
        browserResponseToFirstFrameMs: browser.toFirstFrame,
        browserDrawOnlyMs: browser.drawOnly,
      },
      checks: [
        { name: `binary ≤ ${GOAL_BYTES_PER_EVENT} bytes/event`, pass: bytesPerEvent <= GOAL_BYTES_PER_EVENT, detail: `${bytesPerEvent} bytes/event` },
        {
          name: `binary ≥ ${GOAL_SMALLER_THAN_GEOJSON}× smaller than GeoJSON (raw and gzip)`,
          pass: ratioRaw >= GOAL_SMALLER_THAN_GEOJSON && ratioGzip >= GOAL_SMALLER_THAN_GEOJSON,
          detail: `raw ${ratioRaw}×, gzip ${ratioGzip}×`,
        },
        {
          name: `browser response → layer ready < ${GOAL_BROWSER_MS} ms for ${n} points`,
          pass: browser.toLayerReady < GOAL_BROWSER_MS,
          detail: `${browser.toLayerReady} ms (body ${browser.body}, decode ${browser.decode}, attributes ${browser.build}, layer + attribute upload ${round(browser.toLayerReady - browser.toAttributes, 1)})`,
        },
      ],
      details: {
        binary: { ...binary, samples: binary.samples.map((x) => round(x, 0)) },
        json: { ...json, samples: json.samples.map((x) => round(x, 0)) },
        geojson: { ...geojson, samples: geojson.samples.map((x) => round(x, 0)) },
        browserRuns: browser.runs,
        window: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
      },
    };
  } finally {
    db.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runTransportBench();
  console.log(JSON.stringify(result, null, 2));
}
