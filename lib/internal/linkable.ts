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
import { getHub, type Hub } from '../hub.js';
import { ctx } from './context.js';
import { WaitState } from './wait.js';
import {
  ADD_LINK, ADD_WAITER, HEAD, HOME, HUB, NOTE_HOME, NOTIFY_HUB, NOTIFY_LINKS, PUSH, REMOVE, REMOVE_CALLBACK,
  REPORT_LINK_ERROR, RUN_TASK, SCHEDULED, SCHEDULE_NOTIFY, SHIFT, SIZE,
} from './keys.js';

// Not `implements Task`: Task is internal, left out of the published types
// (hub.schedule checks the shape where a Linkable is queued).
export abstract class Linkable extends LinkList {
  // The object is itself the list of its links (callbacks and waiters, in
  // registration order): no separate list object per greenlet or event.

  /** @internal in the hub's ready queue. */
  [SCHEDULED] = false;

  /** True when the object is in the state its waiters wait for. */
  abstract ready(): boolean;

  /** @internal adds a link; notified from the hub once the object is (or already is) ready. */
  [ADD_LINK](link: Link): void {
    this[NOTE_HOME](link instanceof WaitState ? link.greenlet[HUB] : ctx.hub);
    this[PUSH](link);
    if (this.ready()) this[SCHEDULE_NOTIFY]();
  }

  /** @internal puts a blocked call at the tail of the links, without starting a round. */
  [ADD_WAITER](s: WaitState): void {
    this[NOTE_HOME](s.greenlet[HUB]);
    this[PUSH](s);
  }

  /** @internal a waiter or a link was added from `hub` (null: outside any loop); see `Homed`. A greenlet knows its hub. */
  protected [NOTE_HOME](_hub: Hub | null): void {}

  /** @internal removes every callback link of `callback` (`unlink`). */
  [REMOVE_CALLBACK](callback: (source: never) => void): void {
    for (let link = this[HEAD]; link !== null; ) {
      const next = link.nextLink;
      if (link instanceof CallbackLink && link.callback === callback) this[REMOVE](link);
      link = next;
    }
  }

  /** @internal queues the notification round, once. */
  [SCHEDULE_NOTIFY](): void {
    if (!this[SCHEDULED] && this[SIZE] > 0) this[NOTIFY_HUB]().schedule(this);
  }

  /** @internal run by the hub: the notification round. */
  [RUN_TASK](): void {
    this[SCHEDULED] = false;
    this[NOTIFY_LINKS]();
  }

  /** @internal notifies the links in order while the object stays ready. */
  protected [NOTIFY_LINKS](): void {
    while (this[SIZE] > 0 && this.ready()) this[SHIFT]()!.notify(this);
  }

  /** @internal the hub that runs this object's notifications. */
  protected [NOTIFY_HUB](): Hub {
    return getHub();
  }

  /** @internal reports an error thrown by one of this object's link callbacks. */
  [REPORT_LINK_ERROR](error: unknown): void {
    getHub().report(error, { where: 'link' });
  }
}

/** @internal what sits in a greenlet's joiner slot (greenlet.ts): a `joinAll` or `wait` (join.ts). */
export interface Joiner {
  /** The greenlet died (hub context, before its links); its slot was cleared. */
  leftSlot(greenlet: Linkable): void;
}

/**
 * What can be waited on that has no hub of its own (Event, AsyncResult, the
 * locks; a greenlet has its own): it remembers the hub its waiters and links
 * came from, so that a `set()` made outside any loop (a promise callback)
 * wakes them there, not on the program's hub.
 */
export abstract class Homed extends Linkable {
  /** @internal */
  private [HOME]: Hub | null = null;

  /** @internal */
  protected override [NOTE_HOME](hub: Hub | null): void {
    if (hub !== null) this[HOME] = hub;
  }

  /** @internal */
  protected override [NOTIFY_HUB](): Hub {
    return this[HOME] ?? getHub();
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
      source[REPORT_LINK_ERROR](error);
    }
  }
}
