import { createAsync, useSearchParams } from '@solidjs/router';
import { batch, createEffect, createMemo, createResource, createSignal, For, Match, on, onCleanup, onMount, Show, Switch, type JSX } from 'solid-js';
import { getAreas, getBasemapLayers } from '../../api/client';
import type { EventSummary, LonLat } from '../../../server/contract/api';
import { QUEUE_STATUSES } from '../../../server/contract/statuses';
import { t } from '../../i18n';
import { openStream } from '../../live/stream';
import { displayFor } from '../../map/display';
import { readMapSettings } from '../../map/settings';
import { useTheme } from '../../theme';
import { fetchDue, fetchEvent, fetchFailedNotifications, fetchQueue, fetchUnlocated, locateRequest, type EventDetail } from './api';
import { session } from '../../api/session';
import { BUTTONS, CasePanel } from './case-panel';
import { createCaseModel } from './case-model';
import { DueLists } from './due-lists';
import { CASE_BLOCK_LINE, OpsMap } from './ops-map';
import { EMPTY_FILTER, filterQueue, QueueFilters, QueueList, type QueueFilter } from './queue';
import { createClock, label, readIdentity, writeIdentity, type Identity } from './state';
import { UnlocatedRequests } from './unlocated';
import './ops.css';

const SETTINGS = readMapSettings();
const DISPLAY = displayFor(SETTINGS.gcj02);
const STREAM_URL = '/api/stream?types=event.created,event.transitioned,route.dispatched';
/** How long a case that just arrived stays highlighted in the queue. */
const FRESH_MS = 15_000;
/** How often the count of failed chat notifications is read. */
const NOTIFY_POLL_MS = 60_000;

const summaryOf = (d: EventDetail): EventSummary => {
  const { log: _log, text: _text, reporter: _reporter, ...rest } = d;
  return rest;
};

const isTyping = (el: EventTarget | null) =>
  el instanceof HTMLElement && (el.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName));

function KeyHelp(): JSX.Element {
  const keys: [string, Parameters<typeof t>[0]][] = [
    ['j / ↓', 'ops.keys.down'],
    ['k / ↑', 'ops.keys.up'],
    ['Enter', 'ops.keys.open'],
    ['f', 'ops.keys.file'],
    ['d', 'ops.keys.dispatch'],
    ['u', 'ops.keys.urge'],
    ['p', 'ops.keys.suspend'],
    ['r', 'ops.keys.resume'],
    ['y', 'ops.keys.revisitYes'],
    ['n', 'ops.keys.revisitNo'],
    ['x', 'ops.keys.void'],
    ['Esc', 'ops.keys.close'],
  ];
  return (
    <dl class="key-help" aria-label={t('ops.keys.title')}>
      <For each={keys}>
        {([k, what]) => (
          <>
            <dt>
              <kbd>{k}</kbd>
            </dt>
            <dd>{t(what)}</dd>
          </>
        )}
      </For>
    </dl>
  );
}

