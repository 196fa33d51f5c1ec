/**
 * The demo event history: N events from the reform's start (2022-01-01, Asia/Shanghai) up to `now`, streamed day by
 * day into SQLite in batched transactions, so memory stays bounded at any N. The result depends only on
 * (seed, now, N): each day is generated from its own seeded stream.
 *
 * - When (history-rhythm.ts): exact per-day counts by growth × weekday × season, a daily rhythm within the day.
 * - What (history-mix.ts): kind, channel and fate, hitting the last 12 months' targets exactly.
 * - Where (history-places.ts): a building drawn by residents or from a planted hotspot, a point inside its parcel.
 * - Which category (category-picker.ts): by kind, season, weekend and night; hotspots keep their own categories.
 * - How it went (history-timeline.ts): the case's log rows through the loop, cut at now.
 */
import type { Db } from '../database.ts';
import type { GeneratedDistrict } from '../../geo/gen/types.ts';
import { warningAt } from '../../domain/escalation.ts';
import { isOpenStatus } from '../../domain/lifecycle.ts';
import { createRng } from '../../domain/prng.ts';
import { TAXONOMY, type Category, type Taxonomy } from '../../contract/taxonomy.ts';
import { localDayOf } from '../../domain/working-time.ts';
import { CategoryPicker } from './category-picker.ts';
import { CATEGORY_PROFILES } from './category-profiles.ts';
import { lastYearQuotas, lastYearStart, ReportMix } from './history-mix.ts';
import { pointInParcel, preparePlaces } from './history-places.ts';
import { countBetween, DAY, dayTimes, HOUR, mix as mixSeed, planDays, ramp } from './history-rhythm.ts';
import type { Status } from '../../contract/statuses.ts';
import { caseTimeline, STATUS_RANK } from './history-timeline.ts';
import { randomSurname } from './names.ts';
import type { StaffDirectory, UnitStaff } from './staff.ts';
import { BASELINE_EFFECTIVE_FROM, BASELINE_VERSION_ID } from './write-geodata.ts';

