/** Reads and writes of /api/plans for the planning view; shapes from the contract (server/contract/plan.ts). */
import type {
  PlanBuildingsOut, PlanDiffOut, PlanMetricsOut, PlanReplayOut, PlanStep, PlanSummary, Validation,
} from '../../../server/contract/plan';
import { ApiError } from '../../api/client';
import { csrfHeaders } from '../../api/session';

/** Block outlines keyed by code, whatever else their features carry. */
export interface BlockShapes<P extends { code: string } = { code: string }> {
  type: 'FeatureCollection';
  features: { type: 'Feature'; id: string; geometry: GeoJSON.Polygon | GeoJSON.MultiPolygon; properties: P }[];
}

export type PlanFeatureCollection = BlockShapes<import('../../../server/contract/plan').BlockMetrics>;

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, init);
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

const send = <T>(path: string, body: unknown, method = 'POST') =>
  call<T>(path, { method, headers: { 'Content-Type': 'application/json', ...csrfHeaders() }, body: JSON.stringify(body) });

export const listPlans = () => call<{ plans: PlanSummary[] }>('/api/plans').then((r) => r.plans);
export const createPlan = (name: string) => send<PlanSummary>('/api/plans', { name, description: '' });
export const getPlan = (id: number) => call<PlanSummary>(`/api/plans/${id}`);
export const getPlanBlocks = (id: number) => call<PlanFeatureCollection>(`/api/plans/${id}/blocks`);
export const getPlanBuildings = (id: number) => call<PlanBuildingsOut>(`/api/plans/${id}/buildings`);
export const getValidation = (id: number) => call<Validation>(`/api/plans/${id}/validation`);
export const getPlanMetrics = (id: number) => call<PlanMetricsOut>(`/api/plans/${id}/metrics`);
export const getReplay = (id: number, months: number) => call<PlanReplayOut>(`/api/plans/${id}/replay?months=${months}`);
export const getDiff = (id: number) => call<PlanDiffOut>(`/api/plans/${id}/diff`);
export const editPlan = (id: number, body: Record<string, unknown>) => send<PlanStep>(`/api/plans/${id}/edits`, body);
export const stepPlan = (id: number, direction: 'undo' | 'redo', revision: number) => send<PlanStep>(`/api/plans/${id}/${direction}`, { revision });
export const publishPlan = (id: number, body: Record<string, unknown>) =>
  send<{ versionId: number; blocks: number; relocatedEvents: number }>(`/api/plans/${id}/publish`, body);
export const importPlan = (name: string, geojson: unknown) =>
  send<{ plan: PlanSummary; unmatched: unknown[] }>('/api/plans/import', { name, geojson });
export const exportUrl = (id: number) => `/api/plans/${id}/export`;
