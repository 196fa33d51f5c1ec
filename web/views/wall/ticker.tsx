import { For, Show, type Accessor, type JSX } from 'solid-js';
import { lang, t } from '../../i18n';
import { formatInstant } from '../../i18n/time';
import { dayLabel, shanghaiDay } from './day-label';
import type { TickerItem } from './store';

const time = (at: number) => formatInstant(at, 'hourMinute');

/**
 * The latest reports, newest first: category, place, time. Rows from an earlier day sit under a day heading
 * ("昨天", "11月24日"), so "09:58" seen at 08:40 is not read as a report from the future. A fixed number of rows
 * (keyed), and at most one heading per row, so the DOM never grows.
 */
export function Ticker(props: { items: Accessor<TickerItem[]>; now: Accessor<number> }): JSX.Element {
  const heading = (i: number) => {
    const items = props.items();
    const at = items[i]?.at;
    if (at === undefined) return null;
    const prev = items[i - 1];
    if (prev && shanghaiDay(prev.at) === shanghaiDay(at)) return null;
    return dayLabel(at, props.now(), lang());
  };
  return (
    <section class="wall-ticker" data-testid="wall-ticker">
      <h2>{t('wall.ticker.title')}</h2>
      <Show when={props.items().length > 0} fallback={<p class="wall-muted">{t('wall.ticker.empty')}</p>}>
        <ol>
          <For each={props.items()}>
            {(item, index) => (
              <>
                <Show when={heading(index())}>{(day) => <li class="wall-ticker-day">{day()}</li>}</Show>
                <li data-event-id={item.id} classList={{ fresh: props.now() - item.at < 60_000 }}>
                  <span class="wall-ticker-time">{time(item.at)}</span>
                  <span class="wall-ticker-cat">{item.category}</span>
                  <span class="wall-ticker-place">{item.place}</span>
                </li>
              </>
            )}
          </For>
        </ol>
      </Show>
    </section>
  );
}
