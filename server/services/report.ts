/**
 * The report path (信息收集): validate → locate → classify → tier, unit and proposed assignee → due time → one
 * transaction (event row, its log row, its live message) → wake the live hub. Nothing is acknowledged before it
 * is committed. Batches run the same steps per row inside one transaction; rows that fail are reported, the rest
 * are kept.
 *
 * Idempotency: a key (the Idempotency-Key header or the body's idempotencyKey) is stored with the event; a retry
 * with the same key and the same report replays the stored event, the same key with a different report is a 409.
 */
import type { NewEvent } from '../db/commands/events.ts';
import { ProblemError, type InvalidParam } from '../http/problem.ts';
import { appendLiveMessage } from '../live/messages.ts';
import {
  caseNo, caseNoPrefix, checkReport, createClassifier, dueAtFor, proposeAssignee, sameReport,
  type Channel, type FieldError, type Proposal, type ReportInput,
} from '../domain/report.ts';
import { TAXONOMY, type Category } from '../domain/taxonomy.ts';
import { toIso } from '../time.ts';
import type { LocatedBlocks, ServiceContext } from './context.ts';

/** Largest batch accepted by POST /api/events/batch. */
export const MAX_BATCH = 10_000;

const CHANNEL_LOG: Record<Channel, [role: string, note: string]> = {
  patrol: ['patrol', '巡查发现'],
  hotline: ['hotline', '12345热线'],
  wechat: ['resident', '协同办公平台'],
  consultation: ['consultation', '民情恳谈会'],
  'walk-in': ['resident', '来访'],
};

export interface Prepared {
  row: Omit<NewEvent, 'case_no'>;
  category: Category;
  classified: boolean;
}

export type RowOutcome =
  | { ok: true; id: number; caseNo: string; replayed: boolean }
  | { ok: false; status: number; errors: FieldError[] };

export interface ReportOutcome {
  id: number;
  replayed: boolean;
  proposal: Proposal | null;
  classified: boolean;
}

export interface BatchOutcome {
  created: number;
  replayed: number;
  failed: number;
  items: { index: number; id: number; caseNo: string; replayed: boolean }[];
  errors: { index: number; status: number; errors: FieldError[] }[];
}

const classifier = createClassifier();

function toInvalid(errors: FieldError[]): InvalidParam[] {
  return errors.map((e) => ({ in: 'body' as const, name: e.name, detail: e.detail }));
}

function problem(status: number, errors: FieldError[], detail?: string): ProblemError {
  return new ProblemError(status, detail ?? `Invalid report: ${errors.map((e) => `${e.name || 'body'} ${e.detail}`).join('; ')}`, {
    type: status === 400 ? '/problems/invalid-parameter' : status === 409 ? '/problems/idempotency-conflict' : '/problems/invalid-report',
    title: status === 400 ? 'Invalid parameter' : status === 409 ? 'Idempotency key reused' : 'Invalid report',
    errors: toInvalid(errors),
  });
}

