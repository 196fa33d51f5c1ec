/**
 * The review's charts as plain SVG drawn by Solid: box plots, Kaplan–Meier curves with their bands, trend lines and
 * ranking bars. Hand-made rather than a charting library: four small, fixed chart forms need no layout engine, the
 * text is the page's own (CJK fonts, selectable, printable), and the bundle grows by a few kilobytes instead of a
 * library's 40–200 kB.
 */
import { For, Show, type JSX } from 'solid-js';
import type { IntervalSummary, RankingRow, SurvivalCurve, TrendPoint } from '../../../server/contract/review';
import { formatNumber } from '../../i18n';

export const SERIES_COLORS = [
  '#1d5fd0', '#e8590c', '#2b8a3e', '#c2255c', '#7048e8', '#0b7285', '#e67700', '#5c940d', '#862e9c', '#364fc7', '#a61e4d', '#495057',
];

/** Minutes as a short duration: 45分 / 3.5时 / 2.1天 (or m / h / d). */
export function duration(minutes: number, units: { m: string; h: string; d: string }): string {
  if (minutes < 60) return `${Math.round(minutes)}${units.m}`;
  if (minutes < 48 * 60) return `${formatNumber(minutes / 60, 1)}${units.h}`;
  return `${formatNumber(minutes / 1440, 1)}${units.d}`;
}

const logScale = (max: number, width: number) => {
  const top = Math.log10(1 + max);
  return (v: number) => (top > 0 ? (Math.log10(1 + Math.max(0, v)) / top) * width : 0);
};

/** Horizontal box plots on a log scale: whiskers (Tukey), box q1–q3, median line, p90 tick. */
export function BoxPlots(props: {
  rows: { label: string; summary: IntervalSummary | null }[];
  units: { m: string; h: string; d: string };
  testId: string;
}): JSX.Element {
  const W = 420, LABEL = 64, ROW = 30, PAD = 24;
  const max = () => Math.max(60, ...props.rows.map((r) => r.summary?.whiskerHigh ?? 0));
  const x = (v: number) => LABEL + logScale(max(), W - LABEL - 10)(v);
  const ticks = () => [10, 60, 240, 1440, 10080, 43200].filter((t) => t <= max() * 1.2);
  return (
    <svg class="chart box-plots" viewBox={`0 0 ${W} ${props.rows.length * ROW + PAD}`} data-testid={props.testId} role="img">
      <For each={ticks()}>
        {(t) => (
          <g class="tick">
            <line x1={x(t)} x2={x(t)} y1={0} y2={props.rows.length * ROW} />
            <text x={x(t)} y={props.rows.length * ROW + 14} text-anchor="middle">{duration(t, props.units)}</text>
          </g>
        )}
      </For>
      <For each={props.rows}>
        {(r, i) => {
          const y = () => i() * ROW + ROW / 2;
          return (
            <g class="box-row">
              <text x={0} y={y() + 4} class="label">{r.label}</text>
              <Show when={r.summary} fallback={<text x={LABEL} y={y() + 4} class="muted">—</text>}>
                {(s) => (
                  <g class="box" data-median={s().median}>
                    <title>{`n=${s().n}  Q1 ${duration(s().q1, props.units)}  M ${duration(s().median, props.units)}  Q3 ${duration(s().q3, props.units)}  P90 ${duration(s().p90, props.units)}`}</title>
                    <line x1={x(s().whiskerLow)} x2={x(s().whiskerHigh)} y1={y()} y2={y()} class="whisker" />
                    <rect x={x(s().q1)} y={y() - 8} width={Math.max(1, x(s().q3) - x(s().q1))} height={16} class="iqr" />
                    <line x1={x(s().median)} x2={x(s().median)} y1={y() - 8} y2={y() + 8} class="median" />
                    <line x1={x(s().p90)} x2={x(s().p90)} y1={y() - 5} y2={y() + 5} class="p90" />
                  </g>
                )}
              </Show>
            </g>
          );
        }}
      </For>
    </svg>
  );
}

