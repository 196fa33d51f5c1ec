import { describe, expect, it } from 'vitest';
import type { PlannedEvent } from '../../server/db/commands/import-events.ts';
import { PlannedRowsBuilder, plannedEvent } from '../../server/import/planned-rows.ts';

const event = (over: Partial<PlannedEvent>): PlannedEvent => ({
  row: 2, source_id: 'H1', category_code: '0101', source_category: '占道经营', department: '城管执法', kind: 'demand', channel: 'hotline',
  priority: 'normal', status: 'closed', tier: 'block', text: '占道经营, 第1号工单', lon: 112.94069713993211, lat: 27.91022437961259,
  version_id: 1, block_code: '430302001001', community_code: '430302001', subdistrict_code: '430302001', unit_id: 7,
  reported_at: 1719090000000, filed_at: 1719090000000, resolved_at: 1719300000000, closed_at: 1719300000000, due_at: 1719350000000,
  warn_at: 1719350000000, verify_due_at: 1719386400000, ...over,
});

describe('planned rows in columns', () => {
  it('give back every field of every row, nulls included, after a structured clone', () => {
    const rows = [
      event({}),
      event({ row: 3, source_id: 'H2', category_code: null, source_category: '旧分类1', unit_id: null, filed_at: null, resolved_at: null, closed_at: null, verify_due_at: null, status: 'reported' }),
      event({ row: 5, source_id: 'H4', text: '' }),
    ];
    const b = new PlannedRowsBuilder();
    for (const e of rows) b.add(e);
    const built = structuredClone(b.build());
    expect(built.length).toBe(3);
    expect(built.dict.filter((d) => d === 'closed')).toHaveLength(1);
    expect(rows.map((_, k) => plannedEvent(built, k))).toEqual(rows);
  });
});
