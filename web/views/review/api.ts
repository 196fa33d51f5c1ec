import { api, ApiError } from '../../api/client';
import type { EventDetail } from '../../../server/contract/api';
import type { ReviewIndicators, ReviewRankings, ReviewReplay, ReviewSurvival } from '../../../server/contract/review';

/** The review's filter as the page holds it: every value a query-string value ('' = not set). */
export interface ReviewQuery {
  from: string;
  to: string;
  subdistrict: string;
  category: string;
  channel: string;
  kind: string;
  priority: string;
  centre: string;
  department: string;
}

export const EMPTY_QUERY: ReviewQuery = {
  from: '', to: '', subdistrict: '', category: '', channel: '', kind: '', priority: '', centre: '', department: '',
};

/** The set values only. */
export function queryParams(q: Partial<ReviewQuery>): Record<string, string> {
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== '' && v !== undefined)) as Record<string, string>;
}

async function body<T>(res: Response): Promise<T> {
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      const p = (await res.json()) as { detail?: string };
      message = p.detail ?? message;
    } catch {
      // not problem+json
    }
    throw new ApiError(res.status, res.url, message);
  }
  return (await res.json()) as T;
}

// The routes' validators declare the parsed filter as their input, so the raw strings are cast (as in api/client.ts).
export const getIndicators = async (q: ReviewQuery): Promise<ReviewIndicators> =>
  body(await api.api.review.indicators.$get({ query: queryParams(q) as never }) as unknown as Response);

export const getSurvival = async (q: ReviewQuery, by: string): Promise<ReviewSurvival> =>
  body(await api.api.review.survival.$get({ query: { ...queryParams(q), by } as never }) as unknown as Response);

export const getRankings = async (q: Partial<ReviewQuery>, month: string, by: string): Promise<ReviewRankings> => {
  const { from: _f, to: _t, ...rest } = q;
  return body(await api.api.review.rankings.$get({ query: { ...queryParams(rest), month, by } as never }) as unknown as Response);
};

export const getReplay = async (day: string): Promise<ReviewReplay> =>
  body(await api.api.review.replay.$get({ query: { day } as never }) as unknown as Response);

/** Link of a table's CSV export. */
export function csvHref(path: 'indicators' | 'survival' | 'rankings', params: Record<string, string>): string {
  return `/api/review/${path}?${new URLSearchParams({ ...params, format: 'csv' })}`;
}

export const getCase = async (id: number): Promise<EventDetail> =>
  body(await api.api.events[':id'].$get({ param: { id: String(id) } } as never) as unknown as Response);
