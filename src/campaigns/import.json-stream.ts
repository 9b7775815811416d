/**
 * A streaming splitter for one top-level JSON array: bytes in, the source text of each
 * element out, so a huge array is never held in memory (only one element, capped). It checks
 * the array's own punctuation; each element's syntax is left to JSON.parse.
 *
 * Works on bytes: every structural character is ASCII, and UTF-8 continuation bytes are
 * always >= 0x80, so multi-byte characters split across chunks need no special care.
 */

export class JsonStreamError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly tooLarge = false,
  ) {
    super(message);
    this.name = 'JsonStreamError';
  }
}

const enum Phase {
  Open, // before '['
  FirstOrClose, // after '[': an element or ']'
  Element, // after ',': an element
  Inside, // inside an element
  CommaOrClose, // after an element: ',' or ']'
  Done, // after ']': whitespace only
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

export class JsonArrayScanner {
  /** Elements completed so far. */
  elements = 0;
  private phase = Phase.Open;
  private offset = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** A bare scalar element (number, true, null...): ends at ',', ']' or whitespace. */
  private bare = false;
  private parts: Buffer[] = [];
  private size = 0;

  constructor(private readonly maxElementBytes: number) {}

  push(chunk: Buffer): string[] {
    const out: string[] = [];
    let start = this.phase === Phase.Inside ? 0 : -1;
    const fail = (i: number, what: string): never => {
      throw new JsonStreamError(`byte ${this.offset + i}: ${what}`, this.offset + i);
    };
    const finish = (endExclusive: number): void => {
      this.take(chunk, start, endExclusive);
      out.push(Buffer.concat(this.parts, this.size).toString('utf8'));
      this.parts = [];
      this.size = 0;
      this.elements++;
      this.phase = Phase.CommaOrClose;
      start = -1;
    };

    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      switch (this.phase) {
        case Phase.Inside:
          if (this.inString) {
            if (this.escaped) this.escaped = false;
            else if (b === BACKSLASH) this.escaped = true;
            else if (b === QUOTE) {
              this.inString = false;
              if (this.depth === 0) finish(i + 1);
            }
          } else if (this.bare) {
            if (b === COMMA || b === CLOSE_BRACKET || isSpace(b)) {
              finish(i);
              i--; // let CommaOrClose see this byte
            }
          } else if (b === QUOTE) this.inString = true;
          else if (b === OPEN_BRACE || b === OPEN_BRACKET) this.depth++;
          else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
            this.depth--;
            if (this.depth === 0) finish(i + 1);
          }
          break;
        case Phase.Open:
          if (b === OPEN_BRACKET) this.phase = Phase.FirstOrClose;
          else if (!isSpace(b) && !(b === 0xef || b === 0xbb || b === 0xbf)) fail(i, 'the body must be a JSON array of customer objects');
          break;
        case Phase.FirstOrClose:
        case Phase.Element:
          if (isSpace(b)) break;
          if (b === CLOSE_BRACKET && this.phase === Phase.FirstOrClose) {
            this.phase = Phase.Done;
            break;
          }
          if (b === CLOSE_BRACKET || b === COMMA) fail(i, `unexpected "${String.fromCharCode(b)}"`);
          this.phase = Phase.Inside;
          start = i;
          this.depth = b === OPEN_BRACE || b === OPEN_BRACKET ? 1 : 0;
          this.inString = b === QUOTE;
          this.escaped = false;
          this.bare = this.depth === 0 && !this.inString;
          break;
        case Phase.CommaOrClose:
          if (b === COMMA) this.phase = Phase.Element;
          else if (b === CLOSE_BRACKET) this.phase = Phase.Done;
          else if (!isSpace(b)) fail(i, `expected "," or "]" after element ${this.elements}`);
          break;
        case Phase.Done:
          if (!isSpace(b)) fail(i, 'unexpected data after the end of the array');
          break;
      }
    }
    if (this.phase === Phase.Inside) this.take(chunk, start, chunk.length);
    this.offset += chunk.length;
    return out;
  }

  /** Call at the end of input: fails unless the array was closed. */
  end(): string[] {
    if (this.phase !== Phase.Done) {
      const what = this.phase === Phase.Open ? 'the body is empty: expected a JSON array' : 'unexpected end of input: the array is not closed';
      throw new JsonStreamError(`byte ${this.offset}: ${what}`, this.offset);
    }
    return [];
  }

  private take(chunk: Buffer, start: number, end: number): void {
    if (start < 0 || end <= start) return;
    this.size += end - start;
    if (this.size > this.maxElementBytes) {
      throw new JsonStreamError(`element ${this.elements + 1} is larger than ${this.maxElementBytes} bytes`, this.offset + start, true);
    }
    // Copy: the caller's chunk may be reused once we return.
    this.parts.push(Buffer.from(chunk.subarray(start, end)));
  }
}
