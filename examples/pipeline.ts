/**
 * A pipeline with backpressure: a producer feeds text lines through parse
 * → transform → sink, each stage an actor whose inbox is a bounded Queue.
 * A stage hands its result on with `yield* next.inbox.put(item)`, which
 * blocks while the next inbox is full — that is the backpressure (`send`
 * never blocks: on a full inbox it throws `MailboxFull`). The sink is slow
 * (10 ms an item), so the producer runs ahead until every stage is full,
 * then goes at the sink's pace, never more than `BOUND` items ahead.
 */
import { getHub, joinAll, sleep, spawn, type Operation } from 'grove';
import { Actor } from 'grove/actors';
import { runIfMain, type Log } from './support.js';

/** The capacity of each stage's inbox. */
export const MAILBOX = 2;
/** How far the producer can get ahead of the sink: per stage, a full inbox and the item in hand. */
export const BOUND = 3 * (MAILBOX + 1);

/** End of the stream: each stage passes it on and stops. */
const END = null;

/** What the producer and the sink share, to show how far ahead the producer runs. */
export interface Progress {
  produced: number;
  sunk: number;
  maxAhead: number;
}

/** A stage: applies `work` to each item and puts the result in the next stage's inbox. */
class Stage<I, O> extends Actor<I | null> {
  constructor(
    name: string,
    private readonly work: (item: I) => O,
    private readonly next: Actor<O | null>,
  ) {
    super({ name, mailbox: MAILBOX });
  }

  *receive(item: I | null): Operation<void> {
    if (item === END) {
      yield* this.next.inbox.put(END);
      this.stop();
      return;
    }
    yield* this.next.inbox.put(this.work(item)); // blocks while the next inbox is full
  }
}

/** The slow end: 10 ms per item. */
class Sink extends Actor<number | null> {
  total = 0;

  constructor(
    private readonly log: Log,
    private readonly progress: Progress,
  ) {
    super({ name: 'sink', mailbox: MAILBOX });
  }

  *receive(item: number | null): Operation<void> {
    if (item === END) {
      this.stop();
      return;
    }
    yield* sleep(10);
    this.total += item;
    this.progress.sunk++;
    this.log(`${stamp()} sink got ${item} (total ${this.total})`);
  }
}

/** When the current pipeline started, so its times read from 0 wherever it runs (the demo runs it late). */
let startedAt = 0;

function stamp(): string {
  return `t=${Math.round(getHub().now() - startedAt)}`;
}

function* produce(log: Log, first: Actor<string | null>, count: number, progress: Progress): Operation<void> {
  for (let i = 1; i <= count; i++) {
    yield* first.inbox.put(String(i)); // blocks while parse's inbox is full
    progress.produced++;
    const ahead = progress.produced - progress.sunk;
    progress.maxAhead = Math.max(progress.maxAhead, ahead);
    log(`${stamp()} produced "${i}" (${ahead} ahead of the sink)`);
  }
  yield* first.inbox.put(END);
}

/** Runs `count` items through the pipeline; returns the progress record. */
export function* pipeline(log: Log, count: number): Operation<Progress> {
  const progress: Progress = { produced: 0, sunk: 0, maxAhead: 0 };
  startedAt = getHub().now();
  const sink = new Sink(log, progress);
  const transform = new Stage<number, number>('transform', (n) => n * n, sink);
  const parse = new Stage<string, number>('parse', (line) => Number.parseInt(line, 10), transform);
  for (const stage of [sink, transform, parse]) stage.start();
  const producer = spawn(produce, log, parse, count, progress);
  yield* joinAll([producer, parse, transform, sink]);
  log(`${stamp()} done: ${progress.sunk} items, total ${sink.total}, the producer was at most ${progress.maxAhead} ahead`);
  return progress;
}

export function* main(log: Log): Operation<void> {
  yield* pipeline(log, 12);
}

runIfMain(import.meta.url, main);
