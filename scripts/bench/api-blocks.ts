/**
 * GET /api/blocks latency and payload through app.request (no sockets): the cold request builds, rounds and
 * compresses the FeatureCollection; warm requests reuse the cached bytes (one marker query per request);
 * `rebuildMs` is a build with warm code, the cost the first request after an event write pays.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../server/app.ts';
import { benchToken } from './auth.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import type { BenchResult } from './util.ts';

const WARM_RUNS = 200;
const HEADERS = { 'Accept-Encoding': 'gzip, deflate, br' };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

async function timed(
  app: ReturnType<typeof createApp>,
  headers: Record<string, string>,
): Promise<[ms: number, res: Response, bytes: number, body: ArrayBuffer]> {
  const t0 = performance.now();
  const res = await app.request('/api/blocks', { headers: { ...headers, Authorization: `Bearer ${TOKEN.get(app)}` } });
  const body = await res.arrayBuffer(); // reading the body is part of the cost
  return [performance.now() - t0, res, body.byteLength, body];
}

/** Each app's reader token (a wall screen's: the blocks are what it loads first). */
const TOKEN = new WeakMap<object, string>();
function appWithToken(db: Db, token: string): ReturnType<typeof createApp> {
  const app = createApp({ db });
  TOKEN.set(app, token);
  return app;
}

export async function benchApiBlocks(db: Db): Promise<{ name: string; results: Record<string, number> }> {
  const token = benchToken(db, { role: 'wall' });
  const app = appWithToken(db, token);
  const [coldMs, cold, brBytes] = await timed(app, HEADERS);
  if (cold.status !== 200) throw new Error(`GET /api/blocks answered ${cold.status}`);
  const [, , gzipBytes] = await timed(app, { 'Accept-Encoding': 'gzip' });
  const [, , identityBytes, plain] = await timed(app, {});
  const features = (JSON.parse(new TextDecoder().decode(plain)) as { features: unknown[] }).features.length;

  const warm: number[] = [];
  let sink = 0;
  for (let i = 0; i < WARM_RUNS; i++) {
    const [ms, , n] = await timed(app, HEADERS);
    warm.push(ms);
    sink += n;
  }
  const etag = cold.headers.get('etag') ?? '';
  const revalidate: number[] = [];
  for (let i = 0; i < 50; i++) {
    const [ms, res] = await timed(app, { ...HEADERS, 'If-None-Match': etag });
    if (res.status !== 304) throw new Error(`If-None-Match answered ${res.status}`);
    revalidate.push(ms);
  }
  if (sink === 0) throw new Error('no bytes');

  // A rebuild with the code already warm (what each event write costs the next request): a fresh app's first
  // request, median of 5.
  const rebuild: number[] = [];
  for (let i = 0; i < 5; i++) rebuild.push((await timed(appWithToken(db, token), HEADERS))[0]);

  return {
    name: 'api-blocks',
    results: {
      blocks: features,
      coldMs: round(coldMs, 1),
      rebuildMs: round(median(rebuild), 1),
      warmMedianMs: round(median(warm)),
      warmP95Ms: round(quantile(warm, 0.95)),
      notModifiedMedianMs: round(median(revalidate)),
      identityBytes,
      gzipBytes,
      brBytes,
    },
  };
}

/**
 * The same figures as a `npm run bench` module: seeds the Yuhu demo into a temporary file (or reads GEZHI_BENCH_DB
 * when set) and checks the goals — warm median under 20 ms, compressed payload under 400 KB.
 */
export async function runApiBlocksBench(): Promise<BenchResult> {
  const given = process.env.GEZHI_BENCH_DB;
  const dir = given ? null : mkdtempSync(join(tmpdir(), 'gezhi-bench-'));
  const db = openDatabase(given ?? join(dir!, 'bench.db'));
  try {
    if (!given) {
      const { seedDemo } = await import('../../server/db/seed/index.ts');
      await seedDemo(db, { now: Date.parse('2026-11-25T10:00:00+08:00') });
    }
    const { results } = await benchApiBlocks(db);
    const smallest = Math.min(results.gzipBytes, results.brBytes);
    return {
      name: 'api-blocks',
      description: `GET /api/blocks via app.request on ${results.blocks} blocks (${given ? 'GEZHI_BENCH_DB' : 'freshly seeded Yuhu demo'})`,
      metrics: results,
      checks: [
        { name: 'warm median < 20 ms', pass: results.warmMedianMs < 20, detail: `${results.warmMedianMs} ms` },
        { name: 'compressed payload < 400 KB', pass: smallest < 400_000, detail: `${smallest} bytes` },
      ],
    };
  } finally {
    db.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
