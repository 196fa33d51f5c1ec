/**
 * Group commit of POST /api/events: reports arriving together are written in one transaction and each is answered
 * only after that transaction has committed; a report that fails (bad input, reused key, or an error inside the
 * write itself) is answered with its own error while the others of its group are kept; case numbers follow the
 * order in which the reports arrived. The synchronous path (Open311) still writes a group of one at once.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { createEventServices } from '../../server/services/index.ts';
import { readProblem } from './fixture.ts';
import { signedIn } from '../helpers/signed-in.ts';
import { SYSTEM_CALLER } from '../../server/domain/principal.ts';

let db: Db;
let other: Db; // a second connection: it sees only what has been committed
let app: ReturnType<typeof createApp>;
let spots: { lon: number; lat: number }[];
let now = 0;

beforeAll(() => {
  const file = join(mkdtempSync(join(tmpdir(), 'gezhi-group-')), 'seeded.db');
  copyFileSync(inject('seededDb'), file);
  db = openDatabase(file);
  other = openDatabase(file, { readonly: true });
  now = inject('seedNow') + 3_600_000;
  app = createApp({ db, now: () => now });
  spots = db
    .prepare(`SELECT bd.lon, bd.lat FROM block_buildings bb JOIN buildings bd ON bd.id = bb.building_id ORDER BY bb.building_id LIMIT 40`)
    .all() as { lon: number; lat: number }[];
});
afterAll(() => {
  other?.close();
  db?.close();
});

const counts = () =>
  db.prepare(`SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM event_log) AS log, (SELECT count(*) FROM live_messages) AS live`).get() as {
    events: number; log: number; live: number;
  };

const body = (i: number, extra: Record<string, unknown> = {}) => ({
  category: '0102', text: `成组上报${i}`, lon: spots[i % spots.length].lon, lat: spots[i % spots.length].lat, channel: 'patrol', kind: 'incident', ...extra,
});

/** Reports come in through an integration (the 12345 platform, the app). */
const post = async (b: unknown, key?: string): Promise<Response> =>
  signedIn({ app, db }, 'integration')('/api/events', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(key ? { 'Idempotency-Key': key } : {}) },
    body: JSON.stringify(b),
  });

const committed = (id: number): boolean => other.prepare('SELECT 1 FROM events WHERE id = ?').get(id) !== undefined;

describe('group commit of POST /api/events', () => {
  it('answers each report of a group only after the group has committed, numbering cases in arrival order', async () => {
    const before = counts();
    const seenCommitted: boolean[] = [];
    const responses = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        post(body(i)).then(async (res) => {
          const e = await res.json();
          seenCommitted[i] = committed(e.id); // checked the moment this answer arrives
          return { status: res.status, e };
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(25).fill(201));
    expect(seenCommitted).toEqual(Array(25).fill(true));
    const seqs = responses.map((r) => Number(r.e.caseNo.slice(-5)));
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i));
    const ids = responses.map((r) => r.e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(counts()).toEqual({ events: before.events + 25, log: before.log + 25, live: before.live + 25 });
    // The answer is the event as GET /api/events/:id reads it back.
    const { classified, proposal, ...created } = responses[3].e;
    expect(created).toEqual(await (await signedIn({ app, db }, 'integration')(`/api/events/${created.id}`)).json());
    expect(classified).toBe(false);
    expect(proposal).not.toBeNull();
  });

  it('a failing report does not affect the others of its group', async () => {
    const before = counts();
    await post(body(0, { text: '已有的键' }), 'group-key'); // stored before the group
    const sent = [
      post(body(1)),
      post(body(2, { lon: 0, lat: 0 })), // outside the district: 422
      post(body(3)),
      post(body(4, { category: '9999' })), // unknown category: 422
      post(body(5, { text: '另一份报告' }), 'group-key'), // key used for another report: 409
      post(body(0, { text: '已有的键' }), 'group-key'), // a retry: replays (200)
      post(body(6)),
    ];
    const res = await Promise.all(sent);
    expect(res.map((r) => r.status)).toEqual([201, 422, 201, 422, 409, 200, 201]);
    expect((await readProblem(res[4])).type).toBe('/problems/idempotency-conflict');
    const created = await Promise.all([res[0], res[2], res[6]].map((r) => r.json()));
    const seqs = created.map((e) => Number(e.caseNo.slice(-5)));
    expect(seqs).toEqual([seqs[0], seqs[0] + 1, seqs[0] + 2]);
    expect(counts()).toEqual({ events: before.events + 4, log: before.log + 4, live: before.live + 4 });
  });

  it('an error inside the write fails only its own report; the group is written again without it', async () => {
    const before = counts();
    db.exec(`CREATE TEMP TRIGGER group_commit_fail BEFORE INSERT ON events WHEN NEW.text = '写入失败'
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
    try {
      const res = await Promise.all([post(body(7)), post(body(8, { text: '写入失败' })), post(body(9))]);
      expect(res.map((r) => r.status)).toEqual([201, 500, 201]);
      const [a, c] = await Promise.all([res[0].json(), res[2].json()]);
      expect(Number(c.caseNo.slice(-5))).toBe(Number(a.caseNo.slice(-5)) + 1); // no number lost to the failed one
      expect(committed(a.id) && committed(c.id)).toBe(true);
      expect(counts()).toEqual({ events: before.events + 2, log: before.log + 2, live: before.live + 2 });
    } finally {
      db.exec('DROP TRIGGER temp.group_commit_fail');
    }
  });

  it('when every write of a group fails, each report is rejected and nothing is written', async () => {
    const services = createEventServices({ db, now: () => now });
    const before = counts();
    db.exec(`CREATE TEMP TRIGGER group_commit_fail_all BEFORE INSERT ON event_log BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    try {
      const out = await Promise.allSettled([services.reports.submit(body(10), undefined, SYSTEM_CALLER), services.reports.submit(body(11), undefined, SYSTEM_CALLER)]);
      expect(out.map((o) => o.status)).toEqual(['rejected', 'rejected']);
      expect(counts()).toEqual(before);
    } finally {
      db.exec('DROP TRIGGER temp.group_commit_fail_all');
    }
    // The service still works afterwards, and the synchronous path writes a group of one at once.
    const e = services.reports.report(body(12), undefined, SYSTEM_CALLER);
    expect(committed(e.id)).toBe(true);
    expect(e.created?.row.case_no).toMatch(/^YH\d{13}$/);
  });
});
