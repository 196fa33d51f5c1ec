import { createAsync } from '@solidjs/router';
import { createMemo, createSignal, ErrorBoundary, For, Show, type JSX } from 'solid-js';
import { createStore } from 'solid-js/store';
import { getAllEvents, getBasemapLayers, getBlocks } from '../api/client';
import { formatNumber, lang, t, type MessageKey } from '../i18n';
import { displayFor } from '../map/display';
import { buildEventPoints } from '../map/events';
import { MapView, type Hover, type LayerVisibility } from '../map/map-view';
import { readMapSettings } from '../map/settings';
import { useTheme } from '../theme';
import { BlockPanel, ErrorNote } from './block-panel';
import { Legend } from './legend';

const SETTINGS = readMapSettings();
const DISPLAY = displayFor(SETTINGS.gcj02);
/** Open cases, all pages. The server caps a page at 5,000; the cursor brings the rest. */
const OPEN_EVENTS = { status: 'open', limit: 5000 } as const;

const LAYER_KEYS: { key: keyof LayerVisibility; label: MessageKey }[] = [
  { key: 'blocks', label: 'map.layer.blocks' },
  { key: 'outlines', label: 'map.layer.outlines' },
  { key: 'events', label: 'map.layer.events' },
  { key: 'roads', label: 'map.layer.roads' },
  { key: 'labels', label: 'map.layer.labels' },
];

function Tooltip(props: { hover: Hover }): JSX.Element {
  return (
    <Show
      when={props.hover.kind === 'block' ? props.hover.block : undefined}
      fallback={
        <Show when={props.hover.kind === 'event' ? props.hover.event : undefined}>
          {(e) => (
            <>
              <strong>{e().category.name}</strong>
              <div class="mono">{e().caseNo}</div>
              <div>{e().overdue ? t('status.overdue') : t(`status.${e().status}` as MessageKey) ?? e().status}</div>
            </>
          )}
        </Show>
      }
    >
      {(b) => (
        <>
          <strong>{b().name}</strong>
          <div class="mono">{b().code}</div>
          <div>
            {t('tooltip.governor')}：{b().governor?.name ?? t('tooltip.none')}
          </div>
          <div class="muted">
            {t('panel.open')} {formatNumber(b().open)} · {t('panel.residents')} {formatNumber(b().residents)}
          </div>
        </>
      )}
    </Show>
  );
}

function LayerSwitcher(props: { visibility: LayerVisibility; toggle: (key: keyof LayerVisibility) => void }): JSX.Element {
  return (
    <fieldset class="layer-switcher">
      <legend>{t('map.layers')}</legend>
      <For each={LAYER_KEYS}>
        {({ key, label }) => (
          <label>
            <input type="checkbox" name={key} checked={props.visibility[key]} onChange={() => props.toggle(key)} />
            {t(label)}
          </label>
        )}
      </For>
    </fieldset>
  );
}

/** `/`: the district's blocks as a choropleth of open events, with events, legend, layer switcher and block card. */
export function OverviewView(): JSX.Element {
  const theme = useTheme();
  const basemap = createAsync(() => getBasemapLayers());
  const blocks = createAsync(() => getBlocks());
  const events = createAsync(() => getAllEvents(OPEN_EVENTS));
  const points = createMemo(() => {
    const items = events();
    return items ? buildEventPoints(items, DISPLAY) : undefined;
  });
  const [visibility, setVisibility] = createStore<LayerVisibility>({
    blocks: true,
    outlines: true,
    events: true,
    roads: true,
    labels: true,
  });
  const [selected, setSelected] = createSignal<string | null>(null);

  return (
    <div class="overview">
      <ErrorBoundary fallback={(error, reset) => <ErrorNote error={error} reset={reset} />}>
        <MapView
          theme={theme()}
          english={lang() === 'en'}
          waterName={t('map.xiang')}
          display={DISPLAY}
          styleUrl={SETTINGS.styleUrl}
          animate={SETTINGS.animate}
          visibility={visibility}
          basemap={basemap()}
          blocks={blocks()}
          events={points()}
          selected={selected()}
          onSelect={setSelected}
          tooltip={(hover) => <Tooltip hover={hover} />}
        />
      </ErrorBoundary>
      <div class="map-side">
        <LayerSwitcher visibility={visibility} toggle={(key) => setVisibility(key, (v) => !v)} />
        <Legend
          eventCount={points()?.length}
          showBlocks={visibility.blocks}
          showEvents={visibility.events}
          gcj02={DISPLAY.gcj02}
        />
        <Show when={!blocks() || !basemap() || !points()}>
          <p class="muted loading-note">{t('map.loadingLayers')}</p>
        </Show>
      </div>
      <Show when={selected()}>
        {(code) => <BlockPanel code={code()} onClose={() => setSelected(null)} />}
      </Show>
    </div>
  );
}
