import { createMemo, createSignal, For, Show, type JSX } from 'solid-js';
import type { BlockMetrics, PlanDiffOut, PlanIssue, PlanMetricsOut, PlanReplayOut, Validation } from '../../../server/contract/plan';
import { formatNumber, t, type MessageKey } from '../../i18n';

const pct = (v: number) => `${formatNumber(v * 100, 1)}%`;
const num = (v: number | null | undefined, d = 0) => (v === null || v === undefined ? '—' : formatNumber(v, d));

/** One issue in words (reasons come as constants; the sentence is the UI's). */
export function issueText(i: PlanIssue): string {
  return (
    t(`plan.issue.${i.reason}` as MessageKey, {
      block: i.block ?? '',
      subdistrict: i.subdistrict ?? '',
      blocks: (i.blocks ?? []).join('、'),
      value: i.value === undefined ? '' : formatNumber(i.value, i.reason === 'not-contiguous' ? 0 : 2),
      limit: i.limit === undefined ? '' : formatNumber(i.limit, 2),
    }) + (i.inherited ? ` ${t('plan.inherited')}` : '')
  );
}

export function ValidationPanel(props: { validation: Validation | undefined; onPick: (code: string) => void }): JSX.Element {
  const own = createMemo(() => (props.validation?.issues ?? []).filter((i) => !i.inherited));
  const inherited = createMemo(() => (props.validation?.issues ?? []).filter((i) => i.inherited).length);
  return (
    <section class="plan-card" data-testid="plan-validation">
      <h3>{t('plan.validation')}</h3>
      <Show when={props.validation} fallback={<p class="muted">{t('plan.loading')}</p>}>
        {(v) => (
          <>
            <p class={v().errors > 0 ? 'plan-bad' : 'plan-good'} data-testid="plan-validity">
              {v().errors === 0 ? `${t('plan.valid')} · ` : ''}{t('plan.errorsWarnings', { e: v().errors, w: v().warnings - inherited() })}
            </p>
            <ul class="plan-issues">
              <For each={own()}>
                {(i) => (
                  <li class={i.severity} data-reason={i.reason} onClick={() => i.block && props.onPick(i.block)}>
                    {issueText(i)}
                  </li>
                )}
              </For>
            </ul>
          </>
        )}
      </Show>
    </section>
  );
}

const ROWS: { key: keyof BlockMetrics; label: MessageKey; digits?: number; scale?: number }[] = [
  { key: 'buildings', label: 'plan.buildings' },
  { key: 'residents', label: 'plan.residents' },
  { key: 'households', label: 'plan.households' },
  { key: 'events', label: 'plan.events' },
  { key: 'staff', label: 'plan.staff' },
  { key: 'householdsPerStaff', label: 'plan.householdsPerStaff', digits: 1 },
  { key: 'areaM2', label: 'plan.area', digits: 1, scale: 1e-4 },
  { key: 'polsbyPopper', label: 'plan.polsbyPopper', digits: 2 },
  { key: 'reock', label: 'plan.reock', digits: 2 },
];

