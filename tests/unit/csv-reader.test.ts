import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CsvReader, CsvSyntaxError } from '../../server/import/csv-reader.ts';

/** Reads `bytes` fed in chunks cut at the given offsets. */
function read(bytes: Buffer, cuts: number[] = []): string[][] {
  const r = new CsvReader();
  const out: string[][] = [];
  let from = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    r.push(bytes.subarray(from, c));
    out.push(...r.drain());
    from = c;
  }
  r.push(bytes.subarray(from));
  out.push(...r.drain(), ...r.drain(true));
  return out;
}

const csv = (s: string) => Buffer.from(s, 'utf8');

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('CSV reader', () => {
  it('reads BOM, CRLF, quoted commas, doubled quotes and embedded newlines, and skips empty lines', () => {
    expect(read(csv('\uFEFFa,b\r\n1,"x, ""y""\r\nz"\r\n2,plain\r\n\r\n3,\r\n'))).toEqual([
      ['a', 'b'], ['1', 'x, "y"\r\nz'], ['2', 'plain'], ['3', ''],
    ]);
  });

  it('takes LF, lone-CR line ends and a last line without one', () => {
    expect(read(csv('a,b\n1,2\n3,4'))).toEqual([['a', 'b'], ['1', '2'], ['3', '4']]);
    expect(read(csv('a,b\r1,"x\ry"\r3,4\r'))).toEqual([['a', 'b'], ['1', 'x\ry'], ['3', '4']]);
  });

  it('keeps a quote inside an unquoted field as text, and rows of any length', () => {
    expect(read(csv('a,b\n12"3,"q"\n1\n1,2,3,\n'))).toEqual([['a', 'b'], ['12"3', 'q'], ['1'], ['1', '2', '3', '']]);
  });

  it('names the row of a quote left open or a closing quote followed by text', () => {
    expect(() => read(csv('a,b\n1,2\n1,"open\n'))).toThrow(new CsvSyntaxError('row 3: a quoted field is not closed before the end of the file'));
    expect(() => read(csv('a,b\n1,"x"y,2\n'))).toThrow(/^row 2: field 2 closes its quotes and goes on \("y,2"\)/);
  });

  it('reads the same records however the bytes are cut into chunks, multi-byte characters included', () => {
    const bytes = csv('\uFEFF工单号,内容\r\n"H1","井盖, ""缺失""\r\n第二行"\r\n中文,""""\r\n\r\nH3,末行');
    const whole = read(bytes);
    expect(whole).toEqual([['工单号', '内容'], ['H1', '井盖, "缺失"\r\n第二行'], ['中文', '"'], ['H3', '末行']]);
    for (let c = 0; c <= bytes.length; c++) expect(read(bytes, [c])).toEqual(whole);
    for (let c = 0; c + 2 <= bytes.length; c++) expect(read(bytes, [c, c + 1, c + 2])).toEqual(whole);
  });

  it('agrees with csv-parse on random well-formed files cut at random places', () => {
    const rnd = prng(430302);
    const pieces = ['a', 'bc', '中文', ' ', ',', '"', '\n', '\r\n', '12.5', ''];
    const field = () => {
      let v = '';
      for (let k = Math.floor(rnd() * 4); k > 0; k--) v += pieces[Math.floor(rnd() * pieces.length)];
      return /[",\r\n]/.test(v) || (v === '' && rnd() < 0.3) ? `"${v.replaceAll('"', '""')}"` : v;
    };
    for (let t = 0; t < 1000; t++) {
      const eol = rnd() < 0.5 ? '\r\n' : '\n';
      let text = rnd() < 0.3 ? '\uFEFF' : '';
      const rows = 1 + Math.floor(rnd() * 6);
      for (let r = 0; r < rows; r++) {
        const n = 1 + Math.floor(rnd() * 4);
        text += Array.from({ length: n }, field).join(',') + (r < rows - 1 || rnd() < 0.5 ? eol : '');
        if (rnd() < 0.1) text += eol;
      }
      const bytes = csv(text);
      const expected = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
      const cuts = Array.from({ length: Math.floor(rnd() * 4) }, () => Math.floor(rnd() * (bytes.length + 1)));
      expect(read(bytes, cuts), JSON.stringify(text)).toEqual(expected);
    }
  });
});
