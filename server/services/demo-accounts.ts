/**
 * The demo database's accounts, one per role, so a newcomer can try each view after `npm start`. Their passwords
 * are public (README); they exist only on the demo database (meta demo = true), never on imported data. Staff
 * roles are linked to real staff rows of 广场街道 (430302005): a guidance-centre dispatcher, and the governor,
 * supervisor and an assistant of the subdistrict's first block.
 */
import { demoStaff } from '../db/commands/accounts.ts';
import type { Db } from '../db/database.ts';
import { STAFF_ROLES, type Role } from '../domain/permissions.ts';
import { SYSTEM_CALLER } from '../domain/principal.ts';
import type { Accounts } from './accounts.ts';

export const DEMO_SUBDISTRICT = '430302005';

/**
 * username, role, password: the README's table. The passwords are public, so their scrypt hashes are made once and
 * kept here: a first start does not spend seconds hashing them (the demo tests check each hash matches).
 */
export const DEMO_ACCOUNTS: readonly { username: string; role: Role; password: string; hash: string }[] = [
  { username: 'leader', role: 'leader', password: 'demo-leader-2026', hash: 'scrypt$32768$8$1$suVHcu2-v9gx3QMqwVv8wA$aJBeeXDdqf5uOp7SCBotWxfllTzpOwVZnzzhFH-NsOg' },
  { username: 'analyst', role: 'analyst', password: 'demo-analyst-2026', hash: 'scrypt$32768$8$1$JlfmWgWjSOhvSAhcgcbDyg$cPxCMD9rO97NWJF9FNOB8ft4r9gj-fxwWT1whp51ibw' },
  { username: 'dispatcher', role: 'dispatcher', password: 'demo-dispatcher-2026', hash: 'scrypt$32768$8$1$jeaa0kagLZJA994lc_DNjw$NtvHR-yGL4e-es2IQ_5mLexj5GQ0K1wt70X_7DXthxs' },
  { username: 'planner', role: 'planner', password: 'demo-planner-2026', hash: 'scrypt$32768$8$1$Spz66Wtwa_bb_RtNw9yYmg$d1v4Dzv8mmdQ-gI_P3zt7XF6IlSaeevEHDe74gy0BwU' },
  { username: 'governor', role: 'governor', password: 'demo-governor-2026', hash: 'scrypt$32768$8$1$u7QzOzS-FOAps_ycdjxKnQ$6CpvN9YRo6SJJ79a2PcDzZGhavI062cH-n3Ji8IlSlg' },
  { username: 'supervisor', role: 'supervisor', password: 'demo-supervisor-2026', hash: 'scrypt$32768$8$1$HscJxko1NXx1X6zg4Rug7A$4fYAqoJydga4rTOQ1BgXb5aNN-545UK6N8N6vCppgq0' },
  { username: 'field', role: 'field', password: 'demo-field-2026', hash: 'scrypt$32768$8$1$XF33xQ7CqE3HZb-KwQEOeA$ZMTws6ageGlouFHo3hhwFmFg7zzHfnGMYapfejKS8Ss' },
  { username: 'wall', role: 'wall', password: 'demo-wall-2026', hash: 'scrypt$32768$8$1$dTizl53biuTTcOUPKFYqPQ$kLWZRD8iAJJsbg-Wlu976KcAgnotFi4Wqxy68gog4hk' },
];

/** Makes the demo accounts that are missing; returns how many were made. */
export async function ensureDemoAccounts(db: Db, accounts: Accounts): Promise<number> {
  const staff = demoStaff(db, DEMO_SUBDISTRICT);
  const staffOf = (role: Role) => (role === 'dispatcher' || role === 'governor' || role === 'supervisor' || role === 'field' ? staff[role] ?? null : null);
  // A staff role needs its staff row (a district without 广场街道 gets only the others).
  const missing = DEMO_ACCOUNTS.filter((a) => !accounts.account(a.username) && (staffOf(a.role) !== null || !STAFF_ROLES.includes(a.role)));
  await Promise.all(
    missing.map((a) => {
      const staffId = staffOf(a.role);
      const scoped = staffId !== null;
      return accounts.createAccount(
        { username: a.username, role: a.role, passwordHash: a.hash, staffId, subdistrict: scoped ? DEMO_SUBDISTRICT : null },
        SYSTEM_CALLER,
      );
    }),
  );
  return missing.length;
}
