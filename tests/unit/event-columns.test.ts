import { describe, expect, test } from 'vitest';
import { createRng } from '../../server/domain/prng.ts';
import {
  BYTES_PER_EVENT,
  decodeEventColumns,
  encodeEventColumns,
  EventColumnsFormatError,
  HEADER,
  latOf,
  lonOf,
  reportedAtOf,
  statusOf,
  categoryOf,
  STATUS_OVERDUE,
  STATUS_URGENT,
  type EventColumnsInput,
} from '../../server/contract/event-columns.ts';
import { buildEventColumnAttributes, statusColorTable } from '../../web/map/event-columns.ts';
import { EVENT_COLORS } from '../../web/map/palette.ts';

const ORIGIN = Date.UTC(2026, 10, 1);
const STATUSES = ['reported', 'filed', 'rejected', 'dispatched', 'accepted', 'arrived', 'resolved', 'closed', 'evaluated'];

function tiny(): EventColumnsInput {
  return {
    timeOrigin: ORIGIN,
    timeEnd: ORIGIN + 86_400_000,
    asOf: ORIGIN + 12 * 3_600_000,
    categories: ['0101', '1201'],
    statuses: ['filed', 'closed'],
    count: 2,
    id: [7, 9],
    lon: [112.8, 112.9],
    lat: [27.85, 27.95],
    reportedAt: [ORIGIN + 1500, ORIGIN + 61_000],
    category: [1, 0],
    status: [0, 1],
    flags: [1, 2], // urgent; overdue
  };
}

/** n events spread over a district-sized box and a 30-day window, from a seeded PRNG. */
function random(n: number, seed = 7): EventColumnsInput {
  const rng = createRng(seed);
  const r = () => rng.next();
  const input: EventColumnsInput = {
    timeOrigin: ORIGIN,
    timeEnd: ORIGIN + 30 * 86_400_000,
    asOf: ORIGIN + 30 * 86_400_000,
    categories: Array.from({ length: 62 }, (_, i) => String(101 + i).padStart(4, '0')),
    statuses: STATUSES,
    count: n,
    id: Float64Array.from({ length: n }, (_, i) => 1 + i * 3),
    lon: Float64Array.from({ length: n }, () => 112.652 + 0.348 * r()),
    lat: Float64Array.from({ length: n }, () => 27.805 + 0.271 * r()),
    reportedAt: Float64Array.from({ length: n }, () => ORIGIN + Math.floor(r() * 30 * 86_400_000)),
    category: Uint16Array.from({ length: n }, () => Math.floor(r() * 62)),
    status: Uint8Array.from({ length: n }, () => Math.floor(r() * STATUSES.length)),
    flags: Uint8Array.from({ length: n }, () => Math.floor(r() * 4)),
  };
  return input;
}

