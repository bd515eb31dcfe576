/**
 * The hand-written baseline: the smallest generator scheduler of grove's
 * design, the speed of light the suite measures grove against. Tasks are
 * generators that yield plain instruction objects; one loop interprets them.
 *
 *   sleep0            go to the tail of the ready queue
 *   sleep(ms)         wait on the timer heap
 *   get(q) / put(q,x) block on a queue (bounded or not); FIFO waiters
 *   spawn(gen)        start a task running a generator, resume with the task
 *   join(task)        wait for a task's return value
 *
 * What it leaves out is what grove pays for: kill at any suspension point,
 * timeouts on every call, links, events, errors reported by name, the
 * dropped-`yield*` check, Node event-loop fairness. It is deliberately
 * small; it is not a library.
 *
 * Speed tricks, all of which grove could use too: the ready queue is a
 * power-of-two ring buffer; an instruction that does not block (a get from
 * a non-empty queue, a put with room, spawn, join of a dead task) resumes
 * the same generator in the same loop, without a trip through the ready
 * queue; `get`/`put`/`join` instruction objects are preallocated per queue
 * or task and reused, since the loop reads an instruction before any other
 * task runs.
 */

const SLEEP0 = 0;
const SLEEP = 1;
const GET = 2;
const PUT = 3;
const SPAWN = 4;
const JOIN = 5;

/** A FIFO on a growable power-of-two ring buffer. */
export class Ring {
  constructor(capacity = 8) {
    this.buf = new Array(capacity);
    this.head = 0;
    this.length = 0;
  }
  push(x) {
    let buf = this.buf;
    if (this.length === buf.length) buf = this.grow();
    buf[(this.head + this.length) & (buf.length - 1)] = x;
    this.length++;
  }
  shift() {
    const buf = this.buf;
    const x = buf[this.head];
    buf[this.head] = undefined;
    this.head = (this.head + 1) & (buf.length - 1);
    this.length--;
    return x;
  }
  grow() {
    const old = this.buf;
    const buf = new Array(old.length * 2);
    for (let i = 0; i < this.length; i++) buf[i] = old[(this.head + i) & (old.length - 1)];
    this.buf = buf;
    this.head = 0;
    return buf;
  }
}

/** A task: a running generator. */
export class Task {
  constructor(gen) {
    this.gen = gen;
    /** The value the next `gen.next()` resumes with. */
    this.resume = undefined;
    this.done = false;
    this.result = undefined;
    /** Tasks blocked in join(this): null, one task, or an array. */
    this.joiners = null;
    this.joinOp = null;
  }
}

/**
 * A queue, bounded by `capacity` (Infinity: an unbounded inbox). Items and
 * waiters live in rings made on first use, so an idle inbox is small.
 */
export class Queue {
  constructor(capacity = Infinity) {
    this.capacity = capacity;
    this.items = null;
    this.getters = null;
    /** Blocked putters: task, item, task, item... */
    this.putters = null;
    this.getOp = { op: GET, q: this };
    this.putOp = { op: PUT, q: this, item: undefined };
  }
  get size() {
    return this.items === null ? 0 : this.items.length;
  }
}

export const sleep0 = { op: SLEEP0 };

export function sleep(ms) {
  return ms <= 0 ? sleep0 : { op: SLEEP, ms };
}

export function get(q) {
  return q.getOp;
}

export function put(q, item) {
  const op = q.putOp;
  op.item = item;
  return op;
}

export function spawn(gen) {
  return { op: SPAWN, gen };
}

export function join(task) {
  return (task.joinOp ??= { op: JOIN, task });
}

/** A min-heap of timers by deadline, ties in insertion order. */
class TimerHeap {
  constructor() {
    this.heap = [];
    this.seq = 0;
  }
  get size() {
    return this.heap.length;
  }
  peek() {
    return this.heap[0];
  }
  push(deadline, task) {
    const heap = this.heap;
    const entry = { deadline, seq: this.seq++, task };
    let i = heap.length;
    heap.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = entry;
  }
  pop() {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0) {
      let i = 0;
      const n = heap.length;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && before(heap[child + 1], heap[child])) child++;
        if (!before(heap[child], last)) break;
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}

function before(a, b) {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
}

