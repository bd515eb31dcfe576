/**
 * Bridges between queues and rxjs: `toObservable(queue)` emits the items it
 * gets from a Queue or Channel, and `fromObservable(source, queue?)` fills a
 * Queue from an Observable. Both run outside greenlets and never block the
 * hub. (Async iteration, `for await (const item of queue)`, is in
 * `queue-iterator.ts`.)
 *
 * The end of a stream is the queue's shutdown, both ways: a source that
 * completes shuts its queue down (consumers drain it, then stop), one that
 * errors shuts it down with the error as `cause` (consumers drain it, then
 * see the error), and a queue shut down completes (or errors) the
 * Observables reading it.
 */
import { from, type Observable, type ObservableInput, type Subscriber, type Subscription } from 'rxjs';
import { ReportingObservable } from './internal/reporting-observable.js';
import { show } from './internal/validate.js';
import { getHub } from './hub.js';
import { Full, Queue, QueueShutDown } from './queue.js';
import { Channel } from './channel.js';
import { ExternalHold, ForeignWaiter, NONE, type PullSource } from './queue-iterator.js';
import { REMOVE } from './internal/keys.js';

/** One subscription of `toObservable`: a getter in the queue's line that emits what it takes. */
class ObservableGetter<T> extends ForeignWaiter {
  constructor(
    private readonly source: PullSource<T>,
    private readonly subscriber: Subscriber<T>,
  ) {
    super(getHub());
  }

  /** Its turn came (in the hub, which must not see a subscriber's error). */
  notify(): void {
    try {
      this.drain(true);
    } catch (error) {
      this.hub.report(error, { where: 'link' });
    }
  }

  /**
   * Takes and emits items until there are none (as a greenlet looping on
   * `get()` runs until it blocks), then ends the stream if the queue is
   * shut down, or waits in line again.
   */
  drain(notified: boolean): void {
    const subscriber = this.subscriber;
    let took = false;
    for (;;) {
      if (subscriber.closed) return;
      const item = this.source.pull();
      if (item === NONE) break;
      took = true;
      subscriber.next(item);
    }
    if (this.source.isShutdown) {
      const cause = this.source.shutdownCause;
      if (cause === undefined) subscriber.complete();
      else subscriber.error(cause);
      return;
    }
    // A turn that found nothing (a greenlet took the item without waiting) keeps its place.
    this.source.enlistGetter(this, notified && !took);
  }

  stop(): void {
    this.list?.[REMOVE](this);
  }
}

/**
 * An Observable of the items got from `queue` (a Queue or a Channel). It
 * consumes them: each subscription is one more getter in the queue's line,
 * served FIFO with the greenlets blocked in `get()`, and each item goes to
 * exactly one of them. A subscription takes the items already queued at
 * once (synchronously, when it subscribes), then each item as it is put;
 * items are emitted from the hub, so subscribers must not block; an error
 * a subscriber throws is reported to the hub's error handler (`where:
 * 'subscriber'`) and the stream goes on. Completes when the queue is shut
 * down and empty, or errors with the shutdown's `cause`. Unsubscribing
 * leaves the queue as it is.
 */
export function toObservable<T>(queue: Queue<T> | Channel<T>): Observable<T> {
  if (!(queue instanceof Queue) && !(queue instanceof Channel)) {
    throw new TypeError(`toObservable: queue must be a Queue or a Channel, got ${show(queue)}`);
  }
  // Reported to the hub running when the subscriber throws (items are emitted from the hub), else the program's.
  return new ReportingObservable<T>((error) => getHub().report(error, { where: 'subscriber' }), (subscriber) => {
    const getter = new ObservableGetter<T>(queue, subscriber);
    getter.drain(false);
    return () => getter.stop();
  });
}

/** One `fromObservable`: the subscription feeding a queue, until either ends. */
class Feed<T> {
  private subscription: Subscription | null = null;
  private ended = false;
  private readonly hold = new ExternalHold(getHub());
  private readonly onShutdown = (): void => this.end();

  constructor(private readonly queue: Queue<T>) {}

  start(input: Observable<T>): void {
    this.queue.addShutdownHook(this.onShutdown);
    const subscription = input.subscribe({
      next: (item) => this.put(item),
      error: (error: unknown) => this.queue.shutdown({ cause: error }),
      complete: () => this.queue.shutdown(),
    });
    // A source may end (or overflow the queue) while subscribing, before there is a subscription to close.
    if (this.ended) subscription.unsubscribe();
    else this.subscription = subscription;
  }

  private put(item: T): void {
    if (this.ended) return;
    try {
      this.queue.putNowait(item);
    } catch (error) {
      if (error instanceof QueueShutDown) this.end();
      else if (error instanceof Full) {
        const overflow = new Full(
          `fromObservable: the queue is full (maxsize ${this.queue.maxsize}): the source emits faster than the queue is drained`,
        );
        this.queue.shutdown({ cause: overflow });
      } else this.queue.shutdown({ cause: error });
    }
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue.removeShutdownHook(this.onShutdown);
    this.subscription?.unsubscribe();
    this.subscription = null;
    this.hold.release();
  }
}

/**
 * Subscribes to `source` (an Observable, or anything rxjs's `from` takes)
 * and puts each value it emits into `queue` (a new unbounded Queue if none
 * is given), which it returns. Values are put with `putNowait` — an
 * Observable cannot be slowed down — so on a bounded queue a value that
 * finds it full ends the feed: the source is unsubscribed and the queue
 * shut down with a `Full` cause. When the source completes, the queue is
 * shut down (consumers drain it, then stop); when it errors, it is shut
 * down with the error as `cause`. Shutting the queue down unsubscribes.
 *
 * While it feeds a real-clock hub's queue, the subscription counts as
 * pending outside work, so greenlets waiting on the queue do not get
 * `LoopExit`; a virtual-clock hub (tests) does not wait for it.
 */
export function fromObservable<T>(source: ObservableInput<T>): Queue<T>;
export function fromObservable<T, Q extends Queue<T>>(source: ObservableInput<T>, queue: Q): Q;
export function fromObservable<T>(source: ObservableInput<T>, queue?: Queue<T>): Queue<T> {
  const target = queue ?? new Queue<T>();
  if (!(target instanceof Queue)) throw new TypeError(`fromObservable: queue must be a Queue, got ${show(queue)}`);
  let input: Observable<T>;
  try {
    input = from(source);
  } catch {
    throw new TypeError(`fromObservable: source must be an Observable (or an array, promise or iterable), got ${show(source)}`);
  }
  if (target.isShutdown) throw new QueueShutDown('fromObservable: the queue is shut down');
  new Feed(target).start(input);
  return target;
}
