/**
 * The "1+N+1" rule of a block's team: exactly 1 governor (治理员), N ≥ 1 assistants (协理员), exactly 1 supervisor
 * (监督员), and the supervisor handles none of the block's cases, so is neither its governor nor an assistant
 * (supervision apart from handling). Pure: the caller groups the people by block.
 *
 * Returns every broken rule with a reason constant the report and the UI show.
 */
export type BlockRole = 'governor' | 'assistant' | 'supervisor';

export const TEAM_RULE = {
  noGovernor: 'no-governor',
  manyGovernors: 'several-governors',
  noAssistant: 'no-assistant',
  noSupervisor: 'no-supervisor',
  manySupervisors: 'several-supervisors',
  supervisorHandles: 'supervisor-also-handles',
} as const;
export type TeamRuleReason = (typeof TEAM_RULE)[keyof typeof TEAM_RULE];

export interface TeamMember {
  /** Who: the same person across rows (a roster's name and phone). */
  person: string;
  role: BlockRole;
}

export interface TeamViolation {
  reason: TeamRuleReason;
  detail: string;
}

export function checkTeam(members: readonly TeamMember[]): TeamViolation[] {
  const of = (role: BlockRole) => [...new Set(members.filter((m) => m.role === role).map((m) => m.person))];
  const governors = of('governor');
  const assistants = of('assistant');
  const supervisors = of('supervisor');
  const out: TeamViolation[] = [];
  if (governors.length === 0) out.push({ reason: TEAM_RULE.noGovernor, detail: 'a block needs exactly 1 governor (治理员)' });
  if (governors.length > 1) out.push({ reason: TEAM_RULE.manyGovernors, detail: `${governors.length} governors: ${governors.join(', ')}` });
  if (assistants.length === 0) out.push({ reason: TEAM_RULE.noAssistant, detail: 'a block needs at least 1 assistant (协理员)' });
  if (supervisors.length === 0) out.push({ reason: TEAM_RULE.noSupervisor, detail: 'a block needs exactly 1 supervisor (监督员)' });
  if (supervisors.length > 1) out.push({ reason: TEAM_RULE.manySupervisors, detail: `${supervisors.length} supervisors: ${supervisors.join(', ')}` });
  const handlers = new Set([...governors, ...assistants]);
  for (const s of supervisors) {
    if (handlers.has(s)) out.push({ reason: TEAM_RULE.supervisorHandles, detail: `${s} supervises the block and also handles its cases` });
  }
  return out;
}
