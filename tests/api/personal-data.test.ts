/**
 * Personal data: a resident's contact details (Open311 email and phone) are kept with the case, shown whole to the
 * roles that handle cases and masked (138****1234) to the others, and never in Open311 answers; staff phone
 * numbers are whole for signed-in staff and masked for the wall and analysts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { maskEmail, maskPhone } from '../../server/domain/personal-data.ts';
import { createFixture, NOW, type Fixture } from './fixture.ts';
import { signedIn } from '../helpers/signed-in.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let fx: Fixture;
let app: ReturnType<typeof createApp>;
beforeAll(() => {
  fx = createFixture();
  app = createApp({ db: fx.db, now: () => NOW, open311Keys: ['k-1'] });
});
afterAll(() => fx?.db.close());

const post311 = (fields: Record<string, string>) =>
  app.request('/open311/v2/requests.json', {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ api_key: 'k-1', service_code: '0102', description: '楼下垃圾没人清', ...fields }).toString(),
  });

describe('personal data', () => {
  it('masks phones and emails', () => {
    expect(maskPhone('13812341234')).toBe('138****1234');
    expect(maskPhone('0731-5821234')).toBe('073****1234');
    expect(maskEmail('zhang.san@example.com')).toBe('z***@example.com');
  });

  it("keeps a resident's contact with the case: whole for the handling roles, masked for the others, absent from Open311", async () => {
    const res = await post311({ lat: '27.855', long: '112.805', phone: '13812341234', email: 'zhang.san@example.com', first_name: '三', last_name: '张' });
    expect(res.ok, await res.clone().text()).toBe(true);
    const [{ service_request_id: id }] = (await res.json()) as { service_request_id: string }[];
    const dispatcher = (await (await signedIn({ app, db: fx.db }, { role: 'dispatcher', subdistrict: '430302001' })(`/api/events/${id}`)).json()) as Json;
    expect(dispatcher.contact).toEqual({ email: 'zhang.san@example.com', phone: '13812341234', masked: false });
    for (const role of ['analyst', 'leader', 'wall'] as const) {
      const seen = (await (await signedIn({ app, db: fx.db }, role)(`/api/events/${id}`)).json()) as Json;
      expect(seen.contact, role).toEqual({ email: 'z***@example.com', phone: '138****1234', masked: true });
    }
    for (const path of [`/open311/v2/requests/${id}.json`, '/open311/v2/requests.json', `/open311/v2/requests/${id}.xml`]) {
      const text = await (await app.request(path)).text();
      expect(text, path).not.toContain('13812341234');
      expect(text, path).not.toContain('zhang.san');
    }
    // A request located later keeps its contact too.
    const pending = await post311({ address_string: '雨湖路 8 号', phone: '13900001111' });
    const [{ service_request_id: pendingId }] = (await pending.json()) as { service_request_id: string }[];
    const u = Number(pendingId.replace('U', ''));
    const located = (await (await signedIn({ app, db: fx.db }, 'admin').post(`/api/events/unlocated/${u}/locate`, { lon: 112.805, lat: 27.855 })).json()) as Json;
    const after = (await (await signedIn({ app, db: fx.db }, 'analyst')(`/api/events/${located.id}`)).json()) as Json;
    expect(after.contact).toEqual({ email: null, phone: '139****1111', masked: true });
  });

  it('staff phone numbers: whole for signed-in staff, masked for the wall and analysts', async () => {
    const whole = (await (await signedIn({ app, db: fx.db }, 'leader')('/api/staff?limit=3')).json()) as { items: Json[] };
    expect(whole.items[0].phone).toMatch(/^1380000\d{4}$/);
    const governor = (fx.db.prepare("SELECT staff_id AS id FROM role_assignments WHERE role = 'governor' LIMIT 1").get() as { id: number }).id;
    const staff = (await (await signedIn({ app, db: fx.db }, { staffId: governor })('/api/staff?limit=3')).json()) as { items: Json[] };
    expect(staff.items[0].phone).toMatch(/^1380000\d{4}$/);
    for (const role of ['wall', 'analyst'] as const) {
      const masked = (await (await signedIn({ app, db: fx.db }, role)('/api/staff?limit=3')).json()) as { items: Json[] };
      expect(masked.items[0].phone, role).toMatch(/^138\*\*\*\*\d{4}$/);
      const block = (await (await signedIn({ app, db: fx.db }, role)('/api/blocks/430302001001001')).json()) as Json;
      expect(block.team.governor.phone, role).toMatch(/^138\*\*\*\*\d{4}$/);
    }
    expect((await app.request('/api/staff')).status).toBe(401);
  });
});
