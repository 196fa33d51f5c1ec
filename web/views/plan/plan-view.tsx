import { createAsync } from '@solidjs/router';
import { createEffect, createMemo, createSignal, For, on, onMount, Show, type JSX } from 'solid-js';
import type { PlanBuildingsOut, PlanDiffOut, PlanMetricsOut, PlanReplayOut, PlanStep, PlanSummary, Validation } from '../../../server/contract/plan';
import { ApiError, getBasemapLayers, getBlocks } from '../../api/client';
import { t } from '../../i18n';
import { displayFor } from '../../map/display';
import { readMapSettings } from '../../map/settings';
import { useTheme } from '../../theme';
import * as api from './api';
import { PlanMap } from './plan-map';
import { BlockPanel, DiffPanel, PublishDialog, ReplayPanel, TotalsPanel, ValidationPanel } from './plan-panels';
import './plan.css';

const DISPLAY = displayFor(readMapSettings().gcj02);
type Mode = 'select' | 'split' | 'merge' | 'move' | 'create';
const MODES: Mode[] = ['select', 'split', 'merge', 'move', 'create'];
type Rgba = [number, number, number, number];

/** /plan: redraw block boundaries in a draft, watch validity and balance, replay past events, publish. */
export function PlanView(): JSX.Element {
  const theme = useTheme();
  const basemap = createAsync(() => getBasemapLayers());
  const [plans, setPlans] = createSignal<PlanSummary[]>([]);
  const [plan, setPlan] = createSignal<PlanSummary | null>(null);
  const [blocks, setBlocks] = createSignal<api.PlanFeatureCollection>();
  // The boundaries in force, shown while no draft is open: a planner first sees what a draft would start from.
  const [published, setPublished] = createSignal<api.BlockShapes>();
  const [buildings, setBuildings] = createSignal<PlanBuildingsOut>();
  const [validation, setValidation] = createSignal<Validation>();
  const [metrics, setMetrics] = createSignal<PlanMetricsOut>();
  const [replay, setReplay] = createSignal<PlanReplayOut>();
  const [diff, setDiff] = createSignal<PlanDiffOut>();
  const [months, setMonths] = createSignal(12);
  const [mode, setMode] = createSignal<Mode>('select');
  const [selected, setSelected] = createSignal<string | null>(null);
  const [mergeFirst, setMergeFirst] = createSignal<string | null>(null);
  const [picked, setPicked] = createSignal<Set<number>>(new Set());
  const [line, setLine] = createSignal<[number, number][]>([]);
  const [colour, setColour] = createSignal<'status' | 'replay'>('status');
  const [message, setMessage] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const [publishing, setPublishing] = createSignal(false);
  const [publishError, setPublishError] = createSignal<string | null>(null);
  const [version, setVersion] = createSignal(0);

  const refreshSide = async (id: number) => {
    const [m, d, r] = await Promise.all([api.getPlanMetrics(id), api.getDiff(id), api.getReplay(id, months())]);
    if (plan()?.id !== id) return;
    setMetrics(m);
    setDiff(d);
    setReplay(r);
  };

  const open = async (id: number) => {
    const [p, fc, v, b] = await Promise.all([api.getPlan(id), api.getPlanBlocks(id), api.getValidation(id), api.getPlanBuildings(id)]);
    setPlan(p);
    setBlocks(fc);
    setValidation(v);
    setBuildings(b);
    setVersion((x) => x + 1);
    void refreshSide(id);
  };

  onMount(async () => {
    const list = await api.listPlans();
    setPlans(list);
    const draft = list.find((p) => p.status === 'draft');
    if (draft) return open(draft.id);
    const fc = await getBlocks();
    if (!plan()) {
      setPublished({ type: 'FeatureCollection', features: fc.features.map((f) => ({ type: 'Feature' as const, id: f.properties.code, geometry: f.geometry, properties: { code: f.properties.code } })) });
      setVersion((x) => x + 1);
    }
  });

  createEffect(on(months, () => {
    const p = plan();
    if (p) void api.getReplay(p.id, months()).then(setReplay);
  }, { defer: true }));

  const newDraft = async () => {
    const p = await api.createPlan(`${t('plan.defaultName')} ${new Date().toISOString().slice(0, 10)}`);
    setPlans([p, ...plans()]);
    await open(p.id);
  };

  /** Applies a step's answer: patch the touched blocks in place, then the side panels. */
  const applyStep = (s: PlanStep) => {
    setPlan(s.plan);
    setValidation(s.validation);
    const fc = blocks();
    if (fc) {
      const touched = new Set([...s.removed, ...s.blocks.map((b) => b.code)]);
      const kept = fc.features.filter((f) => !touched.has(f.id));
      const added = s.blocks.filter((b) => b.geometry).map((b) => ({ type: 'Feature' as const, id: b.code, geometry: b.geometry!, properties: b.metrics }));
      setBlocks({ type: 'FeatureCollection', features: [...kept, ...added].sort((a, b) => (a.id < b.id ? -1 : 1)) });
    }
    setVersion((x) => x + 1);
    void api.getPlanBuildings(s.plan.id).then(setBuildings);
    void refreshSide(s.plan.id);
  };

  const run = async (f: (p: PlanSummary) => Promise<PlanStep>) => {
    const p = plan();
    if (!p || busy() || p.status !== 'draft') return;
    setBusy(true);
    setMessage(null);
    try {
      applyStep(await f(p));
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        setMessage(t('plan.conflict'));
        await open(p.id);
      } else setMessage((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const edit = (body: Record<string, unknown>) => run((p) => api.editPlan(p.id, { revision: p.revision, ...body }));

  const onBlockClick = (code: string) => {
    switch (mode()) {
      case 'select':
        setSelected(code);
        break;
      case 'merge': {
        const first = mergeFirst();
        if (!first) setMergeFirst(code), setSelected(code);
        else if (first !== code) {
          setMergeFirst(null);
          void edit({ op: 'merge', blocks: [first, code] }).then(() => setSelected(first));
        }
        break;
      }
      case 'move':
        if (picked().size > 0) {
          const ids = [...picked()];
          setPicked(new Set<number>());
          void edit({ op: 'move', buildings: ids, to: code }).then(() => setSelected(code));
        } else setSelected(code);
        break;
      default:
        break;
    }
  };
  const onBuildingClick = (id: number) => {
    if (mode() !== 'move' && mode() !== 'create') return;
    const next = new Set(picked());
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setPicked(next);
  };
  const onMapClick = (p: [number, number], pixelsTo: (lon: number, lat: number) => number) => {
    if (mode() === 'split') return setLine([...line(), p]);
    const b = buildings();
    const i = b ? nearestBuilding(b, p[0], p[1]) : -1;
    if (!b || i < 0) return;
    // A click on a building's dot picks the building; anywhere else in its parcel, the block.
    if ((mode() === 'move' || mode() === 'create') && pixelsTo(b.lon[i], b.lat[i]) <= 6) onBuildingClick(b.ids[i]);
    else onBlockClick(b.block[i]);
  };
  const finishSplit = () => {
    const l = line();
    // The line cuts the block under its middle, whatever was selected before.
    const code = blockUnder(l);
    if (!code || l.length < 2) return;
    setLine([]);
    void edit({ op: 'split', block: code, line: l }).then(() => setSelected(code));
  };
  /** The block the line's middle lies in: the one it most likely cuts. */
  const blockUnder = (l: [number, number][]): string | null => {
    const b = buildings();
    if (!b || l.length === 0) return null;
    const i = nearestBuilding(b, l.reduce((s, p) => s + p[0], 0) / l.length, l.reduce((s, p) => s + p[1], 0) / l.length);
    return i >= 0 ? b.block[i] : null;
  };

  const draftMetrics = createMemo(() => new Map((metrics()?.draft.blocks ?? []).map((m) => [m.code, m])));
  const publishedMetrics = createMemo(() => new Map((metrics()?.published.blocks ?? []).map((m) => [m.code, m])));
  const selectedDraft = createMemo(() => {
    const code = selected();
    if (!code) return undefined;
    return blocks()?.features.find((f) => f.id === code)?.properties ?? draftMetrics().get(code);
  });
  const changed = createMemo(() => new Set((diff()?.blocks ?? []).map((b) => b.code)));
  const errorBlocks = createMemo(() => new Set((validation()?.issues ?? []).filter((i) => i.severity === 'error' && i.block).map((i) => i.block!)));
  const replayChange = createMemo(() => new Map((replay()?.rows ?? []).map((r) => [r.code, r.volumeChange])));
  const fill = (m: { code: string }): Rgba => {
    if (colour() === 'replay') {
      const c = replayChange().get(m.code) ?? 0;
      if (c === 0) return [200, 205, 215, 110];
      const a = Math.min(230, 90 + Math.abs(c) * 6);
      return c > 0 ? [215, 60, 40, a] : [40, 100, 200, a];
    }
    if (errorBlocks().has(m.code)) return [215, 40, 40, 170];
    if (changed().has(m.code)) return [245, 170, 40, 150];
    return [90, 140, 200, 70];
  };
  const fillKey = createMemo(() => `${colour()}|${version()}|${diff()?.moved.length ?? 0}|${errorBlocks().size}|${replay()?.events ?? 0}`);

  const publish = async (body: Record<string, unknown>) => {
    const p = plan();
    if (!p) return;
    setPublishError(null);
    try {
      const r = await api.publishPlan(p.id, { revision: p.revision, ...body });
      setPublishing(false);
      setMessage(t('plan.publishedOk', { id: r.versionId, n: r.blocks, e: r.relocatedEvents }));
      await open(p.id);
      setPlans(await api.listPlans());
    } catch (err) {
      setPublishError((err as Error).message);
    }
  };

  const importFile = async (file: File) => {
    try {
      const r = await api.importPlan(file.name, JSON.parse(await file.text()));
      setMessage(t('plan.imported', { n: r.unmatched.length }));
      setPlans(await api.listPlans());
      await open(r.plan.id);
    } catch (err) {
      setMessage((err as Error).message);
    }
  };

  const isDraft = () => plan()?.status === 'draft';

  return (
    <div class="plan" data-testid="plan" data-revision={plan()?.revision ?? -1} data-busy={busy() ? 'true' : 'false'}>
      <div class="plan-bar">
        <label>
          <span>{t('plan.drafts')}</span>
          <select value={plan()?.id ?? ''} onChange={(e) => void open(Number(e.currentTarget.value))} data-testid="plan-select">
            <For each={plans()}>{(p) => <option value={p.id}>{p.name}{p.status === 'published' ? ` · ${t('plan.published', { id: p.publishedVersionId ?? '' })}` : ''}</option>}</For>
          </select>
        </label>
        <button type="button" onClick={() => void newDraft()} data-testid="plan-new">{t('plan.newDraft')}</button>
        <span class="plan-modes" role="group">
          <For each={MODES}>
            {(m) => (
              <button type="button" classList={{ active: mode() === m }} disabled={!isDraft()} data-mode={m}
                onClick={() => { setMode(m); setLine([]); setMergeFirst(null); setPicked(new Set<number>()); }}>
                {t(`plan.mode.${m}`)}
              </button>
            )}
          </For>
        </span>
        <button type="button" disabled={!plan()?.canUndo || busy()} onClick={() => void run((p) => api.stepPlan(p.id, 'undo', p.revision))} data-testid="plan-undo">{t('plan.undo')}</button>
        <button type="button" disabled={!plan()?.canRedo || busy()} onClick={() => void run((p) => api.stepPlan(p.id, 'redo', p.revision))} data-testid="plan-redo">{t('plan.redo')}</button>
        <label>
          <span>{t('plan.colourBy')}</span>
          <select value={colour()} onChange={(e) => setColour(e.currentTarget.value as 'status' | 'replay')} data-testid="plan-colour">
            <option value="status">{t('plan.colour.status')}</option>
            <option value="replay">{t('plan.colour.replay')}</option>
          </select>
        </label>
        <span class="plan-spacer" />
        <Show when={plan()}>{(p) => <a class="button" href={api.exportUrl(p().id)} download={`plan-${p().id}.geojson`}>{t('plan.exportGeojson')}</a>}</Show>
        <label class="button">
          {t('plan.importGeojson')}
          <input type="file" accept=".geojson,.json,application/geo+json" hidden onChange={(e) => { const f = e.currentTarget.files?.[0]; if (f) void importFile(f); }} />
        </label>
        <button type="button" class="primary" disabled={!isDraft() || (validation()?.errors ?? 1) > 0} onClick={() => { setPublishError(null); setPublishing(true); }} data-testid="plan-publish">{t('plan.publish')}</button>
      </div>
      <div class="plan-mapwrap">
        <PlanMap
          theme={theme()}
          display={DISPLAY}
          basemap={basemap()}
          blocks={blocks() ?? published()}
          buildings={buildings()}
          showBuildings={mode() === 'move' || mode() === 'create' || mode() === 'split'}
          fill={fill}
          fillKey={fillKey()}
          outlined={changed()}
          selected={selected()}
          selectedBuildings={picked()}
          line={line()}
          onMapClick={onMapClick}
        />
        <div class="plan-hint">
          <p>{plan() ? t(`plan.hint.${mode()}`) : t('plan.hint.noDraft')}</p>
          <Show when={mode() === 'split'}>
            <button type="button" class="primary" disabled={line().length < 2} onClick={finishSplit} data-testid="plan-finish-split">{t('plan.finishSplit')}</button>
            <button type="button" onClick={() => setLine([])}>{t('plan.clearLine')}</button>
          </Show>
          <Show when={(mode() === 'move' || mode() === 'create') && picked().size > 0}>
            <p>{t('plan.selectedBuildings', { n: picked().size })}</p>
            <Show when={mode() === 'create'}>
              <button type="button" class="primary" onClick={() => { const ids = [...picked()]; setPicked(new Set<number>()); void edit({ op: 'create', buildings: ids }); }}>{t('plan.createFromSelection')}</button>
            </Show>
            <button type="button" onClick={() => setPicked(new Set<number>())}>{t('plan.clearSelection')}</button>
          </Show>
          <Show when={mode() === 'select' && selected() && isDraft()}>
            <button type="button" onClick={() => void edit({ op: 'retire', block: selected()! })}>{t('plan.retire')}</button>
          </Show>
          <Show when={message()}>{(m) => <p class="plan-message" role="status" data-testid="plan-message">{m()}</p>}</Show>
          <p class="muted small">{t('plan.generatedNote')}</p>
        </div>
      </div>
      <aside class="plan-side">
        <Show when={plan()} fallback={<p class="plan-card">{t('plan.noDraft')}</p>}>
          {(p) => (
            <p class="muted small" data-testid="plan-info">
              {p().author} · {t('plan.revision', { n: p().revision })} · {t('plan.baseVersion', { id: p().baseVersionId })}
              {p().publishedVersionId ? ` · ${t('plan.published', { id: p().publishedVersionId! })}` : ''}
            </p>
          )}
        </Show>
        <Show when={plan()}>
          <ValidationPanel validation={validation()} onPick={setSelected} />
          <Show when={selected()}>{(code) => <BlockPanel code={code()} draft={selectedDraft()} published={publishedMetrics().get(code())} />}</Show>
          <TotalsPanel metrics={metrics()} onPick={setSelected} />
          <ReplayPanel replay={replay()} months={months()} setMonths={setMonths} onPick={setSelected} />
          <DiffPanel diff={diff()} onPick={setSelected} />
        </Show>
        <Show when={plan()?.history.length}>
          <section class="plan-card">
            <h3>{t('plan.history')}</h3>
            <ol class="plan-history">
              <For each={plan()!.history}>{(h) => <li classList={{ undone: h.undone }}>{t(`plan.kind.${h.kind}`)} {h.summary}</li>}</For>
            </ol>
          </section>
        </Show>
      </aside>
      <Show when={publishing() && diff()}>
        <PublishDialog diff={diff()!} error={publishError()} onCancel={() => setPublishing(false)} onPublish={(b) => void publish(b)} />
      </Show>
    </div>
  );
}

/** Index of the building nearest a point (equirectangular distance; the district is small). */
function nearestBuilding(b: PlanBuildingsOut, lon: number, lat: number): number {
  const k = Math.cos((lat * Math.PI) / 180);
  let best = -1, bestD = Infinity;
  for (let i = 0; i < b.ids.length; i++) {
    const d = ((b.lon[i] - lon) * k) ** 2 + (b.lat[i] - lat) ** 2;
    if (d < bestD) (bestD = d), (best = i);
  }
  return best;
}
