/**
 * `PriorityQueue`: a Queue that hands out the smallest item first, by a
 * comparator, and equal items in the order they were put. Only the storage
 * differs from Queue (`queue.ts`): the items are a binary heap, and every
 * blocking, hand-off and shutdown rule is Queue's.
 */
import { checkFunction, checkOptions, optionKeys, show } from './internal/validate.js';
import { Queue } from './queue.js';

/** Orders a PriorityQueue: negative when `a` comes first, positive when `b` does, 0 for a tie. */
export type Comparator<T> = (a: T, b: T) => number;

/** Options of `new PriorityQueue`. */
export interface PriorityQueueOptions<T> {
  /** The most items it holds; omitted: unbounded. */
  maxsize?: number | null;
  /** The order; by default numbers, strings or bigints ascending, and arrays (tuples) element by element. */
  compare?: Comparator<T>;
}
const PRIORITY_KEYS = optionKeys<PriorityQueueOptions<unknown>>({ maxsize: true, compare: true });

/** Orders numbers, strings and bigints, and tuples of them; `[priority, payload]` orders by priority. */
function defaultCompare(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      // Elements that are not orderable (a payload object) tie: equal priorities then go FIFO.
      if (!isOrderable(a[i]) || !isOrderable(b[i])) continue;
      const c = defaultCompare(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  if (typeof a !== typeof b || !isOrderable(a)) {
    throw new TypeError(`PriorityQueue: cannot order ${show(a)} against ${show(b)}; pass { compare }`);
  }
  const x = a as number | string | bigint;
  const y = b as number | string | bigint;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Refuses, when it is put, an item the default order cannot place: NaN
 * compares as neither less nor greater than anything, so a NaN priority
 * (`[NaN, job]`) would tie with every item and mis-order the rest of the heap.
 */
function checkOrderable(name: string, item: unknown): void {
  if (!isOrderable(item)) {
    throw new TypeError(`${name}: cannot order ${show(item)} by default (numbers, strings, bigints or arrays); pass { compare }`);
  }
  const where = nanIn(item);
  if (where !== null) throw new TypeError(`${name}: cannot order NaN${where}`);
}

/** Where a NaN sits in a default-ordered item (`''` for the item itself, ` (at [0])` in a tuple), or null. */
function nanIn(item: unknown): string | null {
  if (typeof item === 'number') return Number.isNaN(item) ? '' : null;
  if (!Array.isArray(item)) return null;
  for (let i = 0; i < item.length; i++) {
    const inner = nanIn(item[i]);
    if (inner !== null) return ` (at [${i}]${inner.replace(/^ \(at /, '').replace(/\)$/, '')})`;
  }
  return null;
}

function isOrderable(value: unknown): boolean {
  const type = typeof value;
  return type === 'number' || type === 'string' || type === 'bigint' || Array.isArray(value);
}

/**
 * A queue that hands out the smallest item first (by `compare`), and among
 * equal ones the first put. Kept as a binary heap.
 */
export class PriorityQueue<T> extends Queue<T> {
  private readonly heap: T[] = [];
  /** Each heap slot's put order, so that equal items leave FIFO. */
  private readonly order: number[] = [];
  private seq = 0;
  private readonly compare: Comparator<T>;

  /** `new PriorityQueue(maxsize?, { compare })` or `new PriorityQueue({ maxsize, compare })`. */
  constructor(maxsize?: number | null, options?: PriorityQueueOptions<T>);
  constructor(options: PriorityQueueOptions<T>);
  constructor(first?: number | null | PriorityQueueOptions<T>, second?: PriorityQueueOptions<T>) {
    const byOptions = first !== null && typeof first === 'object';
    const options = byOptions ? first : second;
    checkOptions(`new ${new.target.name}`, options, PRIORITY_KEYS);
    super(byOptions ? first.maxsize : (first as number | null | undefined));
    const compare = options?.compare;
    if (compare !== undefined) checkFunction(`new ${new.target.name}`, 'compare', compare);
    this.compare = compare ?? defaultCompare;
  }

  override qsize(): number {
    return this.heap.length;
  }

  protected override store(item: T): void {
    const heap = this.heap;
    const order = this.order;
    if (this.compare === defaultCompare) checkOrderable(this.constructor.name, item);
    const seq = this.seq;
    // Find the item's place before moving anything: a comparator that throws leaves the heap as it was.
    let target = heap.length;
    while (target > 0) {
      const parent = (target - 1) >> 1;
      if (this.compared(item, heap[parent]) >= 0) break; // ties stay below: the older item leaves first
      target = parent;
    }
    this.seq++;
    let i = heap.length;
    heap.push(item);
    order.push(seq);
    while (i > target) {
      const parent = (i - 1) >> 1;
      heap[i] = heap[parent];
      order[i] = order[parent];
      i = parent;
    }
    heap[target] = item;
    order[target] = seq;
  }

  protected override take(): T {
    const heap = this.heap;
    const order = this.order;
    const top = heap[0];
    const topSeq = order[0];
    const last = heap.pop() as T;
    const lastSeq = order.pop() as number;
    if (heap.length === 0) return top;
    const n = heap.length;
    let hole = 0;
    try {
      for (;;) {
        let child = 2 * hole + 1;
        if (child >= n) break;
        if (child + 1 < n && this.before(child + 1, child)) child++;
        if (!this.precedes(heap[child], order[child], last, lastSeq)) break;
        heap[hole] = heap[child];
        order[hole] = order[child];
        hole = child;
      }
    } catch (error) {
      // Keep every item (in some order) rather than lose one to a throwing comparator.
      heap[hole] = last;
      order[hole] = lastSeq;
      heap.push(top);
      order.push(topSeq);
      throw error;
    }
    heap[hole] = last;
    order[hole] = lastSeq;
    return top;
  }

  override front(): T {
    return this.heap[0];
  }

  protected override drain(): number {
    const count = this.heap.length;
    this.heap.length = 0;
    this.order.length = 0;
    return count;
  }

  private before(i: number, j: number): boolean {
    return this.precedes(this.heap[i], this.order[i], this.heap[j], this.order[j]);
  }

  private precedes(a: T, seqA: number, b: T, seqB: number): boolean {
    const c = this.compared(a, b);
    return c < 0 || (c === 0 && seqA < seqB);
  }

  /** `compare(a, b)`, refusing a result that orders nothing (NaN, not a number): the heap would mis-order. */
  private compared(a: T, b: T): number {
    const c = this.compare(a, b);
    if (typeof c !== 'number' || Number.isNaN(c)) {
      throw new TypeError(`${this.constructor.name}: compare(${show(a)}, ${show(b)}) returned ${show(c)}; it must return a number (negative, 0 or positive)`);
    }
    return c;
  }
}
