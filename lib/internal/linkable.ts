/**
 * gevent's AbstractLinkable: the base of everything that can be waited on
 * and linked to (Greenlet, Event, AsyncResult). It holds the links — link
 * callbacks and blocked waiters, in the order they were added — and, when
 * the object becomes ready, queues itself in the hub once to notify them:
 * notification never happens inside the call that made the object ready
 * (`set()`, a greenlet's death), always from the hub, in order, each waiter
 * running until it blocks before the next is notified.
 */
import { Link, LinkList } from './link-list.js';
import type { Task } from './task.js';
import { getHub, type Hub } from '../hub.js';
import { ctx } from './context.js';
import { WaitState } from './wait.js';

export abstract class Linkable extends LinkList implements Task {
  // The object is itself the list of its links (callbacks and waiters, in
  // registration order): no separate list object per greenlet or event.

  /** @internal in the hub's ready queue. */
  scheduled = false;
  /**
   * The hub its waiters run on, so that a `set()` made from outside any
   * loop (a promise callback) wakes them there, not on the program's hub.
   */
  protected home: Hub | null = null;

  /** True when the object is in the state its waiters wait for. */
  abstract ready(): boolean;

  /** @internal adds a link; notified from the hub once the object is (or already is) ready. */
  addLink(link: Link): void {
    if (link instanceof WaitState) this.home = link.greenlet.hub;
    else if (ctx.hub !== null) this.home = ctx.hub;
    this.push(link);
    if (this.ready()) this.scheduleNotify();
  }

  /** @internal puts a blocked call at the tail of the links, without starting a round. */
  addWaiter(s: WaitState): void {
    this.home = s.greenlet.hub;
    this.push(s);
  }

  /** @internal removes a link if present. */
  removeLink(link: Link): void {
    this.remove(link);
  }

  /** @internal queues the notification round, once. */
  scheduleNotify(): void {
    if (!this.scheduled && this.length > 0) this.notifyHub().schedule(this);
  }

  runTask(): void {
    this.scheduled = false;
    this.notifyLinks();
  }

  /** Notifies the links in order while the object stays ready. */
  protected notifyLinks(): void {
    while (this.length > 0 && this.ready()) this.shift()!.notify(this);
  }

  /** The hub that runs this object's notifications. */
  protected notifyHub(): Hub {
    return this.home ?? getHub();
  }

  /** @internal reports an error thrown by one of this object's link callbacks. */
  reportLinkError(error: unknown): void {
    getHub().report(error, { where: 'link' });
  }
}

/**
 * A link callback (`link`, `linkValue`, `linkException`, rawlinks of
 * events). It runs in the hub; an error it throws is reported and the other
 * links still run.
 */
export class CallbackLink<S extends Linkable> extends Link {
  constructor(
    readonly callback: (source: S) => void,
    private readonly filter: ((source: S) => boolean) | null,
  ) {
    super();
  }

  notify(source: S): void {
    if (this.filter !== null && !this.filter(source)) return;
    try {
      this.callback(source);
    } catch (error) {
      source.reportLinkError(error);
    }
  }
}
