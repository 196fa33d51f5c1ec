import { Show, type Accessor, type JSX } from 'solid-js';
import { t } from '../../i18n';
import { formatInstant } from '../../i18n/time';
import type { StreamStatus } from '../../live/stream';

/**
 * Says so, in large red type, when the live data has stopped: the stream has been down for more than a few
 * seconds. It carries the time of the last message, and disappears by itself once the stream is back.
 */
export function StaleIndicator(props: { status: Accessor<StreamStatus>; lastMessageAt: Accessor<number | null> }): JSX.Element {
  const last = () => {
    const at = props.lastMessageAt();
    return at === null
      ? t('wall.stale.never')
      : t('wall.stale.last', { time: formatInstant(at, 'clock') });
  };
  return (
    <Show when={props.status() === 'stale'}>
      <div class="wall-stale" role="alert" data-testid="wall-stale">
        <strong>{t('wall.stale.title')}</strong>
        <span>{last()}</span>
      </div>
    </Show>
  );
}
