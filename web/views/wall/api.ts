import type {
  AnyCollection, Areas, BlockCollection, DispatchRoute, DueList, EventPage, EventSummary, HotspotItem as Hotspot,
  HotspotResponse as HotspotAnswer, Kpi, StaffItem,
} from '../../../server/contract/api';

/**
 * The wall's reads. Every request carries the display token (when the link has one) as `Authorization: Bearer`,
 * so a server that enforces display tokens needs nothing else from the screen. Plain fetch rather than the typed
 * client: the header goes on every call, including the binary event window and the live stream.
 */
let token: string | null = null;
export function setDisplayToken(value: string | null): void {
  token = value;
}
export function authHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
}

export class WallApiError extends Error {
  constructor(readonly status: number, url: string) {
    super(`${url} → ${status}`);
  }
}

export async function fetchOk(url: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, { ...init, headers: authHeaders((init.headers as Record<string, string>) ?? {}) });
  if (!res.ok) throw new WallApiError(res.status, url);
  return res;
}

export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  return (await (await fetchOk(url, { signal })).json()) as T;
}

export type { Hotspot, HotspotAnswer };

export const wallApi = {
  kpi: () => getJson<Kpi>('/api/kpi'),
  blocks: () => getJson<BlockCollection>('/api/blocks'),
  areas: () => getJson<Areas>('/api/areas'),
  layer: (name: string) => getJson<AnyCollection>(`/api/layers/${name}`),
  recent: (limit: number) => getJson<EventPage>(`/api/events?limit=${limit}`).then((p) => p.items),
  /** Every open case (pages of 5,000) with its due time. */
  async open(): Promise<EventSummary[]> {
    const out: EventSummary[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 20; page++) {
      const page_: EventPage = await getJson<EventPage>(`/api/events?status=open&limit=5000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      out.push(...page_.items);
      cursor = page_.nextCursor;
      if (!cursor) break;
    }
    return out;
  },
  due: () => getJson<DueList>('/api/events/overdue?include=warning&limit=5000').then((r) => r.items),
  /** Active dispatch routes; an empty list while the server has no such endpoint. */
  routes: () =>
    getJson<{ items: DispatchRoute[] }>('/api/routes/active').then(
      (r) => r.items,
      (err: unknown) => {
        if (err instanceof WallApiError && err.status === 404) return [] as DispatchRoute[];
        throw err;
      },
    ),
  hotspots: (days: number) => getJson<HotspotAnswer>(`/api/hotspots?measure=late&days=${days}`),
  staff: () =>
    getJson<{ items: StaffItem[] }>('/api/staff?limit=5000').then((r) => r.items.filter((s) => s.position !== null)),
};
