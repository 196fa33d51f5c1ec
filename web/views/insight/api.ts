import { query } from '@solidjs/router';
import type { BlockInsight, InsightClusters, InsightEmerging, InsightHotspots, InsightRanking } from '../../../server/contract/insight';
import { api, ApiError } from '../../api/client';

/** The filter the view sends with every insight read (raw query values, as the API takes them). */
export interface InsightQuery {
  from?: string;
  category?: string;
  overdue?: 'true';
  normalise: 'count' | 'residents' | 'households';
  unit: 'block' | 'h3';
  res?: string;
}

async function ok<T>(res: Response): Promise<T> {
  if (!res.ok) {
    let detail = `${res.status} ${res.statusText}`;
    try {
      const p = (await res.clone().json()) as { title?: string; detail?: string };
      detail = [p.title, p.detail].filter(Boolean).join(': ') || detail;
    } catch {
      // not problem+json
    }
    throw new ApiError(res.status, res.url, detail);
  }
  return (await res.json()) as T;
}

const clean = (q: object): Record<string, string> =>
  Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined && v !== '')) as Record<string, string>;

/** The ranking and drill-down are per block: the map's unit and resolution do not apply to them. */
const blockFilter = ({ unit: _u, res: _r, ...rest }: InsightQuery) => clean(rest);

export const getInsightHotspots = query(
  async (q: InsightQuery): Promise<InsightHotspots> => ok(await api.api.insight.hotspots.$get({ query: clean(q) }) as unknown as Response),
  'insightHotspots',
);

export const getInsightEmerging = query(
  async (q: InsightQuery): Promise<InsightEmerging> =>
    ok(await api.api.insight.emerging.$get({ query: { ...blockFilter(q), steps: '12' } }) as unknown as Response),
  'insightEmerging',
);

export const getInsightRanking = query(
  async (q: InsightQuery): Promise<InsightRanking> =>
    ok(await api.api.insight.ranking.$get({ query: { ...blockFilter(q), limit: '30' } }) as unknown as Response),
  'insightRanking',
);

/** Clusters of the cases overdue now (the overdue filter is implied; normalisation does not apply). */
export const getInsightClusters = query(async (q: InsightQuery): Promise<InsightClusters> => {
  const { overdue: _o, normalise: _n, ...rest } = blockFilter(q) as Record<string, string>;
  return ok(await api.api.insight.clusters.$get({ query: rest }) as unknown as Response);
}, 'insightClusters');

export const getBlockInsight = query(
  async (code: string, q: InsightQuery): Promise<BlockInsight> =>
    ok(await api.api.insight.blocks[':code'].$get({ param: { code }, query: blockFilter(q) }) as unknown as Response),
  'insightBlock',
);

/** The CSV export's address for the same filter (a plain link: the browser downloads it). */
export function rankingCsvUrl(q: InsightQuery, lang: string): string {
  return `/api/insight/ranking.csv?${new URLSearchParams({ ...blockFilter(q), lang })}`;
}
