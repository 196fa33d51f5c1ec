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
import { join } from 'node:path';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { ROOT } from '../../tests/browser/harness.ts';

const N = Number(process.env.GEZHI_BENCH_TRANSPORT_EVENTS ?? 1_000_000);
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

/** The bench database with N synthetic events, built once and cached in tests/.tmp. */
export async function transportDatabase(n = N): Promise<string> {
  mkdirSync(TMP, { recursive: true });
  const file = join(TMP, `transport-${n}.db`);
  if (existsSync(file)) return file;
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
