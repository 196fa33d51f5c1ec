import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRecords } from '../../server/import/records.ts';

const dir = mkdtempSync(join(tmpdir(), 'gezhi-records-'));

async function read(name: string, content: string | Buffer) {
  const file = join(dir, name);
  writeFileSync(file, content);
  const src = openRecords(file);
  const out: { row: number; a: string; b: string }[] = [];
  for await (const r of src.records) out.push({ row: r.row, a: r.get('a'), b: r.get('b') });
  return { out, columns: src.columns() };
}

describe('source records', () => {
  it('CSV: BOM, CRLF, quoted commas, doubled quotes and embedded newlines; rows numbered as a spreadsheet shows them', async () => {
    const { out, columns } = await read('x.csv', '\uFEFFa,b\r\n1,"x, ""y""\r\nz"\r\n2,plain\r\n\r\n3,\r\n');
    expect(columns).toEqual(['a', 'b']);
    expect(out).toEqual([
      { row: 2, a: '1', b: 'x, "y"\r\nz' },
      { row: 3, a: '2', b: 'plain' },
      { row: 4, a: '3', b: '' },
    ]);
  });

  it('CSV: a short row reads its missing fields as empty', async () => {
    const { out } = await read('short.csv', 'a,b\n1\n');
    expect(out).toEqual([{ row: 2, a: '1', b: '' }]);
  });

  it('CSV: an unterminated quote fails the read', async () => {
    await expect(read('bad.csv', 'a,b\n1,"open\n')).rejects.toThrow();
  });

  it('JSON Lines and JSON arrays: numbers read as text, absent keys as empty', async () => {
    expect((await read('x.jsonl', '{"a":1,"b":"p"}\n\n{"a":"2"}\n')).out).toEqual([
      { row: 1, a: '1', b: 'p' },
      { row: 3, a: '2', b: '' },
    ]);
    expect((await read('x.json', '[{"a":1.5},{"b":null}]')).out).toEqual([
      { row: 1, a: '1.5', b: '' },
      { row: 2, a: '', b: '' },
    ]);
  });
});
