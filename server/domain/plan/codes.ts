/**
 * Block codes follow the statistical scheme: the 12-digit community code and a 3-digit sequence. A new block takes
 * the next sequence after every code its community has ever had — in this plan or in any published version — so a
 * retired code is never given to another block.
 */
import { INVALID_PLAN_EDIT, refuse } from '../refusal.ts';

export const BLOCK_CODE = /^\d{15}$/;

export function nextBlockCode(communityCode: string, taken: Iterable<string>): string {
  let max = 0;
  for (const c of taken) if (c.startsWith(communityCode) && c.length === 15) max = Math.max(max, Number(c.slice(12)));
  if (max >= 999) throw refuse(INVALID_PLAN_EDIT, `Community ${communityCode} has used all 999 block codes`);
  return communityCode + String(max + 1).padStart(3, '0');
}

/** 白石社区第12区块: the community's name and the block's sequence, as the seed names blocks. */
export function blockName(communityName: string, code: string): string {
  return `${communityName}第${Number(code.slice(12))}区块`;
}
