import { existsSync, mkdirSync, rmSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

/**
 * Seeds the Yuhu demo database once per test run (generator + 30,000 events) into tests/.tmp, and hands its
 * path to the tests as inject('seededDb'). Tests that write must copy it first.
 * The seed time is fixed, so every run — and every machine — tests the same data.
 */
export const SEED_NOW = Date.parse('2026-11-25T10:00:00+08:00');

declare module 'vitest' {
  export interface ProvidedContext {
    seededDb: string;
    seedNow: number;
  }
}

export default async function setup(project: TestProject) {
  const dir = join(process.cwd(), 'tests', '.tmp');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'seeded.db');
  project.provide('seedNow', SEED_NOW);
  if (!existsSync(join(process.cwd(), 'server/db/seed/index.ts'))) return;
  const tmp = join(dir, `seeding-${process.pid}.db`);
  // Seed into a file of this run's own and rename it into place, so a concurrent run never sees half a file.
  for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  const { openDatabase } = await import('../server/db/database.ts');
  const { seedDemo } = await import('../server/db/seed/index.ts');
  const db = openDatabase(tmp);
  const started = performance.now();
  await seedDemo(db, { now: SEED_NOW });
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  renameSync(tmp, file);
  console.log(`seeded test database in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  project.provide('seededDb', file);
}
