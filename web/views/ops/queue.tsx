import { createEffect, For, Show, type Accessor, type JSX } from 'solid-js';
import type { EventSummary } from '../../../server/contract/api';
import { t, type MessageKey } from '../../i18n';
import { dueLevel, formatRemaining, label } from './state';

export interface QueueFilter {
  category: string;
  tier: string;
  status: string;
}

export const EMPTY_FILTER: QueueFilter = { category: '', tier: '', status: '' };

/** Applies the filter and sorts by time left to due (most urgent first). */
export function filterQueue(items: readonly EventSummary[], f: QueueFilter): EventSummary[] {
  return items
    .filter((e) => (!f.category || e.category.code === f.category) && (!f.tier || e.tier === f.tier) && (!f.status || e.status === f.status))
    .sort((a, b) => Date.parse(a.dueAt ?? '9999') - Date.parse(b.dueAt ?? '9999') || Number(a.id) - Number(b.id));
}

export function QueueFilters(props: {
  items: readonly EventSummary[];
  filter: QueueFilter;
  onChange: (f: QueueFilter) => void;
}): JSX.Element {
  const categories = () => {
    const seen = new Map<string, string>();
    for (const e of props.items) seen.set(e.category.code, e.category.name);
    if (props.filter.category && !seen.has(props.filter.category)) seen.set(props.filter.category, props.filter.category);
    return [...seen].sort((a, b) => a[0].localeCompare(b[0]));
  };
  const set = (key: keyof QueueFilter) => (e: Event) => props.onChange({ ...props.filter, [key]: (e.currentTarget as HTMLSelectElement).value });
  return (
    <div class="ops-filters" role="group" aria-label={t('ops.filter.label')}>
      <label>
        <span>{t('ops.filter.category')}</span>
        <select name="category" value={props.filter.category} onChange={set('category')}>
          <option value="">{t('ops.filter.all')}</option>
          <For each={categories()}>{([code, name]) => <option value={code}>{`${code} ${name}`}</option>}</For>
        </select>
      </label>
      <label>
        <span>{t('ops.filter.tier')}</span>
        <select name="tier" value={props.filter.tier} onChange={set('tier')}>
          <option value="">{t('ops.filter.all')}</option>
          <For each={['block', 'centre', 'department']}>{(tier) => <option value={tier}>{label('ops.tier', tier)}</option>}</For>
        </select>
      </label>
      <label>
        <span>{t('ops.filter.status')}</span>
        <select name="status" value={props.filter.status} onChange={set('status')}>
          <option value="">{t('ops.filter.all')}</option>
          <option value="reported">{label('ops.status', 'reported')}</option>
          <option value="filed">{label('ops.status', 'filed')}</option>
        </select>
      </label>
    </div>
  );
}

export function Countdown(props: { event: Pick<EventSummary, 'reportedAt' | 'dueAt'>; now: number; warned?: boolean }): JSX.Element {
  const level = () => dueLevel(props.event, props.now, props.warned);
  return (
    <span class={`countdown due-${level()}`} data-level={level()} title={t(`ops.level.${level()}` as MessageKey)}>
      {props.event.dueAt ? formatRemaining(Date.parse(props.event.dueAt) - props.now) : '—'}
    </span>
  );
}

/** The queue: one row per case, the selected one highlighted (and kept in view while moving with the keys). */
export function QueueList(props: {
  items: readonly EventSummary[];
  selected: number;
  openId: number | null;
  now: Accessor<number>;
  warned: (id: number) => boolean;
  fresh: (id: number) => boolean;
  returned: (id: number) => boolean;
  onSelect: (index: number) => void;
  onOpen: (index: number) => void;
}): JSX.Element {
  let list!: HTMLOListElement;
  createEffect(() => {
    const i = props.selected;
    const row = list?.children[i] as HTMLElement | undefined;
    row?.scrollIntoView({ block: 'nearest' });
  });
  return (
    <Show when={props.items.length > 0} fallback={<p class="muted ops-empty" data-testid="queue-empty">{t('ops.queue.empty')}</p>}>
      <ol class="ops-queue" ref={list} role="listbox" aria-label={t('ops.queue.title')} data-testid="queue">
        <For each={props.items}>
          {(e, i) => (
            <li
              role="option"
              aria-selected={i() === props.selected}
              classList={{ selected: i() === props.selected, open: Number(e.id) === props.openId, fresh: props.fresh(Number(e.id)) }}
              data-id={e.id}
              data-case={e.caseNo}
              data-status={e.status}
              onClick={() => props.onSelect(i())}
              onDblClick={() => props.onOpen(i())}
            >
              <div class="q-line">
                <span class="q-cat">{e.category.name}</span>
                <Countdown event={e} now={props.now()} warned={props.warned(Number(e.id))} />
              </div>
              <div class="q-line muted">
                <span class="mono">{e.caseNo}</span>
                <span>
                  <Show when={e.status === 'filed' && props.returned(Number(e.id))}>
                    <span class="tag tag-handoff">{t('ops.queue.returned')}</span>
                  </Show>
                  <span class={`q-status st-${e.status}`}>{label('ops.status', e.status)}</span>
                </span>
              </div>
              <div class="q-line muted small">
                <span>
                  {label('ops.tier', e.tier)} · {label('ops.channel', e.channel)}
                </span>
                <button type="button" class="link" onClick={(ev) => (ev.stopPropagation(), props.onOpen(i()))}>
                  {t('ops.queue.open')}
                </button>
              </div>
            </li>
          )}
        </For>
      </ol>
    </Show>
  );
}
