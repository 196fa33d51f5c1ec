/**
 * Event ingest through POST /api/events/batch (app.request, no sockets): batches of 10,000 seeded reports —
 * points at random buildings, random categories, one in five without a category (classified from its text), one
 * in four with an idempotency key — each batch one transaction (event row, log row and live message per event).
 * Measures events per second over whole requests (JSON parse, validation, locate, classify, due time, inserts,
 * commit, response), and the single-report latency of POST /api/events. Seeds its own temporary database.
 *
 * `tsx scripts/bench/ingest.ts` runs this bench alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createApp } from '../../server/app.ts';
import { openDatabase } from '../../server/db/database.ts';
import { TAXONOMY } from '../../server/contract/taxonomy.ts';
import { authed, benchToken } from './auth.ts';
import { type BenchResult, median, now, prng, round, summarize } from './util.ts';

const BATCH = 10_000;
const BATCHES = Number(process.env.INGEST_BATCHES ?? 12); // 120,000 events after one warm-up batch
const SINGLES = 300;
const GOAL_PER_S = 20_000;
const SEED = 430302;
const SEED_NOW = Date.parse('2026-11-25T10:00:00+08:00');

export async function runIngestBench(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'gezhi-ingest-'));
  try {
    const db = openDatabase(join(dir, 'ingest.db'));
    const { seedDemo } = await import('../../server/db/seed/index.ts');
    await seedDemo(db, { now: SEED_NOW, events: 2_000 });
    // An integration's token, as the 12345 platform or a GPS feed would post.
    const request = authed(createApp({ db, now: () => SEED_NOW + 3_600_000 }), benchToken(db, { role: 'integration' }));

    const points = db
      .prepare(`SELECT bd.lon, bd.lat FROM buildings bd JOIN block_buildings bb ON bb.building_id = bd.id`)
      .all() as { lon: number; lat: number }[];
    const rnd = prng(SEED);
    const cats = TAXONOMY.categories;
    const channels = ['patrol', 'hotline', 'wechat', 'consultation', 'walk-in'];
    let serial = 0;
    const makeBatch = () =>
      JSON.stringify({
        events: Array.from({ length: BATCH }, () => {
          const p = points[Math.floor(rnd() * points.length)];
          const c = cats[Math.floor(rnd() * cats.length)];
          const classify = rnd() < 0.2;
          serial++;
          return {
            ...(classify ? {} : { category: c.code }),
            text: `${c.name}：第${serial}号上报`,
            lon: p.lon,
            lat: p.lat,
            channel: channels[serial % channels.length],
            kind: rnd() < 0.1 ? 'suggestion' : 'incident',
            ...(rnd() < 0.25 ? { idempotencyKey: `bench-${serial}` } : {}),
          };
        }),
      });
    const send = async (body: string) => {
      const res = await request('/api/events/batch', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      if (res.status !== 200) throw new Error(`batch answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      const out = (await res.json()) as { created: number; failed: number; errors: unknown[] };
      if (out.failed) console.log('ingest: failed rows', JSON.stringify(out.errors).slice(0, 400));
      return out;
    };

    // Warm-up (builds the locator, prepares statements, JITs the path).
    await send(makeBatch());

    const samples: number[] = [];
    let created = 0;
    let failed = 0;
    const cpuSamples: number[] = [];
    for (let b = 0; b < BATCHES; b++) {
      const body = makeBatch();
      const t = now();
      const cpu = process.cpuUsage();
      const out = await send(body);
      samples.push(now() - t);
      const used = process.cpuUsage(cpu);
      cpuSamples.push((used.user + used.system) / 1000);
      created += out.created;
      failed += out.failed;
    }
    const timing = summarize(samples);
    const perS = samples.map((ms) => (BATCH / ms) * 1000);
    const medianPerS = median(perS);
    const totalPerS = (BATCHES * BATCH) / (samples.reduce((a, b) => a + b, 0) / 1000);

    // Single reports (one transaction each).
    const single: number[] = [];
    for (let i = 0; i < SINGLES; i++) {
      const p = points[Math.floor(rnd() * points.length)];
      const body = JSON.stringify({ category: '0102', text: '路边有暴露垃圾', lon: p.lon, lat: p.lat, channel: 'patrol', kind: 'incident' });
      const t = now();
      const res = await request('/api/events', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      await res.arrayBuffer();
      single.push(now() - t);
      if (res.status !== 201) throw new Error(`POST /api/events answered ${res.status}`);
    }
    const singleTiming = summarize(single);
    db.close();

    return {
      name: 'ingest',
      description: `POST /api/events/batch: ${BATCHES} × ${BATCH.toLocaleString('en')} reports (20% classified from text, 25% keyed) into the seeded Yuhu district`,
      metrics: {
        batchMedianMs: round(timing.median, 1),
        batchMinMs: round(timing.min, 1),
        eventsPerSecondMedian: Math.round(medianPerS),
        eventsPerSecondOverall: Math.round(totalPerS),
        // CPU time of this process per batch: the rate an idle core would reach (wall time suffers on a busy machine)
        eventsPerCpuSecondMedian: Math.round(median(cpuSamples.map((ms) => (BATCH / ms) * 1000))),
        created,
        failed,
        singleMedianMs: round(singleTiming.median, 3),
        singleP95Ms: round([...single].sort((a, b) => a - b)[Math.floor(single.length * 0.95)], 3),
      },
      checks: [
        { name: 'batch ingest ≥ 20,000 events/s', pass: medianPerS >= GOAL_PER_S, detail: `${Math.round(medianPerS).toLocaleString('en')} events/s ≥ ${GOAL_PER_S.toLocaleString('en')}` },
        { name: 'every generated row accepted', pass: failed === 0, detail: `${failed} failed rows` },
      ],
      details: { batchCpuMs: cpuSamples.map((x) => round(x, 1)), batchSamplesMs: samples.map((x) => round(x, 1)), singleSamplesMs: single.map((x) => round(x, 3)) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await runIngestBench();
  console.log(r.description);
  console.table(r.metrics);
  for (const c of r.checks) console.log(`${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
}
