/**
 * The simulator's HTTP client of the public API: JSON in and out, problem details (RFC 9457) kept on errors, a cap
 * on requests in flight, and retries with back-off when the server cannot be reached (it may be restarting).
 * 4xx and 5xx answers are returned, not thrown: the caller decides (a 409 is routine).
 */

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  reason?: string;
  allowed?: string[];
  [key: string]: unknown;
}

export type ApiResult<T> = { ok: true; status: number; body: T } | { ok: false; status: number; problem: Problem };

export interface ClientStats {
  requests: number;
  /** Answers by class. */
  status4xx: number;
  status5xx: number;
  networkErrors: number;
}

export class ApiError extends Error {
  constructor(readonly method: string, readonly path: string, readonly problem: Problem) {
    super(`${method} ${path} → ${problem.status}: ${problem.detail ?? problem.title ?? 'error'}`);
    this.name = 'ApiError';
  }
}

export class StoppedError extends Error {
  constructor() {
    super('the simulator is stopping');
    this.name = 'StoppedError';
  }
}

export class ApiClient {
  readonly base: string;
  readonly stats: ClientStats = { requests: 0, status4xx: 0, status5xx: 0, networkErrors: 0 };
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private stopped = false;
  private readonly controllers = new Set<AbortController>();
  private readonly backoffs = new Set<() => void>();

  /** Sent with every request that brings no Authorization of its own (the simulator's reading token). */
  authorization: string | null = null;

  constructor(base: string, private readonly options: { maxInFlight?: number; retries?: number; timeoutMs?: number } = {}) {
    this.base = base.replace(/\/+$/, '');
  }

  /** Refuses new requests and aborts those waiting on the network. */
  stop(): void {
    this.stopped = true;
    for (const c of this.controllers) c.abort();
    for (const wake of [...this.backoffs]) wake();
    for (const w of this.waiting.splice(0)) w();
  }

  get busy(): number {
    return this.inFlight;
  }

  get<T>(path: string, headers: Record<string, string> = {}): Promise<ApiResult<T>> {
    return this.request<T>('GET', path, undefined, headers);
  }

  delete<T>(path: string, headers: Record<string, string> = {}): Promise<ApiResult<T>> {
    return this.request<T>('DELETE', path, undefined, headers);
  }

  post<T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<ApiResult<T>> {
    return this.request<T>('POST', path, body, headers);
  }

  /** GET that throws an ApiError on a problem (for the start-up reads). */
  async getOrThrow<T>(path: string): Promise<T> {
    const r = await this.get<T>(path);
    if (!r.ok) throw new ApiError('GET', path, r.problem);
    return r.body;
  }

  async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResult<T>> {
    const retries = this.options.retries ?? 5;
    await this.acquire();
    try {
      for (let attempt = 0; ; attempt++) {
        if (this.stopped) throw new StoppedError();
        const controller = new AbortController();
        this.controllers.add(controller);
        const timer = setTimeout(() => controller.abort(), this.options.timeoutMs ?? 30_000);
        let res: Response;
        try {
          this.stats.requests++;
          res = await fetch(this.base + path, {
            method,
            headers: {
              ...(this.authorization && !('Authorization' in headers) ? { Authorization: this.authorization } : {}),
              ...(body === undefined ? headers : { 'Content-Type': 'application/json', ...headers }),
            },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: controller.signal,
          });
          const text = await res.text();
          if (res.ok) return { ok: true, status: res.status, body: (text ? JSON.parse(text) : null) as T };
          if (res.status >= 500) this.stats.status5xx++;
          else this.stats.status4xx++;
          let problem: Problem;
          try {
            problem = { status: res.status, ...(JSON.parse(text) as object) } as Problem;
          } catch {
            problem = { status: res.status, detail: text.slice(0, 200) };
          }
          return { ok: false, status: res.status, problem };
        } catch (err) {
          if (this.stopped) throw new StoppedError();
          this.stats.networkErrors++;
          if (attempt >= retries) {
            return { ok: false, status: 0, problem: { status: 0, title: 'Network error', detail: err instanceof Error ? err.message : String(err) } };
          }
          await this.backoff(Math.min(8000, 250 * 2 ** attempt));
        } finally {
          clearTimeout(timer);
          this.controllers.delete(controller);
        }
      }
    } finally {
      this.release();
    }
  }

  /** Waits before a retry; stop() cuts the wait short. */
  private backoff(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.backoffs.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.backoffs.add(wake);
    });
  }

  private acquire(): Promise<void> {
    const max = this.options.maxInFlight ?? 4;
    if (this.inFlight < max || this.stopped) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.waiting.push(() => {
        this.inFlight++;
        resolve();
      }),
    );
  }

  private release(): void {
    this.inFlight--;
    const next = this.waiting.shift();
    if (next) next();
  }
}

/** One line for a problem: status, reason and detail. */
export function describeProblem(p: Problem): string {
  const parts = [String(p.status || 'network')];
  if (typeof p.reason === 'string') parts.push(p.reason);
  parts.push(p.detail ?? p.title ?? '');
  return parts.filter(Boolean).join(' ');
}
