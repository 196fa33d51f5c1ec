/**
 * Accounts, sign-in, sessions and tokens.
 *
 * - Sign-in checks the scrypt hash (passwords.ts); consecutive failures lock the account for a back-off that
 *   doubles from 30 s after the 5th failure, up to 15 min (LOCKED_OUT, with the wait). Success resets the count.
 * - A session is 32 random bytes in an HttpOnly cookie; the table keeps their SHA-256, the account, a CSRF token
 *   and the expiry (12 h; a wall screen's display session 30 days). Signing out ends it.
 * - API and display tokens are 32 random bytes too, shown once, kept as SHA-256; each belongs to an account (a
 *   service account made for it, or a staff member's own) whose role and scope it carries. Revoking a display token
 *   also ends the screen sessions made from it.
 * Every change and every sign-in, sign-out and failed sign-in writes an audit row in the same transaction.
 */
import { createHash, randomBytes } from 'node:crypto';
import { accountCommands, type AccountRow, type TokenListRow } from '../db/commands/accounts.ts';
import { eventCommands } from '../db/commands/events.ts';
import type { Db } from '../db/database.ts';
import { createQueries } from '../db/queries/index.ts';
import { isRole, STAFF_ROLES, type Role } from '../domain/permissions.ts';
import type { Caller, Principal } from '../domain/principal.ts';
import {
  BAD_CREDENTIALS, INVALID_PARAMETER, LOCKED_OUT, NOT_FOUND, refuse, refuseField, UNKNOWN_STAFF,
} from '../domain/refusal.ts';
import { createAudit } from './audit.ts';
import { hashPassword, MAX_PASSWORD, MIN_PASSWORD, randomPassword, verifyPassword } from './passwords.ts';

export const SESSION_MS = 12 * 3_600_000;
export const DISPLAY_SESSION_MS = 30 * 86_400_000;
/** Failures allowed before the back-off starts. */
export const FREE_FAILURES = 5;
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 15 * 60_000;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const secret = () => randomBytes(32).toString('base64url');
const TOKEN_PREFIX = 'gz_';

/** The back-off after `failures` consecutive failures (0 while still within the free ones). */
export function backoffMs(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (failures - FREE_FAILURES));
}

/** A staff member's account role from their active assignments: who they are in the 1+N+1 and the centres. */
export function roleOfStaff(assignments: readonly { role: string; unit_key: string | null; subdistrict_code: string }[]): { role: Role; subdistrict: string | null } {
  const first = assignments[0];
  const pick = (role: Role, a = first) => ({ role, subdistrict: a?.subdistrict_code ?? null });
  const guidance = assignments.find((a) => a.unit_key === 'guidance' && (a.role === 'centre-staff' || a.role === 'centre-inspector'));
  if (guidance) return pick('dispatcher', guidance);
  const sup = assignments.find((a) => a.role === 'supervisor');
  if (sup) return pick('supervisor', sup);
  const gov = assignments.find((a) => a.role === 'governor');
  if (gov) return pick('governor', gov);
  return pick('field');
}

export interface NewAccount {
  username: string;
  role: Role;
  password?: string;
  /** A hash made beforehand (the demo accounts, whose passwords are public), instead of `password`. */
  passwordHash?: string;
  subdistrict?: string | null;
  staffId?: number | null;
}

export interface NewToken {
  role?: Role;
  subdistrict?: string | null;
  /** A token of a staff member's own account (made when missing): their writes, their scope. */
  staffId?: number | null;
  kind?: 'api' | 'display';
  label?: string;
  expiresAt?: number | null;
}

export interface SignedIn {
  /** The cookie value (the session id); only its hash is stored. */
  sessionId: string;
  csrf: string;
  expiresAt: number;
  principal: Principal;
}

export interface TokenInfo {
  id: number;
  kind: 'api' | 'display';
  label: string;
  prefix: string;
  username: string;
  role: string;
  subdistrict: string | null;
  staffId: number | null;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}


export interface AccountInfo {
  id: number;
  username: string;
  role: string;
  subdistrict: string | null;
  staffId: number | null;
  createdAt: number;
  disabledAt: number | null;
  hasPassword: boolean;
  lockedUntil: number | null;
}

const tokenInfo = (t: TokenListRow): TokenInfo => ({
  id: t.id, kind: t.kind, label: t.label, prefix: t.prefix, username: t.username, role: t.role, subdistrict: t.subdistrict_code,
  staffId: t.staff_id, createdAt: t.created_at, expiresAt: t.expires_at, revokedAt: t.revoked_at, lastUsedAt: t.last_used_at,
});

