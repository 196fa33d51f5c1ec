/**
 * Simulated time: a clock that runs `speed` times faster than the real one from a chosen start, and sleeps until
 * simulated instants on one real timer (a binary heap of waiters), so thousands of waiting cases cost one timer.
 */

export class SimClock {
  private realStart = performance.now();
  /** Real wall-clock time (epoch ms) at the start, to map server timestamps onto simulated time. */
  epochStart = Date.now();
  constructor(readonly start: number, readonly speed: number) {
    if (!(speed > 0)) throw new RangeError('speed must be > 0');
  }
  /** Starts the clock again at `start` from now (after the set-up, so its time does not count as simulated). */
  restart(): void {
    this.realStart = performance.now();
    this.epochStart = Date.now();
  }
  now(): number {
    return this.start + (performance.now() - this.realStart) * this.speed;
  }
  /** The simulated instant of a real (server) instant. */
  fromReal(epochMs: number): number {
    return this.start + (epochMs - this.epochStart) * this.speed;
  }
}

interface Waiter {
  at: number;
  seq: number;
  resolve: (ran: boolean) => void;
}

export class Scheduler {
  private readonly heap: Waiter[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private stopped = false;

  constructor(readonly clock: SimClock) {}

  get waiting(): number {
    return this.heap.length;
  }

  /** Resolves true at simulated instant `at` (now if past), false if the scheduler stops first. */
  sleepUntil(at: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.push({ at, seq: this.seq++, resolve });
      this.arm();
    });
  }

  /** Sleeps a simulated duration. */
  sleep(ms: number): Promise<boolean> {
    return this.sleepUntil(this.clock.now() + ms);
  }

  /** Wakes every waiter with false; later sleeps resolve false at once. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const w of this.heap.splice(0)) w.resolve(false);
  }

  private arm(): void {
    const first = this.heap[0];
    if (!first || this.stopped) return;
    if (this.timer && first.at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    const delay = Math.max(0, Math.min(2 ** 31 - 1, (first.at - this.clock.now()) / this.clock.speed));
    this.timerAt = first.at;
    this.timer = setTimeout(() => this.fire(), Math.ceil(delay));
  }

  private fire(): void {
    this.timer = null;
    this.timerAt = Infinity;
    const now = this.clock.now();
    while (this.heap.length > 0 && this.heap[0].at <= now) this.pop().resolve(true);
    this.arm();
  }

  private less(a: Waiter, b: Waiter): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(w: Waiter): void {
    const h = this.heap;
    h.push(w);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Waiter {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
