/**
 * Data scopes: where a role sees and acts. An account bound to a subdistrict (its staff's, or given when it was
 * made) sees and acts only there; a governor only on their own blocks — and on a case assigned to them, which may
 * lie in a neighbouring block. Accounts without a subdistrict (admin, leader, analyst, planner, the wall,
 * integrations) see the whole district. Pure: the caller loads the principal and the case.
 */
import type { Principal } from './principal.ts';

export interface Placed {
  subdistrict_code: string;
  block_code: string;
  assignee_id?: number | null;
}

export function inScope(p: Principal | null, where: Placed): boolean {
  if (!p) return true;
  if (p.staffId !== null && where.assignee_id === p.staffId) return true;
  if (p.subdistrict !== null && where.subdistrict_code !== p.subdistrict) return false;
  if (p.blocks !== null && !p.blocks.includes(where.block_code)) return false;
  return true;
}

/** The filter a list must apply for this principal: null for the whole district. */
export function scopeFilter(p: Principal | null): { subdistrict?: string; blocks?: readonly string[]; staffId?: number } | null {
  if (!p || (p.subdistrict === null && p.blocks === null)) return null;
  return {
    ...(p.subdistrict !== null ? { subdistrict: p.subdistrict } : {}),
    ...(p.blocks !== null ? { blocks: p.blocks } : {}),
    ...(p.staffId !== null ? { staffId: p.staffId } : {}),
  };
}
