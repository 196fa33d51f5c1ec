import type { Accessor, JSX } from 'solid-js';
import { lang } from '../../i18n';

/** Date and time in Asia/Shanghai, big; `now` ticks once a second. */
export function WallClock(props: { now: Accessor<number> }): JSX.Element {
  const fmt = (options: Intl.DateTimeFormatOptions) => new Date(props.now()).toLocaleString(lang(), { timeZone: 'Asia/Shanghai', hour12: false, ...options });
  return (
    <div class="wall-clock" data-testid="wall-clock">
      <span class="wall-clock-time">{fmt({ hour: '2-digit', minute: '2-digit', second: '2-digit' })}</span>
      <span class="wall-clock-date">{fmt({ year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short' })}</span>
    </div>
  );
}
