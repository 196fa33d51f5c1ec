/** One Server-Sent-Events frame as a test reads it: its fields, or the text of a `:` comment line. */
export interface Frame {
  id?: number;
  event?: string;
  data?: string;
  comment?: string;
  retry?: number;
}

/**
 * Splits SSE text into whole frames as chunks arrive (a frame ends at a blank line; the rest waits for the next
 * chunk). Multi-line data is joined with newlines, as an EventSource does.
 */
export class FrameParser {
  private buf = '';

  push(text: string): Frame[] {
    this.buf += text;
    const out: Frame[] = [];
    let i: number;
    while ((i = this.buf.indexOf('\n\n')) >= 0) {
      const block = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 2);
      const f: Frame = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) f.comment = line.slice(1).trim();
        else if (line.startsWith('id: ')) f.id = Number(line.slice(4));
        else if (line.startsWith('event: ')) f.event = line.slice(7);
        else if (line.startsWith('data: ')) f.data = (f.data === undefined ? '' : `${f.data}\n`) + line.slice(6);
        else if (line.startsWith('retry: ')) f.retry = Number(line.slice(7));
      }
      out.push(f);
    }
    return out;
  }
}
