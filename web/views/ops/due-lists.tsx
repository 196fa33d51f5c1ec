import { For, Show, type JSX } from 'solid-js';
import { t } from '../../i18n';
import type { DueItem } from './api';
import { Countdown } from './queue';
import { label } from './state';

/**
 * Overdue (超期) and escalated / warning (预警·督办) cases from GET /api/events/overdue?include=warning, as two
 * lists. Clicking a row opens the case in the panel.
 */
export function DueLists(props: {
  items: readonly DueItem[] | undefined;
  counts: { overdue: number; warning: number } | undefined;
  now: number;
  loading: boolean;
  openId: number | null;
  onOpen: (id: number) => void;
}): JSX.Element {
  const overdue = () => (props.items ?? []).filter((d) => d.level === 'overdue');
  const warning = () => (props.items ?? []).filter((d) => d.level === 'warning');
  const escalated = () => overdue().filter((d) => d.escalationLevel > 0).length;

  const List = (p: { items: DueItem[]; id: string }) => (
    <ol class="ops-queue due-list" data-testid={p.id}>
      <For each={p.items} fallback={<li class="muted ops-empty">{t('ops.due.none')}</li>}>
        {(d) => (
          <li classList={{ open: Number(d.id) === props.openId }} data-id={d.id} onClick={() => props.onOpen(Number(d.id))}>
            <div class="q-line">
              <span class="q-cat">{d.category.name}</span>
              <Countdown event={d} now={props.now} warned={d.level === 'warning'} />
            </div>
            <div class="q-line muted">
              <span class="mono">{d.caseNo}</span>
              <span class={`q-status st-${d.status}`}>{label('ops.status', d.status)}</span>
            </div>
            <div class="q-line muted small">
              <span>{d.assignee ? t('ops.due.assignee', { name: d.assignee.name }) : t('ops.due.unassigned')}</span>
              <span>
                <Show when={d.escalationLevel > 0}>
                  <span class="tag tag-escalated">{label('ops.escalation', String(d.escalationLevel))}</span>
                </Show>
                <Show when={d.extensionPending}>
                  <span class="tag">{t('ops.due.extension')}</span>
                </Show>
              </span>
            </div>
          </li>
        )}
      </For>
    </ol>
  );

  return (
    <div class="ops-due" data-testid="due-lists">
      <Show when={props.loading && !props.items}>
        <p class="muted">{t('app.loading')}</p>
      </Show>
      <h3>
        {t('ops.due.overdue')} <span class="count alert">{props.counts?.overdue ?? '…'}</span>
        <span class="muted small"> {t('ops.due.escalatedCount', { n: escalated() })}</span>
      </h3>
      <List items={overdue()} id="overdue-list" />
      <h3>
        {t('ops.due.warning')} <span class="count warn">{props.counts?.warning ?? '…'}</span>
      </h3>
      <List items={warning()} id="warning-list" />
    </div>
  );
}
