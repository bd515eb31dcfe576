/**
 * A Node Readable (a socket, an HTTP request's body) read from a greenlet:
 * the stream stays in paused mode and a read pulls what Node has buffered,
 * so a greenlet that does not read leaves the bytes in the kernel and the
 * peer is slowed down (TCP's backpressure) instead of the server's memory
 * growing. Node's 'readable', 'end' and 'close' wake the reader.
 */
import type { Readable } from 'node:stream';
import { Wakeup } from './wakeup.js';
import { raise, within, type Limit, type Steps } from '../../lib/internal/within.js';

/** Thrown by `readLine` when no line end comes within `maxBytes`. */
export class LineTooLong extends Error {
  static {
    this.prototype.name = 'LineTooLong';
  }
}

const NEWLINE = 0x0a;
const RETURN = 0x0d;

export class StreamReader {
  private readonly arrived = new Wakeup();
  /** Bytes taken from the stream and not returned yet. */
  private pending: Buffer | null = null;
  /** How many bytes at the start of `pending` hold no line end (not searched again). */
  private scanned = 0;
  /** The stream ended, failed or closed: nothing more will arrive. */
  private done = false;
  /** The call reading now: two greenlets reading one stream would each get parts of the other's data. */
  private busy: string | null = null;
  /** Bytes returned so far. */
  total = 0;

  constructor(private readonly stream: Readable) {
    const finish = (): void => {
      this.done = true;
      this.arrived.wake();
    };
    stream.on('readable', this.arrived.wake);
    stream.on('end', finish);
    stream.on('close', finish);
    // A reset is an end, as a close is; the owner decides whether writes fail.
    stream.on('error', finish);
  }

  /** True once the stream has ended and every byte was returned. */
  get ended(): boolean {
    return this.done && this.pending === null && this.stream.readableLength === 0;
  }

  /** Up to `maxBytes` bytes, as soon as any are there; null once the stream has ended. */
  read(call: string, maxBytes: number, timeout: Limit): Steps<Buffer | null> {
    return this.exclusive(call, timeout, () => this.readChunk(maxBytes));
  }

  /** The next line without its `\n` or `\r\n`, decoded as UTF-8; a last line without one; null at the end. */
  readLine(call: string, maxBytes: number, timeout: Limit): Steps<string | null> {
    return this.exclusive(call, timeout, () => this.readLineOf(call, maxBytes));
  }

  private *exclusive<T>(call: string, timeout: Limit, body: () => Steps<T>): Steps<T> {
    if (this.busy !== null) throw new Error(`${call}: another greenlet is reading this stream (in ${this.busy})`);
    this.busy = call;
    try {
      return yield* within(timeout, body, raise);
    } finally {
      this.busy = null;
    }
  }

  private *readChunk(maxBytes: number): Steps<Buffer | null> {
    for (;;) {
      const chunk = this.pending ?? (this.stream.read() as Buffer | null);
      if (chunk !== null) {
        this.pending = chunk.length > maxBytes ? chunk.subarray(maxBytes) : null;
        this.scanned = 0;
        const taken = chunk.length > maxBytes ? chunk.subarray(0, maxBytes) : chunk;
        this.total += taken.length;
        return taken;
      }
      if (this.done) return null;
      yield* this.arrived.wait();
    }
  }

  private *readLineOf(call: string, maxBytes: number): Steps<string | null> {
    for (;;) {
      const pending = this.pending;
      if (pending !== null) {
        const newline = pending.indexOf(NEWLINE, this.scanned);
        if (newline >= 0) {
          if (newline > maxBytes) throw tooLong(call, maxBytes);
          const end = newline > 0 && pending[newline - 1] === RETURN ? newline - 1 : newline;
          this.pending = newline + 1 < pending.length ? pending.subarray(newline + 1) : null;
          this.scanned = 0;
          this.total += newline + 1;
          return pending.toString('utf8', 0, end);
        }
        if (pending.length > maxBytes) throw tooLong(call, maxBytes);
        this.scanned = pending.length;
      }
      const chunk = this.stream.read() as Buffer | null;
      if (chunk !== null) {
        this.pending = pending === null ? chunk : Buffer.concat([pending, chunk]);
        continue;
      }
      if (this.done) {
        if (pending === null) return null;
        this.pending = null;
        this.scanned = 0;
        this.total += pending.length;
        return pending.toString('utf8');
      }
      yield* this.arrived.wait();
    }
  }
}

function tooLong(call: string, maxBytes: number): LineTooLong {
  return new LineTooLong(`${call}: no line end within ${maxBytes} bytes`);
}