/** Kaplan–Meier step curves (share still open against hours since report), each with its 95 % band. */
export function KmChart(props: { curves: SurvivalCurve[]; hoursLabel: string; testId: string }): JSX.Element {
  const W = 520, H = 260, L = 36, B = 24;
  // The x range ends where 95 % of the largest group has closed or at 30 days, so the long tail does not flatten it.
  const xmax = () => {
    let m = 24;
    for (const c of props.curves) {
      const p = c.points.find((q) => q.survival <= 0.05);
      m = Math.max(m, p ? p.t : c.points.at(-1)?.t ?? 0);
    }
    return Math.min(m, 720);
  };
  const x = (t: number) => L + (Math.min(t, xmax()) / xmax()) * (W - L - 8);
  const y = (s: number) => 6 + (1 - s) * (H - B - 6);
  const step = (pts: { t: number; v: number }[]) => {
    let d = `M${x(0)},${y(1)}`;
    for (const p of pts) {
      if (p.t > xmax()) break;
      d += `H${x(p.t)}V${y(p.v)}`;
    }
    return d + `H${x(xmax())}`;
  };
  const band = (c: SurvivalCurve) => {
    const pts = c.points.filter((p) => p.t <= xmax());
    const upper = step(pts.map((p) => ({ t: p.t, v: p.upper })));
    let lower = '';
    for (let i = pts.length - 1; i >= 0; i--) lower += `L${x(pts[i].t)},${y(pts[i].lower)}`;
    return `${upper}V${y(pts.at(-1)?.lower ?? 1)}${lower}Z`;
  };
  return (
    <svg class="chart km" viewBox={`0 0 ${W} ${H}`} data-testid={props.testId} role="img">
      <For each={[0, 0.25, 0.5, 0.75, 1]}>
        {(s) => (
          <g class="tick">
            <line x1={L} x2={W - 8} y1={y(s)} y2={y(s)} />
            <text x={L - 4} y={y(s) + 4} text-anchor="end">{`${s * 100}%`}</text>
          </g>
        )}
      </For>
      <For each={[0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * xmax()))}>
        {(t) => <text class="tick" x={x(t)} y={H - 8} text-anchor="middle">{`${t}${props.hoursLabel}`}</text>}
      </For>
      <For each={props.curves}>
        {(c, i) => (
          <g class="curve" data-key={c.key}>
            <path d={band(c)} fill={SERIES_COLORS[i() % SERIES_COLORS.length]} opacity={0.08} />
            <path d={step(c.points.map((p) => ({ t: p.t, v: p.survival })))} fill="none" stroke={SERIES_COLORS[i() % SERIES_COLORS.length]} stroke-width={1.6} />
          </g>
        )}
      </For>
    </svg>
  );
}

/** Received per bucket as bars, closure and on-time rates as lines (0–100 %). */
export function TrendChart(props: { points: TrendPoint[]; testId: string; labels: { received: string; closure: string; onTime: string } }): JSX.Element {
  const W = 520, H = 200, L = 36, B = 22;
  const n = () => Math.max(1, props.points.length);
  const bw = () => (W - L - 8) / n();
  const maxN = () => Math.max(1, ...props.points.map((p) => p.received));
  const y = (f: number) => 6 + (1 - f) * (H - B - 6);
  const line = (get: (p: TrendPoint) => number | null) =>
    props.points
      .map((p, i) => [i, get(p)] as const)
      .filter(([, v]) => v !== null)
      .map(([i, v], k) => `${k ? 'L' : 'M'}${L + (i + 0.5) * bw()},${y(v!)}`)
      .join('');
  return (
    <svg class="chart trend" viewBox={`0 0 ${W} ${H}`} data-testid={props.testId} role="img">
      <For each={props.points}>
        {(p, i) => (
          <rect class="bar" x={L + i() * bw() + 1} y={y(p.received / maxN())} width={Math.max(1, bw() - 2)} height={H - B - y(p.received / maxN())}>
            <title>{`${p.start} ${props.labels.received} ${p.received}`}</title>
          </rect>
        )}
      </For>
      <path class="line closure" d={line((p) => p.closureRate)} />
      <path class="line on-time" d={line((p) => p.onTimeRate)} />
      <For each={[0, 0.5, 1]}>{(f) => <text class="tick" x={L - 4} y={y(f) + 4} text-anchor="end">{`${f * 100}%`}</text>}</For>
      <text class="tick" x={L} y={H - 6}>{props.points[0]?.start ?? ''}</text>
      <text class="tick" x={W - 8} y={H - 6} text-anchor="end">{props.points.at(-1)?.start ?? ''}</text>
    </svg>
  );
}

/** Score bars with the district's score as a reference line; change figures beside each bar. */
export function RankingBars(props: { rows: RankingRow[]; district: number | null; testId: string; mom: string; yoy: string }): JSX.Element {
  const W = 600, ROW = 22, NAME = 110, VALUE = 200;
  const x = (s: number) => NAME + (Math.max(0, Math.min(100, s)) / 100) * (W - NAME - VALUE);
  const pct = (v: number | null) => (v === null ? '—' : `${v >= 0 ? '+' : ''}${formatNumber(v * 100, 1)}%`);
  return (
    <svg class="chart ranking" viewBox={`0 0 ${W} ${props.rows.length * ROW + 8}`} data-testid={props.testId} role="img">
      <For each={props.rows}>
        {(r, i) => (
          <g class="rank-row" data-key={r.key}>
            <text x={0} y={i() * ROW + 15} class="label">{r.name.length > 9 ? `${r.name.slice(0, 8)}…` : r.name}</text>
            <rect x={NAME} y={i() * ROW + 4} width={Math.max(1, x(r.current.score ?? 0) - NAME)} height={ROW - 8} class={(r.vsDistrict ?? 0) >= 0 ? 'bar above' : 'bar below'} />
            <text x={x(r.current.score ?? 0) + 4} y={i() * ROW + 15} class="value">{r.current.score === null ? '—' : formatNumber(r.current.score, 1)}</text>
            <text x={W - VALUE + 50} y={i() * ROW + 15} class="muted">{`${props.mom} ${pct(r.monthOnMonth)}  ${props.yoy} ${pct(r.yearOnYear)}`}</text>
          </g>
        )}
      </For>
      <Show when={props.district !== null}>
        <line class="district" x1={x(props.district!)} x2={x(props.district!)} y1={0} y2={props.rows.length * ROW + 4} />
      </Show>
    </svg>
  );
}
