/**
 * `npm run bench [-- name ...]`: runs every bench module in sequence (or only those named), prints a table per bench
 * and the goal checks, writes bench-results/bench-<name>.json and bench-results/latest.json (all results of this
 * run). Exits non-zero when a goal check fails.
 *
 * Adding a bench is one line in BENCHES: a module exporting `run…Bench(): Promise<BenchResult>`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BenchModule, type BenchResult, RESULTS_DIR, environment, writeResult } from './util.ts';
import { runLocatorBench } from './locator.ts';
import { runApiBlocksBench } from './api-blocks.ts';
import { runWebBench } from './web.ts';
import { runIngestBench } from './ingest.ts';
import { runRoutingBench } from './routing.ts';
import { runLiveBench } from './live.ts';
import { runCandidatesBench } from './candidates.ts';
import { runTransportBench } from './transport.ts';
import { runReviewBench } from './review.ts';
import { runInsightBench } from './insight.ts';
import { runImportBench } from './import.ts';
import { runLoadBench } from './load.ts';
import { runPlanBench } from './plan.ts';

const BENCHES: BenchModule[] = [
  { name: 'locator', run: runLocatorBench },
  { name: 'api-blocks', run: runApiBlocksBench },
  { name: 'web', run: runWebBench },
  { name: 'ingest', run: runIngestBench },
  { name: 'routing', run: runRoutingBench },
  { name: 'live', run: runLiveBench },
  { name: 'candidates', run: runCandidatesBench },
  { name: 'transport', run: runTransportBench },
  { name: 'review', run: runReviewBench },
  { name: 'insight', run: runInsightBench },
  { name: 'import', run: runImportBench },
  { name: 'load', run: runLoadBench },
  { name: 'plan', run: runPlanBench },
];

async function main(): Promise<void> {
  const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = only.filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown.length) {
    throw new Error(`Unknown bench ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}.`);
  }
  const selected = only.length ? BENCHES.filter((b) => only.includes(b.name)) : BENCHES;
  const env = await environment();
  const results: BenchResult[] = [];
  for (const bench of selected) {
    console.log(`\n▶ ${bench.name}`);
    const result = await bench.run();
    results.push(result);
    console.log(`  ${result.description}`);
    console.table(result.metrics);
    for (const c of result.checks) console.log(`  ${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
    console.log(`  → ${writeResult(result, env)}`);
  }

  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, 'latest.json'), JSON.stringify({ ...env, results }, null, 2) + '\n');

  const failed = results.flatMap((r) => r.checks.filter((c) => !c.pass).map((c) => `${r.name}: ${c.name} (${c.detail})`));
  console.log(`\n${results.length} bench(es), ${failed.length} failed check(s)`);
  for (const f of failed) console.log(`  FAIL ${f}`);
  if (failed.length) process.exitCode = 1;
}

await main();
