/**
 * The report path (信息收集): validate → locate → classify → tier, unit and proposed assignee → due time → one
 * transaction (event row, its log row, its live message) → wake the live hub. Nothing is acknowledged before it
 * is committed. Batches run the same steps per row inside one transaction; rows that fail are reported, the rest
 * are kept.
 *
 * Idempotency: a key (the Idempotency-Key header or the body's idempotencyKey) is stored with the event; a retry
 * with the same key and the same report replays the stored event, the same key with a different report is refused
 * (IDEMPOTENCY_CONFLICT).
 *
 * Group commit (`submit`, POST /api/events): reports are checked, located, classified and given their due time as
 * they arrive; those arriving in the same turn of the event loop are then written in ONE transaction (case numbers
 * in arrival order) and each is answered only after that transaction has committed. A report that fails (bad
 * input, idempotency conflict) gets its own error and takes no part in the write; should a row fail inside the
 * write for an unforeseen reason, the group is rolled back and written again with one savepoint per report, so
 * only that report fails. One commit and one live-hub wake-up per group instead of per report.
 */
import type { NewEvent } from '../db/commands/events.ts';
import type { EventDetailRow, EventLogRow } from '../db/queries/events.ts';
import type { Caller } from '../domain/principal.ts';
import { appendLiveMessage } from '../live/messages.ts';
import { proposeAssignee, type Proposal } from '../domain/assignee-proposal.ts';
import { caseNo, caseNoPrefix } from '../domain/case-number.ts';
import { createClassifier } from '../domain/classifier.ts';
import { dueAtFor } from '../domain/deadline.ts';
import { IDEMPOTENCY_CONFLICT, INVALID_PARAMETER, INVALID_REPORT, refuse, type DomainError, type RefusalReason } from '../domain/refusal.ts';
import { checkReport, sameReport, type Channel, type FieldError, type ReportInput } from '../domain/report-input.ts';
import { warningAt } from '../domain/escalation.ts';
import { TAXONOMY, type Category } from '../contract/taxonomy.ts';
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
  /** The row to insert; its case_no is set when the number is drawn, inside the write. */
  row: NewEvent;
  category: Category;
  classified: boolean;
}

export interface ReportOutcome {
  id: number;
  replayed: boolean;
  proposal: Proposal | null;
  classified: boolean;
  /** A created event as GET /api/events/:id reads it (row and log), built from what was written; null on a replay. */
  created: { row: EventDetailRow; log: EventLogRow[] } | null;
}

/** One report on its way through the write: checked and prepared before, written (or refused) in its group. */
interface Pending {
  input: ReportInput;
  at: number;
  /** Who reports: the log row's actor (a staff member's own report) and the audit row's. */
  caller: Caller;
  /** Located and prepared just before its group is written (null until then). */
  prepared: Preparation | null;
  outcome: ReportOutcome | null;
  error: unknown;
  resolve: ((o: ReportOutcome) => void) | null;
  reject: ((e: unknown) => void) | null;
}

type Preparation = { ok: true; value: Prepared } | { ok: false; reason: typeof INVALID_REPORT; errors: FieldError[] };

export interface BatchOutcome {
  created: number;
  replayed: number;
  failed: number;
  items: { index: number; id: number; caseNo: string; replayed: boolean }[];
  /** Refused rows, each with the reason (the route answers it as the reason's status) and its fields. */
  errors: { index: number; reason: RefusalReason; errors: FieldError[] }[];
}

const classifier = createClassifier();

/** A unique-key violation on the idempotency key: another writer stored the key first. */
function isKeyRace(err: unknown): boolean {
  return err instanceof Error && 'code' in err && err.code === 'SQLITE_CONSTRAINT_UNIQUE' && /idempotency_key/.test(err.message);
}

function refused(reason: RefusalReason, errors: FieldError[], detail?: string): DomainError {
  return refuse(reason, detail ?? `Invalid report: ${errors.map((e) => `${e.name || 'body'} ${e.detail}`).join('; ')}`, {
    fields: errors.map((e) => ({ in: 'body' as const, name: e.name, detail: e.detail })),
  });
}

