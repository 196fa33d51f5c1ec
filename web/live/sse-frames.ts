import { createParser } from 'eventsource-parser';

/**
 * Server-Sent Events frames read with eventsource-parser: the one frame reader of the web app's stream client,
 * the tests and the benchmarks.
 *
 * Beyond the messages an EventSource would dispatch, a reader here also sees what keeps a stream resumable and
 * alive: blocks with an `id:` and no data (the server sends one first, so a reconnect before the first message
 * still resumes from the right place), `:` comments (heartbeats) and `retry:` hints.
 */
export interface SseFrame {
  /** The block's `id:` value, when it had one. */
  id?: string;
  /** The event type (`event:`), when the block had data. */
  event?: string;
  /** The data lines joined with newlines; absent for an id-only block. */
  data?: string;
  /** A `:` comment line's text (then nothing else is set). */
  comment?: string;
  /** A `retry:` hint in ms (then nothing else is set). */
  retry?: number;
}

export interface SseFrameReader {
  /** Feeds decoded text; frames are reported as their blocks end. */
  feed(text: string): void;
  /** Forgets any partial block (a new connection starts clean). */
  reset(): void;
}

/** A block longer than this (characters) is refused: the parser stops and the connection is reopened. */
export const MAX_FRAME_CHARS = 4_000_000;

export function createSseFrameReader(onFrame: (frame: SseFrame) => void): SseFrameReader {
  // The parser reports a block's id (onId) just before its event (onEvent), in the same turn; an id not claimed by
  // the next event belongs to a block without data.
  let pendingId: string | undefined;
  const flush = () => {
    if (pendingId === undefined) return;
    const id = pendingId;
    pendingId = undefined;
    onFrame({ id });
  };
  const parser = createParser({
    maxBufferSize: MAX_FRAME_CHARS,
    onId: (id) => {
      flush();
      pendingId = id;
    },
    onEvent: (e) => {
      if (pendingId !== undefined && e.id !== pendingId) flush();
      pendingId = undefined;
      onFrame(e.id === undefined ? { event: e.event ?? 'message', data: e.data } : { id: e.id, event: e.event ?? 'message', data: e.data });
    },
    onComment: (comment) => {
      flush();
      onFrame({ comment });
    },
    onRetry: (retry) => {
      flush();
      onFrame({ retry });
    },
  });
  return {
    feed(text) {
      parser.feed(text);
      flush();
    },
    reset() {
      pendingId = undefined;
      parser.reset();
    },
  };
}
