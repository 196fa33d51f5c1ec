/**
 * Where a live client's bytes go. Under Node's HTTP server the response itself: one `write` per broadcast and the
 * socket's own buffer is the queue, counted by `writableLength` — no web stream, no promise hops per message,
 * which mattered with 20 listeners at thousands of messages a second. Elsewhere (app.request, tests) a web
 * ReadableStream fed on demand.
 */
/** What the hub needs of a Node writable (an http.ServerResponse whose head is already written). */
export interface LiveSocket {
  write(chunk: Uint8Array): boolean;
  readonly writableLength: number;
  readonly writableNeedDrain: boolean;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  end(): unknown;
  destroy(): unknown;
}

/** A client's byte sink: what the hub writes to and waits on. */
export interface Sink {
  /** Bytes handed over but not yet taken by the socket. */
  readonly queued: number;
  write(bytes: Uint8Array): void;
  whenDrained(): Promise<void>;
  end(cut: boolean): void;
}

export class SocketSink implements Sink {
  constructor(private readonly socket: LiveSocket) {}

  get queued(): number {
    return this.socket.writableLength;
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** 'drain' only comes after a write that passed the socket's high-water mark; below it, go on at once. */
  whenDrained(): Promise<void> {
    if (!this.socket.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('drain', resolve);
      this.socket.once('close', resolve);
    });
  }

  end(cut: boolean): void {
    if (cut) this.socket.destroy();
    else this.socket.end();
  }
}

export class StreamSink implements Sink {
  private queue: Uint8Array[] = [];
  queued = 0;
  private closed = false;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private pendingPull: (() => void) | null = null;
  private drained: (() => void) | null = null;
  readonly stream: ReadableStream<Uint8Array>;

  constructor(
    onCancel: () => void,
    private readonly abort?: () => void,
  ) {
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => this.pull(),
        cancel: onCancel,
      },
      // Nothing waits inside the stream: bytes stay in `queue`, where they are counted, until the socket asks.
      { highWaterMark: 0 },
    );
  }

  private pull(): Promise<void> | void {
    if (this.closed) return;
    if (this.queue.length > 0) return this.flush();
    return new Promise((resolve) => (this.pendingPull = resolve));
  }

  private flush(): void {
    const chunk = this.queue.length === 1 ? this.queue[0] : Buffer.concat(this.queue, this.queued);
    this.queue = [];
    this.queued = 0;
    this.controller.enqueue(chunk);
    const drained = this.drained;
    this.drained = null;
    drained?.();
  }

  write(bytes: Uint8Array): void {
    this.queue.push(bytes);
    this.queued += bytes.byteLength;
    const pull = this.pendingPull;
    if (pull) {
      this.pendingPull = null;
      this.flush();
      pull();
    }
  }

  whenDrained(): Promise<void> {
    if (this.queue.length === 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => (this.drained = resolve));
  }

  end(cut: boolean): void {
    this.closed = true;
    this.queue = [];
    this.queued = 0;
    this.drained?.();
    this.drained = null;
    const pull = this.pendingPull;
    this.pendingPull = null;
    try {
      if (cut && this.abort) this.abort();
      else if (cut) this.controller.error(new Error('live client dropped: it fell too far behind'));
      else this.controller.close();
    } catch {
      // already closed or errored by the other side
    }
    pull?.();
  }
}
