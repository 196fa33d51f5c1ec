import { createAsync } from '@solidjs/router';
import { For, Show, type JSX } from 'solid-js';
import { formatNumber, lang, t } from '../../i18n';
import { getBlockInsight, type InsightQuery } from './api';

/** A case's report time in Asia/Shanghai, month-day hour:minute. */
const shortTime = (iso: string) =>
  new Date(iso).toLocaleString(lang(), { timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });

/** A block's drill-down: its team, categories, month-by-month timeline and latest cases under the filter. */
export function BlockDrill(props: { code: string; filter: InsightQuery; onClose: () => void }): JSX.Element {
  const detail = createAsync(() => getBlockInsight(props.code, props.filter));
  const max = () => Math.max(1, ...(detail()?.timeline.map((m) => m.count) ?? [1]));
  return (
    <section class="insight-card insight-drill" data-testid="insight-drill">
      <div class="insight-card-head">
        <h3>{detail()?.name ?? props.code}</h3>
        <button type="button" class="link" onClick={props.onClose}>
          {t('insight.drill.close')}
        </button>
      </div>
      <Show when={detail()} fallback={<p class="muted">{t('insight.loading')}</p>}>
        {(d) => (
          <>
            <p class="small">
              {d().subdistrictName} · {d().communityName} · {t('insight.drill.residents', { n: formatNumber(d().residents) })}
              <br />
              {t('insight.ranking.governor')} {d().governor?.name ?? '—'} · {t('insight.ranking.supervisor')} {d().supervisor?.name ?? '—'}
              <br />
              {t('insight.drill.count', { n: formatNumber(d().count) })} · {t('insight.ranking.onTime')}{' '}
              {d().onTimeRate === null ? '—' : `${formatNumber(d().onTimeRate! * 100, 1)}%`}
            </p>
            <h4>{t('insight.drill.timeline')}</h4>
            <div class="insight-timeline" role="img" aria-label={t('insight.drill.timeline')}>
              <For each={d().timeline}>
                {(m) => (
                  <div class="bar" title={`${m.month}: ${m.count} (${t('insight.drill.late', { n: m.late })})`}>
                    <i style={{ height: `${(m.count / max()) * 100}%` }} />
                    <i class="late" style={{ height: `${(m.late / max()) * 100}%` }} />
                  </div>
                )}
              </For>
            </div>
            <h4>{t('insight.drill.categories')}</h4>
            <ul class="insight-cats">
              <For each={d().categories.slice(0, 6)}>
                {(c) => (
                  <li>
                    <span>{lang() === 'en' ? c.nameEn : c.name}</span>
                    <b>{c.count}</b>
                  </li>
                )}
              </For>
            </ul>
            <h4>{t('insight.drill.recent')}</h4>
            <ul class="insight-recent">
              <For each={d().recent.slice(0, 6)}>
                {(e) => (
                  <li classList={{ late: e.late }}>
                    <span class="mono">{e.caseNo}</span> <span class="muted">{shortTime(e.reportedAt)}</span>
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
