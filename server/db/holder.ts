/**
 * Which server holds a database file: `<file>.holder` names the process (pid, URL, start time) while a server has
 * the file open. A restore reads it to refuse while the file is in use. SQLite's own locks cannot tell: in WAL mode
 * an idle server holds no lock a second program could test for. A file left by a killed server names a process
 * that no longer exists, and is ignored.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

export interface Holder {
  pid: number;
  url?: string;
  startedAt: string;
}

const holderFile = (dbFile: string) => `${dbFile}.holder`;

export function writeHolder(dbFile: string, holder: Holder): void {
  if (dbFile === ':memory:') return;
  writeFileSync(holderFile(dbFile), JSON.stringify(holder) + '\n');
}

/** Removes the holder file if it still names this process (a newer server may have taken over the file). */
export function removeHolder(dbFile: string, pid = process.pid): void {
  if (dbFile === ':memory:') return;
  const h = readHolderFile(dbFile);
  if (h && h.pid === pid) rmSync(holderFile(dbFile), { force: true });
}

/** The live holder of the file, or null when none (no file, or its process is gone). */
export function readHolder(dbFile: string): Holder | null {
  const h = readHolderFile(dbFile);
  if (!h || h.pid === process.pid) return null;
  try {
    process.kill(h.pid, 0);
    return h;
  } catch (err) {
    // EPERM: the process exists but belongs to another user — still a holder.
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? h : null;
  }
}

function readHolderFile(dbFile: string): Holder | null {
  try {
    const h = JSON.parse(readFileSync(holderFile(dbFile), 'utf8')) as Holder;
    return Number.isSafeInteger(h.pid) && h.pid > 0 ? h : null;
  } catch {
    return null;
  }
}