export function createReportService(ctx: ServiceContext) {
  const { db, cmd } = ctx;

  // A batch (or a group) shares one report time: its due times repeat per category and its times repeat as text.
  // Each category's due time and warning instant (预警, stored so the escalation sweep never has to compute it).
  let dueFor = { at: NaN, byCategory: new Map<string, { due: number; warn: number }>() };
  function deadlines(category: Category, at: number): { due: number; warn: number } {
    if (dueFor.at !== at) dueFor = { at, byCategory: new Map() };
    let d = dueFor.byCategory.get(category.code);
    if (d === undefined) {
      const due = dueAtFor(category, at, ctx.calendar);
      const warn = warningAt(at, due, category.warningRatio, category.deadline.unit, ctx.calendar);
      dueFor.byCategory.set(category.code, (d = { due, warn }));
    }
    return d;
  }
  const isoTexts = new Map<number, string>();
  function iso(t: number): string {
    let text = isoTexts.get(t);
    if (text === undefined) {
      if (isoTexts.size >= 512) isoTexts.clear();
      isoTexts.set(t, (text = toIso(t)));
    }
    return text;
  }

  /** Locate, classify, tier/unit and due time: everything but the case number. */
  function prepare(
    input: ReportInput,
    at: number,
    located: LocatedBlocks | null = ctx.blocksAt(at),
  ): Preparation {
    if (!located) return { ok: false, reason: INVALID_REPORT, errors: [{ name: 'lon', detail: 'no boundary version is in force' }] };
    const i = located.locator.locate(input.lon, input.lat);
    if (i < 0) {
      const detail = 'the point lies outside the district';
      return { ok: false, reason: INVALID_REPORT, errors: [{ name: 'lon', detail }, { name: 'lat', detail }] };
    }
    let category: Category | undefined;
    let classified = false;
    if (input.category !== undefined) category = TAXONOMY.byCode.get(input.category);
    else {
      category = classifier.classify(input.text, input.kind)?.category;
      classified = true;
      if (!category) return { ok: false, reason: INVALID_REPORT, errors: [{ name: 'category', detail: 'the text matches no category; give a 4-digit category code' }] };
    }
    if (!category) return { ok: false, reason: INVALID_REPORT, errors: [{ name: 'category', detail: `no category ${input.category}` }] };
    const block = located.blocks[i];
    const { due, warn } = deadlines(category, at);
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
          due_at: due, satisfaction: null, rework_count: 0, extension_count: 0, escalated: 0,
          idempotency_key: input.idempotencyKey ?? null, case_no: '', warn_at: warn,
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
  function insert(p: Prepared, no: string, at: number, caller: Caller): number {
    return insertRows(p, no, at, false, caller).id;
  }

  function insertRows(p: Prepared, no: string, at: number, withLog: boolean, caller: Caller): { id: number; row: NewEvent; log: EventLogRow | null } {
    const row = p.row;
    row.case_no = no;
    const id = cmd.insertEvent(row);
    const [role, channelNote] = CHANNEL_LOG[row.channel as Channel];
    const note = p.classified ? `${channelNote}（自动分类：${p.category.name}）` : channelNote;
    const actorId = caller.principal?.staffId ?? null;
    const logId = cmd.insertLog({ event_id: id, at, actor_id: actorId, actor_role: role, from_status: null, to_status: 'reported', assignee_id: null, note });
    appendLiveMessage(db, 'event.created', {
      id, caseNo: no, status: 'reported', kind: row.kind, channel: row.channel, category: row.category_code, tier: row.tier,
      priority: row.priority, lon: row.lon, lat: row.lat, blockCode: row.block_code, subdistrictCode: row.subdistrict_code,
      reportedAt: iso(row.reported_at), dueAt: iso(row.due_at),
    }, at);
    const log: EventLogRow | null = withLog
      ? { id: logId, at, actor_id: actorId, actor_name: actorId === null ? null : cmd.staff(actorId)?.name ?? null, actor_role: role, from_status: null, to_status: 'reported', assignee_id: null, assignee_name: null, note }
      : null;
    if (withLog) {
      // One audit row per report (a batch writes one for all its rows).
      ctx.audit.record(caller, {
        action: 'event.report', target: `event:${id}`,
        after: { caseNo: no, category: row.category_code, channel: row.channel, kind: row.kind, block: row.block_code },
      }, at);
    }
    return { id, row, log };
  }

  /** The stored event as the detail query would read it back (no assignee yet, category name from the taxonomy). */
  function detailOf(id: number, row: NewEvent, category: Category, log: EventLogRow): { row: EventDetailRow; log: EventLogRow[] } {
    return {
      row: {
        id, case_no: row.case_no, kind: row.kind, channel: row.channel, category_code: row.category_code, category_name: category.name,
        status: 'reported', priority: row.priority, tier: row.tier, lon: row.lon, lat: row.lat, block_code: row.block_code,
        community_code: row.community_code, subdistrict_code: row.subdistrict_code, reported_at: row.reported_at, due_at: row.due_at,
        closed_at: null, assignee_id: null, assignee_name: null, text: row.text, reporter: row.reporter, filed_at: null,
        dispatched_at: null, accepted_at: null, arrived_at: null, resolved_at: null, evaluated_at: null, satisfaction: null,
        rework_count: 0, extension_count: 0, escalated: 0,
      },
      log: [log],
    };
  }

  /**
   * Inside the group's transaction: replays, refusals and inserts in order. With `savepoints`, each insert runs in
   * its own savepoint and an error fails only its report; without, the first error aborts (the caller retries).
   */
  function writeGroup(group: Pending[], savepoints: boolean): Map<string, number> {
    const seqs = new Map<string, number>(); // prefix → last sequence number used in this group
    for (const p of group) {
      p.outcome = null;
      p.error = undefined;
      const replay = replayOf(p.input);
      if (replay && !replay.ok) {
        p.error = refused(IDEMPOTENCY_CONFLICT, replay.errors, replay.errors[0].detail);
        continue;
      }
      if (replay) {
        p.outcome = { id: replay.id, replayed: true, proposal: null, classified: false, created: null };
        continue;
      }
      if (!p.prepared?.ok) {
        if (!p.prepared) throw new Error('report written before it was prepared');
        p.error = refused(p.prepared.reason, p.prepared.errors);
        continue;
      }
      const prepared = p.prepared.value;
      const prefix = caseNoPrefix(p.at, 'YH', ctx.calendar);
      const seq = (seqs.get(prefix) ?? ctx.caseSeqOf(prefix)) + 1;
      if (!savepoints) {
        p.outcome = writeOne(prepared, caseNo(prefix, seq), p.at, p.caller);
        seqs.set(prefix, seq);
        continue;
      }
      try {
        p.outcome = writeOneInSavepoint(prepared, caseNo(prefix, seq), p.at, p.caller);
        seqs.set(prefix, seq);
      } catch (err) {
        // Another process stored the same key between our check and insert: this report replays (or conflicts).
        const again = isKeyRace(err) ? replayOf(p.input) : null;
        if (again?.ok) p.outcome = { id: again.id, replayed: true, proposal: null, classified: false, created: null };
        else if (again) p.error = refused(IDEMPOTENCY_CONFLICT, again.errors, again.errors[0].detail);
        else p.error = err;
      }
    }
    return seqs;
  }

  function writeOne(prepared: Prepared, no: string, at: number, caller: Caller): ReportOutcome {
    const { id, row, log } = insertRows(prepared, no, at, true, caller);
    return { id, replayed: false, proposal: propose(prepared, at), classified: prepared.classified, created: detailOf(id, row, prepared.category, log!) };
  }
  const writeOneInSavepoint = db.transaction(writeOne);

  /** Fast path: the whole group in one transaction; on any error, again with a savepoint per report. */
  const groupTx = db.transaction(writeGroup);

  /** Writes a group and commits; afterwards every report has its outcome or its error. Throws if the commit fails. */
  function commitGroup(group: Pending[]): void {
    const located = ctx.blocksAt(group[0].at); // one version lookup per group, as per batch
    for (const p of group) p.prepared = prepare(p.input, p.at, located);
    let seqs: Map<string, number>;
    try {
      seqs = groupTx.immediate(group, false);
    } catch (err) {
      if (group.length === 1 && !isKeyRace(err)) throw err; // nothing to isolate: that report's own error
      seqs = groupTx.immediate(group, true);
    }
    let created = false;
    for (const [prefix, seq] of seqs) (ctx.caseSeqUsed(prefix, seq), (created = true));
    if (created) ctx.live?.notify();
  }

  let queue: Pending[] = [];
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    const group = queue;
    queue = [];
    if (group.length === 0) return;
    try {
      if (!db.open) throw new Error('the database is closed');
      commitGroup(group);
    } catch (err) {
      for (const p of group) p.reject!(err); // nothing of the group was committed
      return;
    }
    for (const p of group) {
      if (p.outcome) p.resolve!(p.outcome);
      else p.reject!(p.error);
    }
  }

  /** Checks a body and the header key, locates and prepares it: everything a report needs before its write. */
  function admit(body: unknown, headerKey: string | undefined, caller: Caller): Pending {
    const checked = checkReport(body);
    if (!checked.ok) throw refused(checked.reason, checked.errors);
    const input = checked.value;
    if (headerKey !== undefined) {
      if (input.idempotencyKey !== undefined && input.idempotencyKey !== headerKey) {
        throw refused(INVALID_PARAMETER, [{ name: 'idempotencyKey', detail: 'differs from the Idempotency-Key header' }]);
      }
      input.idempotencyKey = headerKey;
    }
    return { input, at: ctx.now(), caller, prepared: null, outcome: null, error: undefined, resolve: null, reject: null };
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
    /**
     * POST /api/events: one report, written with the others of this turn of the event loop in one transaction.
     * Resolves after the commit; rejects with a refusal for bad input or a reused key (nothing written for it).
     */
    submit(body: unknown, headerKey: string | undefined, caller: Caller): Promise<ReportOutcome> {
      const p = admit(body, headerKey, caller);
      return new Promise<ReportOutcome>((resolve, reject) => {
        p.resolve = resolve;
        p.reject = reject;
        queue.push(p);
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },

    /** One report written and committed at once (a group of one). Throws a refusal for bad input. */
    report(body: unknown, headerKey: string | undefined, caller: Caller): ReportOutcome {
      const p = admit(body, headerKey, caller);
      commitGroup([p]);
      if (!p.outcome) throw p.error;
      return p.outcome;
    },

    /** POST /api/events/batch: each row checked and inserted in one transaction; failed rows are listed. */
    batch(rows: readonly unknown[], caller: Caller): BatchOutcome {
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
            out.errors.push({ index, reason: checked.reason, errors: checked.errors });
            continue;
          }
          const replay = replayOf(checked.value);
          if (replay && !replay.ok) {
            out.errors.push({ index, reason: IDEMPOTENCY_CONFLICT, errors: replay.errors });
            continue;
          }
          if (replay) {
            out.items.push({ index, id: replay.id, caseNo: replay.caseNo, replayed: true });
            out.replayed++;
            continue;
          }
          const prepared = prepare(checked.value, at, located);
          if (!prepared.ok) {
            out.errors.push({ index, reason: prepared.reason, errors: prepared.errors });
            continue;
          }
          const no = caseNo(prefix, ++seq);
          const id = insert(prepared.value, no, at, caller);
          out.items.push({ index, id, caseNo: no, replayed: false });
          out.created++;
        }
        const made = out.items.filter((i) => !i.replayed);
        ctx.audit.record(caller, {
          action: 'event.batch', target: made.length ? `event:${made[0].id}` : '',
          after: { created: out.created, replayed: out.replayed, failed: out.errors.length, firstId: made[0]?.id ?? null, lastId: made.at(-1)?.id ?? null },
        }, at);
      }).immediate();
      if (out.created > 0) ctx.caseSeqUsed(prefix, seq);
      out.failed = out.errors.length;
      if (out.created > 0) ctx.live?.notify();
      return out;
    },
  };
}

export type ReportService = ReturnType<typeof createReportService>;