export interface HistoryOptions {
  now: number;
  events: number;
  seed: number;
  /** Defaults to the baseline boundary version's effective time (2022-01-01T00:00+08:00). */
  start?: number;
  /** Events per transaction (default 50,000). */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface HistorySummary {
  events: number;
  logRows: number;
  lastYear: { from: number; events: number; consultation: number; demandsResolved: number; suggestions: number };
}

export function writeEventHistory(
  db: Db,
  d: GeneratedDistrict,
  staff: StaffDirectory,
  options: HistoryOptions,
  taxonomy: Taxonomy = TAXONOMY,
): HistorySummary {
  const { now, seed } = options;
  const total = Math.max(0, Math.floor(options.events));
  const start = options.start ?? BASELINE_EFFECTIVE_FROM;
  const batchSize = Math.max(1, options.batchSize ?? 50_000);
  if (!(now > start + HOUR)) throw new Error(`now (${new Date(now).toISOString()}) must be after the history start`);
  const summary: HistorySummary = {
    events: 0,
    logRows: 0,
    lastYear: { from: lastYearStart(now), events: 0, consultation: 0, demandsResolved: 0, suggestions: 0 },
  };
  if (total === 0) return summary;

  const places = preparePlaces(d, taxonomy);
  const picker = new CategoryPicker(taxonomy);
  const blocks = new Map(d.blocks.map((b) => [b.code, b]));
  const communities = new Map(d.communities.map((c) => [c.code, c]));
  const plans = planDays(start, now, total);

  // The exact last-12-month figures.
  const windowStart = Math.max(start, lastYearStart(now));
  const mix = new ReportMix(
    windowStart, now, countBetween(plans, windowStart, now + 1, seed, start, now),
    countBetween(plans, windowStart, now - 48 * HOUR, seed, start, now), lastYearQuotas(total),
  );

  // Statements.
  const insertEvent = db.prepare(
    `INSERT INTO events (id, case_no, kind, channel, category_code, priority, status, tier, text, lon, lat, version_id,
       block_code, community_code, subdistrict_code, reporter, assignee_id, unit_id, reported_at, filed_at, dispatched_at,
       accepted_at, arrived_at, resolved_at, closed_at, evaluated_at, due_at, satisfaction, rework_count,
       extension_count, escalated, idempotency_key, warn_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)`,
  );
  const insertLog = db.prepare(
    `INSERT INTO event_log (id, event_id, at, actor_id, actor_role, from_status, to_status, assignee_id, note)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );

  // Large histories load faster without the secondary indexes; they are rebuilt once at the end.
  const deferred =
    total >= 200_000
      ? (db
          .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('events', 'event_log') AND sql IS NOT NULL")
          .all() as { name: string; sql: string }[])
      : [];
  for (const ix of deferred) db.exec(`DROP INDEX ${ix.name}`);
  const rebuildIndexes = (): void => {
    for (const ix of deferred) db.exec(ix.sql);
    deferred.length = 0;
  };

  let eventId = 0;
  let logId = 0;
  let inBatch = 0;
  db.exec('BEGIN');
  try {
    for (const plan of plans) {
      if (plan.count === 0) continue;
      const times = dayTimes(plan, seed, start, now);
      const rng = createRng(mixSeed(seed, plan.dayNumber, 0xe7));
      const ld = localDayOf(plan.dayNumber);
      const datePart = ld.iso.replaceAll('-', '');
      const weekend = ld.weekday === 0 || ld.weekday === 6;
      for (let seq = 0; seq < times.length; seq++) {
        const t0 = times[seq];
        const r = ramp(t0, start);
        const localHour = Math.floor(((t0 + 8 * HOUR) % DAY) / HOUR);
        const night = localHour >= 20 || localHour < 6;

        const drawn = mix.draw(rng, t0, r);
        const { kind, fate, inWindow } = drawn;
        let channel = drawn.channel;

        // Place and category.
        const source = places.sources.pickIndex(rng);
        const hotspot = source > 0 ? places.hotspots[source - 1] : null;
        const bi = hotspot ? hotspot.buildings[hotspot.table.pickIndex(rng)] : places.population.pickIndex(rng);
        const [lon, lat] = pointInParcel(places, bi, rng);
        const blockCode = places.blockCode[bi];
        const block = blocks.get(blockCode)!;
        const community = communities.get(block.communityCode)!;
        let category: Category;
        if (hotspot && kind !== 'suggestion' && hotspot.categories.length > 0 && rng.chance(0.85)) {
          category = rng.pick(hotspot.categories);
        } else category = picker.pick(rng, kind, ld.month, weekend, night);
        if (kind === 'incident' && category.majorCode === '05' && channel === 'patrol' && rng.chance(0.5)) channel = 'hotline';

        const major = category.majorCode;
        const urgent =
          major === '05' ? rng.chance(0.85) : major === '09' ? rng.chance(0.2) : category.code === '0702' ? rng.chance(0.3) : rng.chance(0.03);

        // Text and reporter.
        const road = places.roadName[bi];
        const placeOptions = [`${community.name}${places.ordinal[bi]}栋`];
        if (road) placeOptions.push(road, `${community.name}${road}段`);
        const place = rng.pick(placeOptions);
        const profile = CATEGORY_PROFILES[category.code];
        const text = profile ? rng.pick(profile.texts).replace('{p}', place) : `${place}${category.name}`;

        // Who handles it.
        const team = staff.blockTeams.get(blockCode)!;
        const guidance = staff.centres.get(block.subdistrictCode)!.get('guidance')!;
        let unit: UnitStaff | null = null;
        let closer: number;
        let closerRole: string;
        if (category.tier === 'centre') {
          unit = staff.centres.get(block.subdistrictCode)!.get(category.unitKey as never)!;
          closer = unit.inspector!;
          closerRole = 'centre-inspector';
        } else if (category.tier === 'department') {
          unit = staff.departments.get(block.subdistrictCode)!.get(category.unitKey as never)!;
          closer = guidance.inspector!;
          closerRole = 'centre-inspector';
        } else {
          closer = team.supervisor;
          closerRole = 'supervisor';
        }
        const dispatcher = rng.pick(guidance.handlers);
        const pickHandler = (exclude: number | null): [number, string] => {
          if (unit) {
            const pool = unit.handlers.filter((h) => h !== exclude && h !== dispatcher);
            const list = pool.length > 0 ? pool : unit.handlers;
            return [rng.pick(list), category.tier === 'centre' ? 'centre-staff' : 'officer'];
          }
          const pool = [team.governor, ...team.assistants].filter((h) => h !== exclude);
          const gov = pool.includes(team.governor) && rng.chance(0.45);
          return gov ? [team.governor, 'governor'] : [rng.pick(pool.filter((h) => h !== team.governor)), 'assistant'];
        };

        let reporterText: string;
        let reporterId: number | null = null;
        let reporterRole = 'resident';
        if (channel === 'patrol') {
          const id = rng.chance(0.4) ? team.governor : rng.pick(team.assistants);
          reporterId = id;
          reporterRole = id === team.governor ? 'governor' : 'assistant';
          reporterText = staff.names.get(id)!;
        } else if (channel === 'consultation') {
          reporterText = `民情恳谈会（${community.name}）`;
          reporterRole = 'consultation';
        } else {
          reporterText = `${randomSurname(rng)}${rng.chance(0.5) ? '女士' : '先生'}`;
          if (channel === 'hotline') reporterRole = 'hotline';
        }

        const life = caseTimeline({
          rng, t0, now, r, night, kind, channel, fate, urgent, hotspot: hotspot !== null, category, reporterId, reporterRole,
          dispatcher, closer, closerRole, pickHandler,
        });
        const { steps, kept, status, rank, due } = life;

        eventId++;
        const caseNo = `YH${datePart}${String(seq + 1).padStart(5, '0')}`;
        insertEvent.run(
          eventId, caseNo, kind, channel, category.code, urgent ? 'urgent' : 'normal', status, category.tier, text,
          lon, lat, BASELINE_VERSION_ID, blockCode, block.communityCode, block.subdistrictCode, reporterText,
          life.assignee, unit ? unit.unitId : null, t0, life.filedAt, life.at('dispatched'), life.at('accepted'),
          life.at('arrived'), life.at('resolved'), life.at('closed'), life.at('evaluated'), due, life.satisfaction,
          life.reworks, life.extensions, life.escalated,
          // The warning instant the escalation sweep reads, for the cases still open.
          isOpenStatus(status) ? warningAt(t0, due, category.warningRatio, category.deadline.unit) : null,
        );
        let from: Status | null = null;
        for (let k = 0; k < kept; k++) {
          const s = steps[k];
          const fromStatus: Status | null = s.side ? s.to : from;
          insertLog.run(++logId, eventId, s.at, s.actor, s.role, fromStatus, s.to, s.assignee, s.note);
          if (!s.side) from = s.to;
        }
        summary.logRows += kept;

        if (inWindow) {
          summary.lastYear.events++;
          if (channel === 'consultation') summary.lastYear.consultation++;
          if (kind === 'suggestion') summary.lastYear.suggestions++;
          if (kind === 'demand' && rank >= STATUS_RANK.resolved && status !== 'rejected') summary.lastYear.demandsResolved++;
        }

        if (eventId % 10_000 === 0) options.onProgress?.(eventId, total);
        if (++inBatch >= batchSize) {
          db.exec('COMMIT');
          db.exec('BEGIN');
          inBatch = 0;
        }
      }
    }
    db.exec('COMMIT');
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    rebuildIndexes();
    throw err;
  }
  rebuildIndexes();
  options.onProgress?.(eventId, total);
  summary.events = eventId;
  return summary;
}
