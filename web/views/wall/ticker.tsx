import { For, Show, type Accessor, type JSX } from 'solid-js';
import { lang, t } from '../../i18n';
import type { TickerItem } from './store';

const time = (at: number) => new Date(at).toLocaleTimeString(lang(), { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hour12: false });

/** The latest reports, newest first: category, place, time. A fixed number of rows (keyed), so the DOM never grows. */
export function Ticker(props: { items: Accessor<TickerItem[]>; now: Accessor<number> }): JSX.Element {
  return (
    <section class="wall-ticker" data-testid="wall-ticker">
      <h2>{t('wall.ticker.title')}</h2>
      <Show when={props.items().length > 0} fallback={<p class="wall-muted">{t('wall.ticker.empty')}</p>}>
        <ol>
          <For each={props.items()}>
            {(item) => (
              <li data-event-id={item.id} classList={{ fresh: props.now() - item.at < 60_000 }}>
                <span class="wall-ticker-time">{time(item.at)}</span>
                <span class="wall-ticker-cat">{item.category}</span>
                <span class="wall-ticker-place">{item.place}</span>
              </li>
            )}
          </For>
        </ol>
      </Show>
    </section>
  );
}
