import { createSseFrameReader, type SseFrame } from '../../web/live/sse-frames.ts';

/** One Server-Sent-Events frame as a test reads it: its fields, or the text of a `:` comment line. */
export interface Frame {
  id?: number;
  event?: string;
  data?: string;
  comment?: string;
  retry?: number;
}

/**
 * Splits SSE text into whole frames as chunks arrive, with the web app's frame reader (eventsource-parser): the
 * tests read the stream exactly as the screens do, id-only frames, comments and retry hints included.
 */
export class FrameParser {
  private out: Frame[] = [];
  private readonly reader = createSseFrameReader(({ id, ...rest }: SseFrame) => {
    this.out.push(id === undefined ? rest : { id: Number(id), ...rest });
  });

  push(text: string): Frame[] {
    this.reader.feed(text);
    const frames = this.out;
    this.out = [];
    return frames;
  }
}
