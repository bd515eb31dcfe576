/**
 * Erlang monitors: one actor watches a greenlet and gets one `DOWN`
 * message when it exits. Unlike a link, a monitor is one-way and never
 * kills the watcher. `ask` (ask.ts) watches its target the same way.
 * The target may be an actor on another thread or machine (a `RemoteRef`,
 * grove/cluster); the watcher is a local actor.
 */
import { Greenlet, checkGreenlet } from '../lib/greenlet.js';
import { checkOptions, optionKeys, show } from '../lib/internal/validate.js';
import { HUB } from '../lib/internal/keys.js';
import { Actor } from './actor.js';
import type { Inbox } from './inbox.js';
import { ensureRelations, relationsOf, unwatchDeath, watchDeath } from './relations.js';
import { remoteOf, type ActorRef } from './ref.js';
import { DELIVER } from './keys.js';

/** What a watcher receives when a monitored greenlet exits. Frozen. */
export interface DownMessage {
  readonly type: 'DOWN';
  /** The monitor, as `monitor()` returned it. */
  readonly ref: MonitorRef;
  /** The greenlet that exited (a `RemoteRef` for an actor on another thread or machine). */
  readonly target: Greenlet<unknown> | ActorRef<never>;
  /**
   * Its exit reason; `'noproc'` if it was already dead when monitored (or
   * its node did not know it); `'noconnection'` if its node became
   * unreachable.
   */
  readonly reason: unknown;
}

/** An actor whose messages include `T`: what `monitor` needs as a watcher for `DownMessage`. */
export type Receiver<T> = Actor<unknown> & { send(message: T): void };

/** Options of `demonitor`. */
export interface DemonitorOptions {
  /** Also remove the monitor's `DOWN` from the watcher's inbox if it is already there (Erlang's `flush`). */
  flush?: boolean;
}
const DEMONITOR_KEYS = optionKeys<DemonitorOptions>({ flush: true });

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
    /** The greenlet watched (or the remote actor). */
    readonly target: Greenlet<unknown> | ActorRef<never>,
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
  targetDied(target: Greenlet<unknown> | ActorRef<never>, reason: unknown): void {
    if (!this.active) return;
    this.active = false;
    relationsOf(this.watcher)?.holdings?.delete(this);
    this.deliver(target, reason);
  }

  /** @internal the watcher died: the monitor goes with it. */
  holderDied(): void {
    this.active = false;
    unwatchDeath(this.target, this);
  }

  /** @internal puts the DOWN in the watcher's inbox. */
  deliver(target: Greenlet<unknown> | ActorRef<never>, reason: unknown): void {
    const hub = this.watcher[HUB];
    // The event names local greenlets; a remote target (grove/cluster) shows as null.
    if (hub !== null && hub.listeners !== null) hub.emit({ type: 'actorSignal', greenlet: this.watcher, from: target instanceof Greenlet ? target : null, reason, signal: 'down' });
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
 * never blocks. A remote target (a `RemoteRef`): its node reports its
 * death, `'noproc'` if it does not know it, and `'noconnection'` comes
 * when the node becomes unreachable.
 */
export function monitor(watcher: Receiver<DownMessage>, target: Greenlet<unknown> | ActorRef<never>): MonitorRef {
  if (!(watcher instanceof Actor)) throw new TypeError(`monitor: watcher must be an Actor, got ${show(watcher)}`);
  const remote = remoteOf(target) !== null;
  if (!remote) checkGreenlet('monitor', target, 'target');
  const ref = new MonitorRef(watcher, target);
  if (watcher.dead) return ref;
  // A remote actor's node gives the reason itself: 'noproc', or 'noconnection' for a node that is gone.
  if (!remote && target.dead) {
    ref.deliver(target, 'noproc');
    return ref;
  }
  ref.active = true;
  (ensureRelations(watcher).holdings ??= new Set()).add(ref);
  watchDeath(target, ref);
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
  checkOptions('demonitor', options, DEMONITOR_KEYS);
  const wasActive = ref.active;
  if (wasActive) {
    ref.active = false;
    unwatchDeath(ref.target, ref);
    relationsOf(ref.watcher)?.holdings?.delete(ref);
  }
  if (options?.flush === true) ref.flush();
  return wasActive;
}
