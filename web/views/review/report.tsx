import { A, createAsync, useSearchParams } from '@solidjs/router';
import { For, Show, Suspense, type JSX } from 'solid-js';
import { REVIEW_INTERVALS } from '../../../server/contract/review';
import { useDistrict } from '../../district';
import { formatNumber, t, type MessageKey } from '../../i18n';
import { csvHref, getIndicators, getRankings, EMPTY_QUERY } from './api';
import { duration, RankingBars } from './charts';
import { lastMonth, pct, units } from './review-view';
import './review.css';

/** First and last day (inclusive) of a YYYY-MM month. */
function monthDays(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` };
}

/** The monthly report a centre sends upward: one printable page of the month's figures and the subdistricts' ranking. */
export function ReviewReport(): JSX.Element {
  const [params, setParams] = useSearchParams<{ month: string }>();
  const month = () => (/^\d{4}-\d{2}$/.test(params.month ?? '') ? params.month! : lastMonth());
  const indicators = createAsync(() => getIndicators({ ...EMPTY_QUERY, ...monthDays(month()) }));
  const rankings = createAsync(() => getRankings({}, month(), 'subdistrict'));
  const u = units();
  const district = useDistrict();
  return (
    <article class="review-report" data-testid="review-report">
      <div class="report-tools no-print">
        <A href="/review">{t('review.report.back')}</A>
        <input type="month" value={month()} onChange={(e) => setParams({ month: e.currentTarget.value })} />
        <button type="button" onClick={() => window.print()}>{t('review.report.print')}</button>
        <a href={csvHref('rankings', { month: month(), by: 'subdistrict' })} download="">{t('review.csv')}</a>
      </div>
      <h1>{t('review.report.title', { month: month(), district: district.name() })}</h1>
      <Suspense fallback={<p>{t('app.loading')}</p>}>
        <Show when={indicators()}>
          {(r) => (
            <>
              <h2>{t('review.report.summary')}</h2>
              <table class="report-table">
                <tbody>
                  <tr><th>{t('review.card.received')}</th><td>{formatNumber(r().indicators.received)}</td><th>{t('review.card.closed')}</th><td>{formatNumber(r().indicators.closed)}</td></tr>
                  <tr><th>{t('review.card.closureRate')}</th><td>{pct(r().indicators.closureRate)}</td><th>{t('review.card.onTimeRate')}</th><td>{pct(r().indicators.onTimeRate)}</td></tr>
                  <tr><th>{t('review.card.reworkRate')}</th><td>{pct(r().indicators.reworkRate)}</td><th>{t('review.card.extensionRate')}</th><td>{pct(r().indicators.extensionRate)}</td></tr>
                  <tr><th>{t('review.card.satisfactionRate')}</th><td>{pct(r().indicators.satisfactionRate)}</td><th>{t('review.card.score')}</th><td>{r().indicators.score === null ? '—' : formatNumber(r().indicators.score!, 1)}</td></tr>
                </tbody>
              </table>
              <h2>{t('review.report.intervals')}</h2>
              <table class="report-table">
                <thead><tr><th /><th>{t('review.report.median')}</th><th>P90</th><th>{t('review.report.workingMedian')}</th><th>{t('review.report.n')}</th></tr></thead>
                <tbody>
                  <For each={REVIEW_INTERVALS}>
                    {(k) => {
                      const n = () => r().intervals.natural[k];
                      const w = () => r().intervals.working[k];
                      return <tr><th>{t(`review.interval.${k}` as MessageKey)}</th><td>{n() ? duration(n()!.median, u) : '—'}</td><td>{n() ? duration(n()!.p90, u) : '—'}</td><td>{w() ? duration(w()!.median, u) : '—'}</td><td>{n()?.n ?? 0}</td></tr>;
                    }}
                  </For>
                </tbody>
              </table>
            </>
          )}
        </Show>
        <Show when={rankings()}>
          {(k) => (
            <>
              <h2>{t('review.report.ranking')}</h2>
              <RankingBars testId="report-ranking" rows={k().rows} district={k().district.score} mom={t('review.rank.mom')} yoy={t('review.rank.yoy')} />
              <p class="report-note">{t('review.report.note')}</p>
            </>
          )}
        </Show>
      </Suspense>
    </article>
  );
}
