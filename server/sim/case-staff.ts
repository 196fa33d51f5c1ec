/** Who acts on a case the simulator follows: its dispatcher, its verifier, the colleague a returned case goes to. */
import type { Case } from './case-state.ts';
import type { World } from './world.ts';

/** Who verifies and closes: the block supervisor or a centre inspector who has not handled the case. */
export function verifierFor(c: Case, s: World['staff']): number | null {
  const inspectors = s.inspectorsOf.get(c.subdistrictCode) ?? [];
  const candidates: number[] = [];
  const supervisor = s.supervisorOf.get(c.blockCode);
  if (c.tier === 'block' && supervisor !== undefined) candidates.push(supervisor);
  if (c.tier === 'centre' && c.assignee !== null) for (const u of s.unitsOf.get(c.assignee) ?? []) candidates.push(...(s.inspectorsOfUnit.get(u) ?? []));
  candidates.push(...inspectors);
  if (supervisor !== undefined) candidates.push(supervisor);
  return candidates.find((id) => !c.handlers.has(id) && !c.excluded.has(id) && id !== c.assignee) ?? null;
}

/** The case's dispatcher, or another of the subdistrict's guidance centre (or an inspector) when refused. */
export function dispatcherFor(c: Case, s: World['staff']): number | null {
  if (c.dispatcher !== null && !c.excluded.has(c.dispatcher)) return c.dispatcher;
  const list = (s.dispatchers.get(c.subdistrictCode) ?? []).filter((id) => !c.excluded.has(id));
  const inspectors = (s.inspectorsOf.get(c.subdistrictCode) ?? []).filter((id) => !c.excluded.has(id));
  c.dispatcher = list[0] ?? inspectors[0] ?? null;
  return c.dispatcher;
}

/** Another handler of the unit the case was returned by (the re-dispatch after 回退). */
export function redispatchTarget(c: Case, s: World['staff']): number | null {
  if (c.returnedBy === null) return null;
  const pool = (s.unitsOf.get(c.returnedBy) ?? []).flatMap((u) => s.handlersOfUnit.get(u) ?? []).filter((id) => id !== c.returnedBy);
  return pool.length > 0 ? c.rng.pick(pool) : null;
}
