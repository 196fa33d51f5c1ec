import { For, Show, type Accessor, type JSX } from 'solid-js';
import { formatNumber, t, type MessageKey } from '../../i18n';
import type { KpiFigures as Kpi } from '../../../server/contract/api';

interface Cell {
  key: string;
  label: MessageKey;
  value: (k: Kpi) => string;
  /** What to say instead of a figure that does not exist yet (no closure, no acceptance so far today). */
  empty?: (k: Kpi) => MessageKey | null;
  tone?: (k: Kpi) => 'alert' | 'good' | 'warn' | undefined;
}

function duration(seconds: number | null): string {
  if (seconds === null) return t('wall.kpi.none');
  return seconds < 120 ? t('wall.kpi.seconds', { n: Math.round(seconds) }) : t('wall.kpi.minutes', { n: formatNumber(seconds / 60, 0) });
}

const CELLS: Cell[] = [
  { key: 'reports', label: 'wall.kpi.reports', value: (k) => formatNumber(k.reports) },
  { key: 'dispatched', label: 'wall.kpi.dispatched', value: (k) => formatNumber(k.dispatched) },
  { key: 'closed', label: 'wall.kpi.closed', value: (k) => formatNumber(k.closed) },
  {
    key: 'onTime',
    label: 'wall.kpi.onTime',
    value: (k) => (k.onTimeClosureRate === null ? t('wall.kpi.none') : `${formatNumber(k.onTimeClosureRate * 100, 1)}%`),
    empty: (k) => (k.onTimeClosureRate === null ? 'wall.kpi.noClosures' : null),
    tone: (k) => (k.onTimeClosureRate === null ? undefined : k.onTimeClosureRate >= 0.9 ? 'good' : k.onTimeClosureRate >= 0.75 ? 'warn' : 'alert'),
  },
  { key: 'overdue', label: 'wall.kpi.overdue', value: (k) => formatNumber(k.overdue), tone: (k) => (k.overdue > 0 ? 'alert' : 'good') },
  {
    key: 'response',
    label: 'wall.kpi.response',
    value: (k) => duration(k.medianResponseS),
    empty: (k) => (k.medianResponseS === null ? 'wall.kpi.noResponses' : null),
  },
];

/**
 * Today's six key figures, big enough to read across the room; they move with every kpi.tick. A rate or median with
 * nothing to measure yet (early morning) says so in words rather than showing a bare dash.
 */
export function KpiStrip(props: { kpi: Accessor<Kpi | null> }): JSX.Element {
  return (
    <div class="wall-kpis" data-testid="wall-kpis">
      <For each={CELLS}>
        {(cell) => (
          <div class="wall-kpi" data-kpi={cell.key} data-tone={props.kpi() ? cell.tone?.(props.kpi()!) : undefined}>
            <Show
              when={props.kpi() && cell.empty?.(props.kpi()!)}
              fallback={<div class="wall-kpi-value">{props.kpi() ? cell.value(props.kpi()!) : t('wall.kpi.none')}</div>}
            >
              {(key) => <div class="wall-kpi-value empty">{t(key())}</div>}
            </Show>
            <div class="wall-kpi-label">{t(cell.label)}</div>
          </div>
        )}
      </For>
    </div>
  );
}
