import { A, createAsync, useSearchParams } from '@solidjs/router';
import { createMemo, createSignal, For, onCleanup, Show, Suspense, type JSX } from 'solid-js';
import { TAXONOMY } from '../../../server/contract/taxonomy';
import { REVIEW_INTERVALS, type ReviewIndicators } from '../../../server/contract/review';
import { getAreas, getBasemapLayers } from '../../api/client';
import { formatNumber, lang, t, type MessageKey } from '../../i18n';
import { displayFor } from '../../map/display';
import { readMapSettings } from '../../map/settings';
import { useTheme } from '../../theme';
import { csvHref, EMPTY_QUERY, getCase, getIndicators, getRankings, getReplay, getSurvival, queryParams, type ReviewQuery } from './api';
import { BoxPlots, duration, KmChart, RankingBars, SERIES_COLORS, TrendChart } from './charts';
import { ReplayMap } from './replay-map';
import { indexReplay, linesAt, pointsAt } from './replay-model';
import './review.css';

const DISPLAY = displayFor(readMapSettings().gcj02);
const CHANNELS = ['patrol', 'hotline', 'wechat', 'consultation', 'walk-in'] as const;
const KINDS = ['demand', 'suggestion', 'incident'] as const;
const SPEEDS = [60, 300, 900, 3600] as const;
const DAY = 86_400_000;

export const today = (): string => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
export const thisMonth = (): string => today().slice(0, 7);
/** The last complete month: what a monthly ranking or report is about. */
export const lastMonth = (): string => {
  const [y, m] = thisMonth().split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
};
export const units = () => ({ m: t('review.unit.m'), h: t('review.unit.h'), d: t('review.unit.d') });
export const pct = (v: number | null): string => (v === null ? '—' : `${formatNumber(v * 100, 1)}%`);

/** The filter bar: every control writes the query string, so a filtered view is a link. */
function Filters(props: { query: ReviewQuery; window: { from: string; to: string } | undefined; set: (k: keyof ReviewQuery, v: string) => void }): JSX.Element {
  const areas = createAsync(() => getAreas());
  const select = (key: keyof ReviewQuery, options: { value: string; label: string }[]) => (
    <label class="filter">
      <span>{t(`review.filter.${key}` as MessageKey)}</span>
      <select data-filter={key} value={props.query[key]} onChange={(e) => props.set(key, e.currentTarget.value)}>
        <option value="">{t('review.filter.all')}</option>
        <For each={options}>{(o) => <option value={o.value} selected={o.value === props.query[key]}>{o.label}</option>}</For>
      </select>
    </label>
  );
  const en = () => lang() === 'en';
  return (
    <form class="review-filters" onSubmit={(e) => e.preventDefault()}>
      <label class="filter">
        <span>{t('review.filter.from')}</span>
        <input type="date" data-filter="from" value={props.query.from || props.window?.from || ''} onChange={(e) => props.set('from', e.currentTarget.value)} />
      </label>
      <label class="filter">
        <span>{t('review.filter.to')}</span>
        <input type="date" data-filter="to" value={props.query.to || props.window?.to || ''} onChange={(e) => props.set('to', e.currentTarget.value)} />
      </label>
      {select('subdistrict', (areas()?.subdistricts ?? []).map((a) => ({ value: a.code, label: en() ? a.nameEn : a.name })))}
      {select('category', TAXONOMY.majors.map((m) => ({ value: m.code, label: en() ? m.nameEn : m.name })))}
      {select('channel', CHANNELS.map((c) => ({ value: c, label: t(`ops.channel.${c}` as MessageKey) })))}
      {select('kind', KINDS.map((k) => ({ value: k, label: t(`ops.kind.${k}` as MessageKey) })))}
      {select('priority', ['normal', 'urgent'].map((p) => ({ value: p, label: t(`review.priority.${p}` as MessageKey) })))}
      {select('centre', TAXONOMY.centres.map((c) => ({ value: c.key, label: en() ? c.nameEn : c.name })))}
      {select('department', TAXONOMY.departments.map((d) => ({ value: d.key, label: en() ? d.nameEn : d.name })))}
    </form>
  );
}

