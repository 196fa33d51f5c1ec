import { createAsync } from '@solidjs/router';
import { ErrorBoundary, For, Show, Suspense, type JSX } from 'solid-js';
import { getBlock } from '../api/client';
import type { Staff } from '../../server/contract/api';
import { formatNumber, t, type MessageKey } from '../i18n';
import { formatInstant } from '../i18n/time';

function statusText(status: string): string {
  const key = `status.${status}` as MessageKey;
  const text = t(key);
  return text === undefined ? status : text;
}

function Person(props: { role: string; staff: Staff | null | undefined; testId: string }): JSX.Element {
  return (
    <div class="person" data-testid={props.testId}>
      <span class="person-role">{props.role}</span>
      <Show when={props.staff} fallback={<span class="muted">{t('tooltip.none')}</span>}>
        {(s) => (
          <>
            <span class="person-name">{s().name}</span>
            <a class="person-phone" href={`tel:${s().phone}`}>
              {s().phone}
            </a>
          </>
        )}
      </Show>
    </div>
  );
}

function ErrorNote(props: { error: unknown; reset: () => void }): JSX.Element {
  return (
    <div class="error" role="alert">
      <p>{t('app.error', { message: props.error instanceof Error ? props.error.message : String(props.error) })}</p>
      <button type="button" onClick={() => props.reset()}>
        {t('app.retry')}
      </button>
    </div>
  );
}

/** The block's card: identity, population, its 1+N+1 team with phones, open/overdue counts and recent events. */
export function BlockPanel(props: { code: string; onClose: () => void }): JSX.Element {
  const block = createAsync(() => getBlock(props.code));
  return (
    <aside class="panel block-panel" aria-labelledby="block-panel-title" data-code={props.code}>
      <button type="button" class="panel-close" onClick={() => props.onClose()} aria-label={t('panel.close')}>
        ×
      </button>
      <ErrorBoundary fallback={(error, reset) => <ErrorNote error={error} reset={reset} />}>
        <Suspense fallback={<p class="muted">{t('panel.loading')}</p>}>
          <Show when={block()}>
            {(b) => (
              <>
                <h2 id="block-panel-title">{b().name}</h2>
                <dl class="facts">
                  <dt>{t('panel.code')}</dt>
                  <dd class="mono">{b().code}</dd>
                  <dt>{t('panel.community')}</dt>
                  <dd>{b().community.name}</dd>
                  <dt>{t('panel.subdistrict')}</dt>
                  <dd>{b().subdistrict.name}</dd>
                  <dt>{t('panel.residents')}</dt>
                  <dd>{formatNumber(b().residents)}</dd>
                  <dt>{t('panel.households')}</dt>
                  <dd>{formatNumber(b().households)}</dd>
                  <dt>{t('panel.area')}</dt>
                  <dd>{t('panel.areaUnit', { n: formatNumber(b().areaM2 / 1e6, 2) })}</dd>
                </dl>
                <div class="counts">
                  <div>
                    <span class="count-value">{formatNumber(b().open)}</span>
                    <span class="count-label">{t('panel.open')}</span>
                  </div>
                  <div classList={{ alert: b().overdue > 0 }}>
                    <span class="count-value">{formatNumber(b().overdue)}</span>
                    <span class="count-label">{t('panel.overdue')}</span>
                  </div>
                </div>
                <h3>{t('panel.team')}</h3>
                <Person role={t('panel.governor')} staff={b().team.governor} testId="governor" />
                <For each={b().team.assistants}>
                  {(a) => <Person role={t('panel.assistants')} staff={a} testId="assistant" />}
                </For>
                <Person role={t('panel.supervisor')} staff={b().team.supervisor} testId="supervisor" />
                <h3>{t('panel.recent')}</h3>
                <Show when={b().recentEvents.length > 0} fallback={<p class="muted">{t('panel.noRecent')}</p>}>
                  <ul class="recent">
                    <For each={b().recentEvents}>
                      {(e) => (
                        <li classList={{ overdue: e.overdue }}>
                          <span class="recent-cat">{e.category.name}</span>
                          <span class="recent-status">{e.overdue ? t('status.overdue') : statusText(e.status)}</span>
                          <span class="recent-time">{formatInstant(e.reportedAt, 'dateTime')}</span>
                        </li>
                      )}
                    </For>
                  </ul>
                </Show>
              </>
            )}
          </Show>
        </Suspense>
      </ErrorBoundary>
    </aside>
  );
}

export { ErrorNote };
