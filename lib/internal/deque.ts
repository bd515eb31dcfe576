/**
 * A FIFO double-ended queue on a growable ring buffer.
 *
 * The hub's ready queue and every Queue's items live in one of these: `push`
 * and `shift` are O(1) without the copying `Array.prototype.shift` falls back
 * to on long arrays, and an empty deque allocates no buffer at all, which
 * keeps an idle actor's inbox small.
 */
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

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.length; i++) yield this.at(i) as T;
  }

  private set(index: number, item: T): void {
    const buffer = this.buffer!;
    buffer[(this.head + index) & (buffer.length - 1)] = item;
  }

  private grow(): (T | undefined)[] {
    const old = this.buffer!;
    // Capacities stay powers of two so positions wrap with a mask.
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.length; i++) next[i] = old[(this.head + i) & (old.length - 1)];
    this.buffer = next;
    this.head = 0;
    return next;
  }
}
