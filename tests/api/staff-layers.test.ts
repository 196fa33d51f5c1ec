import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCKS, bodyText, readProblem, type Fixture } from './fixture.ts';
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

interface StaffItem {
  id: number; name: string; phone: string; gender: string; role: string | null; blockCode: string | null;
  unit: { id: number; kind: string; key: string; name: string } | null; position: { lon: number; lat: number; at: string } | null;
}
type StaffPage = { items: StaffItem[]; nextCursor: string | null };

const staff = async (qs: string): Promise<StaffPage> => {
  const res = await api(`/api/staff${qs}`);
  expect(res.status).toBe(200);
  return res.json();
};

describe('GET /api/staff', () => {
  it('lists every staff × active role, including staff without a role, ordered by id', async () => {
    const page = await staff('');
    expect(page.items).toHaveLength(fx.roleCount);
    expect(page.nextCursor).toBeNull();
    expect(new Set(page.items.map((s) => s.id)).size).toBe(fx.staffCount);
    const ids = page.items.map((s) => s.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    // Staff 1 governs block 0 and assists in block 2: two items.
    expect(page.items.filter((s) => s.id === 1).map((s) => [s.role, s.blockCode])).toEqual([
      ['governor', BLOCKS[0]], ['assistant', BLOCKS[2]],
    ]);
    expect(page.items[0].position).toEqual({ lon: 112.805, lat: 27.855, at: '2024-06-15T11:55:00.000+08:00' });
    const officer = page.items.find((s) => s.role === 'officer')!;
    expect(officer.unit).toMatchObject({ kind: 'department', key: 'urban-management' });
    expect(officer.blockCode).toBeNull();
    // The ended governor appears only as a staff member without an active role.
    expect(page.items.filter((s) => s.role === null)).toHaveLength(2);
  });

  it('paginates with cursors covering all rows exactly once', async () => {
    const everything = (await staff('')).items.map((s) => `${s.id}:${s.role}:${s.blockCode}`);
    for (const limit of [1, 4, 9]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: StaffPage = await staff(`?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...page.items.map((s) => `${s.id}:${s.role}:${s.blockCode}`));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(everything);
    }
  });

  it('filters by block, subdistrict and role', async () => {
    const team = await staff(`?block=${BLOCKS[1]}`);
    expect(team.items.map((s) => s.role).sort()).toEqual(['assistant', 'assistant', 'governor', 'supervisor']);
    const gov = await staff(`?block=${BLOCKS[2]}&role=assistant`);
    expect(gov.items.map((s) => s.id)).toContain(1);
    const sub2 = await staff('?subdistrict=430302002');
    expect(sub2.items.every((s) => (s.blockCode ?? '').startsWith('430302002') || s.unit !== null)).toBe(true);
    expect(sub2.items.filter((s) => s.unit).map((s) => s.unit!.id).sort()).toEqual([3, 4]);
    const governors = await staff('?role=governor');
    expect(governors.items).toHaveLength(BLOCKS.length);
    expect((await staff('?block=430302009009009')).items).toEqual([]);
  });
});

describe('GET /api/layers/:name', () => {
  it.each([
    ['district', 'real', 1],
    ['subdistricts', 'generated', 2],
    ['communities', 'generated', 3],
    ['roads', 'generated', 2],
    ['water', 'real', 1],
    ['rivers', 'real', 1],
  ])('%s is a FeatureCollection marked %s', async (name, source, count) => {
    const res = await api(`/api/layers/${name}`, { headers: { 'Accept-Encoding': 'br' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gezhi-source')).toBe(source);
    expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]+\.br"$/);
    const fc = JSON.parse(await bodyText(res));
    expect(fc).toMatchObject({ type: 'FeatureCollection', name, source });
    expect(fc.features).toHaveLength(count);
    const again = await api(`/api/layers/${name}`, { headers: { 'If-None-Match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('gives area and road features their properties', async () => {
    const subs = await (await api('/api/layers/subdistricts')).json();
    expect(subs.features[0]).toMatchObject({
      id: '430302001',
      properties: { code: '430302001', name: '广场街道', nameEn: 'Guangchang Subdistrict', type: '街道', urban: true, center: [112.82, 27.855] },
    });
    const roads = await (await api('/api/layers/roads')).json();
    expect(roads.features[1].properties).toEqual({ id: 2, name: '小巷', class: 'street', speedKmh: 15, oneway: true });
    const water = await (await api('/api/layers/water')).json();
    expect(water.features[0].geometry.coordinates[1]).toEqual([112.86, 27.849123]);
  });

  it('is 404 listing the valid names for an unknown layer', async () => {
    const res = await api('/api/layers/buildings');
    expect(res.status).toBe(404);
    const p = await readProblem(res);
    for (const name of ['district', 'subdistricts', 'communities', 'roads', 'water', 'rivers']) expect(p.detail).toContain(name);
  });
});
