/**
 * Sign-in and the audit log through the API on the fixture database: password sign-in with a session cookie,
 * wrong passwords, the back-off, sign-out, CSRF on cookie writes, bearer tokens and their revocation, display
 * sessions; every kind of write leaves an audit row in its own transaction, and the log refuses UPDATE and DELETE.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { SYSTEM_CALLER } from '../../server/domain/principal.ts';
import { createAccounts } from '../../server/services/accounts.ts';
import { verifyPassword } from '../../server/services/passwords.ts';
import { DEMO_ACCOUNTS } from '../../server/services/demo-accounts.ts';
import { BLOCKS, createFixture, NOW, readProblem, type Fixture } from './fixture.ts';
import { signedIn } from '../helpers/signed-in.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const PASSWORD = 'correct horse battery';
let fx: Fixture;
let app: ReturnType<typeof createApp>;
let clock = NOW;

beforeAll(async () => {
  fx = createFixture();
  app = createApp({ db: fx.db, now: () => clock, open311Keys: ['k-1'] });
  const accounts = createAccounts(fx.db, () => clock);
  await accounts.createAccount({ username: 'disp', role: 'dispatcher', password: PASSWORD }, SYSTEM_CALLER);
  await accounts.createAccount({ username: 'lock', role: 'analyst', password: PASSWORD }, SYSTEM_CALLER);
  await accounts.createAccount({ username: 'boss', role: 'admin', password: PASSWORD }, SYSTEM_CALLER);
});
afterAll(() => fx?.db.close());

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body),
});
/** Signs in; returns the cookie header value and the CSRF token. */
async function signIn(username: string, password = PASSWORD): Promise<{ cookie: string; csrf: string; res: Response }> {
  const res = await app.request('/api/session', json({ username, password }));
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  const body = res.status === 200 ? ((await res.clone().json()) as Json) : {};
  return { cookie, csrf: body.csrfToken ?? '', res };
}
const auditRows = (action: string) =>
  fx.db.prepare('SELECT * FROM audit_log WHERE action = ? ORDER BY id').all(action) as Json[];