function Cards(props: { r: ReviewIndicators }): JSX.Element {
  const i = () => props.r.indicators;
  const cards = (): [MessageKey, string, string][] => [
    ['review.card.received', formatNumber(i().received), 'received'],
    ['review.card.filed', formatNumber(i().filed), 'filed'],
    ['review.card.closed', formatNumber(i().closed), 'closed'],
    ['review.card.closureRate', pct(i().closureRate), 'closureRate'],
    ['review.card.onTimeRate', pct(i().onTimeRate), 'onTimeRate'],
    ['review.card.reworkRate', pct(i().reworkRate), 'reworkRate'],
    ['review.card.extensionRate', pct(i().extensionRate), 'extensionRate'],
    ['review.card.satisfactionRate', pct(i().satisfactionRate), 'satisfactionRate'],
    ['review.card.score', i().score === null ? '—' : formatNumber(i().score!, 1), 'score'],
  ];
  return (
    <div class="review-cards" data-testid="review-cards">
      <For each={cards()}>
        {([label, value, key]) => (
          <div class="review-card" data-card={key}>
            <span class="card-label">{t(label)}</span>
            <span class="card-value">{value}</span>
          </div>
        )}
      </For>
    </div>
  );
}

function Panel(props: { title: string; csv?: string; children: JSX.Element; class?: string }): JSX.Element {
  return (
    <section class={`review-panel ${props.class ?? ''}`}>
      <header>
        <h2>{props.title}</h2>
        <Show when={props.csv}>
          <a class="csv" href={props.csv} download="" data-csv>{t('review.csv')}</a>
        </Show>
      </header>
      {props.children}
    </section>
  );
}

/** Every log row of one case. */
function Timeline(props: { id: number | null; onId: (id: number | null) => void }): JSX.Element {
  const detail = createAsync(async () => (props.id === null ? null : getCase(props.id)));
  return (
    <Panel title={t('review.timeline.title')} class="timeline">
      <form class="timeline-form" onSubmit={(e) => {
        e.preventDefault();
        const v = Number(new FormData(e.currentTarget).get('id'));
        props.onId(Number.isSafeInteger(v) && v > 0 ? v : null);
      }}>
        <input name="id" inputmode="numeric" placeholder={t('review.timeline.placeholder')} value={props.id ?? ''} />
        <button type="submit">{t('review.timeline.show')}</button>
      </form>
      <Suspense fallback={<p class="muted">{t('app.loading')}</p>}>
        <Show when={detail()} fallback={<p class="muted">{t('review.timeline.hint')}</p>}>
          {(d) => (
            <>
              <p class="timeline-head">{`${d().caseNo} · ${d().category.name} · ${t(`ops.status.${d().status}` as MessageKey)}`}</p>
              <ol class="timeline-rows" data-testid="timeline">
                <For each={d().log}>
                  {(row) => (
                    <li>
                      <time>{row.at.slice(0, 16).replace('T', ' ')}</time>
                      <span class="step">{`${row.from ? t(`ops.status.${row.from}` as MessageKey) : '—'} → ${t(`ops.status.${row.to}` as MessageKey)}`}</span>
                      <span class="who">{row.actor?.name ?? t(`review.role.${row.actorRole === 'system' ? 'system' : 'other'}` as MessageKey)}</span>
                      <span class="note">{row.note}</span>
                    </li>
                  )}
                </For>
              </ol>
            </>
          )}
        </Show>
      </Suspense>
    </Panel>
  );
}

