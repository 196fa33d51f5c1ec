/**
 * Events import of a generated hotline export: IMPORT_ROWS rows (default 1,000,000) of CSV in the shape real exports
 * have — 12-hour local times, GCJ-02 coordinates at random buildings, quoted text with commas, 1 % placeholder
 * coordinates, 0.5 % duplicate ids, one in five rows without a due time (computed from the taxonomy), a few unmapped
 * categories. Each run imports into a fresh copy of a small seeded database in a child process, so the child's peak
 * resident memory (maxRSS) is the import's. Reports rows per second over the whole import (read, parse, check,
 * stage, one-transaction commit, report) and the peak memory.
 *
 * `tsx scripts/bench/import.ts` runs this bench alone.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TAXONOMY } from '../../server/contract/taxonomy.ts';
import { openDatabase } from '../../server/db/database.ts';
import { fromWgs84 } from '../../server/geo/crs.ts';
import { type BenchResult, median, prng, round } from './util.ts';

const ROWS = Number(process.env.IMPORT_ROWS ?? 1_000_000);
const RUNS = Number(process.env.IMPORT_RUNS ?? 3);
const GOAL_PER_S = 50_000;
const GOAL_MB = 500;
const SEED = 430302;
const SEED_NOW = Date.parse('2026-11-25T10:00:00+08:00');

const pad = (n: number) => String(n).padStart(2, '0');
/** 'MM/DD/YYYY hh:mm:ss AM' of a Shanghai wall time given as UTC+8 ms. */
function usTime(local: number): string {
  const d = new Date(local);
  const h = d.getUTCHours();
  return `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} ${pad(h % 12 === 0 ? 12 : h % 12)}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

export async function writeSource(file: string, points: { lon: number; lat: number }[], rows = ROWS): Promise<void> {
  const rnd = prng(SEED);
  const out = createWriteStream(file);
  const names = ['占道经营', '井盖缺失', '噪音扰民', '垃圾满溢', '违规停车'];
  const start = Date.parse('2024-01-01T00:00:00Z');
  let chunk = '\uFEFF工单号,问题类型,受理时间,办结时限,办结时间,状态,纬度,经度,承办单位,诉求内容\r\n';
  for (let i = 1; i <= rows; i++) {
    const p = points[Math.floor(rnd() * points.length)];
    const [x, y] = rnd() < 0.01 ? [0, 0] : fromWgs84('GCJ02', p.lon, p.lat);
    const created = start + Math.floor(rnd() * 700 * 86_400_000);
    const closed = rnd() < 0.8 ? created + Math.floor(rnd() * 5 * 86_400_000) : null;
    const due = rnd() < 0.8 ? created + 3 * 86_400_000 : null;
    const id = rnd() < 0.005 && i > 10 ? i - 7 : i;
    const name = rnd() < 0.02 ? `旧分类${i % 13}` : names[i % names.length];
    chunk += `H${id},${name},${usTime(created)},${due === null ? '' : usTime(due)},${closed === null ? '' : usTime(closed)},` +
      `${closed === null ? '处理中' : '已办结'},${y.toFixed(6)},${x.toFixed(6)},城管执法,"${name}, 第${i}号工单"\r\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

export function mapping(): Record<string, unknown> {
  const codes = TAXONOMY.categories.map((c) => c.code);
  return {
    source: 'bench-12345',
    columns: {
      id: '工单号', category: '问题类型', created: '受理时间', due: '办结时限', closed: '办结时间', status: '状态',
      latitude: '纬度', longitude: '经度', department: '承办单位', text: '诉求内容',
    },
    timestampFormats: ['MM/DD/YYYY hh:mm:ss AM'],
    timeZone: 'Asia/Shanghai',
    crs: 'GCJ02',
    categories: { 占道经营: codes[0], 井盖缺失: codes[1], 噪音扰民: codes[2], 垃圾满溢: codes[3], 违规停车: codes[4] },
    statuses: { 已办结: 'closed', 处理中: 'dispatched' },
    placeholderCoordinates: [[0, 0]],
  };
}

/** The child: one import, then its figures as JSON on stdout. */
async function child(dbFile: string, file: string, mappingFile: string): Promise<void> {
  const { importEvents, loadMapping } = await import('../../server/import/events.ts');
  const db = openDatabase(dbFile);
  const t = performance.now();
  const cpu = process.cpuUsage();
  const s = await importEvents(db, file, await loadMapping(mappingFile));
  const seconds = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  // Closing copies the import's write-ahead log into the database file (the commit leaves that to the server's
  // checkpointer, or to the close): reported beside the import, not in its rate.
  const closing = performance.now();
  db.close();
  const closeSeconds = (performance.now() - closing) / 1000;
  process.stdout.write(JSON.stringify({
    seconds, cpuSeconds: (used.user + used.system) / 1e6, commitSeconds: s.commitSeconds, closeSeconds, read: s.read, imported: s.imported,
    skipped: s.skipped, threaded: s.threaded, maxRssMb: process.resourceUsage().maxRSS / 1024,
  }) + '\n');
}

export async function runImportBench(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'gezhi-import-bench-'));
  try {
    const base = join(dir, 'base.db');
    const db = openDatabase(base);
    const { seedDemo } = await import('../../server/db/seed/index.ts');
    await seedDemo(db, { now: SEED_NOW, events: 2_000 });
    const points = db.prepare(`SELECT bd.lon, bd.lat FROM buildings bd JOIN block_buildings bb ON bb.building_id = bd.id`).all() as { lon: number; lat: number }[];
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const source = join(dir, 'hotline.csv');
    const mappingFile = join(dir, 'mapping.json');
    await writeSource(source, points);
    writeFileSync(mappingFile, JSON.stringify(mapping()));

    const runs: { seconds: number; cpuSeconds: number; commitSeconds: number; closeSeconds: number; read: number; imported: number; skipped: number; threaded: boolean; maxRssMb: number }[] = [];
    for (let r = 0; r < RUNS; r++) {
      const dbFile = join(dir, `run-${r}.db`);
      copyFileSync(base, dbFile);
      const stdout = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', dbFile, source, mappingFile], {
        encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'inherit'],
      });
      runs.push(JSON.parse(stdout.trim().split('\n').pop()!));
      rmSync(dbFile, { force: true });
    }
    const rate = median(runs.map((r) => r.read / r.seconds));
    const peak = Math.max(...runs.map((r) => r.maxRssMb));
    return {
      name: 'import',
      description: `events import of a generated ${ROWS.toLocaleString('en-US')}-row hotline CSV (GCJ-02, 12-hour local times, messy rows), median of ${RUNS} run(s) in a child process`,
      metrics: {
        rows: ROWS,
        'file MB': round(statSync(source).size / 1048576, 1),
        'median s': round(median(runs.map((r) => r.seconds)), 2),
        'rows/s (median)': Math.round(rate),
        'rows per CPU-second': Math.round(median(runs.map((r) => r.read / r.cpuSeconds))),
        'commit s (median)': round(median(runs.map((r) => r.commitSeconds)), 2),
        'then close s: log → file (median)': round(median(runs.map((r) => r.closeSeconds)), 2),
        'rows/s with the close (median)': Math.round(median(runs.map((r) => r.read / (r.seconds + r.closeSeconds)))),
        'planned on a worker thread': runs[0].threaded ? 'yes' : 'no',
        imported: runs[0].imported,
        skipped: runs[0].skipped,
        'peak RSS MB': Math.round(peak),
      },
      checks: [
        { name: `import ≥ ${GOAL_PER_S.toLocaleString('en-US')} rows/s`, pass: rate >= GOAL_PER_S, detail: `${Math.round(rate).toLocaleString('en-US')} rows/s` },
        { name: `peak memory < ${GOAL_MB} MB`, pass: peak < GOAL_MB, detail: `${Math.round(peak)} MB` },
      ],
      details: { runs },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4], process.argv[5]);
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await runImportBench();
  console.log(r.description);
  console.table(r.metrics);
  for (const c of r.checks) console.log(`${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
}
