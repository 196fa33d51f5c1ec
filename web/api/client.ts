import { query } from '@solidjs/router';
import { hc, type ClientResponse } from 'hono/client';
import type { AppType } from '../../server/app';
import type {
  Areas,
  BasemapLayers,
  AnyCollection,
  BlockCollection,
  BlockDetail,
  EventPage,
  EventSummary,
  Health,
  LayerName,
} from '../../server/contract/api';
import { LAYER_NAMES } from '../../server/contract/api';
import { csrfHeaders } from './session';

/** Same-origin typed client: only the server's types are imported, never its code. Writes carry the CSRF token. */
export const api = hc<AppType>('/', { headers: () => csrfHeaders() });

/** An API failure carrying the RFC 9457 problem's title/detail when the server sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function ok(res: Response): Promise<Response> {
  if (res.ok) return res;
  let message = `${res.status} ${res.statusText}`;
  try {
    const problem = (await res.clone().json()) as { title?: string; detail?: string };
    message = [problem.title, problem.detail].filter(Boolean).join(': ') || message;
  } catch {
    // Not problem+json: keep the status line.
  }
  throw new ApiError(res.status, res.url, `${message} (${res.url})`);
}

/** The body of a successful response, typed by the server's route (so server/web drift is a type error here). */
async function json<T>(res: ClientResponse<T>): Promise<T> {
  await ok(res as unknown as Response);
  return (await res.json()) as T;
}

/** GeoJSON bodies are served pre-serialised (cached text), so the route carries no body type: the contract is ours. */
async function geojson<T>(res: ClientResponse<unknown>): Promise<T> {
  await ok(res as unknown as Response);
  return (await res.json()) as T;
}

export const getHealth = query(async (): Promise<Health> => json(await api.api.health.$get({ query: {} })), 'health');

export const getAreas = query(async (): Promise<Areas> => json(await api.api.areas.$get({ query: {} })), 'areas');

export const getBlocks = query(async (): Promise<BlockCollection> => geojson(await api.api.blocks.$get({ query: {} })), 'blocks');

export const getBlock = query(
  async (code: string): Promise<BlockDetail> => json(await api.api.blocks[':code'].$get({ param: { code }, query: {} })),
  'block',
);

export const getLayer = query(
  async (name: LayerName): Promise<AnyCollection> => geojson(await api.api.layers[':name'].$get({ param: { name }, query: {} })),
  'layer',
);

/** All basemap layers at once (they are small and the style needs every one). */
export const getBasemapLayers = query(async (): Promise<BasemapLayers> => {
  const collections = await Promise.all(LAYER_NAMES.map((name) => getLayer(name)));
  return Object.fromEntries(LAYER_NAMES.map((name, i) => [name, collections[i]])) as BasemapLayers;
}, 'basemapLayers');

export interface EventQuery {
  status?: string;
  from?: string;
  to?: string;
  category?: string;
  block?: string;
  bbox?: string;
  limit?: number;
}

/** Every page of an event query, following `nextCursor` until the server says there is no more. */
export const getAllEvents = query(async (q: EventQuery): Promise<EventSummary[]> => {
  const items: EventSummary[] = [];
  let cursor: string | null = null;
  do {
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries(q)) if (value !== undefined) params[key] = String(value);
    if (cursor) params.cursor = cursor;
    // The server's query validator declares its parsed filter as the input type, so the raw strings are cast here.
    const page: EventPage = await json(await api.api.events.$get({ query: params as never }));
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}, 'events');
