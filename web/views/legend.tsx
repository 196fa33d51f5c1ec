import { For, Show, type JSX } from 'solid-js';
import { useDistrict } from '../district';
import { formatNumber, t } from '../i18n';
import { CHOROPLETH_BREAKS, CHOROPLETH_COLORS, cssColor, EVENT_COLORS, NO_RESIDENTS_COLOR } from '../map/palette';

function classLabel(i: number): string {
  if (i === 0) return t('map.legend.none');
  const lo = i === 1 ? 0 : CHOROPLETH_BREAKS[i - 2];
  const hi = CHOROPLETH_BREAKS[i - 1];
  return hi === undefined ? `> ${formatNumber(lo, 1)}` : `${formatNumber(lo, 1)} – ${formatNumber(hi, 1)}`;
}

/** Choropleth classes and event colours, titled in the current language, plus the plain note on what is real. */
export function Legend(props: { eventCount: number | undefined; showBlocks: boolean; showEvents: boolean; gcj02: boolean }): JSX.Element {
  const district = useDistrict();
  return (
    <aside class="legend" aria-label={t('map.legend.title')}>
      <Show when={props.showBlocks}>
        <h2>{t('map.legend.title')}</h2>
        <ul class="legend-classes">
          <For each={CHOROPLETH_COLORS}>
            {(color, i) => (
              <li>
                <span class="swatch" style={{ background: cssColor([color[0], color[1], color[2], 230]) }} />
                {classLabel(i())}
              </li>
            )}
          </For>
          <li>
            <span class="swatch" style={{ background: cssColor(NO_RESIDENTS_COLOR) }} />
            {t('map.legend.noResidents')}
          </li>
        </ul>
      </Show>
      <Show when={props.showEvents}>
        <h2>{t('map.legend.events')}</h2>
        <ul class="legend-events">
          <li>
            <span class="dot" style={{ background: cssColor(EVENT_COLORS.open) }} />
            {t('map.legend.open')}
          </li>
          <li>
            <span class="dot" style={{ background: cssColor(EVENT_COLORS.overdue) }} />
            {t('map.legend.overdue')}
          </li>
          <Show when={props.eventCount !== undefined}>
            <li class="muted">{t('map.legend.eventsCount', { n: formatNumber(props.eventCount ?? 0) })}</li>
          </Show>
        </ul>
      </Show>
      <p class="data-note">{t(district.demo() ? 'map.dataNote' : 'map.dataNoteImported')}</p>
      <Show when={props.gcj02}>
        <p class="data-note">{t('map.gcjNote')}</p>
      </Show>
    </aside>
  );
}
