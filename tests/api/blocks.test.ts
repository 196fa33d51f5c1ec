import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCKS, bodyText, NOW, OPEN, readProblem, type Fixture } from './fixture.ts';
import { fixtureApp } from '../helpers/apps.ts';
import type { Requester } from '../helpers/signed-in.ts';

let fx: Fixture;
let clock = NOW;
/** Requests as a leader: signed in, district-wide reads. */
let api: Requester;

beforeAll(() => {
  const made = fixtureApp(() => clock);
  fx = made.fx;
  api = made.as('leader');
});
afterAll(() => fx.db.close());

const expectedCounts = (code: string, now: number) => {
  const open = fx.events.filter((e) => e.block === code && OPEN.includes(e.status));
  return { open: open.length, overdue: open.filter((e) => e.dueAt < now).length };
};

describe('GET /api/blocks', () => {
  it('is a FeatureCollection of the version in force with team and open/overdue counts', async () => {
    const res = await api('/api/blocks');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/geo+json');
    const fc = await res.json();
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.boundaryVersion).toEqual({ id: 1, name: '2024 初版' }); // version 2 takes effect in the future
    expect(fc.features.map((f: { id: string }) => f.id)).toEqual(BLOCKS);
    const first = fc.features[0];
    expect(first.properties).toMatchObject({
      code: BLOCKS[0], communityCode: '430302001001', communityName: '大埠桥社区', subdistrictCode: '430302001',
      subdistrictName: '广场街道', residents: 300, households: 100, areaM2: 1_090_000,
      governor: { id: 1, name: '员工1' }, supervisor: { id: 3, name: '员工3' }, assistants: 1,
    });
    for (const f of fc.features) expect({ open: f.properties.open, overdue: f.properties.overdue }).toEqual(expectedCounts(f.id, NOW));
    expect(fc.features.reduce((n: number, f: { properties: { overdue: number } }) => n + f.properties.overdue, 0)).toBeGreaterThan(0);
    expect(fc.features[5].geometry.type).toBe('MultiPolygon');
  });

  it('rounds coordinates to 6 decimals', async () => {
    const fc = await (await api('/api/blocks')).json();
    const ring = fc.features[1].geometry.coordinates[0];
    expect(ring[0]).toEqual([112.81, 27.85]);
    expect(ring[2]).toEqual([112.82, 27.86]);
    const decimals = JSON.stringify(fc).match(/\d+\.(\d+)/g)!.map((m) => m.split('.')[1].length);
    expect(Math.max(...decimals)).toBeLessThanOrEqual(6);
  });

  it('serves br and gzip with per-encoding strong ETags, and 304 for a current tag', async () => {
    const plain = await api('/api/blocks');
    const etag = plain.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const br = await api('/api/blocks', { headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('vary')).toContain('Accept-Encoding');
    expect(br.headers.get('etag')).toBe(etag.replace(/"$/, '.br"'));
    const gz = await api('/api/blocks', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    const text = await plain.text();
    expect(await bodyText(br)).toBe(text);
    expect(await bodyText(gz)).toBe(text);
    expect(Number(br.headers.get('content-length'))).toBeLessThan(Buffer.byteLength(text));

    for (const tag of [etag, br.headers.get('etag')!, `W/${gz.headers.get('etag')}`, `"nope", ${etag}`, '*']) {
      const res = await api('/api/blocks', { headers: { 'If-None-Match': tag, 'Accept-Encoding': 'br' } });
      expect(res.status).toBe(304);
      expect(await res.text()).toBe('');
    }
    const stale = await api('/api/blocks', { headers: { 'If-None-Match': '"stale"' } });
    expect(stale.status).toBe(200);
  });

  it('changes its ETag when an event is reported, when one moves on, and when time makes one overdue', async () => {
    const tag = async () => (await api('/api/blocks')).headers.get('etag');
    const before = await tag();
    expect(await tag()).toBe(before); // warm: same content, same tag

    // A new open event in block 0, due in 1 hour.
    fx.db.prepare(
      `INSERT INTO events (id, case_no, kind, channel, category_code, priority, status, tier, text, lon, lat, version_id, block_code,
         community_code, subdistrict_code, reported_at, due_at)
       VALUES (1000, 'T1000', 'incident', 'patrol', '0102', 'normal', 'reported', 'block', 't', 112.805, 27.855, 1, ?, ?, ?, ?, ?)`,
    ).run(BLOCKS[0], BLOCKS[0].slice(0, 12), BLOCKS[0].slice(0, 9), NOW - 60_000, NOW + 3_600_000);
    fx.db.prepare(`INSERT INTO event_log (event_id, at, actor_role, to_status) VALUES (1000, ?, 'resident', 'reported')`).run(NOW - 60_000);
    const afterReport = await tag();
    expect(afterReport).not.toBe(before);
    const p0 = (await (await api('/api/blocks')).json()).features[0].properties;
    const base = expectedCounts(BLOCKS[0], NOW);
    expect(p0.open).toBe(base.open + 1);
    expect(p0.overdue).toBe(base.overdue);

    // Time passes its due time (and no other open case falls due before): it becomes overdue.
    clock = NOW + 3_600_000 + 1;
    const later = (await (await api('/api/blocks')).json()).features[0].properties;
    expect(later.overdue).toBe(expectedCounts(BLOCKS[0], clock).overdue + 1);
    const afterDue = await tag();
    expect(afterDue).not.toBe(afterReport);

    // A transition (closing it) appends a log row and updates the status.
    fx.db.transaction(() => {
      fx.db.prepare(`UPDATE events SET status = 'closed', closed_at = ? WHERE id = 1000`).run(clock);
      fx.db.prepare(`INSERT INTO event_log (event_id, at, actor_role, from_status, to_status) VALUES (1000, ?, 'supervisor', 'reported', 'closed')`).run(clock);
    })();
    const closed = (await (await api('/api/blocks')).json()).features[0].properties;
    expect(closed.open).toBe(expectedCounts(BLOCKS[0], clock).open);
    expect(await tag()).not.toBe(afterDue);
    clock = NOW;
  });
});

describe('GET /api/blocks/:code', () => {
  it('returns the block with its team, counts and latest events', async () => {
    const res = await api(`/api/blocks/${BLOCKS[1]}`);
    expect(res.status).toBe(200);
    const b = await res.json();
    expect(b).toMatchObject({
      code: BLOCKS[1], name: '区块2', community: { code: '430302001001', name: '大埠桥社区' },
      subdistrict: { code: '430302001', name: '广场街道' }, residents: 330, households: 110,
      center: [112.815, 27.855], bbox: [112.81, 27.85, 112.82, 27.86],
    });
    expect(b.geometry.type).toBe('Polygon');
    expect(b.team.governor).toMatchObject({ role: 'governor', gender: 'M' });
    expect(b.team.governor.phone).toMatch(/^1\d{10}$/);
    expect(b.team.assistants).toHaveLength(2);
    expect(b.team.supervisor.role).toBe('supervisor');
    expect({ open: b.open, overdue: b.overdue }).toEqual(expectedCounts(BLOCKS[1], NOW));
    const mine = fx.events.filter((e) => e.block === BLOCKS[1]);
    expect(b.recentEvents).toHaveLength(Math.min(20, mine.length));
    expect(b.recentEvents.every((e: { blockCode: string }) => e.blockCode === BLOCKS[1])).toBe(true);
    const times = b.recentEvents.map((e: { reportedAt: string }) => Date.parse(e.reportedAt));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
  });

  it('lists a block with two assistants and one with one', async () => {
    expect((await (await api(`/api/blocks/${BLOCKS[0]}`)).json()).team.assistants).toHaveLength(1);
  });

  it('is 400 for a malformed code and 404 for an unknown one', async () => {
    for (const bad of ['123', '43030200100100a', '4303020010010011', "' OR 1=1 --", '%E0%A4%A']) {
      const res = await api(`/api/blocks/${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(400);
      const p = await readProblem(res);
      expect(p.errors?.[0]).toMatchObject({ in: 'path', name: 'code' });
    }
    const res = await api('/api/blocks/430302009009009');
    expect(res.status).toBe(404);
    await readProblem(res);
  });
});
