import { createAsync } from '@solidjs/router';
import { createMemo, createSignal, For, Show, type JSX } from 'solid-js';
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import type { EmergingCategoryName, InsightHotspots } from '../../../server/contract/insight';
import { TAXONOMY } from '../../../server/contract/taxonomy';
import { getBasemapLayers, getBlocks } from '../../api/client';
import { formatNumber, lang, t, type MessageKey } from '../../i18n';
import { displayFor } from '../../map/display';
import { cssColor } from '../../map/palette';
import { readMapSettings } from '../../map/settings';
import { useTheme } from '../../theme';
import { getInsightClusters, getInsightEmerging, getInsightHotspots, getInsightRanking, rankingCsvUrl, type InsightQuery } from './api';
import { BIN_ORDER, binColor } from './colors';
import { BlockDrill } from './block-drill';
import { InsightMap, type InsightFeatureProps } from './insight-map';
import './insight.css';

const DISPLAY = displayFor(readMapSettings().gcj02);
const DAY = 86_400_000;
const WINDOWS = [30, 90, 365, 730] as const;

const isoDate = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
const pct = (v: number | null) => (v === null ? '—' : `${formatNumber(v * 100, 1)}%`);
const change = (now: number, before: number) => (before > 0 ? `${now >= before ? '+' : ''}${formatNumber(((now - before) / before) * 100, 0)}%` : '—');