/** A day on the map: a time slider that plays the day's steps and dispatch routes at a chosen speed. */
function Replay(props: { onPick: (id: number) => void }): JSX.Element {
  const theme = useTheme();
  const basemap = createAsync(() => getBasemapLayers());
  const [day, setDay] = createSignal(today());
  const data = createAsync(async () => indexReplay(await getReplay(day())));
  const [offset, setOffset] = createSignal(DAY);
  const [playing, setPlaying] = createSignal(false);
  const [speed, setSpeed] = createSignal<number>(900);
  const time = () => (data()?.from ?? 0) + offset();
  const points = createMemo(() => (data() ? pointsAt(data()!, time()) : []));
  const lines = createMemo(() => (data() ? linesAt(data()!, time()) : []));
  let last = 0;
  let frame = 0;
  const tick = (now: number) => {
    if (!playing()) return;
    const dt = last ? now - last : 0;
    last = now;
    const next = offset() + dt * speed();
    if (next >= DAY) {
      setOffset(DAY);
      setPlaying(false);
      return;
    }
    setOffset(next);
    frame = requestAnimationFrame(tick);
  };
  const play = () => {
    if (playing()) return setPlaying(false);
    if (offset() >= DAY) setOffset(0);
    last = 0;
    setPlaying(true);
    frame = requestAnimationFrame(tick);
  };
  onCleanup(() => cancelAnimationFrame(frame));
  const clock = () => {
    const m = Math.floor(offset() / 60_000);
    return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  };
  return (
    <Panel title={t('review.replay.title')} class="replay">
      <div class="replay-controls">
        <input type="date" data-testid="replay-day" value={day()} onChange={(e) => { setDay(e.currentTarget.value); setOffset(DAY); }} />
        <button type="button" data-testid="replay-play" onClick={play}>{playing() ? t('review.replay.pause') : t('review.replay.play')}</button>
        <input type="range" min={0} max={DAY} step={60_000} value={offset()} data-testid="replay-slider"
          aria-label={t('review.replay.slider')} onInput={(e) => { setPlaying(false); setOffset(Number(e.currentTarget.value)); }} />
        <output data-testid="replay-clock">{clock()}</output>
        <select value={speed()} onChange={(e) => setSpeed(Number(e.currentTarget.value))} aria-label={t('review.replay.speed')}>
          <For each={SPEEDS}>{(s) => <option value={s}>{`×${s}`}</option>}</For>
        </select>
        <span class="muted">{t('review.replay.counts', { cases: points().length, routes: lines().length })}</span>
      </div>
      <ReplayMap theme={theme()} display={DISPLAY} basemap={basemap()} points={points()} lines={lines()} onPick={props.onPick} />
    </Panel>
  );
}

