import { spawn, type ChildProcess } from 'node:child_process';

export interface StartedServer {
  url: string;
  output: () => string;
  /** What the server wrote to stderr alone (warnings, logged failures). */
  stderr: () => string;
  pid: number;
  /** Resolves when the process has exited, with its code (null when a signal ended it) and that signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop: () => Promise<number | null>;
  /** Sends a signal (SIGKILL: a crash) and resolves with the exit code or signal once the process is gone. */
  kill: (signal: NodeJS.Signals) => Promise<number | string | null>;
}

/**
 * Starts server/main.ts the way `npm start` does (after its build step), on a free port, and waits for it. The
 * simulator and the notification worker are off unless `env` turns them on.
 */
export async function startServer(env: Record<string, string>, timeoutMs = 60_000): Promise<StartedServer> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: process.cwd(),
    env: { ...process.env, PORT: '0', GEZHI_SIMULATE: '0', GEZHI_NOTIFY: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })));
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => ((out += d), (err += d)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /Gezhi listening on (http:\/\/localhost:\d+)/.exec(out);
      if (m) (clearTimeout(timer), resolve(m[1]));
    });
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`exited with ${code}:\n${out}`))));
  });
  return {
    url,
    output: () => out,
    stderr: () => err,
    pid: child.pid!,
    exited,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
    kill: (signal) =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode ?? child.signalCode);
        child.once('exit', (code, sig) => resolve(code ?? sig));
        child.kill(signal);
      }),
  };
}
