/**
 * A streaming CSV reader over UTF-8 bytes (RFC 4180 as exports write it): a UTF-8 BOM, records ended by LF, CRLF or a
 * lone CR (the first line end of the file decides), quoted fields with embedded commas, newlines and doubled quotes,
 * rows of any length, empty lines skipped. A quote inside an unquoted field is kept as text (`12"3` is a value some
 * exports write); a closing quote followed by anything but a comma or the record's end, or a quote never closed, is a
 * CsvSyntaxError.
 *
 * Why not a general CSV library: an import reads a million rows, and finding the record ends with Buffer.indexOf on
 * the raw bytes, then decoding each record once, reads them about four times faster than a character-by-character
 * parser. The delimiters are ASCII, which never occurs inside a multi-byte UTF-8 character, so searching the bytes
 * is safe and a chunk may end anywhere.
 */

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;

export class CsvSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

/** Where a record ends: the index of its line end (or the input's end), or -1 when more input is needed. */
type Scan = { end: number; quoted: boolean };

export class CsvReader {
  private buf: Buffer = Buffer.alloc(0);
  /** The input's byte offset of buf[0]. */
  private base = 0;
  private pos = 0;
  /** The record delimiter byte: LF (a CR before it is dropped) or CR; 0 until the first line end is seen. */
  private eol = 0;
  private bomChecked = false;
  /** The next quote at or after the last search point; -1 none in buf; -2 not searched yet. */
  private nextQuote = -2;
  private readonly scan: Scan = { end: -1, quoted: false };
  /** Records returned so far (the header included): the next one is row records + 1, as a spreadsheet counts. */
  private records = 0;

  /** Bytes of the input read into records returned so far (or skipped as empty lines). */
  get consumed(): number {
    return this.base + this.pos;
  }

  /** Feeds a chunk; read its records with next() before the next push. */
  push(chunk: Uint8Array): void {
    const rest = this.buf.length - this.pos;
    this.base += this.pos;
    this.buf = rest > 0 ? Buffer.concat([this.buf.subarray(this.pos), chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.pos = 0;
    this.nextQuote = -2;
  }

  /**
   * The next record, or null when the input pushed so far holds no further complete one. `final`: the input has
   * ended (the last line may lack its line end; a quote left open throws).
   */
  next(final = false): string[] | null {
    const b = this.buf;
    if (!this.bomChecked) {
      if (b.length < 3 && !final) return null;
      if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) this.pos = 3;
      this.bomChecked = true;
    }
    if (this.eol === 0 && !this.detectEol(final)) return null;
    while (this.pos < b.length) {
      const p = this.pos;
      if (!this.findEnd(p, final, this.records + 1)) {
        // The unfinished record was searched past its start: the cached quote may lie beyond quotes before it.
        this.nextQuote = -2;
        return null;
      }
      const { end, quoted } = this.scan;
      this.pos = Math.min(end + 1, b.length);
      let stop = end;
      if (this.eol === LF && stop > p && b[stop - 1] === CR) stop--;
      if (stop === p) continue;
      const text = b.toString('utf8', p, stop);
      this.records++;
      return quoted ? splitQuoted(text, this.records) : text.split(',');
    }
    return null;
  }

  /** Every complete record of the input pushed so far (all of them, when `final`). */
  drain(final = false): string[][] {
    const out: string[][] = [];
    for (let r = this.next(final); r !== null; r = this.next(final)) out.push(r);
    return out;
  }

  /** LF unless the first line end of the input is a CR with no LF after it (old Mac exports). */
  private detectEol(final: boolean): boolean {
    const b = this.buf;
    const lf = b.indexOf(LF, this.pos);
    const cr = b.indexOf(CR, this.pos);
    if (cr !== -1 && (lf === -1 || cr < lf)) {
      if (cr + 1 === b.length && !final) return false;
      this.eol = b[cr + 1] === LF ? LF : CR;
      return true;
    }
    if (lf === -1 && !final) return false;
    this.eol = LF;
    return true;
  }

  private quoteFrom(s: number): number {
    if (this.nextQuote !== -1 && this.nextQuote < s) this.nextQuote = this.buf.indexOf(QUOTE, s);
    return this.nextQuote;
  }

  /**
   * Finds the end of the record starting at p into this.scan: the first line end outside a quoted field. A quote
   * opens a field only at the field's start; inside one, a doubled quote is text. False when the input so far ends
   * inside the record (and more is coming).
   */
  private findEnd(p: number, final: boolean, row: number): boolean {
    const b = this.buf;
    const n = b.length;
    let s = p;
    let quoted = false;
    for (;;) {
      const e = b.indexOf(this.eol, s);
      const q = this.quoteFrom(s);
      if (q === -1 || (e !== -1 && e < q)) {
        if (e === -1 && !final) return false;
        this.scan.end = e === -1 ? n : e;
        this.scan.quoted = quoted;
        return true;
      }
      quoted = true;
      if (q > p && b[q - 1] !== COMMA) {
        s = q + 1;
        continue;
      }
      // An opening quote: its field runs to the next quote that is not doubled.
      let c = q + 1;
      for (;;) {
        c = b.indexOf(QUOTE, c);
        if (c === -1 || (c + 1 === n && !final)) {
          if (!final) return false;
          throw new CsvSyntaxError(`row ${row}: a quoted field is not closed before the end of the file`);
        }
        if (b[c + 1] !== QUOTE) break;
        c += 2;
      }
      s = c + 1;
    }
  }
}

/** Splits a record that has quotes in it. */
function splitQuoted(text: string, row: number): string[] {
  const out: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) === QUOTE) {
      let value = '';
      let s = i + 1;
      for (;;) {
        const q = text.indexOf('"', s);
        if (text.charCodeAt(q + 1) === QUOTE) {
          value += text.slice(s, q + 1);
          s = q + 2;
          continue;
        }
        value += text.slice(s, q);
        i = q + 1;
        break;
      }
      out.push(value);
      if (i === n) return out;
      if (text.charCodeAt(i) !== COMMA) {
        throw new CsvSyntaxError(`row ${row}: field ${out.length} closes its quotes and goes on ("${text.slice(i, i + 10)}") where a comma should follow`);
      }
      i++;
    } else {
      const c = text.indexOf(',', i);
      if (c === -1) {
        out.push(text.slice(i));
        return out;
      }
      out.push(text.slice(i, c));
      i = c + 1;
    }
    if (i === n) {
      out.push('');
      return out;
    }
  }
}
