/**
 * The hub's timers: a binary min-heap ordered by deadline, ties broken by the
 * order in which the timers were started (gevent's rule: equal deadlines fire
 * in start order).
 *
 * Entries carry their own heap position so that cancelling one (a wait that
 * finished before its timeout, a cancelled Timeout) is O(log n) and leaves no
 * garbage behind; lazy deletion would let a loop of short waits with long
 * timeouts grow the heap without bound.
 */
export interface TimerEntry {
  /** Absolute time in ms on the hub's clock. */
  deadline: number;
  /** Start order, for ties. */
  seq: number;
  /** Position in the heap; -1 while not scheduled. */
  heapIndex: number;
  /** Called by the hub, outside any greenlet, when the deadline is reached. */
  fire(): void;
}

function before(a: TimerEntry, b: TimerEntry): boolean {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
}

export class TimerHeap {
  private readonly heap: TimerEntry[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** The entry due first, or undefined. */
  peek(): TimerEntry | undefined {
    return this.heap[0];
  }

  /**
   * Schedules `entry` at `deadline`. `tie` orders equal deadlines; by default
   * it is the start order (a seeded hub passes a drawn number instead).
   */
  add(entry: TimerEntry, deadline: number, tie: number = this.nextSeq++): void {
    entry.deadline = deadline;
    entry.seq = tie;
    entry.heapIndex = this.heap.length;
    this.heap.push(entry);
    this.up(entry.heapIndex);
  }

  /** Removes `entry` if it is scheduled; a no-op otherwise. */
  remove(entry: TimerEntry): void {
    const index = entry.heapIndex;
    if (index < 0) return;
    entry.heapIndex = -1;
    const last = this.heap.pop()!;
    if (index === this.heap.length) return;
    this.heap[index] = last;
    last.heapIndex = index;
    this.down(index);
    this.up(last.heapIndex);
  }

  /** Removes and returns the first entry. */
  shift(): TimerEntry | undefined {
    const first = this.heap[0];
    if (first !== undefined) this.remove(first);
    return first;
  }

  private up(index: number): void {
    const heap = this.heap;
    const entry = heap[index];
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex];
      if (!before(entry, parent)) break;
      heap[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
    }
    heap[index] = entry;
    entry.heapIndex = index;
  }

  private down(index: number): void {
    const heap = this.heap;
    const length = heap.length;
    const entry = heap[index];
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && before(heap[right], heap[left]) ? right : left;
      if (!before(heap[child], entry)) break;
      heap[index] = heap[child];
      heap[index].heapIndex = index;
      index = child;
    }
    heap[index] = entry;
    entry.heapIndex = index;
  }
}
