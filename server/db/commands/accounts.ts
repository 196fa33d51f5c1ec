/**
 * Named statements for accounts, sessions and tokens. Plain reads and writes: the rules (hashing, back-off, who may
 * hold which role) are services/accounts.ts's.
 */
import type { Db } from '../database.ts';

export interface AccountRow {
  id: number;
  username: string;
  kind: 'person' | 'service';
  role: string;
  subdistrict_code: string | null;
  staff_id: number | null;
  password_hash: string | null;
  created_at: number;
  disabled_at: number | null;
  failed_count: number;
  locked_until: number | null;
}

export interface SessionRow {
  id_hash: string;
  account_id: number;
  csrf: string;
  created_at: number;
  expires_at: number;
  ended_at: number | null;
  ip: string;
  token_id: number | null;
}

export interface TokenRow {
  id: number;
  account_id: number;
  kind: 'api' | 'display';
  label: string;
  token_hash: string;
  prefix: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

export type TokenListRow = TokenRow & Pick<AccountRow, 'username' | 'role' | 'subdistrict_code' | 'staff_id'>;

export function accountCommands(db: Db) {
  const st = {
    byName: db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE username = ?'),
    byId: db.prepare<[number], AccountRow>('SELECT * FROM accounts WHERE id = ?'),
    byStaff: db.prepare<[number], AccountRow>('SELECT * FROM accounts WHERE staff_id = ? AND disabled_at IS NULL ORDER BY id LIMIT 1'),
    count: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM accounts WHERE kind = 'person'"),
    insert: db.prepare(
      `INSERT INTO accounts (username, kind, role, subdistrict_code, staff_id, password_hash, created_at)
       VALUES (@username, @kind, @role, @subdistrict_code, @staff_id, @password_hash, @created_at)`,
    ),
    setPassword: db.prepare('UPDATE accounts SET password_hash = ?, failed_count = 0, locked_until = NULL WHERE id = ?'),
    failed: db.prepare('UPDATE accounts SET failed_count = ?, locked_until = ? WHERE id = ?'),
    setDisabled: db.prepare('UPDATE accounts SET disabled_at = ? WHERE id = ?'),
    endAccountSessions: db.prepare('UPDATE sessions SET ended_at = ? WHERE account_id = ? AND ended_at IS NULL'),
    listPersons: db.prepare<[], AccountRow>("SELECT * FROM accounts WHERE kind = 'person' ORDER BY id"),
    succeeded: db.prepare('UPDATE accounts SET failed_count = 0, locked_until = NULL WHERE id = ?'),
    insertSession: db.prepare(
      `INSERT INTO sessions (id_hash, account_id, csrf, created_at, expires_at, ip, token_id)
       VALUES (@id_hash, @account_id, @csrf, @created_at, @expires_at, @ip, @token_id)`,
    ),
    session: db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id_hash = ?'),
    endSession: db.prepare('UPDATE sessions SET ended_at = ? WHERE id_hash = ? AND ended_at IS NULL'),
    endTokenSessions: db.prepare('UPDATE sessions SET ended_at = ? WHERE token_id = ? AND ended_at IS NULL'),
    insertToken: db.prepare(
      `INSERT INTO api_tokens (account_id, kind, label, token_hash, prefix, created_at, expires_at)
       VALUES (@account_id, @kind, @label, @token_hash, @prefix, @created_at, @expires_at)`,
    ),
    tokenByHash: db.prepare<[string], TokenRow>('SELECT * FROM api_tokens WHERE token_hash = ?'),
    tokenById: db.prepare<[number], TokenRow>('SELECT * FROM api_tokens WHERE id = ?'),
    touchToken: db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?'),
    revokeToken: db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
    listTokens: db.prepare<[], TokenListRow>(
      `SELECT t.*, a.username, a.role, a.subdistrict_code, a.staff_id
         FROM api_tokens t JOIN accounts a ON a.id = t.account_id ORDER BY t.id`,
    ),
    nextServiceName: db.prepare<[string], { n: number }>(
      "SELECT count(*) + 1 AS n FROM accounts WHERE kind = 'service' AND username LIKE ? || '-%'",
    ),
  };
  return {
    byName: (username: string) => st.byName.get(username),
    byId: (id: number) => st.byId.get(id),
    byStaff: (staffId: number) => st.byStaff.get(staffId),
    personCount: () => st.count.get()!.n,
    insert: (a: Pick<AccountRow, 'username' | 'kind' | 'role' | 'subdistrict_code' | 'staff_id' | 'password_hash' | 'created_at'>): number =>
      Number(st.insert.run(a).lastInsertRowid),
    setPassword: (id: number, hash: string) => st.setPassword.run(hash, id),
    failed: (id: number, count: number, lockedUntil: number | null) => st.failed.run(count, lockedUntil, id),
    setDisabled: (id: number, at: number | null) => st.setDisabled.run(at, id),
    endAccountSessions: (id: number, at: number) => st.endAccountSessions.run(at, id).changes,
    listPersons: () => st.listPersons.all(),
    succeeded: (id: number) => st.succeeded.run(id),
    insertSession: (s: Omit<SessionRow, 'ended_at'>) => st.insertSession.run(s),
    session: (idHash: string) => st.session.get(idHash),
    endSession: (idHash: string, at: number) => st.endSession.run(at, idHash).changes,
    endTokenSessions: (tokenId: number, at: number) => st.endTokenSessions.run(at, tokenId).changes,
    insertToken: (t: Omit<TokenRow, 'id' | 'revoked_at' | 'last_used_at'>): number => Number(st.insertToken.run(t).lastInsertRowid),
    tokenByHash: (hash: string) => st.tokenByHash.get(hash),
    tokenById: (id: number) => st.tokenById.get(id),
    touchToken: (id: number, at: number) => st.touchToken.run(at, id),
    revokeToken: (id: number, at: number) => st.revokeToken.run(at, id).changes,
    listTokens: () => st.listTokens.all(),
    nextServiceName: (base: string) => `${base}-${st.nextServiceName.get(base)!.n}`,
  };
}

/**
 * Staff of one subdistrict for the demo accounts: a guidance-centre dispatcher, and the governor, supervisor and
 * first assistant of the subdistrict's first block.
 */
export function demoStaff(db: Db, subdistrict: string): { dispatcher?: number; governor?: number; supervisor?: number; field?: number } {
  const guidance = db.prepare<[string], { id: number }>(
    `SELECT ra.staff_id AS id FROM role_assignments ra JOIN units u ON u.id = ra.unit_id
      WHERE u.kind = 'centre' AND u.key = 'guidance' AND u.subdistrict_code = ? AND ra.role = 'centre-staff' AND ra.valid_to IS NULL
      ORDER BY ra.staff_id LIMIT 1`,
  ).get(subdistrict);
  const block = db.prepare<[string], { code: string }>(
    `SELECT code FROM blocks WHERE subdistrict_code = ? AND version_id = (SELECT max(id) FROM boundary_versions) ORDER BY code LIMIT 1`,
  ).get(subdistrict);
  const inBlock = (role: string) =>
    block
      ? db.prepare<[string, string], { id: number }>(
        'SELECT staff_id AS id FROM role_assignments WHERE block_code = ? AND role = ? AND valid_to IS NULL ORDER BY staff_id LIMIT 1',
      ).get(block.code, role)?.id
      : undefined;
  return { dispatcher: guidance?.id, governor: inBlock('governor'), supervisor: inBlock('supervisor'), field: inBlock('assistant') };
}

export type AccountCommands = ReturnType<typeof accountCommands>;
