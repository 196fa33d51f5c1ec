/**
 * The Yuhu demo seed: generates the district and writes everything a fresh database needs — meta, areas, the
 * baseline boundary version, buildings, blocks, roads, basemap layers, units, staff and their roles and positions,
 * the category taxonomy and the event history. Same seed + same now → identical database content.
 */
import { fillMissingVerifyDue } from '../commands/verify-due.ts';
import { verifyDueAt } from '../../domain/on-time.ts';
import type { Db } from '../database.ts';
import type { GeneratedDistrict } from '../../geo/gen/types.ts';
import { createRng } from '../../domain/prng.ts';
import { TAXONOMY } from '../../contract/taxonomy.ts';
import { writeGeodata, BASELINE_EFFECTIVE_FROM } from './write-geodata.ts';
import { writeStaff } from './staff.ts';
import { writeCategories } from './taxonomy.ts';
import { writeEventHistory, type HistorySummary } from './events-history.ts';

export const DEFAULT_EVENTS = 30_000;
export const DEFAULT_SEED = 20_260_101;

export interface SeedOptions {
  /** The seed's clock (UTC ms): history runs up to here; seeded_at and staff positions use it. */
  now: number;
  /** Number of events in the history (default 30,000). */
  events?: number;
  /** Seed of the staff and event streams (default 20260101). The district uses the generator's own default seed. */
  seed?: number;
  /** Clear a database that already holds data, in one transaction, instead of refusing. */
  force?: boolean;
  /** Events per transaction (default 50,000). */
  batchSize?: number;
  /** Called after each batch of events with (events written, events planned). */
  onProgress?: (done: number, total: number) => void;
  /** A district to write instead of the generated Yuhu district (tests). */
  district?: GeneratedDistrict;
  /** Seed passed to the district generator (default: the generator's own). */
  generatorSeed?: number;
}

export interface SeedSummary {
  seed: number;
  now: number;
  generatorVersion: string;
  counts: {
    areas: number;
    subdistricts: number;
    communities: number;
    buildings: number;
    blocks: number;
    roads: number;
    mapLayers: number;
    units: number;
    staff: number;
    roleAssignments: number;
    staffPositions: number;
    categories: number;
    events: number;
    eventLog: number;
  };
  lastYear: HistorySummary['lastYear'];
  /** Seconds per step. */
  seconds: { generator: number; geodata: number; staff: number; events: number; total: number };
}

/** Tables the seed writes, children first (the order to clear them in). */
export const SEEDED_TABLES = [
  // Accounts name staff rows; a new seed starts without them (the first start makes the admin again).
  'sessions',
  'api_tokens',
  'accounts',
  'event_log',
  'events',
  'staff_positions',
  'role_assignments',
  'staff',
  'units',
  'categories',
  'block_buildings',
  'blocks',
  'buildings',
  'boundary_versions',
  'roads',
  'map_layers',
  'areas',
  'meta',
] as const;

export class DatabaseNotEmptyError extends Error {
  constructor(readonly tables: string[]) {
    super(`the database already holds data (${tables.join(', ')}); use force to clear it and seed again`);
    this.name = 'DatabaseNotEmptyError';
  }
}

/** Tables (of those the seed writes) that hold at least one row. */
export function nonEmptyTables(db: Db): string[] {
  return SEEDED_TABLES.filter((t) => db.prepare(`SELECT 1 FROM ${t} LIMIT 1`).get() !== undefined);
}

/** Deletes everything the seed writes, in one transaction (the append-only log triggers are lifted meanwhile). */
export function clearSeededData(db: Db): void {
  const triggers = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'event_log' AND sql IS NOT NULL")
    .all() as { name: string; sql: string }[];
  db.transaction(() => {
    for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`);
    for (const table of SEEDED_TABLES) db.exec(`DELETE FROM ${table}`);
    for (const t of triggers) db.exec(t.sql);
  })();
}

async function loadGenerator(): Promise<{ generate: (seed?: number) => GeneratedDistrict; version: string }> {
  const gen = await import('../../geo/gen/index.ts');
  return {
    generate: (seed) => gen.generateDistrict(seed === undefined ? {} : { seed }),
    version: String(gen.GENERATOR_VERSION),
  };
}

/**
 * Seeds the demo data. Refuses (DatabaseNotEmptyError) if the database already holds data, unless options.force.
 * Large event counts stream: memory stays bounded and events go in batched transactions.
 */
export async function seedDemo(db: Db, options: SeedOptions): Promise<SeedSummary> {
  const started = performance.now();
  const now = options.now;
  if (!Number.isFinite(now)) throw new TypeError('seedDemo: options.now must be a time in epoch milliseconds');
  if (now <= BASELINE_EFFECTIVE_FROM) throw new RangeError('seedDemo: now must be after 2022-01-01T00:00+08:00');
  const events = options.events ?? DEFAULT_EVENTS;
  if (!Number.isInteger(events) || events < 0) throw new RangeError('seedDemo: events must be a whole number ≥ 0');
  const seed = (options.seed ?? DEFAULT_SEED) >>> 0;

  const filled = nonEmptyTables(db);
  if (filled.length > 0) {
    if (!options.force) throw new DatabaseNotEmptyError(filled);
    clearSeededData(db);
  }

  let t = performance.now();
  let district = options.district;
  let generatorVersion = 'custom';
  if (!district) {
    const gen = await loadGenerator();
    district = gen.generate(options.generatorSeed);
    generatorVersion = gen.version;
  }
  const tGenerator = (performance.now() - t) / 1000;

  // Large histories: bigger page cache for the index inserts while seeding.
  const previousCache = db.pragma('cache_size', { simple: true }) as number;
  db.pragma('cache_size = -131072');
  try {
    t = performance.now();
    const meta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    db.transaction(() => {
      meta.run('demo', 'true');
      meta.run('seed', String(seed));
      meta.run('generator_version', generatorVersion);
      meta.run('seeded_at', new Date(now).toISOString());
      meta.run('events_requested', String(events));
      meta.run('history_from', new Date(BASELINE_EFFECTIVE_FROM).toISOString());
    })();
    const geo = writeGeodata(db, district, now);
    const categories = writeCategories(db, TAXONOMY);
    const tGeodata = (performance.now() - t) / 1000;

    t = performance.now();
    const staff = writeStaff(db, district, createRng(seed ^ 0x5eed), now, TAXONOMY);
    const tStaff = (performance.now() - t) / 1000;

    t = performance.now();
    const history = writeEventHistory(db, district, staff, { now, events, seed, batchSize: options.batchSize, onProgress: options.onProgress }, TAXONOMY);
    // The history's resolved cases get their verification deadline (核查时限) as live resolutions do.
    fillMissingVerifyDue(db, (resolvedAt) => verifyDueAt(resolvedAt));
    const tEvents = (performance.now() - t) / 1000;

    return {
      seed,
      now,
      generatorVersion,
      counts: {
        areas: geo.areas,
        subdistricts: district.subdistricts.length,
        communities: district.communities.length,
        buildings: geo.buildings,
        blocks: geo.blocks,
        roads: geo.roads,
        mapLayers: geo.mapLayers,
        units: staff.counts.units,
        staff: staff.counts.staff,
        roleAssignments: staff.counts.roleAssignments,
        staffPositions: staff.counts.positions,
        categories,
        events: history.events,
        eventLog: history.logRows,
      },
      lastYear: history.lastYear,
      seconds: { generator: tGenerator, geodata: tGeodata, staff: tStaff, events: tEvents, total: (performance.now() - started) / 1000 },
    };
  } finally {
    db.pragma(`cache_size = ${previousCache}`);
  }
}
