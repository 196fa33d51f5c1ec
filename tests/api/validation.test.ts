import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../server/http/validate.ts';
import { readProblem, type Fixture } from './fixture.ts';
import { fixtureApp } from '../helpers/apps.ts';
import type { Requester } from '../helpers/signed-in.ts';

let fx: Fixture;
/** Requests as a leader: signed in, district-wide reads. */
let api: Requester;

beforeAll(() => {
  const made = fixtureApp();
  fx = made.fx;
  api = made.as('leader');
});
afterAll(() => fx.db.close());

const INJECTION = "' OR 1=1 --";
const q = encodeURIComponent;

/** [path with query, the parameter the 400 must name] */
const CASES: [string, string][] = [
  // unknown and repeated parameters
  ['/api/events?stauts=open', 'stauts'],
  ['/api/events?limit=5&limit=6', 'limit'],
  ['/api/blocks?x=1', 'x'],
  ['/api/health?verbose', 'verbose'],
  ['/api/areas?code=430302', 'code'],
  ['/api/layers/roads?v=2', 'v'],
  ['/api/blocks/430302001001001?with=team', 'with'],
  ['/api/events/1?expand=log', 'expand'],
  [`/api/staff?${q(INJECTION)}=1`, INJECTION],
  // dates
  ['/api/events?from=yesterday', 'from'],
  ['/api/events?from=2024-02-30', 'from'],
  ['/api/events?from=2024-13-01', 'from'],
  ['/api/events?to=2024-06-01T25:00', 'to'],
  ['/api/events?from=2024-06-01T10:00:00%2B15:00', 'from'],
  ['/api/events?from=', 'from'],
  ['/api/events?from=2024-06-02&to=2024-06-01', 'to'],
  ['/api/events?from=2024-06-01T12:00Z&to=2024-06-01T12:00Z', 'to'],
  [`/api/events?from=${q(INJECTION)}`, 'from'],
  // status
  ['/api/events?status=lost', 'status'],
  ['/api/events?status=open,', 'status'],
  ['/api/events?status=OPEN', 'status'],
  [`/api/events?status=${q(INJECTION)}`, 'status'],
  // category, block
  ['/api/events?category=1', 'category'],
  ['/api/events?category=123', 'category'],
  ['/api/events?category=ab', 'category'],
  [`/api/events?category=${q(INJECTION)}`, 'category'],
  ['/api/events?block=43030200100100', 'block'],
  [`/api/events?block=${q(INJECTION)}`, 'block'],
  // bbox
  ['/api/events?bbox=1,2,3', 'bbox'],
  ['/api/events?bbox=1,2,3,4,5', 'bbox'],
  ['/api/events?bbox=-181,0,10,10', 'bbox'],
  ['/api/events?bbox=0,-91,10,10', 'bbox'],
  ['/api/events?bbox=0,0,10,91', 'bbox'],
  ['/api/events?bbox=10,0,0,10', 'bbox'],
  ['/api/events?bbox=0,10,10,10', 'bbox'],
  ['/api/events?bbox=NaN,0,10,10', 'bbox'],
  ['/api/events?bbox=Infinity,0,10,10', 'bbox'],
  ['/api/events?bbox=1e2,0,10,10', 'bbox'],
  [`/api/events?bbox=${q(INJECTION)}`, 'bbox'],
  // limit
  ['/api/events?limit=0', 'limit'],
  ['/api/events?limit=5001', 'limit'],
  ['/api/events?limit=1000000000', 'limit'],
  ['/api/events?limit=-1', 'limit'],
  ['/api/events?limit=2.5', 'limit'],
  ['/api/events?limit=ten', 'limit'],
  [`/api/events?limit=${q(INJECTION)}`, 'limit'],
  // cursor
  ['/api/events?cursor=abc', 'cursor'],
  ['/api/events?cursor=!!!', 'cursor'],
  [`/api/events?cursor=${Buffer.from('{"reportedAt":1}').toString('base64url')}`, 'cursor'],
  [`/api/events?cursor=${Buffer.from('{"reportedAt":"1","id":2}').toString('base64url')}`, 'cursor'],
  [`/api/events?cursor=${Buffer.from('[1,2]').toString('base64url')}`, 'cursor'],
  [`/api/events?cursor=${encodeCursor({ staffId: 1, rid: 2 })}`, 'cursor'],
  [`/api/events?cursor=${q(INJECTION)}`, 'cursor'],
  // staff
  ['/api/staff?block=123', 'block'],
  ['/api/staff?subdistrict=4303020011', 'subdistrict'],
  ['/api/staff?role=boss', 'role'],
  ['/api/staff?limit=0', 'limit'],
  ['/api/staff?limit=5001', 'limit'],
  [`/api/staff?cursor=${encodeCursor({ reportedAt: 1, id: 2 })}`, 'cursor'],
  [`/api/staff?role=${q(INJECTION)}`, 'role'],
  [`/api/staff?block=${q(INJECTION)}`, 'block'],
];

describe('malformed parameters', () => {
  it.each(CASES)('%s → 400 naming %s', async (path, name) => {
    const res = await api(path);
    expect(res.status).toBe(400);
    const p = await readProblem(res);
    expect(p.errors?.map((e) => e.name)).toContain(name);
    expect(p.detail).toContain(name);
  });

  it('accepts each parameter at its limits', async () => {
    for (const path of [
      '/api/events?limit=1', '/api/events?limit=5000', '/api/events?bbox=-180,-90,180,90', '/api/events?category=01',
      '/api/events?from=2024-06-01T10:00:00.5-02:30', '/api/events?status=open,overdue,closed',
      '/api/staff?limit=5000', '/api/staff?role=officer', '/api/staff?subdistrict=430302001',
    ]) {
      expect((await api(path)).status, path).toBe(200);
    }
  });
});
