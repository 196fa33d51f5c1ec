/**
 * What the planning service keeps in memory per app: the plan district (buildings, parcels, topology — built once,
 * ≈ 1 s), the published state of each boundary version, each draft's session at its stored revision, and the events
 * of the last two years tied to their buildings (rebuilt when an event is added or moves on). All of it is derived
 * from the database and rebuilt on demand; nothing here is the record.
 */
import type { Db } from '../db/database.ts';
import { planQueries, type PlanQueries, type ReplayColumns } from '../db/queries/plans.ts';
import type { PlanDelta } from '../domain/plan/delta.ts';
import { PlanDistrict } from '../domain/plan/district.ts';
import { monthsBefore, type ReplayEvents } from '../domain/plan/replay.ts';
import { PlanSession } from '../domain/plan/session.ts';
import { PlanState } from '../domain/plan/state.ts';

/** How far back the what-if replay may reach. */
export const REPLAY_MAX_MONTHS = 24;

export interface LoadedEvents extends ReplayEvents {
  marker: string;
  now: number;
  columns: ReplayColumns;
}

export class PlanWorkspace {
  readonly q: PlanQueries;
  private districtCache: PlanDistrict | null = null;
  private readonly bases = new Map<number, PlanState>();
  private readonly sessions = new Map<number, { revision: number; session: PlanSession }>();
  private events: LoadedEvents | null = null;

  constructor(db: Db) {
    this.q = planQueries(db);
  }

  district(): PlanDistrict {
    if (!this.districtCache) {
      const communities = this.q.communities().map((c) => ({ code: c.code, subdistrictCode: c.subdistrict_code, name: c.name }));
      this.districtCache = new PlanDistrict(
        this.q.buildings().map((b) => ({
          id: b.id, lon: b.lon, lat: b.lat, households: b.households, residents: b.residents,
          communityCode: b.community_code, parcel: JSON.parse(b.parcel),
        })),
        communities,
      );
    }
    return this.districtCache;
  }

  /** The published membership of a boundary version, as a plan state (never edited: sessions clone it). */
  base(versionId: number): PlanState {
    let s = this.bases.get(versionId);
    if (!s) {
      const d = this.district();
      const blocks = this.q.blocks(versionId).map((b) => ({ code: b.code, name: b.name, communityCode: b.community_code, subdistrictCode: b.subdistrict_code }));
      const codeOf = new Array<string>(d.size);
      for (const m of this.q.membership(versionId)) {
        const i = d.indexOf(m.building_id);
        if (i >= 0) codeOf[i] = m.block_code;
      }
      s = PlanState.fromMembership(d, blocks, codeOf);
      for (const c of this.q.allBlockCodes()) s.reserved.add(c);
      this.bases.set(versionId, s);
    }
    return s;
  }

  /** A draft's session at its stored revision and cursor. */
  session(planId: number, baseVersionId: number, revision: number, cursor: number): PlanSession {
    const hit = this.sessions.get(planId);
    if (hit && hit.revision === revision) return hit.session;
    const deltas = this.q.edits(planId).map((e) => JSON.parse(e.delta) as PlanDelta);
    const session = new PlanSession(this.base(baseVersionId), deltas, cursor);
    this.sessions.set(planId, { revision, session });
    return session;
  }

  /** Records that the cached session of a plan now stands at `revision` (after a write it made itself). */
  advanced(planId: number, session: PlanSession, revision: number): void {
    this.sessions.set(planId, { revision, session });
  }

  forget(planId: number): void {
    this.sessions.delete(planId);
  }

  /** A new version was published: every code it holds is reserved from now on. */
  published(): void {
    this.bases.clear();
    this.sessions.clear();
  }

  /** The cases of the last REPLAY_MAX_MONTHS before `now`, each tied to the building whose parcel it fell in. */
  replayEvents(now: number): LoadedEvents {
    const marker = this.q.eventMarker();
    // The window slides with the clock; an hour's drift is immaterial to a 12-month count.
    if (this.events && this.events.marker === marker && Math.abs(this.events.now - now) < 3_600_000) return this.events;
    const columns = this.q.replayColumns(monthsBefore(now, REPLAY_MAX_MONTHS), now);
    const building = this.district().locate(columns.lon, columns.lat);
    this.events = { marker, now, columns, building, reportedAt: columns.reportedAt, late: columns.late, blockTier: columns.blockTier };
    return this.events;
  }
}
