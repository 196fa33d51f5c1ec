/**
 * Kaplan–Meier survival (here: the share of cases still open after t), with open cases right-censored at "now".
 *
 *   S(t) = Π_{tᵢ ≤ t} (1 − dᵢ / nᵢ)          (Kaplan & Meier 1958)
 *   Var S(t) = S(t)² Σ_{tᵢ ≤ t} dᵢ / (nᵢ (nᵢ − dᵢ))   (Greenwood 1926)
 * where at each distinct time tᵢ, nᵢ cases are at risk and dᵢ close; a case censored at tᵢ is still at risk at tᵢ
 * (the usual convention: closings before censorings at a tie).
 *
 * The pointwise 95 % band is Greenwood's variance on the log(−log S) scale (Kalbfleisch & Prentice 1980), which
 * stays inside [0, 1]: S^{exp(±z·σ)} with σ = √(Σ d/(n(n−d))) / |log S|. The median is the first t with S(t) ≤ 0.5
 * (none while the curve stays above); its confidence limits are where the band's edges cross 0.5.
 */

export interface KmStep {
  /** The distinct time (same unit as the input). */
  t: number;
  atRisk: number;
  /** Closings at t. */
  events: number;
  /** Censored (still open) at t. */
  censored: number;
  survival: number;
  /** Greenwood standard error of S(t). */
  se: number;
  lower: number;
  upper: number;
}

export interface KmCurve {
  n: number;
  events: number;
  censored: number;
  steps: KmStep[];
  median: number | null;
  medianLower: number | null;
  medianUpper: number | null;
}

const Z95 = 1.959963984540054;

/**
 * KM from counts at ascending distinct times (times[i] with deaths[i] closings and censored[i] censorings). Times with
 * neither are skipped.
 */
export function kaplanMeierFromCounts(times: ArrayLike<number>, deaths: ArrayLike<number>, censored: ArrayLike<number>, z = Z95): KmCurve {
  let atRisk = 0, totalEvents = 0, totalCensored = 0;
  for (let i = 0; i < times.length; i++) {
    atRisk += deaths[i] + censored[i];
    totalEvents += deaths[i];
    totalCensored += censored[i];
  }
  const n = atRisk;
  const steps: KmStep[] = [];
  let s = 1, greenwood = 0;
  let median: number | null = null, medianLower: number | null = null, medianUpper: number | null = null;
  for (let i = 0; i < times.length; i++) {
    const d = deaths[i], c = censored[i];
    if (d === 0 && c === 0) continue;
    if (d > 0) {
      s *= 1 - d / atRisk;
      greenwood += atRisk > d ? d / (atRisk * (atRisk - d)) : Infinity;
    }
    const se = s > 0 && Number.isFinite(greenwood) ? s * Math.sqrt(greenwood) : 0;
    let lower = s, upper = s;
    if (s > 0 && s < 1 && Number.isFinite(greenwood)) {
      const sigma = Math.sqrt(greenwood) / Math.abs(Math.log(s));
      lower = s ** Math.exp(z * sigma);
      upper = s ** Math.exp(-z * sigma);
    } else if (s === 0) {
      upper = 0;
    }
    steps.push({ t: times[i], atRisk, events: d, censored: c, survival: s, se, lower, upper });
    if (median === null && s <= 0.5) median = times[i];
    if (medianLower === null && lower <= 0.5) medianLower = times[i];
    if (medianUpper === null && upper <= 0.5) medianUpper = times[i];
    atRisk -= d + c;
  }
  return { n, events: totalEvents, censored: totalCensored, steps, median, medianLower, medianUpper };
}

/** KM from individual durations; closed[i] true = the case closed at durations[i], false = still open (censored). */
export function kaplanMeier(durations: ArrayLike<number>, closed: ArrayLike<boolean | 0 | 1>, z = Z95): KmCurve {
  const order = Array.from({ length: durations.length }, (_, i) => i).sort((a, b) => durations[a] - durations[b]);
  const times: number[] = [], deaths: number[] = [], cens: number[] = [];
  for (const i of order) {
    const t = durations[i];
    if (times.length === 0 || times[times.length - 1] !== t) {
      times.push(t);
      deaths.push(0);
      cens.push(0);
    }
    if (closed[i]) deaths[deaths.length - 1]++;
    else cens[cens.length - 1]++;
  }
  return kaplanMeierFromCounts(times, deaths, cens, z);
}
