import { For, Show, type JSX } from 'solid-js';
import type { LonLat, UnlocatedRequest } from '../../../server/contract/api';
import { t } from '../../i18n';
import { formatInstant } from '../../i18n/time';

/**
 * Open311 requests that came with an address but no point (待定位). The dispatcher picks one, reads the address,
 * clicks the place on the map and files it: the request becomes a case through the usual report path.
 */
export function UnlocatedRequests(props: {
  items: readonly UnlocatedRequest[] | undefined;
  selected: number | null;
  point: LonLat | null;
  busy: boolean;
  error: string | null;
  onSelect: (id: number) => void;
  onLocate: () => void;
}): JSX.Element {
  return (
    <Show when={props.items} fallback={<p class="muted ops-empty">{t('app.loading')}</p>}>
      {(items) => (
        <Show when={items().length > 0} fallback={<p class="muted ops-empty" data-testid="unlocated-empty">{t('ops.unlocated.empty')}</p>}>
          <p class="muted small ops-unlocated-hint">{t('ops.unlocated.hint')}</p>
          <ol class="ops-queue" data-testid="unlocated" role="listbox" aria-label={t('ops.tab.unlocated')}>
            <For each={items()}>
              {(r) => (
                <li
                  role="option"
                  aria-selected={r.id === props.selected}
                  classList={{ selected: r.id === props.selected }}
                  data-id={r.id}
                  onClick={() => props.onSelect(r.id)}
                >
                  <div class="q-line">
                    <span class="q-cat">{r.category.name}</span>
                    <span class="mono small">{formatInstant(r.requestedAt, 'dateTime')}</span>
                  </div>
                  <div class="q-line" data-testid="unlocated-address">{r.addressString ?? r.addressId ?? '—'}</div>
                  <div class="q-line muted small">
                    <span>{r.text}</span>
                    <span class="mono">{r.serviceRequestId}</span>
                  </div>
                  <Show when={r.id === props.selected}>
                    <div class="ops-unlocated-place">
                      <Show when={props.point} fallback={<span class="muted small">{t('ops.unlocated.clickMap')}</span>}>
                        {(p) => <span class="mono small" data-testid="unlocated-point">{p()[0].toFixed(6)}, {p()[1].toFixed(6)}</span>}
                      </Show>
                      <button
                        type="button"
                        class="primary"
                        disabled={!props.point || props.busy}
                        data-testid="unlocated-locate"
                        onClick={(e) => (e.stopPropagation(), props.onLocate())}
                      >
                        {t('ops.unlocated.locate')}
                      </button>
                    </div>
                    <Show when={props.error}>{(m) => <p class="ops-error" role="alert">{m()}</p>}</Show>
                  </Show>
                </li>
              )}
            </For>
          </ol>
        </Show>
      )}
    </Show>
  );
}
