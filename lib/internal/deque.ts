/**
 * A FIFO double-ended queue on a growable ring buffer.
 *
 * The hub's ready queue and every Queue's items live in one of these: `push`
 * and `shift` are O(1) without the copying `Array.prototype.shift` falls back
 * to on long arrays, and an empty deque allocates no buffer at all, which
 * keeps an idle actor's inbox small.
 *
 * The buffer doubles when full and never shrinks on a removal: a queue that
 * swings between empty and full (a pipeline stage, the collector of a
 * fan-in) would copy on every swing, and nothing in the middle of a run
 * tells such a swing from the end of a burst. Idleness does. A deque whose
 * buffer grew past SMALL slots is noted, and when a hub runs out of ready
 * work (`trimIdleDeques`) each noted deque that is under a quarter full is
 * cut down to fit: an inbox that took 100k messages is small again once it
 * drained and the program went quiet, and so is the hub's own ready queue.
 */

/** A buffer this small is never trimmed. */
const SMALL = 16;

/** Deques whose buffer grew past SMALL, held weakly: a queue dropped while big is not kept alive. */
const grown = new Set<WeakRef<Deque<unknown>>>();

/**
 * Cuts down the buffers of the grown deques that are now under a quarter
 * full (an empty one is dropped), and forgets those back at SMALL or below.
 * Called by a hub that has nothing ready to run.
 */
export function trimIdleDeques(): void {
  if (grown.size === 0) return;
  for (const ref of grown) {
    const deque = ref.deref();
    if (deque === undefined || deque.trim()) grown.delete(ref);
  }
}

export class Deque<T> {
  private buffer: (T | undefined)[] | null = null;
  private head = 0;
  /** Number of items held. */
  length = 0;

  push(item: T): void {
    let buffer = this.buffer;
    if (buffer === null) buffer = this.buffer = new Array<T | undefined>(4);
    else if (this.length === buffer.length) buffer = this.grow();
    buffer[(this.head + this.length) & (buffer.length - 1)] = item;
    this.length++;
  }

  /** Puts `item` at the front, so it is the next `shift()`. */
  unshift(item: T): void {
    let buffer = this.buffer;
    if (buffer === null) buffer = this.buffer = new Array<T | undefined>(4);
    else if (this.length === buffer.length) buffer = this.grow();
    this.head = (this.head - 1) & (buffer.length - 1);
    buffer[this.head] = item;
    this.length++;
  }

  /** Removes and returns the oldest item; `undefined` when empty. */
  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const buffer = this.buffer!;
    const item = buffer[this.head];
    buffer[this.head] = undefined; // let the item be collected
    this.head = (this.head + 1) & (buffer.length - 1);
    this.length--;
    return item;
  }

  /** Removes and returns the newest item; `undefined` when empty. */
  pop(): T | undefined {
    if (this.length === 0) return undefined;
    const buffer = this.buffer!;
    const index = (this.head + this.length - 1) & (buffer.length - 1);
    const item = buffer[index];
    buffer[index] = undefined;
    this.length--;
    return item;
  }

  /** The item at position `index` from the front, without removing it. */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.length) return undefined;
    const buffer = this.buffer!;
    return buffer[(this.head + index) & (buffer.length - 1)];
  }

  /** Removes the item at `index` from the front, keeping the others in order. */
  removeAt(index: number): T | undefined {
    if (index < 0 || index >= this.length) return undefined;
    const item = this.at(index);
    for (let i = index; i < this.length - 1; i++) this.set(i, this.at(i + 1) as T);
    this.pop();
    return item;
  }

  clear(): void {
    this.buffer = null;
    this.head = 0;
    this.length = 0;
  }

  /**
   * Under a quarter full: moves the items to the smallest buffer that holds
   * them at most half full (none at all when empty). Returns true when the
   * buffer is back at SMALL slots or below.
   */
  trim(): boolean {
    const buffer = this.buffer;
    if (buffer === null) return true;
    if (this.length > buffer.length >> 2) return buffer.length <= SMALL;
    if (this.length === 0) {
      this.clear();
      return true;
    }
    let capacity = buffer.length;
    while (capacity > SMALL && this.length <= capacity >> 2) capacity >>= 1;
    this.resize(capacity);
    return capacity <= SMALL;
  }

  /** The number of slots in the buffer (for tests of its growth and trimming). */
  get capacity(): number {
    return this.buffer === null ? 0 : this.buffer.length;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.length; i++) yield this.at(i) as T;
  }

  private set(index: number, item: T): void {
    const buffer = this.buffer!;
    buffer[(this.head + index) & (buffer.length - 1)] = item;
  }

  private grow(): (T | undefined)[] {
    const capacity = this.buffer!.length * 2;
    if (capacity > SMALL && capacity <= 2 * SMALL) grown.add(new WeakRef(this as Deque<unknown>));
    return this.resize(capacity);
  }

  /** Moves the items, in order, to a new buffer of `capacity` slots. */
  private resize(capacity: number): (T | undefined)[] {
    const old = this.buffer!;
    // Capacities stay powers of two so positions wrap with a mask.
    const next = new Array<T | undefined>(capacity);
    for (let i = 0; i < this.length; i++) next[i] = old[(this.head + i) & (old.length - 1)];
    this.buffer = next;
    this.head = 0;
    return next;
  }
}