export class Scheduler {
  constructor() {
    this.ready = new Ring(1024);
    this.timers = new TimerHeap();
    this.running = false;
    this.nodeTimer = null;
    this.origin = performance.now();
    this.loop = this.loop.bind(this);
  }

  now() {
    return performance.now() - this.origin;
  }

  /** Runs `fn(...args)` as the main task; resolves with its return value. */
  run(fn, ...args) {
    return new Promise((resolve, reject) => {
      const main = new Task(null);
      main.gen = (function* () {
        try {
          resolve(yield* fn(...args));
        } catch (error) {
          reject(error);
        }
      })();
      this.ready.push(main);
      if (!this.running) this.loop();
    });
  }

  loop() {
    if (this.nodeTimer !== null) clearTimeout(this.nodeTimer);
    this.nodeTimer = null;
    this.running = true;
    const ready = this.ready;
    const timers = this.timers;
    for (;;) {
      // A batch is what is ready now; tasks it wakes run in the next batch, after due timers.
      for (let n = ready.length; n > 0; n--) this.step(ready.shift());
      if (timers.size > 0) this.fireDueTimers();
      if (ready.length > 0) continue;
      if (timers.size > 0) {
        // Node counts whole ms; rounding up never wakes before the deadline.
        const delay = Math.max(0, Math.ceil(timers.peek().deadline - this.now()));
        this.nodeTimer = setTimeout(this.loop, delay);
      }
      this.running = false;
      return;
    }
  }

  fireDueTimers() {
    const timers = this.timers;
    const now = this.now();
    while (timers.size > 0 && timers.peek().deadline <= now) this.ready.push(timers.pop().task);
  }

  /** Resumes `task` and interprets its instructions until it blocks or ends. */
  step(task) {
    const gen = task.gen;
    let value = task.resume;
    task.resume = undefined;
    for (;;) {
      const r = gen.next(value);
      if (r.done === true) {
        this.finish(task, r.value);
        return;
      }
      const ins = r.value;
      switch (ins.op) {
        case SLEEP0:
          this.ready.push(task);
          return;
        case GET: {
          const q = ins.q;
          const items = q.items;
          if (items !== null && items.length > 0) {
            value = items.shift();
            const putters = q.putters;
            if (putters !== null && putters.length > 0) {
              // Room was made: the oldest blocked putter's item goes in, and it resumes.
              const putter = putters.shift();
              items.push(putters.shift());
              this.ready.push(putter);
            }
            continue;
          }
          (q.getters ??= new Ring(4)).push(task);
          return;
        }
        case PUT: {
          const q = ins.q;
          const item = ins.item;
          value = undefined;
          const getters = q.getters;
          if (getters !== null && getters.length > 0) {
            // A getter waits, so the queue is empty: hand the item over directly.
            const getter = getters.shift();
            getter.resume = item;
            this.ready.push(getter);
            continue;
          }
          const items = (q.items ??= new Ring(q.capacity < 8 ? 8 : 16));
          if (items.length < q.capacity) {
            items.push(item);
            continue;
          }
          const putters = (q.putters ??= new Ring(8));
          putters.push(task);
          putters.push(item);
          return;
        }
        case SPAWN: {
          const child = new Task(ins.gen);
          this.ready.push(child);
          value = child;
          continue;
        }
        case JOIN: {
          const target = ins.task;
          if (target.done) {
            value = target.result;
            continue;
          }
          const joiners = target.joiners;
          if (joiners === null) target.joiners = task;
          else if (Array.isArray(joiners)) joiners.push(task);
          else target.joiners = [joiners, task];
          return;
        }
        case SLEEP:
          this.timers.push(this.now() + ins.ms, task);
          return;
        default:
          throw new TypeError(`baseline: a task yielded ${String(ins)}, not an instruction`);
      }
    }
  }

  finish(task, result) {
    task.done = true;
    task.result = result;
    task.gen = null;
    const joiners = task.joiners;
    if (joiners === null) return;
    task.joiners = null;
    if (Array.isArray(joiners)) {
      for (const j of joiners) {
        j.resume = result;
        this.ready.push(j);
      }
    } else {
      joiners.resume = result;
      this.ready.push(joiners);
    }
  }
}