describe('sessions', () => {
  it('signs in with a password: an HttpOnly SameSite cookie, and who am I with the CSRF token', async () => {
    const { cookie, csrf, res } = await signIn('disp');
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toMatch(/^gezhi_session=[A-Za-z0-9_-]{43}; .*HttpOnly/);
    expect(res.headers.get('set-cookie')).toMatch(/SameSite=Lax/);
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const me = (await (await app.request('/api/session', { headers: { Cookie: cookie } })).json()) as Json;
    expect(me).toMatchObject({ username: 'disp', role: 'dispatcher', via: 'session', csrfToken: csrf, staffId: null });
    expect(me.permissions).toContain('events:dispatch');
    // The session table keeps a hash of the cookie, never the cookie itself.
    const stored = fx.db.prepare('SELECT id_hash FROM sessions').all() as { id_hash: string }[];
    expect(stored.map((s) => s.id_hash)).not.toContain(cookie.split('=')[1]);
    expect(auditRows('session.sign-in').at(-1)).toMatchObject({ actor: 'disp', action: 'session.sign-in' });
  });

  it('refuses a wrong password or an unknown user with the same 401, and audits the failure', async () => {
    const before = auditRows('session.failed').length;
    const wrong = await signIn('disp', 'not the password');
    const nobody = await signIn('nobody', PASSWORD);
    for (const r of [wrong.res, nobody.res]) {
      expect(r.status).toBe(401);
      expect(await readProblem(r)).toMatchObject({ reason: 'bad-credentials', detail: 'Wrong user name or password' });
      expect(r.headers.get('set-cookie')).toBeNull();
    }
    expect(auditRows('session.failed').length).toBe(before + 2);
  });

  it('locks an account out after 5 failures, with a back-off that doubles; the right password waits too', async () => {
    for (let i = 0; i < 5; i++) expect((await signIn('lock', `wrong ${i}`)).res.status).toBe(401);
    const locked = await signIn('lock');
    expect(locked.res.status).toBe(429);
    expect(locked.res.headers.get('retry-after')).toBe('30');
    expect(await readProblem(locked.res)).toMatchObject({ reason: 'locked-out' });
    clock += 31_000;
    expect((await signIn('lock', 'wrong again')).res.status).toBe(401); // the 6th failure: 60 s now
    clock += 31_000;
    expect((await signIn('lock')).res.status).toBe(429);
    clock += 30_000;
    expect((await signIn('lock')).res.status).toBe(200);
    // Success resets the count.
    expect(fx.db.prepare("SELECT failed_count, locked_until FROM accounts WHERE username = 'lock'").get()).toEqual({ failed_count: 0, locked_until: null });
  });

  it('signing out ends the session: the cookie no longer works', async () => {
    const { cookie, csrf } = await signIn('disp');
    expect((await app.request('/api/events?limit=1', { headers: { Cookie: cookie } })).status).toBe(200);
    const out = await app.request('/api/session', { method: 'DELETE', headers: { Cookie: cookie, 'X-CSRF-Token': csrf } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/gezhi_session=;/);
    expect((await app.request('/api/events?limit=1', { headers: { Cookie: cookie } })).status).toBe(401);
    expect((await app.request('/api/session', { headers: { Cookie: cookie } })).status).toBe(401);
    expect(auditRows('session.sign-out').length).toBeGreaterThan(0);
  });

  it('refuses a cookie write without the CSRF token, with a wrong one, or from another site', async () => {
    const { cookie, csrf } = await signIn('disp');
    const body = { category: '0102', text: '垃圾', lon: 112.805, lat: 27.855, channel: 'patrol', kind: 'incident' };
    const none = await app.request('/api/events', json(body, { Cookie: cookie }));
    expect(none.status).toBe(403);
    expect(await readProblem(none)).toMatchObject({ reason: 'csrf-refused' });
    expect((await app.request('/api/events', json(body, { Cookie: cookie, 'X-CSRF-Token': `${csrf.slice(1)}x` }))).status).toBe(403);
    expect((await app.request('/api/events', json(body, { Cookie: cookie, 'X-CSRF-Token': csrf, 'Sec-Fetch-Site': 'cross-site' }))).status).toBe(403);
    // Sign-out needs it too; a sign-in from another site is refused.
    expect((await app.request('/api/session', { method: 'DELETE', headers: { Cookie: cookie } })).status).toBe(403);
    expect((await app.request('/api/session', json({ username: 'disp', password: PASSWORD }, { 'Sec-Fetch-Site': 'cross-site' }))).status).toBe(403);
    const ok = await app.request('/api/events', json(body, { Cookie: cookie, 'X-CSRF-Token': csrf }));
    expect(ok.status, await ok.clone().text()).toBe(201);
  });

  it('a bearer token works on every route and stops working once revoked; only its hash is stored', async () => {
    const accounts = createAccounts(fx.db, () => clock);
    const made = accounts.createToken({ role: 'integration', label: '12345 平台' }, SYSTEM_CALLER);
    const auth = { Authorization: `Bearer ${made.token}` };
    expect((await app.request('/api/events?limit=1', { headers: auth })).status).toBe(200);
    expect(JSON.stringify(fx.db.prepare('SELECT * FROM api_tokens').all())).not.toContain(made.token);
    const admin = signedIn({ app, db: fx.db }, 'admin');
    const list = (await (await admin('/api/tokens')).json()) as { items: Json[] };
    expect(list.items.find((t) => t.id === made.id)).toMatchObject({ kind: 'api', label: '12345 平台', role: 'integration', revokedAt: null });
    expect(JSON.stringify(list)).not.toContain(made.token);
    const revoked = await admin(`/api/tokens/${made.id}`, { method: 'DELETE' });
    expect(revoked.status).toBe(200);
    const refused = await app.request('/api/events?limit=1', { headers: auth });
    expect(refused.status).toBe(401);
    expect((await readProblem(refused)).detail).toMatch(/revoked/);
    expect(auditRows('token.revoke').at(-1)).toMatchObject({ target: `token:${made.id}`, actor: expect.stringMatching(/^admin-/) });
  });

  it('a display token becomes a wall session; revoking the token ends it', async () => {
    const admin = signedIn({ app, db: fx.db }, 'admin');
    const made = (await (await admin.post('/api/tokens', { role: 'wall', label: '指挥中心 4K 大屏' })).json()) as Json;
    expect(made).toMatchObject({ kind: 'display', role: 'wall' });
    const res = await app.request('/api/session', json({ token: made.token }));
    expect(res.status).toBe(200);
    expect(await res.clone().json()).toMatchObject({ role: 'wall', display: true });
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
    expect((await app.request('/api/kpi', { headers: { Cookie: cookie } })).status).toBe(200);
    expect((await app.request('/api/review/indicators', { headers: { Cookie: cookie } })).status).toBe(403);
    expect((await admin(`/api/tokens/${made.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await app.request('/api/kpi', { headers: { Cookie: cookie } })).status).toBe(401);
    // An API token is no display token.
    const api = (await (await admin.post('/api/tokens', { role: 'analyst' })).json()) as Json;
    expect((await app.request('/api/session', json({ token: api.token }))).status).toBe(401);
  });

  it('the demo accounts keep their documented passwords', async () => {
    for (const a of DEMO_ACCOUNTS) expect(await verifyPassword(a.password, a.hash), a.username).toBe(true);
  });
});

describe('audit log', () => {
  it('every kind of write leaves a row with actor, time, address and before/after, in its own transaction', async () => {
    const dispatcher = signedIn({ app, db: fx.db }, 'integration');
    const created = (await (await dispatcher.post('/api/events', { category: '0102', text: '路边垃圾', lon: 112.805, lat: 27.855, channel: 'hotline', kind: 'demand' })).json()) as Json;
    const report = auditRows('event.report').find((r) => r.target === `event:${created.id}`)!;
    expect(report).toMatchObject({ at: clock, actor: expect.stringMatching(/^integration-/) });
    expect(JSON.parse(report.after)).toMatchObject({ caseNo: created.caseNo, category: '0102' });

    // A transition by a staff member: before and after.
    const governor = fx.db.prepare("SELECT staff_id AS id FROM role_assignments WHERE role = 'governor' AND block_code = ? AND valid_to IS NULL").get(BLOCKS[0]) as { id: number };
    const dispatched = fx.events.find((e) => e.status === 'dispatched' && e.block === BLOCKS[0]);
    if (dispatched) {
      fx.db.prepare('UPDATE events SET assignee_id = ? WHERE id = ?').run(governor.id, dispatched.id);
      const r = await signedIn({ app, db: fx.db }, { staffId: governor.id }).post(`/api/events/${dispatched.id}/transitions`, { to: 'accepted' });
      expect(r.status, await r.clone().text()).toBe(200);
      const row = auditRows('event.transition').at(-1)!;
      expect(row).toMatchObject({ target: `event:${dispatched.id}`, staff_id: governor.id });
      expect(JSON.parse(row.before)).toMatchObject({ status: 'dispatched' });
      expect(JSON.parse(row.after)).toMatchObject({ transition: 'accept', status: 'accepted' });
    }

    // A position, a batch, an Open311 request awaiting location and its locating.
    expect((await signedIn({ app, db: fx.db }, { staffId: governor.id }).post(`/api/staff/${governor.id}/position`, { lon: 112.806, lat: 27.856 })).status).toBe(200);
    expect(auditRows('staff.position').at(-1)).toMatchObject({ target: `staff:${governor.id}`, staff_id: governor.id });
    expect((await dispatcher.post('/api/events/batch', { events: [{ category: '0102', text: '垃圾', lon: 112.805, lat: 27.855, channel: 'hotline', kind: 'demand' }] })).status).toBe(200);
    expect(JSON.parse(auditRows('event.batch').at(-1)!.after)).toMatchObject({ created: 1, failed: 0 });
    const o311 = await app.request('/open311/v2/requests.json', {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ api_key: 'k-1', service_code: '0102', address_string: '雨湖路 1 号', description: '垃圾', phone: '13812341234' }).toString(),
    });
    expect(o311.ok, await o311.clone().text()).toBe(true);
    const pending = auditRows('open311.request').at(-1)!;
    expect(pending.actor).toMatch(/^open311 key [0-9a-f]{8}$/);
    expect(pending.actor).not.toContain('k-1');
    const u = Number(pending.target.replace('request:U', ''));
    const located = await signedIn({ app, db: fx.db }, 'admin').post(`/api/events/unlocated/${u}/locate`, { lon: 112.805, lat: 27.855 });
    expect(located.status).toBe(201);
    expect(auditRows('event.locate').at(-1)).toMatchObject({ target: `request:U${u}` });
    expect(auditRows('token.create').length).toBeGreaterThan(0);
    expect(auditRows('account.create').length).toBeGreaterThan(0);
  });

  it('a refused write leaves no audit row (same transaction)', async () => {
    const before = (fx.db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n;
    const r = await signedIn({ app, db: fx.db }, 'admin').post('/api/events/1/transitions', { to: 'filed' });
    expect(r.status).toBe(403);
    expect((fx.db.prepare("SELECT count(*) AS n FROM audit_log WHERE action LIKE 'event.%'").get() as { n: number }).n).toBeLessThanOrEqual(before);
    expect((fx.db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n).toBe(before);
  });

  it('refuses UPDATE and DELETE (append-only)', () => {
    expect(() => fx.db.prepare("UPDATE audit_log SET actor = 'someone else'").run()).toThrow(/append-only/);
    expect(() => fx.db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
  });

  it('admins read it with filters, and export it as CSV with a BOM; nobody else reads it', async () => {
    const admin = signedIn({ app, db: fx.db }, 'admin');
    const page = (await (await admin('/api/audit?action=session.&limit=5')).json()) as { items: Json[] };
    expect(page.items.length).toBeGreaterThan(0);
    for (const r of page.items) expect(r.action).toMatch(/^session\./);
    expect(page.items[0].at).toMatch(/\+08:00$/);
    const csv = await admin('/api/audit?format=csv&action=event.report');
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)).toMatch(/^\uFEFFid,at,actor,account_id,staff_id,ip,action,target,before,after\r\n/);
    expect((await admin('/api/audit?action=DROP TABLE')).status).toBe(400);
    for (const role of ['leader', 'analyst', 'dispatcher', 'wall'] as const) {
      expect((await signedIn({ app, db: fx.db }, role)('/api/audit')).status, role).toBe(403);
    }
  });
});