describe('GZEV v1 encoding', () => {
  test('golden bytes of a two-event window', () => {
    const hex = Buffer.from(encodeEventColumns(tiny())).toString('hex');
    expect(hex).toBe(
      [
        '475a4556', '0100', '0100', '02000000', '68000000', // magic, version 1, flags DELTA, n = 2, H = 104
        '0000807e46197a42', // timeOrigin 2026-11-01T00:00Z
        '000040e498197a42', // timeEnd +1 day
        '000060b16f197a42', // asOf +12 h
        '3333333333335c40', // originLon 112.8
        '9a99999999d93b40', // originLat 27.85
        '4dcf4c33b399b93e', // scaleLon 0.1 / 65535
        '4dcc4c33b399b93e', // scaleLat 0.1 / 65535 (27.95 − 27.85 in float64)
        '0200', '0200', '00000000', // C = 2, S = 2, reserved
        '0430313031', '0431323031', // categories '0101', '1201'
        '0566696c6564', '06636c6f736564', // statuses 'filed', 'closed'
        '00', // header padding to 104
        '00000000ffffffff', // positions (0, 0), (65535, 65535)
        '0700000002000000', // ids 7, 9 delta-coded: 7, +2
        '010000003c000000', // times 1 s (1.5 s floored), 61 s delta-coded: 1, +60
        '0100000000000000', // categories 1, 0 + padding
        '4081000000000000', // status bytes filed|urgent, closed|overdue + padding
      ].join(''),
    );
    expect(hex.length / 2).toBe(144);
    // Without DELTA the two columns hold the values themselves.
    const plain = Buffer.from(encodeEventColumns(tiny(), { delta: false })).toString('hex');
    expect(plain.slice(12, 16)).toBe('0000');
    expect(plain.slice(224, 256)).toBe('0700000009000000' + '010000003d000000');
    const d = decodeEventColumns(new Uint8Array(Buffer.from(plain, 'hex')));
    expect([Array.from(d.ids), Array.from(d.times)]).toEqual([[7, 9], [1, 61]]);
  });

  test('delta coding round-trips ids and times in any order, wrapping modulo 2^32', () => {
    const input = { ...tiny(), id: [4_000_000_000, 3], reportedAt: [ORIGIN + 90_000, ORIGIN + 5_000] };
    const d = decodeEventColumns(encodeEventColumns(input));
    expect(Array.from(d.ids)).toEqual([4_000_000_000, 3]);
    expect(Array.from(d.times)).toEqual([90, 5]);
  });

  test('round trip: ids, times, categories, statuses and flags exact; positions within half a step', () => {
    const input = random(20_000);
    input.id = Float64Array.from(input.id).sort();
    const buf = encodeEventColumns(input);
    const d = decodeEventColumns(buf);
    expect(d.count).toBe(20_000);
    expect(d.version).toBe(1);
    expect(d.categories).toEqual(input.categories);
    expect(d.statuses).toEqual(STATUSES);
    expect([d.timeOrigin, d.timeEnd, d.asOf]).toEqual([input.timeOrigin, input.timeEnd, input.asOf]);
    // A district-sized box: steps of ~0.5 m.
    expect(d.scaleLon * 98_300).toBeLessThan(0.53);
    expect(d.scaleLat * 111_200).toBeLessThan(0.47);
    let worst = 0;
    for (let i = 0; i < d.count; i++) {
      expect(d.ids[i]).toBe(input.id[i]);
      expect(reportedAtOf(d, i)).toBe(input.reportedAt[i] - ((input.reportedAt[i] - ORIGIN) % 1000));
      expect(categoryOf(d, i)).toBe(input.categories[input.category[i]]);
      expect(statusOf(d, i)).toBe(STATUSES[input.status[i]]);
      expect((d.statusBytes[i] & STATUS_URGENT) !== 0).toBe((input.flags[i] & 1) !== 0);
      expect((d.statusBytes[i] & STATUS_OVERDUE) !== 0).toBe((input.flags[i] & 2) !== 0);
      worst = Math.max(worst, Math.abs(lonOf(d, i) - input.lon[i]) / d.scaleLon, Math.abs(latOf(d, i) - input.lat[i]) / d.scaleLat);
    }
    expect(worst).toBeLessThanOrEqual(0.5 + 1e-6);
    // 15 bytes per event plus the header and column padding.
    expect(buf.byteLength - 20_000 * BYTES_PER_EVENT).toBeLessThan(HEADER.tables + 62 * 5 + 9 * 10 + 5 * 8);
  });

  test('bounds: the box corners land on steps 0 and 65535; out-of-range input is a RangeError', () => {
    const d = decodeEventColumns(encodeEventColumns(tiny()));
    expect(Array.from(d.positions)).toEqual([0, 0, 65535, 65535]);
    expect(lonOf(d, 1)).toBeCloseTo(112.9, 12);
    expect(latOf(d, 1)).toBeCloseTo(27.95, 12);
    const bad = (patch: Partial<EventColumnsInput>) => () => encodeEventColumns({ ...tiny(), ...patch });
    expect(bad({ reportedAt: [ORIGIN - 1, ORIGIN] })).toThrow(RangeError);
    expect(bad({ reportedAt: [ORIGIN, ORIGIN + 2 ** 32 * 1000] })).toThrow(RangeError);
    expect(bad({ id: [7, 2 ** 32] })).toThrow(/u32/);
    expect(bad({ category: [2, 0] })).toThrow(/category/);
    expect(bad({ status: [0, 64] })).toThrow(/status/);
    expect(bad({ lon: [112.8, Number.NaN] })).toThrow(/finite/);
    expect(bad({ count: 3 })).toThrow(/at least count/);
    expect(bad({ statuses: Array.from({ length: 65 }, (_, i) => `s${i}`) })).toThrow(/64 statuses/);
  });

  test('one event, or events at one place: scale 0 and every position decodes exactly', () => {
    const d = decodeEventColumns(encodeEventColumns({ ...tiny(), lon: [112.8, 112.8], lat: [27.9, 27.9] }));
    expect([d.scaleLon, d.scaleLat]).toEqual([0, 0]);
    expect([lonOf(d, 1), latOf(d, 1)]).toEqual([112.8, 27.9]);
  });

  test('an empty window is a header alone and decodes to empty columns', () => {
    const input = { ...tiny(), count: 0, id: [], lon: [], lat: [], reportedAt: [], category: [], status: [], flags: [] };
    const buf = encodeEventColumns(input);
    expect(buf.byteLength).toBe(104);
    const d = decodeEventColumns(buf);
    expect(d.count).toBe(0);
    expect(d.positions.length + d.ids.length + d.times.length + d.categoryIndex.length + d.statusBytes.length).toBe(0);
    expect(d.categories).toEqual(['0101', '1201']);
    const built = buildEventColumnAttributes(d);
    expect(built.count).toBe(0);
    expect(built.attributes.getPosition.value.length).toBe(0);
  });
});

