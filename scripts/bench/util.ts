/**
 * Shared bench helpers: a seeded PRNG (so before/after runs see the same input), timing with warm-up and medians,
 * a sink that keeps results alive, and the JSON result writer.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '../../server/domain/prng.ts';

/** One bench module's outcome, as printed in the table and written to bench-results/bench-<name>.json. */
export interface BenchResult {
  name: string;
  /** One line: what was measured, on what input. */
  description: string;
  /** Flat figures, printed in this order. Times in ms unless the key says otherwise. */
  metrics: Record<string, number | string>;
  /** Goals from the issue; a failed check makes `npm run bench` exit non-zero. */
  checks: BenchCheck[];
  /** Anything else worth keeping with the figures (raw samples, parameters). */
  details?: Record<string, unknown>;
}

export interface BenchCheck {
  name: string;
  pass: boolean;
  /** The measured value against the goal, e.g. "123 ms < 400 ms". */
  detail: string;
}

export interface BenchModule {
  name: string;
  run: () => Promise<BenchResult>;
}

/** A seeded PRNG returning floats in [0, 1): the project's generator, so runs are comparable across machines. */
export function prng(seed: number): () => number {
  const rng = createRng(seed);
  return () => rng.next();
}

/** Results fed here cannot be optimised away. */
export let sink = 0;
export function consume(x: number): void {
  sink = (sink + x) | 0;
}

export function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface Timing {
  median: number;
  min: number;
  mean: number;
  std: number;
  samples: number[];
}

export function summarize(samples: number[]): Timing {
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  const std = Math.sqrt(samples.reduce((a, b) => a + (b - mean) ** 2, 0) / samples.length);
  return { median: median(samples), min: Math.min(...samples), mean, std, samples };
}

/** Runs fn `warmup` times untimed, then `runs` times timed (ms each). fn's return value goes to the sink. */
export function measure(fn: () => number, runs: number, warmup = 1): Timing {
  for (let i = 0; i < warmup; i++) consume(fn());
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = now();
    consume(fn());
    samples.push(now() - t);
  }
  return summarize(samples);
}

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export const RESULTS_DIR = 'bench-results';

/** Writes bench-results/bench-<name>.json. */
export function writeResult(result: BenchResult, meta: Record<string, unknown>): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `bench-${result.name}.json`);
  writeFileSync(file, JSON.stringify({ ...meta, ...result }, null, 2) + '\n');
  return file;
}

/** Where and when the figures were taken: benches on different machines are not comparable. */
export async function environment(): Promise<Record<string, unknown>> {
  const os = await import('node:os');
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
  };
}