export function createReportService(ctx: ServiceContext) {
  const { db, cmd } = ctx;

  /** Locate, classify, tier/unit and due time: everything but the case number. */
  function prepare(
    input: ReportInput,
    at: number,
    located: LocatedBlocks | null = ctx.blocksAt(at),
  ): { ok: true; value: Prepared } | { ok: false; status: number; errors: FieldError[] } {
    if (!located) return { ok: false, status: 422, errors: [{ name: 'lon', detail: 'no boundary version is in force' }] };
    const i = located.locator.locate(input.lon, input.lat);
    if (i < 0) {
      const detail = 'the point lies outside the district';
      return { ok: false, status: 422, errors: [{ name: 'lon', detail }, { name: 'lat', detail }] };
    }
    let category: Category | undefined;
    let classified = false;
    if (input.category !== undefined) category = TAXONOMY.byCode.get(input.category);
    else {
      category = classifier.classify(input.text, input.kind)?.category;
      classified = true;
      if (!category) return { ok: false, status: 422, errors: [{ name: 'category', detail: 'the text matches no category; give a 4-digit category code' }] };
    }
    if (!category) return { ok: false, status: 422, errors: [{ name: 'category', detail: `no category ${input.category}` }] };
    const block = located.blocks[i];
    const unitId =
      category.tier === 'block' ? null : ctx.unitId(category.tier === 'centre' ? 'centre' : 'department', category.unitKey, block.subdistrict_code);
    return {
      ok: true,
      value: {
        category,
        classified,
        row: {
          kind: input.kind, channel: input.channel, category_code: category.code, priority: input.priority, status: 'reported',
          tier: category.tier, text: input.text, lon: input.lon, lat: input.lat, version_id: located.versionId,
          block_code: block.code, community_code: block.community_code, subdistrict_code: block.subdistrict_code,
          reporter: input.reporter, assignee_id: null, unit_id: unitId, reported_at: at, filed_at: null, dispatched_at: null,
          accepted_at: null, arrived_at: null, resolved_at: null, closed_at: null, evaluated_at: null,
          due_at: dueAtFor(category, at, ctx.calendar), satisfaction: null, rework_count: 0, extension_count: 0, escalated: 0,
          idempotency_key: input.idempotencyKey ?? null,
        },
      },
    };
  }

  /** Inside a transaction: the stored event for a key, or a conflict if the key came with another report. */
  function replayOf(input: ReportInput): { ok: true; id: number; caseNo: string } | { ok: false; errors: FieldError[] } | null {
    if (!input.idempotencyKey) return null;
    const stored = cmd.byIdempotencyKey(input.idempotencyKey);
    if (!stored) return null;
    if (!sameReport(stored, input)) {
      return { ok: false, errors: [{ name: 'idempotencyKey', detail: `already used for a different report (event ${stored.id})` }] };
    }
    return { ok: true, id: stored.id, caseNo: stored.case_no };
  }

  /** Inside a transaction: inserts the event, its log row and its live message. */
  function insert(p: Prepared, no: string, at: number): number {
    const row = { ...p.row, case_no: no };
    const id = cmd.insertEvent(row);
    const [role, note] = CHANNEL_LOG[row.channel as Channel];
    cmd.insertLog({ event_id: id, at, actor_id: null, actor_role: role, from_status: null, to_status: 'reported', assignee_id: null, note: p.classified ? `${note}（自动分类：${p.category.name}）` : note });
    appendLiveMessage(db, 'event.created', {
      id, caseNo: no, status: 'reported', kind: row.kind, channel: row.channel, category: row.category_code, tier: row.tier,
      priority: row.priority, lon: row.lon, lat: row.lat, blockCode: row.block_code, subdistrictCode: row.subdistrict_code,
      reportedAt: toIso(row.reported_at), dueAt: toIso(row.due_at),
    }, at);
    return id;
  }

  /** The assignee the dispatcher will be offered for a prepared report. */
  function propose(p: Prepared, at: number): Proposal {
    const r = p.row;
    if (p.category.tier === 'block') return proposeAssignee(p.category, ctx.cmd.blockTeam(r.version_id, r.block_code, at).governor, null, []);
    const handlers = r.unit_id === null ? [] : cmd.unitHandlers(r.unit_id, at);
    const load = cmd.openLoad(handlers);
    return proposeAssignee(p.category, null, r.unit_id, handlers.map((id) => ({ staffId: id, unitId: r.unit_id!, open: load.get(id) ?? 0 })));
  }

  return {
    /** POST /api/events: one report. Throws a problem for bad input; commits before returning. */
    report(body: unknown, headerKey: string | undefined): ReportOutcome {
      const checked = checkReport(body);
      if (!checked.ok) throw problem(checked.status, checked.errors);
      const input = checked.value;
      if (headerKey !== undefined) {
        if (input.idempotencyKey !== undefined && input.idempotencyKey !== headerKey) {
          throw problem(400, [{ name: 'idempotencyKey', detail: 'differs from the Idempotency-Key header' }]);
        }
        input.idempotencyKey = headerKey;
      }
      const at = ctx.now();
      const run = db.transaction((): ReportOutcome => {
        const replay = replayOf(input);
        if (replay && !replay.ok) throw problem(409, replay.errors, replay.errors[0].detail);
        if (replay) return { id: replay.id, replayed: true, proposal: null, classified: false };
        const prepared = prepare(input, at);
        if (!prepared.ok) throw problem(prepared.status, prepared.errors);
        const prefix = caseNoPrefix(at, 'YH', ctx.calendar);
        const seq = ctx.caseSeqOf(prefix) + 1;
        const id = insert(prepared.value, caseNo(prefix, seq), at);
        used = [prefix, seq];
        return { id, replayed: false, proposal: propose(prepared.value, at), classified: prepared.value.classified };
      });
      let used: [string, number] | null = null;
      let outcome: ReportOutcome;
      try {
        outcome = run.immediate();
      } catch (err) {
        // Another process stored the same key between our check and insert: the retry replays (or conflicts).
        if (!(err instanceof Error && 'code' in err && err.code === 'SQLITE_CONSTRAINT_UNIQUE' && /idempotency_key/.test(err.message))) throw err;
        outcome = run.immediate();
      }
      if (used) ctx.caseSeqUsed(...(used as [string, number]));
      if (!outcome.replayed) ctx.live?.notify();
      return outcome;
    },

    /** POST /api/events/batch: each row checked and inserted in one transaction; failed rows are listed. */
    batch(rows: readonly unknown[]): BatchOutcome {
      const at = ctx.now();
      const out: BatchOutcome = { created: 0, replayed: 0, failed: 0, items: [], errors: [] };
      let prefix = '';
      let seq = 0;
      db.transaction(() => {
        const located = ctx.blocksAt(at); // one version lookup per batch
        prefix = caseNoPrefix(at, 'YH', ctx.calendar);
        seq = ctx.caseSeqOf(prefix);
        for (let index = 0; index < rows.length; index++) {
          const checked = checkReport(rows[index]);
          if (!checked.ok) {
            out.errors.push({ index, status: checked.status, errors: checked.errors });
            continue;
          }
          const replay = replayOf(checked.value);
          if (replay && !replay.ok) {
            out.errors.push({ index, status: 409, errors: replay.errors });
            continue;
          }
          if (replay) {
            out.items.push({ index, id: replay.id, caseNo: replay.caseNo, replayed: true });
            out.replayed++;
            continue;
          }
          const prepared = prepare(checked.value, at, located);
          if (!prepared.ok) {
            out.errors.push({ index, status: prepared.status, errors: prepared.errors });
            continue;
          }
          const no = caseNo(prefix, ++seq);
          const id = insert(prepared.value, no, at);
          out.items.push({ index, id, caseNo: no, replayed: false });
          out.created++;
        }
      }).immediate();
      if (out.created > 0) ctx.caseSeqUsed(prefix, seq);
      out.failed = out.errors.length;
      if (out.created > 0) ctx.live?.notify();
      return out;
    },
  };
}

export type ReportService = ReturnType<typeof createReportService>;
