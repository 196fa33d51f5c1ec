import Database from 'better-sqlite3';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { startWalCheckpointer } from '../../server/db/wal-checkpointer.ts';

/** The worker-thread checkpointer on a real file: the log stays bounded under steady writes, failures fall back. */
describe('WAL checkpointer', () => {
  let db: Db | null = null;
  afterEach(() => {
    db?.close();
    db = null;
  });

  // 4 KiB pages, which the log's byte bound below is sized for (a file keeps the page size it was made with).
  const fresh = () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gezhi-wal-')), 'w.db');
    const made = new Database(file);
    made.pragma('page_size = 4096');
    made.exec('CREATE TABLE t (x BLOB)');
    made.close();
    db = openDatabase(file);
    expect(db.pragma('page_size', { simple: true })).toBe(4096);
    return { db, file };
  };

  it('keeps the log bounded while writes stream in, with automatic checkpoints off; stop turns them back on', async () => {
    const { db, file } = fresh();
    const ck = startWalCheckpointer(db, file, { intervalMs: 20, rewindPages: 500 });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const insert = db.prepare('INSERT INTO t VALUES (randomblob(2000))');
    const write = db.transaction(() => {
      for (let i = 0; i < 10; i++) insert.run();
    });
    // ≈ 12,000 rows ≈ 6,000 pages (24 MB) written; without checkpoints the log would hold all of them.
    for (let i = 0; i < 1200; i++) {
      write();
      await new Promise((r) => setImmediate(r));
      if (i % 100 === 99) await new Promise((r) => setTimeout(r, 30)); // let the worker take its turns
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(ck.last, 'the worker reported its checkpoints').not.toBeNull();
    const walBytes = statSync(`${file}-wal`).size;
    expect(walBytes).toBeLessThan(12 * 1024 * 1024);
    await ck.stop();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(12_000);
  });

  it('falls back to automatic checkpoints when its worker cannot open the file', async () => {
    const { db } = fresh();
    const errors: string[] = [];
    const ck = startWalCheckpointer(db, join(tmpdir(), 'gezhi-no-such-dir', 'missing.db'), { onError: (m) => errors.push(m) });
    for (let i = 0; i < 100 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(errors.join('\n')).toMatch(/checkpointer/);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await ck.stop();
  });

  it('does nothing for an in-memory database', async () => {
    db = openDatabase(':memory:');
    const ck = startWalCheckpointer(db, ':memory:');
    expect(ck.last).toBeNull();
    await ck.stop();
  });
});