export function createAccounts(db: Db, now: () => number = Date.now) {
  const cmd = accountCommands(db);
  const events = eventCommands(db);
  const q = createQueries(db);
  const audit = createAudit(db, now);

  /** A governor's blocks: those of their active block roles in the boundary version in force. */
  function blocksOf(a: AccountRow): string[] | null {
    if (a.role !== 'governor' || a.staff_id === null) return null;
    const at = now();
    const version = q.versions.current(at)?.id ?? 0;
    return [...new Set(events.assignments(a.staff_id, version, at).flatMap((x) => (x.block_code ? [x.block_code] : [])))];
  }

  function principalOf(a: AccountRow, via: Principal['via'], tokenId: number | null): Principal {
    return {
      accountId: a.id, username: a.username, role: a.role as Role, subdistrict: a.subdistrict_code, blocks: blocksOf(a),
      staffId: a.staff_id, via, tokenId,
    };
  }

  function checkName(username: string): void {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(username)) {
      throw refuseField(INVALID_PARAMETER, 'A user name is 1–64 letters, digits, dots, dashes or underscores', 'username', 'invalid user name');
    }
  }
  function checkPassword(password: string): void {
    if (password.length < MIN_PASSWORD || password.length > MAX_PASSWORD) {
      throw refuseField(INVALID_PARAMETER, `A password has ${MIN_PASSWORD}–${MAX_PASSWORD} characters`, 'password', 'too short or too long');
    }
  }

  /** The role and subdistrict a staff member's account gets. */
  function staffRole(staffId: number): { role: Role; subdistrict: string | null } {
    if (!events.staff(staffId)) throw refuseField(UNKNOWN_STAFF, `No staff ${staffId}`, 'staffId', 'no such staff');
    const at = now();
    const version = q.versions.current(at)?.id ?? 0;
    return roleOfStaff(events.assignments(staffId, version, at));
  }

  function insertAccount(a: NewAccount, kind: 'person' | 'service', hash: string | null, caller: Caller): number {
    if (cmd.byName(a.username)) throw refuseField(INVALID_PARAMETER, `The user name ${a.username} is taken`, 'username', 'taken');
    const id = cmd.insert({
      username: a.username, kind, role: a.role, subdistrict_code: a.subdistrict ?? null, staff_id: a.staffId ?? null,
      password_hash: hash, created_at: now(),
    });
    audit.record(caller, { action: 'account.create', target: `account:${id}`, after: { username: a.username, kind, role: a.role, subdistrict: a.subdistrict ?? null, staffId: a.staffId ?? null } });
    return id;
  }

  /** A person's account by name (not a token's service account), or NOT_FOUND. */
  function person(username: string): AccountRow {
    const a = cmd.byName(username);
    if (!a || a.kind !== 'person') throw refuse(NOT_FOUND, `No person account ${username}`);
    return a;
  }

  /** The staff member's own account, made (without a password) when they have none yet. */
  function staffAccount(staffId: number, caller: Caller): AccountRow {
    const found = cmd.byStaff(staffId);
    if (found) return found;
    const { role, subdistrict } = staffRole(staffId);
    const id = insertAccount({ username: `staff-${staffId}`, role, subdistrict, staffId }, 'person', null, caller);
    return cmd.byId(id)!;
  }

  function issueSession(a: AccountRow, ip: string, tokenId: number | null, ms: number): SignedIn {
    const sessionId = secret();
    const csrf = secret();
    const expiresAt = now() + ms;
    cmd.insertSession({ id_hash: sha256(sessionId), account_id: a.id, csrf, created_at: now(), expires_at: expiresAt, ip, token_id: tokenId });
    return { sessionId, csrf, expiresAt, principal: principalOf(a, 'session', tokenId) };
  }

  return {
    audit,

    /** A person's account with a password (hashed here). */
    async createAccount(a: NewAccount, caller: Caller): Promise<number> {
      checkName(a.username);
      if (!isRole(a.role)) throw refuseField(INVALID_PARAMETER, `Unknown role ${String(a.role)}`, 'role', 'unknown role');
      if (a.password !== undefined) checkPassword(a.password);
      if (STAFF_ROLES.includes(a.role) && (a.staffId ?? null) === null) {
        throw refuseField(INVALID_PARAMETER, `A ${a.role} account names its staff row`, 'staffId', 'required for this role');
      }
      if (a.staffId != null && !events.staff(a.staffId)) throw refuseField(UNKNOWN_STAFF, `No staff ${a.staffId}`, 'staffId', 'no such staff');
      const hash = a.passwordHash ?? (a.password === undefined ? null : await hashPassword(a.password));
      // A staff member's account takes the subdistrict of their posting unless one is given.
      const subdistrict = a.subdistrict ?? (a.staffId != null ? staffRole(a.staffId).subdistrict : null);
      return db.transaction(() => insertAccount({ ...a, subdistrict }, 'person', hash, caller)).immediate();
    },

    /**
     * The first start's admin: made from `password` (GEZHI_ADMIN_PASSWORD), or from a random one that the caller
     * prints once. Nothing happens when an admin exists.
     */
    async ensureAdmin(password: string | undefined, caller: Caller): Promise<{ created: boolean; password?: string }> {
      if (cmd.byName('admin')) return { created: false };
      const generated = password === undefined || password === '';
      const pw = generated ? randomPassword() : password!;
      checkPassword(pw);
      await this.createAccount({ username: 'admin', role: 'admin', password: pw }, caller);
      return generated ? { created: true, password: pw } : { created: true };
    },

    account: (username: string) => cmd.byName(username),

    /** Signs in: a new session, or BAD_CREDENTIALS / LOCKED_OUT (each audited). */
    async signIn(username: string, password: string, ip: string): Promise<SignedIn> {
      const a = typeof username === 'string' && username.length <= 64 ? cmd.byName(username) : undefined;
      const at = now();
      if (a?.locked_until != null && a.locked_until > at) {
        const wait = Math.ceil((a.locked_until - at) / 1000);
        db.transaction(() => audit.record({ principal: null, ip, label: username.slice(0, 64) }, { action: 'session.locked', target: `account:${a.id}` }))();
        throw refuse(LOCKED_OUT, `Too many failed sign-ins: try again in ${wait} s`, { facts: { retryAfter: wait } });
      }
      const usable = a && a.kind === 'person' && a.disabled_at === null ? a : undefined;
      const ok = await verifyPassword(String(password ?? ''), usable?.password_hash ?? null);
      if (!ok || !usable) {
        db.transaction(() => {
          if (a) {
            const failures = a.failed_count + 1;
            const wait = backoffMs(failures);
            cmd.failed(a.id, failures, wait ? at + wait : null);
          }
          audit.record({ principal: null, ip, label: String(username).slice(0, 64) }, { action: 'session.failed', target: a ? `account:${a.id}` : '' });
        }).immediate();
        throw refuse(BAD_CREDENTIALS, 'Wrong user name or password');
      }
      return db.transaction(() => {
        cmd.succeeded(usable.id);
        const s = issueSession(usable, ip, null, SESSION_MS);
        audit.record({ principal: s.principal, ip }, { action: 'session.sign-in', target: `account:${usable.id}` });
        return s;
      }).immediate();
    },

    /** Exchanges a display token for a wall screen's session (so the page, its images and its stream need no header). */
    displaySession(token: string, ip: string): SignedIn {
      const found = this.tokenPrincipal(token);
      if (!found || found.role !== 'wall') throw refuse(BAD_CREDENTIALS, 'Not a valid display token');
      const a = cmd.byId(found.accountId)!;
      return db.transaction(() => {
        const s = issueSession(a, ip, found.tokenId, DISPLAY_SESSION_MS);
        audit.record({ principal: s.principal, ip }, { action: 'session.display', target: `token:${found.tokenId}` });
        return s;
      }).immediate();
    },

    /** Ends a session (idempotent); audited when one was open. */
    signOut(sessionId: string, caller: Caller): boolean {
      return db.transaction(() => {
        const ended = cmd.endSession(sha256(sessionId), now()) > 0;
        if (ended) audit.record(caller, { action: 'session.sign-out', target: caller.principal ? `account:${caller.principal.accountId}` : '' });
        return ended;
      }).immediate();
    },

    /** The principal and CSRF token of a live session cookie, or null. */
    sessionPrincipal(sessionId: string): { principal: Principal; csrf: string } | null {
      if (!sessionId || sessionId.length > 100) return null;
      const s = cmd.session(sha256(sessionId));
      if (!s || s.ended_at !== null || s.expires_at <= now()) return null;
      const a = cmd.byId(s.account_id);
      if (!a || a.disabled_at !== null) return null;
      if (s.token_id !== null) {
        const t = cmd.tokenById(s.token_id);
        if (!t || t.revoked_at !== null) return null;
      }
      return { principal: principalOf(a, 'session', s.token_id), csrf: s.csrf };
    },

    /** The principal of a bearer token, or null (unknown, revoked, expired, or its account disabled). */
    tokenPrincipal(token: string): Principal | null {
      if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) return null;
      const t = cmd.tokenByHash(sha256(token));
      const at = now();
      if (!t || t.revoked_at !== null || (t.expires_at !== null && t.expires_at <= at)) return null;
      const a = cmd.byId(t.account_id);
      if (!a || a.disabled_at !== null) return null;
      // Last use to the minute: enough for the token list, without a write on every request.
      if (t.last_used_at === null || at - t.last_used_at > 60_000) cmd.touchToken(t.id, at);
      return principalOf(a, 'token', t.id);
    },

    /**
     * A new token, shown once. With `staffId`, it is that staff member's (their account, made when missing);
     * otherwise a service account named after the role is made for it.
     */
    createToken(t: NewToken, caller: Caller): { id: number; token: string; username: string } {
      const kind = t.kind ?? (t.role === 'wall' ? 'display' : 'api');
      if (t.staffId == null && !isRole(t.role)) throw refuseField(INVALID_PARAMETER, `Unknown role ${String(t.role)}`, 'role', 'unknown role');
      if (t.staffId == null && STAFF_ROLES.includes(t.role!)) {
        throw refuseField(INVALID_PARAMETER, `A ${t.role} token belongs to a staff member: give the staff id`, 'staffId', 'required for this role');
      }
      if (kind === 'display' && t.role !== undefined && t.role !== 'wall') {
        throw refuseField(INVALID_PARAMETER, 'A display token has the wall role', 'role', 'must be wall for a display token');
      }
      const label = (t.label ?? '').slice(0, 200);
      return db.transaction(() => {
        let account: AccountRow;
        if (t.staffId != null) account = staffAccount(t.staffId, caller);
        else {
          const username = cmd.nextServiceName(t.role!);
          const id = insertAccount({ username, role: t.role!, subdistrict: t.subdistrict ?? null }, 'service', null, caller);
          account = cmd.byId(id)!;
        }
        const token = TOKEN_PREFIX + secret();
        const id = cmd.insertToken({
          account_id: account.id, kind, label, token_hash: sha256(token), prefix: token.slice(0, 10), created_at: now(),
          expires_at: t.expiresAt ?? null,
        });
        audit.record(caller, { action: 'token.create', target: `token:${id}`, after: { kind, label, username: account.username, role: account.role, subdistrict: account.subdistrict_code } });
        return { id, token, username: account.username };
      }).immediate();
    },

    listTokens: (): TokenInfo[] => cmd.listTokens().map(tokenInfo),

    /** Revokes a token (and ends the screen sessions made from it). */
    revokeToken(id: number, caller: Caller): TokenInfo {
      return db.transaction(() => {
        const t = cmd.tokenById(id);
        if (!t) throw refuse(NOT_FOUND, `No token ${id}`);
        if (cmd.revokeToken(id, now()) > 0) {
          cmd.endTokenSessions(id, now());
          audit.record(caller, { action: 'token.revoke', target: `token:${id}`, before: { revokedAt: null }, after: { revokedAt: now() } });
        }
        return this.listTokens().find((x) => x.id === id)!;
      }).immediate();
    },

    /** People's accounts (not the service accounts behind tokens), without their password hashes. */
    listAccounts: (): AccountInfo[] => cmd.listPersons().map((a) => ({
      id: a.id, username: a.username, role: a.role, subdistrict: a.subdistrict_code, staffId: a.staff_id, createdAt: a.created_at,
      disabledAt: a.disabled_at, hasPassword: a.password_hash !== null, lockedUntil: a.locked_until,
    })),

    /** Sets a person's password (hashed here), lifts a lockout and ends their sessions: a reset signs them out everywhere. */
    async setPassword(username: string, password: string, caller: Caller): Promise<void> {
      checkPassword(password);
      const hash = await hashPassword(password);
      db.transaction(() => {
        const a = person(username);
        cmd.setPassword(a.id, hash);
        cmd.endAccountSessions(a.id, now());
        audit.record(caller, { action: 'account.password', target: `account:${a.id}` });
      }).immediate();
    },

    /** Disables (or enables again) a person's account; disabling ends their sessions and stops their tokens. */
    setDisabled(username: string, disabled: boolean, caller: Caller): void {
      db.transaction(() => {
        const a = person(username);
        if ((a.disabled_at !== null) === disabled) return;
        const at = now();
        cmd.setDisabled(a.id, disabled ? at : null);
        if (disabled) cmd.endAccountSessions(a.id, at);
        audit.record(caller, {
          action: disabled ? 'account.disable' : 'account.enable', target: `account:${a.id}`,
          before: { disabledAt: a.disabled_at }, after: { disabledAt: disabled ? at : null },
        });
      }).immediate();
    },

    /** The staff member's account (made without a password when missing): tests and the simulator act as staff. */
    staffAccount: (staffId: number, caller: Caller) => db.transaction(() => staffAccount(staffId, caller)).immediate(),
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