export function ReviewView(): JSX.Element {
  const [params, setParams] = useSearchParams<Record<keyof ReviewQuery | 'by' | 'case', string>>();
  const query = createMemo<ReviewQuery>(() => {
    const q = { ...EMPTY_QUERY };
    for (const k of Object.keys(q) as (keyof ReviewQuery)[]) q[k] = params[k] ?? '';
    return q;
  });
  const by = () => params.by ?? 'subdistrict';
  const set = (k: keyof ReviewQuery, v: string) => setParams({ [k]: v || undefined });
  const indicators = createAsync(() => getIndicators(query()));
  const survival = createAsync(() => getSurvival(query(), by()));
  const rankings = createAsync(() => getRankings(query(), lastMonth(), by() === 'all' ? 'subdistrict' : by()));
  const caseId = () => (params.case ? Number(params.case) : null);
  // The window the figures cover (the server's default when none is chosen), shown in the date inputs.
  const shownWindow = () => {
    const r = indicators.latest;
    return r ? { from: r.from.slice(0, 10), to: new Date(Date.parse(r.to) - DAY + 8 * 3_600_000).toISOString().slice(0, 10) } : undefined;
  };
  const u = units();
  const intervalLabel = (k: string) => t(`review.interval.${k}` as MessageKey);
  return (
    <div class="review" data-testid="review">
      <div class="review-top">
        <h1>{t('review.title')}</h1>
        <A class="report-link" href={`/review/report?month=${lastMonth()}`}>{t('review.report.link')}</A>
      </div>
      <Filters query={query()} window={shownWindow()} set={set} />
      <Suspense fallback={<p class="muted">{t('app.loading')}</p>}>
        <Show when={indicators()}>
          {(r) => (
            <>
              <div class="review-window muted">{t('review.window', shownWindow()!)}</div>
              <Cards r={r()} />
              <div class="review-grid">
                <Panel title={t('review.box.natural')} csv={csvHref('indicators', { ...queryParams(query()), table: 'intervals' })}>
                  <BoxPlots testId="box-natural" units={u} rows={REVIEW_INTERVALS.map((k) => ({ label: intervalLabel(k), summary: r().intervals.natural[k] }))} />
                </Panel>
                <Panel title={t('review.box.working')}>
                  <BoxPlots testId="box-working" units={u} rows={REVIEW_INTERVALS.map((k) => ({ label: intervalLabel(k), summary: r().intervals.working[k] }))} />
                </Panel>
                <Panel title={t('review.trend.title')} csv={csvHref('indicators', { ...queryParams(query()), table: 'trend' })}>
                  <TrendChart testId="trend" points={r().trend.points} labels={{ received: t('review.card.received'), closure: t('review.card.closureRate'), onTime: t('review.card.onTimeRate') }} />
                  <p class="legend"><span class="key bar" />{t('review.card.received')} <span class="key closure" />{t('review.card.closureRate')} <span class="key on-time" />{t('review.card.onTimeRate')}</p>
                </Panel>
                <Panel title={t('review.flat.title')} csv={csvHref('indicators', { ...queryParams(query()), table: 'flatness' })}>
                  <p class="flat-overall" data-testid="flatness">{t('review.flat.overall', {
                    perCase: r().flatness.overall.handoffsPerCase === null ? '—' : formatNumber(r().flatness.overall.handoffsPerCase!, 2),
                    wait: r().flatness.overall.waitMinutes === null ? '—' : duration(r().flatness.overall.waitMinutes!, u),
                  })}</p>
                  <table class="flat-table">
                    <thead><tr><th>{t('review.flat.unit')}</th><th>{t('review.flat.cases')}</th><th>{t('review.flat.perCase')}</th><th>{t('review.flat.wait')}</th></tr></thead>
                    <tbody>
                      <For each={r().flatness.byUnit.slice(0, 8)}>
                        {(f) => <tr><td>{f.key === 'block' ? t('review.flat.block') : f.name}</td><td>{f.cases}</td><td>{f.handoffsPerCase === null ? '—' : formatNumber(f.handoffsPerCase, 2)}</td><td>{f.waitMinutes === null ? '—' : duration(f.waitMinutes, u)}</td></tr>}
                      </For>
                    </tbody>
                  </table>
                </Panel>
              </div>
            </>
          )}
        </Show>
      </Suspense>
      <div class="review-grid">
        <Panel title={t('review.km.title')} csv={csvHref('survival', { ...queryParams(query()), by: by() })}>
          <label class="filter inline">
            <span>{t('review.by')}</span>
            <select data-filter="by" value={by()} onChange={(e) => setParams({ by: e.currentTarget.value })}>
              <For each={['subdistrict', 'centre', 'department', 'category', 'channel', 'kind', 'priority', 'all']}>
                {(g) => <option value={g} selected={g === by()}>{t(`review.group.${g}` as MessageKey)}</option>}
              </For>
            </select>
          </label>
          <Suspense fallback={<p class="muted">{t('app.loading')}</p>}>
            <Show when={survival()}>
              {(s) => (
                <>
                  <KmChart testId="km" curves={s().curves.slice(0, 12)} hoursLabel={t('review.unit.h')} />
                  <ul class="km-legend">
                    <For each={s().curves.slice(0, 12)}>
                      {(c, i) => <li><span class="swatch" style={{ background: SERIES_COLORS[i() % SERIES_COLORS.length] }} />{`${groupLabel(by(), c.key, c.name)} · ${t('review.km.median')} ${c.medianHours === null ? '—' : `${c.medianHours}${t('review.unit.h')}`}`}</li>}
                    </For>
                  </ul>
                </>
              )}
            </Show>
          </Suspense>
        </Panel>
        <Panel title={t('review.rank.title', { month: lastMonth() })} csv={csvHref('rankings', { ...queryParams({ ...query(), from: '', to: '' }), month: lastMonth(), by: by() === 'all' ? 'subdistrict' : by() })}>
          <Suspense fallback={<p class="muted">{t('app.loading')}</p>}>
            <Show when={rankings()}>
              {(k) => (
                <RankingBars testId="ranking" district={k().district.score} mom={t('review.rank.mom')} yoy={t('review.rank.yoy')}
                  rows={k().rows.slice(0, 15).map((row) => ({ ...row, name: groupLabel(k().by, row.key, row.name) }))} />
              )}
            </Show>
          </Suspense>
        </Panel>
      </div>
      <div class="review-grid wide">
        <Replay onPick={(id) => setParams({ case: String(id) })} />
        <Timeline id={caseId()} onId={(id) => setParams({ case: id === null ? undefined : String(id) })} />
      </div>
    </div>
  );
}

/** Group names the server gives in Chinese; codes of enumerations become the UI's words. */
export function groupLabel(by: string, key: string, name: string): string {
  if (by === 'channel') return t(`ops.channel.${key}` as MessageKey);
  if (by === 'kind') return t(`ops.kind.${key}` as MessageKey);
  if (by === 'priority') return t(`review.priority.${key}` as MessageKey);
  if (by === 'all') return t('review.group.all');
  return name;
}
