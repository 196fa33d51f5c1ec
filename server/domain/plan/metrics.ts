/**
 * Per-block figures of a plan — population, workload, staffing and shape — and their balance across the blocks of
 * each subdistrict (blocks are compared with their peers: a rural village block and a city block differ by design).
 * Balance deviation is (max − min) / mean, as redistricting tools report it.
 */
import { BALANCE_MEASURES, type Balance, type BalanceMeasure, type BlockMetrics, type Offender } from '../../contract/plan.ts';
import type { PlanState } from './state.ts';

export { BALANCE_MEASURES };
export type { Balance, BalanceMeasure, BlockMetrics, Offender };

export interface PlanInputs {
  /** Events of the last 12 months per building (index as the district's); null counts none. */
  eventsPerBuilding: Int32Array | null;
  /** Handling staff (governor + assistants) per block code; a block not named has none yet. */
  staff: ReadonlyMap<string, number>;
}




export function blockMetrics(s: PlanState, code: string, inputs: PlanInputs): BlockMetrics {
  const d = s.district;
  const info = s.info(code);
  let residents = 0, households = 0, events = 0;
  const communities = new Set<string>();
  const members = s.members(code);
  for (const i of members) {
    residents += d.residents[i];
    households += d.households[i];
    if (inputs.eventsPerBuilding) events += inputs.eventsPerBuilding[i];
    communities.add(d.communityOf[i]);
  }
  const shape = s.shape(code);
  const { components, pieces } = s.contiguity(code);
  const staff = inputs.staff.get(code) ?? 0;
  return {
    code,
    name: info.name,
    communityCode: info.communityCode,
    subdistrictCode: info.subdistrictCode,
    buildings: members.length,
    residents,
    households,
    events,
    staff,
    householdsPerStaff: staff > 0 ? households / staff : null,
    areaM2: shape?.areaM2 ?? 0,
    polsbyPopper: shape?.polsbyPopper ?? 0,
    reock: shape?.reock ?? 0,
    parts: shape?.parts ?? 0,
    components,
    pieces,
    communities: [...communities].sort(),
  };
}

export function planMetrics(s: PlanState, inputs: PlanInputs): BlockMetrics[] {
  return s.codes().map((c) => blockMetrics(s, c, inputs));
}

/** Balance of each measure across the blocks of each subdistrict (empty blocks left out: validation flags them). */
export function balances(metrics: readonly BlockMetrics[]): Balance[] {
  const bySub = new Map<string, BlockMetrics[]>();
  for (const m of metrics) if (m.buildings > 0) (bySub.get(m.subdistrictCode) ?? bySub.set(m.subdistrictCode, []).get(m.subdistrictCode)!).push(m);
  const out: Balance[] = [];
  for (const [sub, ms] of [...bySub].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    for (const measure of BALANCE_MEASURES) {
      const xs = ms.map((m) => m[measure]).filter((x): x is number => x !== null);
      if (xs.length === 0) continue;
      let min = Infinity, max = -Infinity, sum = 0;
      for (const x of xs) (min = Math.min(min, x)), (max = Math.max(max, x)), (sum += x);
      const mean = sum / xs.length;
      out.push({ subdistrictCode: sub, measure, blocks: xs.length, min, max, mean, deviation: xs.length > 1 && mean > 0 ? (max - min) / mean : 0 });
    }
  }
  return out;
}


/** The blocks furthest from their subdistrict's mean on any balance measure, and the least compact, worst first. */
export function worstOffenders(metrics: readonly BlockMetrics[], bal: readonly Balance[], n = 10): Offender[] {
  const mean = new Map(bal.map((b) => [`${b.subdistrictCode}|${b.measure}`, b.mean]));
  const off: Offender[] = [];
  for (const m of metrics) {
    if (m.buildings === 0) continue;
    for (const measure of BALANCE_MEASURES) {
      const v = m[measure];
      const mu = mean.get(`${m.subdistrictCode}|${measure}`);
      if (v === null || !mu) continue;
      off.push({ code: m.code, measure, value: v, score: Math.abs(v - mu) / mu });
    }
  }
  const balance = off.sort((a, b) => b.score - a.score || (a.code < b.code ? -1 : 1)).slice(0, n);
  const compact = metrics
    .filter((m) => m.buildings > 0)
    .map((m): Offender => ({ code: m.code, measure: 'polsbyPopper', value: m.polsbyPopper, score: m.polsbyPopper }))
    .sort((a, b) => a.score - b.score || (a.code < b.code ? -1 : 1))
    .slice(0, n);
  return [...balance, ...compact];
}
