import type { Accessor, JSX } from 'solid-js';
import { formatInstant } from '../../i18n/time';

/** Date and time in Asia/Shanghai, big; `now` ticks once a second. */
export function WallClock(props: { now: Accessor<number> }): JSX.Element {
  return (
    <div class="wall-clock" data-testid="wall-clock">
      <span class="wall-clock-time">{formatInstant(props.now(), 'clock')}</span>
      <span class="wall-clock-date">{formatInstant(props.now(), 'date')}</span>
    </div>
  );
}
