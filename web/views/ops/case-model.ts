import { createEffect, createMemo, createResource, createSignal, on, type Accessor } from 'solid-js';
import { getBlock } from '../../api/client';
import type { LonLat } from '../../../server/contract/api';
import { t } from '../../i18n';
import type { OpsCandidatePoint, OpsRoute } from '../../map/ops-layers';
import {
  fetchActiveRoutes, fetchCandidates, fetchEvent, postDispatch, postTransition, WriteRefused,
  type Candidates, type DispatchedRoute, type EventDetail, type TransitionInput,
} from './api';
import { IN_PROGRESS_STATUSES } from '../../../server/contract/statuses';
import { dispatcherTransitions } from './state';

/** The recommendation is for cases waiting to be dispatched (the server answers 409 otherwise). */
const OPEN_FOR_CANDIDATES = ['filed'];

export interface Actor {
  id: number;
  subdistrict: string;
}

/**
 * Everything about the open case that the panel and the map share: its detail (with the log), the candidates,
 * the route sent with the dispatch, and the writes. Refreshed by the view when the live stream reports a change.
 */
export function createCaseModel(id: Accessor<number | null>, actor: Accessor<Actor | null>) {
  const [detailError, setDetailError] = createSignal<string | null>(null);
  const [detail, { refetch: refetchDetail, mutate: setDetail }] = createResource(id, async (eventId): Promise<EventDetail | undefined> => {
    try {
      const out = await fetchEvent(eventId);
      setDetailError(null);
      return out;
    } catch (err) {
      setDetailError(err instanceof Error ? err.message : String(err));
      return undefined;
    }
  });
  const status = () => detail.latest?.status ?? null;

  const candidateKey = createMemo(() => {
    const d = detail.latest;
    const eventId = id();
    if (!d || eventId === null || Number(d.id) !== eventId || !OPEN_FOR_CANDIDATES.includes(d.status)) return null;
    return `${eventId}:${d.status}:${d.tier}`;
  });
  const [candidateError, setCandidateError] = createSignal<string | null>(null);
  // Failures are kept as text (shown in the list), not thrown: the rest of the panel stays usable.
  const [candidates, { refetch: refetchCandidates }] = createResource(candidateKey, async (key): Promise<Candidates | undefined> => {
    try {
      const out = await fetchCandidates(Number(key.split(':')[0]), 10);
      setCandidateError(null);
      return out;
    } catch (err) {
      setCandidateError(err instanceof Error ? err.message : String(err));
      return undefined;
    }
  });

  const [block] = createResource(
    () => detail.latest?.blockCode ?? null,
    async (code): Promise<GeoJSON.Feature | null> => {
      try {
        const b = await getBlock(code);
        return { type: 'Feature', geometry: b.geometry, properties: { code: b.code } };
      } catch {
        return null; // the outline is a help, not a need
      }
    },
  );

  const [sent, setSent] = createSignal<DispatchedRoute | null>(null);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [notice, setNotice] = createSignal<string | null>(null);
  /** The transitions the server listed in its last refusal (cleared when the case changes). */
  const [serverAllowed, setServerAllowed] = createSignal<string[] | null>(null);

  createEffect(
    on(id, () => {
      setSent(null);
      setError(null);
      setNotice(null);
      setServerAllowed(null);
    }),
  );

  // A case already dispatched: its route, if one is active.
  createEffect(
    on(
      () => [id(), status()] as const,
      ([eventId, s]) => {
        if (eventId === null || !s || !(IN_PROGRESS_STATUSES as readonly string[]).includes(s) || sent()) return;
        fetchActiveRoutes()
          .then(({ items }) => {
            const mine = items.filter((r) => r.eventId === eventId).pop();
            if (mine && id() === eventId) setSent(mine);
          })
          .catch(() => undefined); // no route is fine: the case may have been dispatched without one
      },
    ),
  );

  const isDispatcher = createMemo(() => {
    const d = detail.latest;
    const a = actor();
    return !!d && !!a && d.subdistrictCode === a.subdistrict;
  });

  const allowed = createMemo(() => {
    const d = detail.latest;
    if (!d || !isDispatcher()) return [];
    return serverAllowed() ?? dispatcherTransitions(d);
  });

  const fail = (err: unknown) => {
    if (err instanceof WriteRefused && err.allowed) setServerAllowed(err.allowed);
    setError(err instanceof Error ? err.message : String(err));
  };

  async function transition(input: TransitionInput): Promise<boolean> {
    const a = actor();
    const eventId = id();
    if (!a || eventId === null || busy()) return false;
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const next = await postTransition(eventId, input);
      if (id() === eventId) {
        setDetail(next);
        setServerAllowed(null);
        const action = input.result ? `ops.tr.revisit-${input.result}` : `ops.tr.${input.to}`;
        setNotice(t('ops.case.done', { action: t(action as never) ?? input.to }));
      }
      return true;
    } catch (err) {
      fail(err);
      return false;
    } finally {
      setBusy(false);
    }
  }

  /** Dispatch to `assignee`, or to the server's top candidate when omitted. */
  async function dispatch(assignee?: number, reason?: string): Promise<boolean> {
    const a = actor();
    const eventId = id();
    if (!a || eventId === null || busy()) return false;
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const body: { assignee?: number; reason?: string } = {};
      if (assignee !== undefined) body.assignee = assignee;
      if (reason && reason.trim()) body.reason = reason.trim();
      const out = await postDispatch(eventId, body);
      if (id() === eventId) {
        setDetail(out.event);
        setServerAllowed(null);
        if (out.route) setSent(out.route);
        const who = out.route?.staffName ?? out.event.assignee?.name ?? '';
        setNotice(t('ops.case.dispatched', { name: who }));
      }
      return true;
    } catch (err) {
      fail(err);
      return false;
    } finally {
      setBusy(false);
    }
  }

  const topCandidate = () => ranking()?.items[0]?.staff.id;

  const casePoint = createMemo<LonLat | null>(() => {
    const d = detail.latest;
    return d && Number(d.id) === id() ? [d.lon, d.lat] : null;
  });

  /** The ranking, while it applies: for the open case, while it waits to be dispatched. */
  const ranking = createMemo(() => {
    const c = candidates.latest;
    return c && c.eventId === id() && OPEN_FOR_CANDIDATES.includes(status() ?? '') ? c : undefined;
  });

  const candidatePoints = createMemo<OpsCandidatePoint[]>(() => {
    const c = ranking();
    if (!c) return [];
    const out: OpsCandidatePoint[] = [];
    c.items.forEach((item, rank) => {
      if (item.position) out.push({ rank, staffId: item.staff.id, name: item.staff.name, position: [item.position.lon, item.position.lat] });
    });
    return out;
  });

  const routes = createMemo<OpsRoute[]>(() => {
    const s = sent();
    if (s && s.eventId === id() && s.coordinates.length > 1) return [{ rank: -1, staffId: s.staffId, path: s.coordinates }];
    const c = ranking();
    if (!c) return [];
    return c.items
      .slice(0, 3)
      .map((item, rank) => ({ rank, staffId: item.staff.id, path: item.route?.coordinates ?? [] }))
      .filter((r) => r.path.length > 1);
  });

  return {
    detail: detail as { (): EventDetail | undefined; latest: EventDetail | undefined; loading: boolean; error: unknown },
    candidates: candidates as { (): Candidates | undefined; latest: Candidates | undefined; loading: boolean; error: unknown },
    candidateError,
    detailError,
    ranking,
    block,
    sent,
    setSent,
    busy,
    error,
    notice,
    allowed,
    isDispatcher,
    casePoint,
    candidatePoints,
    routes,
    topCandidate,
    transition,
    dispatch,
    /** Reload the case after a change reported by the stream; the candidates follow when its status or tier changes. */
    refresh() {
      if (id() === null) return;
      void refetchDetail();
    },
    /** Re-rank the candidates (positions and loads move on). */
    rerank() {
      if (candidateKey()) void refetchCandidates();
    },
  };
}

export type CaseModel = ReturnType<typeof createCaseModel>;
