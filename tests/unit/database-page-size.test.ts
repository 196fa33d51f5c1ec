import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, pageSizeFromEnv } from '../../server/db/database.ts';

describe('database page size', () => {
  it('is GEZHI_PAGE_SIZE for a file created here (8 KiB without it), and a file keeps the page size it was made with', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gezhi-pages-'));
    const before = process.env.GEZHI_PAGE_SIZE;
    delete process.env.GEZHI_PAGE_SIZE;
    try {
      const fresh = openDatabase(join(dir, 'new.db'));
      expect(fresh.pragma('page_size', { simple: true })).toBe(8192);
      fresh.close();
      process.env.GEZHI_PAGE_SIZE = '16384';
      const large = openDatabase(join(dir, 'large.db'));
      expect(large.pragma('page_size', { simple: true })).toBe(16_384);
      large.close();
      // Opened again under another setting: its pages stay as they are.
      process.env.GEZHI_PAGE_SIZE = '4096';
      const again = openDatabase(join(dir, 'large.db'));
      expect(again.pragma('page_size', { simple: true })).toBe(16_384);
      again.close();
    } finally {
      if (before === undefined) delete process.env.GEZHI_PAGE_SIZE;
      else process.env.GEZHI_PAGE_SIZE = before;
    }
  });

  it('refuses a GEZHI_PAGE_SIZE that SQLite would ignore', () => {
    expect(pageSizeFromEnv({})).toBe(8192);
    expect(pageSizeFromEnv({ GEZHI_PAGE_SIZE: '4096' })).toBe(4096);
    for (const bad of ['3000', '256', '131072', 'big']) expect(() => pageSizeFromEnv({ GEZHI_PAGE_SIZE: bad })).toThrow(/power of two/);
  });
});
