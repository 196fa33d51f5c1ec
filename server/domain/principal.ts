/**
 * Who is calling: the signed-in account or the token's account, as the services see it. Every write's actor comes
 * from here, never from a request body.
 */
import type { Role } from './permissions.ts';

export interface Principal {
  accountId: number;
  username: string;
  role: Role;
  /** The subdistrict the account is bound to (its data scope); null: the whole district. */
  subdistrict: string | null;
  /** A governor's own blocks (their scope within the subdistrict); null: no block limit. */
  blocks: readonly string[] | null;
  /** The staff row of a person's account: the lifecycle judges their writes as this staff member's. */
  staffId: number | null;
  /** How the call was authenticated. */
  via: 'session' | 'token';
  /** The API or display token (a display session also names the token it was made from). */
  tokenId: number | null;
}

/** A call into a service: who (null for no one signed in, e.g. Open311 with an api_key) and from which address. */
export interface Caller {
  principal: Principal | null;
  ip: string;
  /** How a caller without a principal identified itself (e.g. 'open311:key#2'), for the audit log. */
  label?: string;
}

/** The system itself (escalation sweep, start-up, command line). */
export const SYSTEM_CALLER: Caller = { principal: null, ip: '', label: 'system' };

/** The name the audit log gives a caller. */
export function callerName(c: Caller): string {
  if (c.principal) return c.principal.username;
  return c.label ?? 'anonymous';
}