describe('GZEV v1 decoding', () => {
  test('refuses another version, another magic and cut or padded buffers, naming the problem', () => {
    const good = new Uint8Array(encodeEventColumns(tiny()));
    const v2 = good.slice();
    v2[HEADER.version] = 2;
    expect(() => decodeEventColumns(v2)).toThrow(EventColumnsFormatError);
    expect(() => decodeEventColumns(v2)).toThrow('GZEV version 2 is not supported; this decoder reads version 1');
    const magic = good.slice();
    magic[0] = 0x58;
    expect(() => decodeEventColumns(magic)).toThrow(/not a GZEV buffer/);
    expect(() => decodeEventColumns(good.slice(0, 40))).toThrow(/shorter than the 80-byte/);
    expect(() => decodeEventColumns(good.slice(0, 136))).toThrow(/is 144 bytes; got 136/);
    const longer = new Uint8Array(152);
    longer.set(good);
    expect(() => decodeEventColumns(longer)).toThrow(/got 152/);
    const badTable = good.slice();
    badTable[HEADER.tables] = 200; // first category claims 200 bytes
    expect(() => decodeEventColumns(badTable)).toThrow(/category table runs past the header/);
  });

  test('decodes in place from an aligned view and by copy from an unaligned one', () => {
    const good = new Uint8Array(encodeEventColumns(tiny()));
    const aligned = new Uint8Array(good.length + 8);
    aligned.set(good, 8);
    const a = decodeEventColumns(aligned.subarray(8));
    expect(a.positions.buffer).toBe(aligned.buffer);
    expect(a.statusBytes.buffer).toBe(aligned.buffer);
    expect(aligned.subarray(8)).toEqual(good); // the delta-coded columns were restored elsewhere
    expect(Array.from(a.ids)).toEqual([7, 9]);
    const odd = new Uint8Array(good.length + 3);
    odd.set(good, 3);
    const b = decodeEventColumns(odd.subarray(3));
    expect(Array.from(b.ids)).toEqual([7, 9]);
    expect(Array.from(b.times)).toEqual([1, 61]);
  });
});

describe('deck.gl attributes', () => {
  test('Float32 offsets from the window centre reproduce the positions; colours by status byte', () => {
    const input = random(5_000, 11);
    const d = decodeEventColumns(encodeEventColumns(input));
    const built = buildEventColumnAttributes(d);
    const pos = built.attributes.getPosition.value;
    const [ox, oy] = built.layerProps.coordinateOrigin;
    expect(built.layerProps.coordinateSystem).toBe('lnglat-offsets');
    expect(built.layerProps.data.length).toBe(5_000);
    expect(pos).toBeInstanceOf(Float32Array);
    let worstM = 0;
    for (let i = 0; i < d.count; i++) {
      const dx = (ox + pos[2 * i] - input.lon[i]) * 98_300;
      const dy = (oy + pos[2 * i + 1] - input.lat[i]) * 111_200;
      worstM = Math.max(worstM, Math.hypot(dx, dy));
    }
    expect(worstM).toBeLessThan(0.4); // half a step diagonally (~0.35 m) plus Float32 rounding (mm)
    const colors = built.attributes.getFillColor.value;
    for (let i = 0; i < 200; i++) {
      const status = STATUSES[input.status[i]];
      const overdue = (input.flags[i] & 2) !== 0;
      const expected = overdue ? EVENT_COLORS.overdue : ['rejected', 'closed', 'evaluated'].includes(status) ? EVENT_COLORS.closed : EVENT_COLORS.open;
      expect(Array.from(colors.subarray(4 * i, 4 * i + 4))).toEqual(expected);
    }
  });

  test('status bytes outside the window status table are transparent', () => {
    const table = new Uint8Array(statusColorTable(['filed']).buffer);
    expect(Array.from(table.subarray(0, 4))).toEqual(EVENT_COLORS.open);
    expect(Array.from(table.subarray(4, 8))).toEqual([0, 0, 0, 0]);
    expect(Array.from(table.subarray(4 * STATUS_OVERDUE, 4 * STATUS_OVERDUE + 4))).toEqual(EVENT_COLORS.overdue);
  });
});
