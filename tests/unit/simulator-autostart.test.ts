import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/database.ts';
import { autostartSimulator, isDemoDatabase, simulateWanted } from '../../server/sim/autostart.ts';

describe('simulator autostart', () => {
  it('is wanted unless GEZHI_SIMULATE is 0 (and, under a test runner, only when asked)', () => {
    expect(simulateWanted({})).toBe(true);
    expect(simulateWanted({ GEZHI_SIMULATE: '0' })).toBe(false);
    expect(simulateWanted({ GEZHI_SIMULATE: 'off' })).toBe(false);
    expect(simulateWanted({ GEZHI_SIMULATE: '1' })).toBe(true);
    expect(simulateWanted({ VITEST: 'true' })).toBe(false);
    expect(simulateWanted({ VITEST: 'true', GEZHI_SIMULATE: '1' })).toBe(true);
  });

  it('runs only on the demo database, never on other data', () => {
    const db = openDatabase(':memory:');
    db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)');
    const lines: string[] = [];
    const log = (l: string) => lines.push(l);
    expect(isDemoDatabase(db)).toBe(false);
    expect(autostartSimulator({ db, url: 'http://localhost:1', log, env: { GEZHI_SIMULATE: '1' } })).toBeNull();
    expect(lines.join('\n')).toMatch(/not the demo database/);
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('demo', 'false')").run();
    expect(isDemoDatabase(db)).toBe(false);
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('demo', 'true')").run();
    expect(isDemoDatabase(db)).toBe(true);
    expect(autostartSimulator({ db, url: 'http://localhost:1', log, env: { GEZHI_SIMULATE: '0' } })).toBeNull();
    db.close();
  });

  it('starts on the demo database and stops on request', async () => {
    const db = openDatabase(':memory:');
    db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)');
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('demo', 'true')").run();
    const lines: string[] = [];
    // Nothing listens on port 9: the simulator cannot read the district and says so; stop() still completes.
    const handle = autostartSimulator({ db, url: 'http://127.0.0.1:9', log: (l) => lines.push(l), env: { GEZHI_SIMULATE: '1', GEZHI_SIMULATE_RATE: 'x' } });
    expect(handle).not.toBeNull();
    expect(lines[0]).toMatch(/GEZHI_SIMULATE_RATE="x" is not a number/);
    expect(lines[1]).toMatch(/Simulator: live demo activity on the demo database \(rate 12\/h, speed ×1/);
    await handle!.stop();
    db.close();
  });
});
