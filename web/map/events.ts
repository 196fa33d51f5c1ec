import type { EventSummary } from '../../server/contract/api';
import { isFinishedStatus } from '../../server/contract/statuses';
import type { Display } from './display';
import { EVENT_COLORS } from './palette';

/**
 * Events as deck.gl binary attributes: one interleaved Float64Array of [lon, lat] and one Uint8Array of RGBA per
 * point, built once per fetch. The layer then reads the buffers directly, with no per-object accessor calls and no
 * per-frame allocation, which is what keeps 10^5 points smooth.
 */
export interface EventPoints {
  length: number;
  attributes: {
    getPosition: { value: Float64Array; size: 2 };
    getFillColor: { value: Uint8Array; size: 4; normalized: true };
  };
  /** The source rows, by point index, for tooltips. */
  items: readonly EventSummary[];
  overdue: number;
}

export function buildEventPoints(items: readonly EventSummary[], display: Display): EventPoints {
  const n = items.length;
  const positions = new Float64Array(n * 2);
  const colors = new Uint8Array(n * 4);
  let overdue = 0;
  for (let i = 0; i < n; i++) {
    const e = items[i];
    positions[i * 2] = e.lon;
    positions[i * 2 + 1] = e.lat;
    const color = e.overdue ? EVENT_COLORS.overdue : isFinishedStatus(e.status) ? EVENT_COLORS.closed : EVENT_COLORS.open;
    if (e.overdue) overdue++;
    colors.set(color, i * 4);
  }
  display.positions(positions);
  return {
    length: n,
    attributes: { getPosition: { value: positions, size: 2 }, getFillColor: { value: colors, size: 4, normalized: true } },
    items,
    overdue,
  };
}