/** /insight: where problems concentrate significantly, how that is changing, and who owns them. */
export function InsightView(): JSX.Element {
  const theme = useTheme();
  const [days, setDays] = createSignal<number>(365);
  const [major, setMajor] = createSignal('');
  const [minor, setMinor] = createSignal('');
  const [overdue, setOverdue] = createSignal(false);
  const [normalise, setNormalise] = createSignal<InsightQuery['normalise']>('count');
  const [unit, setUnit] = createSignal<InsightQuery['unit']>('block');
  const [res, setRes] = createSignal('8');
  const [selected, setSelected] = createSignal<string | null>(null);
  // The window ends at the server's now; a fixed day boundary keeps the query key stable while the page is open.
  const today = Date.now();

  const filter = createMemo<InsightQuery>(() => ({
    from: isoDate(today - days() * DAY),
    category: minor() || major() || undefined,
    overdue: overdue() ? 'true' : undefined,
    normalise: normalise(),
    unit: unit(),
    res: unit() === 'h3' ? res() : undefined,
  }));

  const basemap = createAsync(() => getBasemapLayers());
  const blocks = createAsync(() => getBlocks());
  const hotspots = createAsync(() => getInsightHotspots(filter()));
  const ranking = createAsync(() => getInsightRanking(filter()));
  const emerging = createAsync(() => getInsightEmerging(filter()));
  const clusters = createAsync(() => getInsightClusters(filter()));

  const english = () => lang() === 'en';
  const minors = createMemo(() => TAXONOMY.majors.find((m) => m.code === major())?.categories ?? []);

  const units = createMemo((): FeatureCollection<Polygon | MultiPolygon, InsightFeatureProps> | undefined => {
    const h = hotspots();
    if (!h) return undefined;
    if (h.filter.unit === 'h3') {
      return {
        type: 'FeatureCollection',
        features: h.units
          .filter((u) => u.outline)
          .map((u) => ({ type: 'Feature', geometry: u.outline!, properties: { id: u.id, name: null, bin: u.bin, count: u.count, value: u.value, z: u.z } })),
      };
    }
    const b = blocks();
    if (!b) return undefined;
    const byId = new Map(h.units.map((u) => [u.id, u]));
    return {
      type: 'FeatureCollection',
      features: b.features.flatMap((f) => {
        const u = byId.get(f.properties.code);
        return u ? [{ type: 'Feature' as const, geometry: f.geometry, properties: { id: u.id, name: f.properties.name, bin: u.bin, count: u.count, value: u.value, z: u.z } }] : [];
      }),
    };
  });

  const unitLabel = () => (normalise() === 'count' ? t('insight.value.count') : normalise() === 'residents' ? t('insight.value.perResidents') : t('insight.value.perHouseholds'));

  return (
    <div class="insight" data-testid="insight">
      <form class="insight-bar" onSubmit={(e) => e.preventDefault()}>
        <label>
          <span>{t('insight.filter.window')}</span>
          <select value={days()} onChange={(e) => setDays(Number(e.currentTarget.value))} data-testid="insight-window">
            <For each={WINDOWS}>{(d) => <option value={d}>{t('insight.filter.days', { n: d })}</option>}</For>
          </select>
        </label>
        <label>
          <span>{t('insight.filter.major')}</span>
          <select
            value={major()}
            onChange={(e) => {
              setMajor(e.currentTarget.value);
              setMinor('');
            }}
            data-testid="insight-major"
          >
            <option value="">{t('insight.filter.all')}</option>
            <For each={TAXONOMY.majors}>{(m) => <option value={m.code}>{english() ? m.nameEn : m.name}</option>}</For>
          </select>
        </label>
        <label>
          <span>{t('insight.filter.minor')}</span>
          <select value={minor()} onChange={(e) => setMinor(e.currentTarget.value)} disabled={!major()} data-testid="insight-minor">
            <option value="">{t('insight.filter.all')}</option>
            <For each={minors()}>{(c) => <option value={c.code}>{english() ? c.nameEn : c.name}</option>}</For>
          </select>
        </label>
        <label>
          <span>{t('insight.filter.normalise')}</span>
          <select value={normalise()} onChange={(e) => setNormalise(e.currentTarget.value as InsightQuery['normalise'])} data-testid="insight-normalise">
            <option value="count">{t('insight.value.count')}</option>
            <option value="residents">{t('insight.value.perResidents')}</option>
            <option value="households">{t('insight.value.perHouseholds')}</option>
          </select>
        </label>
        <label>
          <span>{t('insight.filter.unit')}</span>
          <select value={unit()} onChange={(e) => setUnit(e.currentTarget.value as InsightQuery['unit'])} data-testid="insight-unit">
            <option value="block">{t('insight.unit.block')}</option>
            <option value="h3">{t('insight.unit.h3')}</option>
          </select>
        </label>
        <Show when={unit() === 'h3'}>
          <label>
            <span>{t('insight.filter.res')}</span>
            <select value={res()} onChange={(e) => setRes(e.currentTarget.value)}>
              <For each={['7', '8', '9']}>{(r) => <option value={r}>{r}</option>}</For>
            </select>
          </label>
        </Show>
        <label class="check">
          <input type="checkbox" checked={overdue()} onChange={(e) => setOverdue(e.currentTarget.checked)} data-testid="insight-overdue" />
          <span>{t('insight.filter.overdue')}</span>
        </label>
      </form>

      <section class="insight-mapwrap" aria-label={t('insight.map.title')}>
        <InsightMap
          theme={theme()}
          display={DISPLAY}
          basemap={basemap()}
          units={units()}
          selected={selected()}
          onSelect={(id) => unit() === 'block' && setSelected(id)}
          tooltip={(p) => (
            <>
              <strong>{p.name ?? p.id}</strong>
              <div>
                {unitLabel()}: {formatNumber(p.value, normalise() === 'count' ? 0 : 2)}
              </div>
              <div>
                Gi* z = {formatNumber(p.z, 2)} · {t(`insight.bin.${p.bin}` as MessageKey)}
              </div>
            </>
          )}
        />
        <Legend hotspots={hotspots()} />
      </section>

      <aside class="insight-side">
        <Show when={selected()}>{(code) => <BlockDrill code={code()} filter={filter()} onClose={() => setSelected(null)} />}</Show>

        <section class="insight-card" data-testid="insight-compare">
          <h3>{t('insight.compare.title')}</h3>
          <Show when={hotspots()} fallback={<p class="muted">{t('insight.loading')}</p>}>
            {(h) => (
              <table class="insight-compare">
                <tbody>
                  <tr>
                    <th>{t('insight.compare.month')}</th>
                    <td>{formatNumber(h().comparison.thisMonth)}</td>
                    <td class="muted">{t('insight.compare.vs', { n: formatNumber(h().comparison.lastMonthToDate) })}</td>
                    <td>{change(h().comparison.thisMonth, h().comparison.lastMonthToDate)}</td>
                  </tr>
                  <tr>
                    <th>{t('insight.compare.year')}</th>
                    <td>{formatNumber(h().comparison.thisYear)}</td>
                    <td class="muted">{t('insight.compare.vs', { n: formatNumber(h().comparison.lastYearToDate) })}</td>
                    <td>{change(h().comparison.thisYear, h().comparison.lastYearToDate)}</td>
                  </tr>
                </tbody>
              </table>
            )}
          </Show>
        </section>

        <section class="insight-card" data-testid="insight-emerging">
          <h3>{t('insight.emerging.title')}</h3>
          <Show when={emerging()} fallback={<p class="muted">{t('insight.loading')}</p>}>
            {(e) => (
              <>
                <p class="muted small">{t('insight.emerging.note', { n: e().steps })}</p>
                <ul class="insight-emerging">
                  <For each={Object.entries(e().categories).filter(([c]) => c !== 'none').sort((a, b) => b[1] - a[1])}>
                    {([c, n]) => (
                      <li class={c.endsWith('-hot') ? 'hot' : 'cold'}>
                        <span>{t(`insight.emerging.${c as Exclude<EmergingCategoryName, 'none'>}` as MessageKey)}</span>
                        <b>{n}</b>
                      </li>
                    )}
                  </For>
                  <Show when={e().units.length === 0}>
                    <li class="muted">{t('insight.emerging.none')}</li>
                  </Show>
                </ul>
              </>
            )}
          </Show>
        </section>

        <section class="insight-card" data-testid="insight-clusters">
          <h3>{t('insight.clusters.title')}</h3>
          <Show when={clusters()} fallback={<p class="muted">{t('insight.loading')}</p>}>
            {(c) => (
              <>
                <p class="muted small">{t('insight.clusters.note', { n: formatNumber(c().overdue), eps: c().epsM, k: c().minPoints })}</p>
                <ul class="insight-clusters">
                  <For each={c().clusters.slice(0, 5)}>
                    {(k) => (
                      <li>
                        <b>{t('insight.clusters.cases', { n: k.count })}</b>{' '}
                        <span>{k.blocks.slice(0, 3).map((b) => `${b.name}（${b.governor?.name ?? '—'}）`).join('、')}</span>
                      </li>
                    )}
                  </For>
                  <Show when={c().clusters.length === 0}>
                    <li class="muted">{t('insight.clusters.none')}</li>
                  </Show>
                </ul>
              </>
            )}
          </Show>
        </section>

        <section class="insight-card insight-ranking" data-testid="insight-ranking">
          <div class="insight-card-head">
            <h3>{t('insight.ranking.title')}</h3>
            <a class="button" href={rankingCsvUrl(filter(), lang())} download="insight-ranking.csv" data-testid="insight-csv">
              {t('insight.ranking.csv')}
            </a>
          </div>
          <Show when={ranking()} fallback={<p class="muted">{t('insight.loading')}</p>}>
            {(r) => (
              <table>
                <thead>
                  <tr>
                    <th>#</th>
                    <th>{t('insight.ranking.block')}</th>
                    <th>{t('insight.ranking.team')}</th>
                    <th class="num">{unitLabel()}</th>
                    <th class="num">{t('insight.ranking.onTime')}</th>
                    <th>{t('insight.ranking.trend')}</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={r().rows}>
                    {(row) => (
                      <tr
                        class={row.code === selected() ? 'selected' : ''}
                        data-code={row.code}
                        tabIndex={0}
                        onClick={() => setSelected(row.code)}
                        onKeyDown={(e) => e.key === 'Enter' && setSelected(row.code)}
                      >
                        <td>
                          <i class="bin-dot" style={{ background: cssColor(binColor(row.bin)) }} title={t(`insight.bin.${row.bin}` as MessageKey)} />
                          {row.rank}
                        </td>
                        <td>
                          <div>{row.name}</div>
                          <div class="muted small">{row.subdistrictName}</div>
                        </td>
                        <td class="small">
                          <div>{t('insight.ranking.governor')} {row.governor?.name ?? '—'}</div>
                          <div class="muted">{t('insight.ranking.supervisor')} {row.supervisor?.name ?? '—'}</div>
                        </td>
                        <td class="num">{formatNumber(row.rate, normalise() === 'count' ? 0 : 2)}</td>
                        <td class="num">{pct(row.onTimeRate)}</td>
                        <td class={`trend trend-${row.trend.direction}`}>{t(`insight.trend.${row.trend.direction}`)}</td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            )}
          </Show>
        </section>
      </aside>
    </div>
  );
}

function Legend(props: { hotspots: InsightHotspots | undefined }): JSX.Element {
  return (
    <div class="insight-legend" data-testid="insight-legend">
      <h4>{t('insight.legend.title')}</h4>
      <ul>
        <For each={BIN_ORDER}>
          {(bin) => (
            <li>
              <i style={{ background: cssColor(binColor(bin)) }} />
              <span>{t(`insight.bin.${bin}` as MessageKey)}</span>
              <b>{props.hotspots?.bins[String(bin)] ?? ''}</b>
            </li>
          )}
        </For>
      </ul>
      <p class="muted small">{props.hotspots?.filter.fdr ? t('insight.legend.fdr') : ''}</p>
    </div>
  );
}
