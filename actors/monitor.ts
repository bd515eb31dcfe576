/**
 * Erlang monitors: one actor watches a greenlet and gets one `DOWN`
 * message when it exits. Unlike a link, a monitor is one-way and never
 * kills the watcher. `ask` (ask.ts) watches its target the same way.
 */
import { checkGreenlet, type Greenlet } from '../lib/greenlet.js';
import { checkOptions, show } from '../lib/internal/validate.js';
import { HUB } from '../lib/internal/keys.js';
import { Actor } from './actor.js';
import type { Inbox } from './inbox.js';
import { ensureRelations, relationsOf } from './relations.js';
import { DELIVER } from './keys.js';

/** What a watcher receives when a monitored greenlet exits. Frozen. */
export interface DownMessage {
  readonly type: 'DOWN';
  /** The monitor, as `monitor()` returned it. */
  readonly ref: MonitorRef;
  /** The greenlet that exited. */
  readonly target: Greenlet<unknown>;
  /** Its exit reason; `'noproc'` if it was already dead when monitored. */
  readonly reason: unknown;
}

/** An actor whose messages include `T`: what `monitor` needs as a watcher for `DownMessage`. */
export type Receiver<T> = Actor<unknown> & { send(message: T): void };

/** Options of `demonitor`. */
export interface DemonitorOptions {
  /** Also remove the monitor's `DOWN` from the watcher's inbox if it is already there (Erlang's `flush`). */
  flush?: boolean;
}

let lastRef = 0;

/** Identifies one monitor: the `ref` of its `DOWN` message, and what `demonitor` takes. */
// A DeathWatch and a Holding (relations.ts), checked where it is added; not declared `implements`, as those
// interfaces are internal and left out of the published types.
export class MonitorRef {
  /** A process-wide unique number, in creation order. */
  readonly id: number;
  /** The DOWN this monitor delivered, for `demonitor`'s flush. */
  private down: DownMessage | null = null;
  /** @internal waiting for the target's death. */
  active = false;

  /** @internal made by `monitor()`. */
  constructor(
    /** The actor that receives the `DOWN`. */
    readonly watcher: Actor<unknown>,
    /** The greenlet watched. */
    readonly target: Greenlet<unknown>,
  ) {
    this.id = ++lastRef;
  }

  toString(): string {
    return `#Ref<${this.id}>`;
  }

  /** How `console.log` and `util.inspect` show it: `#Ref<3>`. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** @internal the target died: deliver the DOWN, once. */
  targetDied(target: Greenlet<unknown>, reason: unknown): void {
    if (!this.active) return;
    this.active = false;
    relationsOf(this.watcher)?.holdings?.delete(this);
    this.deliver(target, reason);
  }

  /** @internal the watcher died: the monitor goes with it. */
  holderDied(): void {
    this.active = false;
    relationsOf(this.target)?.watches?.delete(this);
  }

  /** @internal puts the DOWN in the watcher's inbox. */
  deliver(target: Greenlet<unknown>, reason: unknown): void {
    const hub = this.watcher[HUB];
    if (hub !== null && hub.listeners !== null) hub.emit({ type: 'actorSignal', greenlet: this.watcher, from: target, reason, signal: 'down' });
    const down: DownMessage = Object.freeze({ type: 'DOWN', ref: this, target, reason });
    this.down = down;
    this.watcher[DELIVER](down);
  }

  /** @internal removes the delivered DOWN from the watcher's inbox, if it is still there. */
  flush(): void {
    if (this.down !== null) (this.watcher.inbox as Inbox<unknown>).discard(this.down);
    this.down = null;
  }
}

/**
 * Makes `watcher` monitor `target` (any greenlet; the caller may be either,
 * or neither): when `target` exits, `watcher` receives
 * `{ type: 'DOWN', ref, target, reason }` in its inbox, once, and the DOWNs
 * of its monitors arrive in the order their targets died. A dead target
 * gives a DOWN with reason `'noproc'` at once. Each call makes a new
 * monitor. The monitor ends with the watcher. Returns the monitor's ref;
 * never blocks.
 */
export function monitor(watcher: Receiver<DownMessage>, target: Greenlet<unknown>): MonitorRef {
  if (!(watcher instanceof Actor)) throw new TypeError(`monitor: watcher must be an Actor, got ${show(watcher)}`);
  checkGreenlet('monitor', target, 'target');
  const ref = new MonitorRef(watcher, target);
  if (watcher.dead) return ref;
  if (target.dead) {
    ref.deliver(target, 'noproc');
    return ref;
  }
  ref.active = true;
  (ensureRelations(target).watches ??= new Set()).add(ref);
  (ensureRelations(watcher).holdings ??= new Set()).add(ref);
  return ref;
}

/**
 * Ends a monitor: if its target has not exited yet, no `DOWN` will come.
 * Returns true if the monitor was still waiting, false if its DOWN was
 * already delivered (or it had ended). With `{ flush: true }` a DOWN
 * already delivered and still queued is removed. Never blocks.
 */
export function demonitor(ref: MonitorRef, options?: DemonitorOptions): boolean {
  if (!(ref instanceof MonitorRef)) throw new TypeError(`demonitor: ref must be a MonitorRef, got ${show(ref)}`);
  checkOptions('demonitor', options);
  const wasActive = ref.active;
  if (wasActive) {
    ref.active = false;
    relationsOf(ref.target)?.watches?.delete(ref);
    relationsOf(ref.watcher)?.holdings?.delete(ref);
  }
  if (options?.flush === true) ref.flush();
  return wasActive;
}
