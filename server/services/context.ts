/**
 * What the write services share: the database with its named commands and queries, the clock, the working-time
 * calendar, the live hub's post-commit wake-up, and per-app caches (the block locator of the boundary version in
 * force, the units by key).
 */
import type { MultiPolygon, Polygon } from 'geojson';
import { eventCommands, type EventCommands } from '../db/commands/events.ts';
import type { Db } from '../db/database.ts';
import { createQueries, type Queries } from '../db/queries/index.ts';
import { caseNo, caseSeq } from '../domain/case-number.ts';
import { DEFAULT_MAX_EXTENSIONS } from '../domain/lifecycle.ts';
import { DEFAULT_CALENDAR, type WorkCalendar } from '../domain/working-time.ts';
import { BlockLocator } from '../geo/block-locator.ts';
import { createAudit, type Audit } from './audit.ts';

/** The live hub as the writers see it: a wake-up after each commit (optional: no hub, no push). */
export interface LiveNotifier {
  notify(): void;
}

export interface ServiceDeps {
  db: Db;
  now?: () => number;
  live?: LiveNotifier;
  calendar?: WorkCalendar;
  /** Reuse the app's queries (they hold prepared statements). */
  q?: Queries;
  /** Approved extensions a case may have (default DEFAULT_MAX_EXTENSIONS). */
  maxExtensions?: number;
}

export interface LocatedBlocks {
  versionId: number;
  locator: BlockLocator;
  blocks: { code: string; community_code: string; subdistrict_code: string }[];
}

export interface ServiceContext {
  db: Db;
  cmd: EventCommands;
  q: Queries;
  /** The audit log, written inside each write's transaction. */
  audit: Audit;
  now: () => number;
  live?: LiveNotifier;
  calendar: WorkCalendar;
  /** Approved extensions a case may have. */
  maxExtensions: number;
  /** The locator of the boundary version in force at `at`, built on first use and rebuilt when the version changes. */
  blocksAt(at: number): LocatedBlocks | null;
  /** The last case sequence number used for a day's prefix (cached per process, checked against the table). */
  caseSeqOf(prefix: string): number;
  /** Records the last sequence number committed for a prefix. */
  caseSeqUsed(prefix: string, seq: number): void;
  /** Unit id of a centre or department key in a subdistrict. */
  unitId(kind: 'centre' | 'department', key: string, subdistrict: string): number | null;
}

export function createServiceContext(deps: ServiceDeps): ServiceContext {
  const q = deps.q ?? createQueries(deps.db);
  const cmd = eventCommands(deps.db);
  let located: LocatedBlocks | null = null;
  let units: Map<string, number> | null = null;
  const seqs = new Map<string, number>();
  const loadUnits = () => new Map(cmd.units().map((u) => [`${u.kind}|${u.key}|${u.subdistrict_code}`, u.id]));
  return {
    db: deps.db,
    cmd,
    q,
    audit: createAudit(deps.db, deps.now ?? Date.now),
    now: deps.now ?? Date.now,
    live: deps.live,
    calendar: deps.calendar ?? DEFAULT_CALENDAR,
    maxExtensions: deps.maxExtensions ?? DEFAULT_MAX_EXTENSIONS,
    blocksAt(at) {
      const v = q.versions.current(at);
      if (!v) return null;
      if (located?.versionId !== v.id) {
        const rows = q.blocks.list(v.id);
        const geometries = rows.map((r) => JSON.parse(r.geometry) as Polygon | MultiPolygon);
        located = {
          versionId: v.id,
          locator: BlockLocator.build(geometries),
          blocks: rows.map((r) => ({ code: r.code, community_code: r.community_code, subdistrict_code: r.subdistrict_code })),
        };
      }
      return located;
    },
    caseSeqOf(prefix) {
      const cached = seqs.get(prefix);
      // A point lookup proves the cache current; another writer having used the next number forces a rescan.
      if (cached !== undefined && !cmd.caseExists(caseNo(prefix, cached + 1))) return cached;
      return caseSeq(prefix, cmd.maxCaseNo(prefix));
    },
    caseSeqUsed(prefix, seq) {
      if (seqs.size > 8) seqs.clear(); // only today's (and perhaps yesterday's) prefixes matter
      seqs.set(prefix, seq);
    },
    unitId(kind, key, subdistrict) {
      const k = `${kind}|${key}|${subdistrict}`;
      units ??= loadUnits();
      if (!units.has(k)) units = loadUnits(); // a unit added since: one reload
      return units.get(k) ?? null;
    },
  };
}
