/**
 * GET /api/insight/*: the leaders' analyses. Every endpoint takes the same filter —
 *   from, to         window on the report time (ISO date or date-time; default the last 365 days)
 *   category         2-digit major or 4-digit minor category
 *   kind, channel, status   comma lists
 *   overdue          true: only cases that ran past their deadline
 *   unit, res        block (default) or h3 with resolution 7–9 (default 8)   [hotspots, emerging]
 *   normalise        count (default), residents (per 1,000) or households (per 1,000)
 *   fdr              true (default) / false: Benjamini–Hochberg before binning
 * and its own options: emerging step=month|week & steps=6–36; clusters eps (m) & minPoints; ranking limit & lang
 * (CSV headers). Routes validate and present; the service computes.
 */
import { permit } from '../http/auth.ts';
import { Hono } from 'hono';
import { H3_RESOLUTIONS, INSIGHT_NORMALISATIONS, INSIGHT_UNITS } from '../contract/insight.ts';
import { STATUSES } from '../contract/statuses.ts';
import { CHANNELS, KINDS } from '../domain/report-input.ts';
import { invalidParam } from '../http/problem.ts';
import { parseCode, parseEnum, parseEnumList, parseIntInRange, parseIsoDate, queryValidator } from '../http/validate.ts';
import { createInsightService, rankingCsv, type InsightParams } from '../services/insight.ts';
import type { Db } from '../db/database.ts';

const DAY = 86_400_000;
const FILTER = ['from', 'to', 'category', 'kind', 'channel', 'status', 'overdue', 'normalise', 'fdr'] as const;
const SPATIAL = [...FILTER, 'unit', 'res'] as const;

type Raw = Partial<Record<(typeof SPATIAL)[number], string>>;

function parseBool(name: string, raw: string): boolean {
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw invalidParam(name, `must be true or false, got ${JSON.stringify(raw.slice(0, 20))}`);
}

function parseFilter(raw: Raw, now: number): InsightParams {
  const to = raw.to === undefined ? now : parseIsoDate('to', raw.to, { endOfDay: true });
  const from = raw.from === undefined ? to - 365 * DAY : parseIsoDate('from', raw.from);
  if (!(from < to)) throw invalidParam(raw.from === undefined ? 'to' : 'from', 'the window is empty: from must be before to');
  if (to - from > 3660 * DAY) throw invalidParam('from', 'the window may span at most 10 years');
  const unit = raw.unit === undefined ? 'block' : parseEnum('unit', raw.unit, INSIGHT_UNITS);
  const resolutions = H3_RESOLUTIONS as readonly number[];
  const res = raw.res === undefined ? 8 : parseIntInRange('res', raw.res, resolutions[0], resolutions[resolutions.length - 1]);
  if (raw.res !== undefined && unit !== 'h3') throw invalidParam('res', 'applies to unit=h3 only');
  return {
    from,
    to,
    category: raw.category === undefined ? undefined : parseCode('category', raw.category, [2, 4]),
    kinds: raw.kind === undefined ? undefined : parseEnumList('kind', raw.kind, KINDS),
    channels: raw.channel === undefined ? undefined : parseEnumList('channel', raw.channel, CHANNELS),
    statuses: raw.status === undefined ? undefined : parseEnumList('status', raw.status, STATUSES),
    overdue: raw.overdue === undefined ? false : parseBool('overdue', raw.overdue),
    unit,
    res,
    normalise: raw.normalise === undefined ? 'count' : parseEnum('normalise', raw.normalise, INSIGHT_NORMALISATIONS),
    fdr: raw.fdr === undefined ? true : parseBool('fdr', raw.fdr),
  };
}

export function insightRoutes({ db, now }: { db: Db; now: () => number }) {
  const service = createInsightService({ db, now });
  const noCache = { 'Cache-Control': 'no-cache' };
  return new Hono()
    .get(
      '/hotspots', permit('insight:read'),
      queryValidator(SPATIAL, (raw) => parseFilter(raw, now())),
      (c) => c.json(service.hotspots(c.req.valid('query')), 200, noCache),
    )
    .get(
      '/emerging', permit('insight:read'),
      queryValidator([...SPATIAL, 'step', 'steps'] as const, (raw) => ({
        filter: parseFilter(raw, now()),
        step: raw.step === undefined ? ('month' as const) : parseEnum('step', raw.step, ['month', 'week'] as const),
        steps: raw.steps === undefined ? 12 : parseIntInRange('steps', raw.steps, 6, 36),
      })),
      (c) => {
        const { filter, step, steps } = c.req.valid('query');
        return c.json(service.emerging(filter, step, steps), 200, noCache);
      },
    )
    .get(
      '/clusters', permit('insight:read'),
      queryValidator([...FILTER, 'eps', 'minPoints'] as const, (raw) => ({
        filter: parseFilter(raw, now()),
        eps: raw.eps === undefined ? 250 : parseIntInRange('eps', raw.eps, 20, 5000),
        minPoints: raw.minPoints === undefined ? 4 : parseIntInRange('minPoints', raw.minPoints, 2, 1000),
      })),
      (c) => {
        const { filter, eps, minPoints } = c.req.valid('query');
        return c.json(service.clusters(filter, eps, minPoints), 200, noCache);
      },
    )
    .get(
      '/ranking', permit('insight:read'),
      queryValidator([...FILTER, 'limit'] as const, (raw) => ({
        filter: parseFilter(raw, now()),
        limit: raw.limit === undefined ? 50 : parseIntInRange('limit', raw.limit, 1, 20_000),
      })),
      (c) => {
        const { filter, limit } = c.req.valid('query');
        return c.json(service.ranking(filter, limit), 200, noCache);
      },
    )
    .get(
      '/ranking.csv', permit('insight:read'),
      queryValidator([...FILTER, 'limit', 'lang'] as const, (raw) => ({
        filter: parseFilter(raw, now()),
        limit: raw.limit === undefined ? 20_000 : parseIntInRange('limit', raw.limit, 1, 20_000),
        lang: raw.lang === undefined ? ('zh-CN' as const) : parseEnum('lang', raw.lang, ['zh-CN', 'en'] as const),
      })),
      (c) => {
        const { filter, limit, lang } = c.req.valid('query');
        const csv = rankingCsv(service.ranking(filter, limit), lang);
        return c.body(csv, 200, {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': `attachment; filename="insight-ranking.csv"`,
          'Cache-Control': 'no-cache',
        });
      },
    )
    .get(
      '/blocks/:code', permit('insight:read'),
      queryValidator(FILTER, (raw) => parseFilter(raw, now())),
      (c) => {
        const code = parseCode('code', c.req.param('code'), 15, 'path');
        return c.json(service.block(code, c.req.valid('query')), 200, noCache);
      },
    );
}