export function BlockPanel(props: { draft: BlockMetrics | undefined; published: BlockMetrics | undefined; code: string }): JSX.Element {
  const cell = (m: BlockMetrics | undefined, r: (typeof ROWS)[number]) => {
    if (!m) return '—';
    const v = m[r.key] as number | null;
    return v === null ? '—' : num(v * (r.scale ?? 1), r.digits ?? 0);
  };
  return (
    <section class="plan-card" data-testid="plan-block" data-code={props.code}>
      <h3>
        {t('plan.blockMetrics')} · <span class="mono">{props.code}</span>
      </h3>
      <p class="muted">{props.draft?.name ?? props.published?.name}{props.published ? '' : ` · ${t('plan.newBlock')}`}</p>
      <table class="plan-table">
        <thead>
          <tr><th /><th>{t('plan.draft')}</th><th>{t('plan.current')}</th></tr>
        </thead>
        <tbody>
          <For each={ROWS}>
            {(r) => (
              <tr data-row={r.key}>
                <th>{t(r.label)}</th>
                <td>{cell(props.draft, r)}</td>
                <td>{cell(props.published, r)}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </section>
  );
}

export function TotalsPanel(props: { metrics: PlanMetricsOut | undefined; onPick: (code: string) => void }): JSX.Element {
  const maxDev = (side: 'draft' | 'published') => Math.max(0, ...(props.metrics?.[side].balances ?? []).filter((b) => b.measure === 'households').map((b) => b.deviation));
  return (
    <section class="plan-card" data-testid="plan-totals">
      <h3>{t('plan.totals')}</h3>
      <Show when={props.metrics} fallback={<p class="muted">{t('plan.loading')}</p>}>
        {(m) => (
          <>
            <table class="plan-table">
              <thead><tr><th /><th>{t('plan.draft')}</th><th>{t('plan.current')}</th></tr></thead>
              <tbody>
                <tr><th>{t('plan.blocksCount')}</th><td data-testid="plan-draft-blocks">{num(m().draft.totals.blocks)}</td><td>{num(m().published.totals.blocks)}</td></tr>
                <tr><th>{t('plan.households')}</th><td>{num(m().draft.totals.households)}</td><td>{num(m().published.totals.households)}</td></tr>
                <tr><th>{t('plan.events')}</th><td>{num(m().draft.totals.events)}</td><td>{num(m().published.totals.events)}</td></tr>
                <tr><th>{t('plan.maxDeviation')} · {t('plan.households')}</th><td>{num(maxDev('draft'), 2)}</td><td>{num(maxDev('published'), 2)}</td></tr>
              </tbody>
            </table>
            <h4>{t('plan.worst')}</h4>
            <ul class="plan-worst">
              <For each={m().draft.worst.slice(0, 6)}>
                {(o) => (
                  <li onClick={() => props.onPick(o.code)}>
                    <span class="mono">{o.code}</span> {o.measure === 'polsbyPopper' ? t('plan.polsbyPopper') : o.measure === 'reock' ? t('plan.reock') : t(`plan.${o.measure}` as MessageKey)} {num(o.value, o.measure === 'polsbyPopper' || o.measure === 'reock' ? 2 : 0)}
                  </li>
                )}
              </For>
            </ul>
          </>
        )}
      </Show>
    </section>
  );
}

export function ReplayPanel(props: { replay: PlanReplayOut | undefined; months: number; setMonths: (n: number) => void; onPick: (code: string) => void }): JSX.Element {
  const rows = createMemo(() => (props.replay?.rows ?? []).filter((r) => r.volumeChange !== 0 || !r.draft || !r.published).sort((a, b) => Math.abs(b.volumeChange) - Math.abs(a.volumeChange)).slice(0, 12));
  return (
    <section class="plan-card" data-testid="plan-replay">
      <h3>{t('plan.replay')}</h3>
      <label class="plan-inline">
        <select value={props.months} onChange={(e) => props.setMonths(Number(e.currentTarget.value))}>
          <For each={[3, 6, 12, 24]}>{(n) => <option value={n}>{t('plan.replayMonths', { n })}</option>}</For>
        </select>
      </label>
      <Show when={props.replay} fallback={<p class="muted">{t('plan.loading')}</p>}>
        {(r) => (
          <>
            <p class="muted">{t('plan.replayTotal', { n: formatNumber(r().events) })}</p>
            <Show when={rows().length > 0} fallback={<p class="muted" data-testid="plan-replay-same">{t('plan.replaySame')}</p>}>
              <table class="plan-table">
                <thead>
                  <tr><th>{t('plan.block')}</th><th>{t('plan.volume')}</th><th>{t('plan.change')}</th><th>{t('plan.lateRate')}</th><th>{t('plan.governorLoad')}</th></tr>
                </thead>
                <tbody>
                  <For each={rows()}>
                    {(x) => (
                      <tr onClick={() => props.onPick(x.code)}>
                        <td class="mono">{x.code.slice(9)}</td>
                        <td>{num(x.draft?.volume)} / {num(x.published?.volume)}</td>
                        <td class={x.volumeChange > 0 ? 'plan-up' : 'plan-down'}>{x.volumeChange > 0 ? '+' : ''}{num(x.volumeChange)}</td>
                        <td>{x.draft ? pct(x.draft.lateRate) : '—'}</td>
                        <td>{x.draft ? num(x.draft.governorLoad, 1) : '—'}</td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </Show>
          </>
        )}
      </Show>
    </section>
  );
}

export function DiffPanel(props: { diff: PlanDiffOut | undefined; onPick: (code: string) => void }): JSX.Element {
  return (
    <section class="plan-card" data-testid="plan-diff">
      <h3>{t('plan.diff')}</h3>
      <Show when={props.diff}>
        {(d) => (
          <>
            <p class="muted">{t('plan.diffSummary', { b: d().blocks.length, m: d().moved.length })}</p>
            <ul class="plan-diff">
              <For each={d().blocks}>
                {(b) => (
                  <li data-change={b.change} onClick={() => props.onPick(b.code)}>
                    <span class="mono">{b.code}</span> {t(`plan.change.${b.change}` as MessageKey)}
                  </li>
                )}
              </For>
            </ul>
            <details>
              <summary>{t('plan.buildings')} ({d().moved.length})</summary>
              <ul class="plan-moved">
                <For each={d().moved.slice(0, 200)}>{(m) => <li>{t('plan.movedBuilding', { id: m.building, from: m.from.slice(9), to: m.to.slice(9) })}</li>}</For>
              </ul>
            </details>
          </>
        )}
      </Show>
    </section>
  );
}

export interface TeamChoice {
  carryFrom: string;
  governor: string;
  assistants: string;
  supervisor: string;
}

/** The publish dialog: name, effective time, and a team for each new block (carried over or assigned). */
export function PublishDialog(props: {
  diff: PlanDiffOut;
  onCancel: () => void;
  onPublish: (body: Record<string, unknown>) => void;
  error: string | null;
}): JSX.Element {
  const added = createMemo(() => props.diff.blocks.filter((b) => b.change === 'added').map((b) => b.code));
  const sources = createMemo(() => props.diff.blocks.filter((b) => b.change !== 'added').map((b) => b.code));
  const defaultSource = (code: string) => {
    const count = new Map<string, number>();
    for (const m of props.diff.moved) if (m.to === code) count.set(m.from, (count.get(m.from) ?? 0) + 1);
    return [...count].sort((a, b) => b[1] - a[1])[0]?.[0] ?? sources()[0] ?? '';
  };
  const [teams, setTeams] = createSignal<Record<string, TeamChoice>>(
    Object.fromEntries(added().map((c) => [c, { carryFrom: defaultSource(c), governor: '', assistants: '', supervisor: '' }])),
  );
  const now = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 16);
  const [name, setName] = createSignal('');
  const [at, setAt] = createSignal(now);
  const [note, setNote] = createSignal('');
  const set = (code: string, patch: Partial<TeamChoice>) => setTeams({ ...teams(), [code]: { ...teams()[code], ...patch } });
  const submit = (e: Event) => {
    e.preventDefault();
    const body: Record<string, unknown> = {
      name: name() || t('plan.defaultName'),
      note: note(),
      effectiveFrom: `${at()}:00+08:00`,
      teams: Object.fromEntries(
        Object.entries(teams()).map(([code, c]) => [
          code,
          c.carryFrom
            ? { carryFrom: c.carryFrom }
            : { governor: Number(c.governor), assistants: c.assistants.split(/[,，\s]+/).filter(Boolean).map(Number), supervisor: Number(c.supervisor) },
        ]),
      ),
    };
    props.onPublish(body);
  };
  return (
    <div class="plan-dialog" role="dialog" aria-labelledby="plan-publish-title" data-testid="plan-publish-dialog">
      <form onSubmit={submit}>
        <h3 id="plan-publish-title">{t('plan.publishTitle')}</h3>
        <label>{t('plan.versionName')}<input value={name()} onInput={(e) => setName(e.currentTarget.value)} data-testid="plan-version-name" /></label>
        <label>{t('plan.effectiveFrom')}<input type="datetime-local" value={at()} onInput={(e) => setAt(e.currentTarget.value)} data-testid="plan-effective" /></label>
        <label>{t('plan.note')}<input value={note()} onInput={(e) => setNote(e.currentTarget.value)} /></label>
        <Show when={added().length > 0}>
          <h4>{t('plan.teams')}</h4>
          <For each={added()}>
            {(code) => (
              <fieldset data-block={code}>
                <legend class="mono">{code}</legend>
                <label>
                  {t('plan.carryFrom')}
                  <select value={teams()[code].carryFrom} onChange={(e) => set(code, { carryFrom: e.currentTarget.value })}>
                    <option value="">{t('plan.assign')}</option>
                    <For each={sources()}>{(s) => <option value={s}>{s}</option>}</For>
                  </select>
                </label>
                <Show when={!teams()[code].carryFrom}>
                  <label>{t('plan.governor')}<input inputMode="numeric" value={teams()[code].governor} onInput={(e) => set(code, { governor: e.currentTarget.value })} /></label>
                  <label>{t('plan.assistants')}<input value={teams()[code].assistants} onInput={(e) => set(code, { assistants: e.currentTarget.value })} /></label>
                  <label>{t('plan.supervisor')}<input inputMode="numeric" value={teams()[code].supervisor} onInput={(e) => set(code, { supervisor: e.currentTarget.value })} /></label>
                </Show>
              </fieldset>
            )}
          </For>
        </Show>
        <Show when={props.error}>{(e) => <p class="plan-bad" role="alert">{e()}</p>}</Show>
        <div class="plan-actions">
          <button type="button" onClick={() => props.onCancel()}>{t('plan.cancel')}</button>
          <button type="submit" class="primary" data-testid="plan-confirm-publish">{t('plan.confirmPublish')}</button>
        </div>
      </form>
    </div>
  );
}