/** `/ops`: the dispatcher's console. */
export function OpsView(): JSX.Element {
  const theme = useTheme();
  const now = createClock();
  const areas = createAsync(() => getAreas());
  const basemap = createAsync(() => getBasemapLayers());

  // --- Who the console acts as: the signed-in dispatcher (their subdistrict is their scope) ---------------------
  const [identity, setIdentityRaw] = createSignal<Identity>(readIdentity());
  const setIdentity = (next: Identity) => {
    setIdentityRaw(next);
    writeIdentity(next);
  };
  const subdistrict = () => session()?.subdistrict ?? '';
  const actingName = () => session()?.staffName ?? null;
  const actor = createMemo(() => {
    const s = session();
    return s?.staffId != null ? { id: s.staffId, subdistrict: s.subdistrict ?? '' } : null;
  });
  const areaName = (code: string | null) => {
    if (!code) return '—';
    const a = areas();
    return a?.subdistricts.find((s) => s.code === code)?.name ?? a?.communities.find((c) => c.code === code)?.name ?? code;
  };

  // --- The queue ---------------------------------------------------------------------------------------------
  const [all, setAll] = createSignal<EventSummary[]>([]);
  const [queueLoaded, setQueueLoaded] = createSignal(false);
  const [queueError, setQueueError] = createSignal<string | null>(null);
  const [fresh, setFresh] = createSignal<Map<number, number>>(new Map());
  /** Cases returned (回退) to the dispatcher while the console was open. */
  const [returned, setReturned] = createSignal<Set<number>>(new Set());
  const loadQueue = () =>
    fetchQueue()
      .then((items) => {
        batch(() => {
          setAll(items);
          setQueueLoaded(true);
          setQueueError(null);
        });
      })
      .catch((err: unknown) => setQueueError(err instanceof Error ? err.message : String(err)));
  const upsert = (e: EventSummary) =>
    setAll((list) => {
      const i = list.findIndex((x) => Number(x.id) === Number(e.id));
      if (!QUEUE_STATUSES.includes(e.status)) return i < 0 ? list : list.filter((_, j) => j !== i);
      if (i < 0) return [...list, e];
      const next = list.slice();
      next[i] = e;
      return next;
    });
  const remove = (id: number) => setAll((list) => list.filter((x) => Number(x.id) !== id));

  const [filter, setFilter] = createSignal<QueueFilter>(EMPTY_FILTER);
  const scoped = createMemo(() => {
    const id = identity();
    return id.scope === 'all' || !subdistrict() ? all() : all().filter((e) => e.subdistrictCode === subdistrict());
  });
  const queue = createMemo(() => filterQueue(scoped(), filter()));

  // --- Overdue / warning -------------------------------------------------------------------------------------
  const [due, { refetch: refetchDue }] = createResource(async () => {
    try {
      return await fetchDue();
    } catch {
      return undefined;
    }
  });
  const warned = createMemo(() => new Set((due.latest?.items ?? []).filter((d) => d.level === 'warning').map((d) => Number(d.id))));
  let dueTimer: ReturnType<typeof setTimeout> | undefined;
  const refreshDueSoon = () => {
    clearTimeout(dueTimer);
    dueTimer = setTimeout(() => void refetchDue(), 1500);
  };

  // Chat notifications given up on: shown until someone retries them (npm run gezhi -- notifications retry).
  const [failedNotices, { refetch: refetchFailed }] = createResource(() => fetchFailedNotifications().catch(() => 0));
  const failedTimer = setInterval(() => void refetchFailed(), NOTIFY_POLL_MS);
  onCleanup(() => clearInterval(failedTimer));

  // --- Tabs, selection and the open case ---------------------------------------------------------------------
  const [tab, setTab] = createSignal<'queue' | 'due' | 'unlocated'>('queue');
  const [selected, setSelected] = createSignal(0);
  // /ops?case=ID (the link in a chat notification) opens that case.
  const [params] = useSearchParams<{ case?: string }>();
  const linked = /^\d{1,15}$/.test(params.case ?? '') ? Number(params.case) : null;
  const [openId, setOpenId] = createSignal<number | null>(linked);
  const [focused, setFocused] = createSignal<number | null>(null);
  const model = createCaseModel(openId, actor);

  const list = createMemo<number[]>(() =>
    tab() === 'queue' ? queue().map((e) => Number(e.id)) : tab() === 'due' ? (due.latest?.items ?? []).map((d) => Number(d.id)) : [],
  );

  // --- Requests awaiting a location (Open311 with an address only) ---------------------------------------------
  const [unlocated, { refetch: refetchUnlocated }] = createResource(() => fetchUnlocated().catch(() => []));
  const [unlocatedId, setUnlocatedId] = createSignal<number | null>(null);
  const [pin, setPin] = createSignal<LonLat | null>(null);
  const [locating, setLocating] = createSignal(false);
  const [locateError, setLocateError] = createSignal<string | null>(null);
  const placing = () => tab() === 'unlocated' && unlocatedId() !== null;
  /** The open case on the map: not while a request is being placed. */
  const caseOnMap = () => openId() !== null && !placing();
  const locate = async () => {
    const id = unlocatedId();
    const p = pin();
    if (id === null || !p || locating()) return;
    setLocating(true);
    setLocateError(null);
    try {
      const created = await locateRequest(id, p[0], p[1]);
      batch(() => {
        setUnlocatedId(null);
        setPin(null);
        upsert(summaryOf(created));
        setTab('queue');
        setOpenId(Number(created.id));
      });
      void refetchUnlocated();
    } catch (err) {
      setLocateError((err as Error).message);
    } finally {
      setLocating(false);
    }
  };
  createEffect(
    on(list, (ids) => {
      if (selected() >= ids.length) setSelected(Math.max(0, ids.length - 1));
    }),
  );
  const openIndex = (i: number) => {
    const id = list()[i];
    if (id === undefined) return;
    setSelected(i);
    setOpenId(id);
  };

  // --- Live stream -------------------------------------------------------------------------------------------
  const inScope = (code: string | undefined) => identity().scope === 'all' || !subdistrict() || code === subdistrict();
  const refreshOne = (id: number) =>
    fetchEvent(id)
      .then((d) => upsert(summaryOf(d)))
      .catch(() => remove(id));
  const stream = openStream(STREAM_URL, { staleAfterMs: 10_000, handlers: {
    // Only cases in scope are fetched (a busy district reports many a second); a change of scope reloads the queue.
    'event.created': (m) => {
      if (!QUEUE_STATUSES.includes(m.status) || !inScope(m.subdistrictCode)) return;
      void refreshOne(m.id).then(() => setFresh((f) => new Map(f).set(m.id, Date.now())));
    },
    'event.transitioned': (m) => {
      if (m.transition === 'warning' || m.transition === 'breach') refreshDueSoon();
      else {
        if (m.transition === 'return') setReturned((r) => new Set(r).add(m.id));
        if (QUEUE_STATUSES.includes(m.to)) {
          if (inScope(m.subdistrictCode)) void refreshOne(m.id);
        }
        else remove(m.id);
        if (m.from !== m.to) refreshDueSoon();
      }
      if (m.id === openId()) model.refresh();
    },
    'route.dispatched': (m) => {
      if (m.eventId === openId() && m.coordinates.length > 1) model.setSent(m);
    },
    reset: () => {
      void loadQueue();
      void refetchDue();
      model.refresh();
    },
  } });
  onCleanup(() => {
    stream.close();
    clearTimeout(dueTimer);
  });
  void loadQueue();
  createEffect(
    on(
      () => [identity().scope, subdistrict()] as const,
      () => void loadQueue(),
      { defer: true },
    ),
  );
  // Fresh marks fade.
  createEffect(
    on(now, (t0) => {
      const f = fresh();
      if ([...f.values()].some((at) => t0 - at > FRESH_MS)) setFresh(new Map([...f].filter(([, at]) => t0 - at <= FRESH_MS)));
    }),
  );

  // --- Keyboard ----------------------------------------------------------------------------------------------
  const onKey = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'Escape') {
      if (isTyping(e.target)) (e.target as HTMLElement).blur();
      else if (openId() !== null) setOpenId(null);
      return;
    }
    if (isTyping(e.target)) return;
    const n = list().length;
    switch (e.key) {
      case 'j':
      case 'ArrowDown':
        if (n) setSelected((i) => Math.min(n - 1, i + 1));
        break;
      case 'k':
      case 'ArrowUp':
        if (n) setSelected((i) => Math.max(0, i - 1));
        break;
      case 'Enter':
        if ((e.target as HTMLElement | null)?.tagName === 'BUTTON') return;
        openIndex(selected());
        break;
      case 'f':
        if (model.allowed().includes('file')) void model.transition({ to: 'file' });
        break;
      case 'd':
        if (model.allowed().includes('dispatch')) void model.dispatch(model.topCandidate());
        break;
      default: {
        // The other actions' keys press their buttons, so a key does exactly what the button (with its note and
        // review date) would.
        const b = BUTTONS.find((x) => x.kbd === e.key && x.kbd !== 'f');
        const el = b && document.querySelector<HTMLButtonElement>(`.ops-case button[data-action="${b.id}"]`);
        if (!el || el.disabled) return;
        el.click();
      }
    }
    e.preventDefault();
  };
  onMount(() => document.addEventListener('keydown', onKey));
  onCleanup(() => document.removeEventListener('keydown', onKey));

  const focusedName = (staffId: number) => model.ranking()?.items.find((c) => c.staff.id === staffId);

  return (
    <div class="ops" data-testid="ops">
      <div class="ops-bar">
        <span class="ops-identity" data-testid="ops-identity">
          <span class="muted">{t('ops.id.actingAs')}</span>
          <strong>{actingName() ?? session()?.username ?? '—'}</strong>
          <span class="muted">{areaName(subdistrict() || null)}</span>
        </span>
        <span class="ops-spacer" />
        <Show when={(failedNotices.latest ?? 0) > 0}>
          <span class="ops-notify-failed" data-testid="notify-failed" title={t('ops.notify.title')}>
            {t('ops.notify.failed', { n: failedNotices.latest ?? 0 })}
          </span>
        </Show>
        <span class={`stream-status stream-${stream.status()}`} data-testid="stream-status" data-status={stream.status()} title={t('ops.stream.title')}>
          <i />
          {label('ops.stream', stream.status())}
        </span>
      </div>

      <aside class="ops-left" aria-label={t('ops.queue.title')}>
        <div class="ops-tabs" role="tablist">
          <button type="button" role="tab" aria-selected={tab() === 'queue'} data-tab="queue" onClick={() => setTab('queue')}>
            {t('ops.tab.queue')} <span class="count">{queue().length}</span>
          </button>
          <button type="button" role="tab" aria-selected={tab() === 'due'} data-tab="due" onClick={() => setTab('due')}>
            {t('ops.tab.due')} <span class="count alert">{due.latest ? due.latest.overdue + due.latest.warning : '…'}</span>
          </button>
          <button type="button" role="tab" aria-selected={tab() === 'unlocated'} data-tab="unlocated" onClick={() => (setTab('unlocated'), void refetchUnlocated())}>
            {t('ops.tab.unlocated')} <span class="count">{unlocated.latest?.length ?? '…'}</span>
          </button>
        </div>
        <Switch>
          <Match when={tab() === 'unlocated'}>
            <UnlocatedRequests
              items={unlocated.latest}
              selected={unlocatedId()}
              point={pin()}
              busy={locating()}
              error={locateError()}
              onSelect={(id) => batch(() => (setUnlocatedId(id), setPin(null), setLocateError(null)))}
              onLocate={() => void locate()}
            />
          </Match>
          <Match when={tab() === 'due'}>
            <DueLists
              items={due.latest?.items}
              counts={due.latest}
              now={now()}
              loading={due.loading}
              openId={openId()}
              onOpen={(id) => {
                setSelected(Math.max(0, list().indexOf(id)));
                setOpenId(id);
              }}
            />
          </Match>
          <Match when={tab() === 'queue'}>
            <div class="ops-scope" role="radiogroup" aria-label={t('ops.scope.label')}>
              <label>
                <input type="radio" name="scope" checked={identity().scope === 'mine'} onChange={() => setIdentity({ ...identity(), scope: 'mine' })} />
                {t('ops.scope.mine')}
              </label>
              <label>
                <input type="radio" name="scope" checked={identity().scope === 'all'} onChange={() => setIdentity({ ...identity(), scope: 'all' })} />
                {t('ops.scope.all')}
              </label>
            </div>
            <QueueFilters items={scoped()} filter={filter()} onChange={(f) => setFilter(f)} />
            <Show when={queueError()}>
              <p class="ops-error" role="alert">
                {queueError()}
              </p>
            </Show>
            <Show when={queueLoaded()} fallback={<p class="muted ops-empty">{t('app.loading')}</p>}>
              <QueueList
                items={queue()}
                selected={selected()}
                openId={openId()}
                now={now}
                warned={(id) => warned().has(id)}
                fresh={(id) => fresh().has(id)}
                returned={(id) => returned().has(id)}
                onSelect={(i) => setSelected(i)}
                onOpen={openIndex}
              />
            </Show>
          </Match>
        </Switch>
      </aside>

      <div class="ops-center">
        <Show
          when={openId() !== null}
          fallback={
            <div class="ops-placeholder">
              <h2>{t('ops.title')}</h2>
              <p class="muted">{t('ops.placeholder')}</p>
              <KeyHelp />
            </div>
          }
        >
          <CasePanel
            model={model}
            now={now()}
            actorName={actingName()}
            warned={openId() !== null && warned().has(openId()!)}
            areaName={areaName}
            focused={focused()}
            onFocus={setFocused}
            onClose={() => setOpenId(null)}
          />
        </Show>
      </div>

      <div class="ops-mapwrap">
        <OpsMap
          theme={theme()}
          display={DISPLAY}
          animate={SETTINGS.animate}
          basemap={basemap()}
          casePoint={placing() ? pin() : model.casePoint()}
          block={caseOnMap() ? (model.block.latest ?? null) : null}
          candidates={caseOnMap() ? model.candidatePoints() : []}
          routes={caseOnMap() ? model.routes() : []}
          focused={focused()}
          onFocus={setFocused}
          onMapClick={(p) => placing() && setPin(p)}
          tooltip={(c) => {
            const item = focusedName(c.staffId);
            return (
              <>
                <strong>
                  {c.rank + 1}. {c.name}
                </strong>
                <Show when={item}>
                  {(i) => (
                    <div class="muted">
                      {label('ops.role', i().staff.role)} · {Math.round(i().score * 100)}
                    </div>
                  )}
                </Show>
              </>
            );
          }}
        />
        <Show when={caseOnMap() && model.routes().length > 0}>
          <div class="ops-map-legend">
            <Show when={model.sent()} fallback={<span>{t('ops.map.routesTop')}</span>}>
              <span>{t('ops.map.routeSent')}</span>
            </Show>
          </div>
        </Show>
        <Show when={openId() !== null}>
          <div class="ops-map-key">
            <span>
              <i class="key-case" />
              {t('ops.map.case')}
            </span>
            <span>
              <i class="key-block" style={{ 'border-color': CASE_BLOCK_LINE }} />
              {t('ops.map.block')}
            </span>
          </div>
        </Show>
      </div>
    </div>
  );
}
