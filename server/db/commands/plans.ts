/**
 * Writes for boundary planning: drafts, their edits (guarded by the plan's revision, so a stale writer changes
 * nothing), and publishing a plan as a new boundary version in one transaction.
 */
import type { Db } from '../database.ts';

export interface NewPlan {
  base_version_id: number;
  name: string;
  description: string;
  author: string;
  rules: string;
  at: number;
}

export interface PublishedBlockRow {
  code: string;
  name: string;
  community_code: string;
  subdistrict_code: string;
  households: number;
  residents: number;
  area_m2: number;
  min_lon: number;
  min_lat: number;
  max_lon: number;
  max_lat: number;
  center_lon: number;
  center_lat: number;
  geometry: string;
}

export interface TeamAssignment {
  block_code: string;
  role: 'governor' | 'assistant' | 'supervisor';
  staff_id: number;
}

export interface PublishRows {
  planId: number;
  revision: number;
  baseVersionId: number;
  name: string;
  note: string;
  effectiveFrom: number;
  publishedAt: number;
  blocks: PublishedBlockRow[];
  /** [building id, block code] for every building. */
  membership: [number, string][];
  teams: TeamAssignment[];
  /** [event id, block code] for the events reported from effectiveFrom on, located under the new blocks. */
  relocated: [number, string][];
}

export function planCommands(db: Db) {
  const insertPlan = db.prepare<NewPlan>(
    `INSERT INTO plans (base_version_id, name, description, author, rules, created_at, updated_at)
     VALUES (@base_version_id, @name, @description, @author, @rules, @at, @at)`,
  );
  const bump = db.prepare<{ id: number; revision: number; cursor: number; at: number }>(
    `UPDATE plans SET revision = revision + 1, cursor = @cursor, updated_at = @at
      WHERE id = @id AND revision = @revision AND status = 'draft'`,
  );
  const dropTail = db.prepare<[number, number]>(`DELETE FROM plan_edits WHERE plan_id = ? AND seq >= ?`);
  const insertEdit = db.prepare<[number, number, string, string, number]>(
    `INSERT INTO plan_edits (plan_id, seq, delta, author, at) VALUES (?, ?, ?, ?, ?)`,
  );
  const updateMeta = db.prepare<{ id: number; revision: number; name: string; description: string; rules: string; at: number }>(
    `UPDATE plans SET revision = revision + 1, name = @name, description = @description, rules = @rules, updated_at = @at
      WHERE id = @id AND revision = @revision AND status = 'draft'`,
  );
  const insertVersion = db.prepare<[string, number, number, string]>(
    `INSERT INTO boundary_versions (name, effective_from, published_at, note) VALUES (?, ?, ?, ?)`,
  );
  const insertBlock = db.prepare<PublishedBlockRow & { version: number }>(
    `INSERT INTO blocks (version_id, code, name, community_code, subdistrict_code, households, residents, area_m2,
       min_lon, min_lat, max_lon, max_lat, center_lon, center_lat, geometry)
     VALUES (@version, @code, @name, @community_code, @subdistrict_code, @households, @residents, @area_m2,
       @min_lon, @min_lat, @max_lon, @max_lat, @center_lon, @center_lat, @geometry)`,
  );
  const insertMember = db.prepare<[number, number, string]>(`INSERT INTO block_buildings (version_id, building_id, block_code) VALUES (?, ?, ?)`);
  const endTeams = db.prepare<[number, number, number]>(
    `UPDATE role_assignments SET valid_to = ? WHERE version_id = ? AND block_code IS NOT NULL AND valid_to IS NULL AND valid_from < ?`,
  );
  const insertRole = db.prepare<[number, string, number, string, number]>(
    `INSERT INTO role_assignments (staff_id, role, version_id, block_code, valid_from) VALUES (?, ?, ?, ?, ?)`,
  );
  const relocate = db.prepare<[number, string, number]>(`UPDATE events SET version_id = ?, block_code = ? WHERE id = ?`);
  const markPublished = db.prepare<{ id: number; revision: number; version: number; at: number }>(
    `UPDATE plans SET status = 'published', published_version_id = @version, revision = revision + 1, updated_at = @at
      WHERE id = @id AND revision = @revision AND status = 'draft'`,
  );

  return {
    create: (p: NewPlan): number => Number(insertPlan.run(p).lastInsertRowid),
    /**
     * Records a new edit at `seq` (dropping any undone edits from there on) and moves the cursor past it, if the
     * plan is still at `revision`. False when it is not: nothing was written.
     */
    appendEdit: db.transaction((id: number, revision: number, seq: number, delta: string, author: string, at: number): boolean => {
      if (bump.run({ id, revision, cursor: seq + 1, at }).changes === 0) return false;
      dropTail.run(id, seq);
      insertEdit.run(id, seq, delta, author, at);
      return true;
    }),
    /** Moves the cursor (undo, redo) if the plan is still at `revision`. */
    setCursor: (id: number, revision: number, cursor: number, at: number): boolean => bump.run({ id, revision, cursor, at }).changes > 0,
    updateMeta: (p: { id: number; revision: number; name: string; description: string; rules: string; at: number }): boolean =>
      updateMeta.run(p).changes > 0,
    /** The whole publish, or nothing: returns the new version's id, or null when the plan moved on meanwhile. */
    publish: db.transaction((r: PublishRows): number | null => {
      const version = Number(insertVersion.run(r.name, r.effectiveFrom, r.publishedAt, r.note).lastInsertRowid);
      if (markPublished.run({ id: r.planId, revision: r.revision, version, at: r.publishedAt }).changes === 0) {
        throw new StalePublish();
      }
      for (const b of r.blocks) insertBlock.run({ ...b, version });
      for (const [building, code] of r.membership) insertMember.run(version, building, code);
      endTeams.run(r.effectiveFrom, r.baseVersionId, r.effectiveFrom);
      for (const t of r.teams) insertRole.run(t.staff_id, t.role, version, t.block_code, r.effectiveFrom);
      for (const [event, code] of r.relocated) relocate.run(version, code, event);
      return version;
    }),
  };
}

/** Thrown inside the publish transaction to roll it back when the plan's revision moved. */
export class StalePublish extends Error {
  constructor() {
    super('The plan changed while it was being published');
    this.name = 'StalePublish';
  }
}

export type PlanCommands = ReturnType<typeof planCommands>;
