/**
 * Node's async context (`AsyncLocalStorage`) across greenlets: a greenlet
 * runs in the context it was made in (`spawn` makes and starts it at once),
 * as a callback or a promise reaction runs in the context it was created in
 * (the convention OpenTelemetry's context and pino's child loggers rely
 * on). A greenlet made in one context and started later from another — a
 * request's handler started by a pool when a slot frees — keeps the first,
 * as an `AsyncResource` does. Code in a greenlet that changes its context
 * (`als.enterWith`) changes it for the rest of that greenlet only.
 *
 * Node gives no way to read "the current context" as a value, only to
 * capture it in an `AsyncResource` and run code in it later. Doing that per
 * greenlet and per step (an AsyncResource each, ~80 bytes and a few hundred
 * ns with its garbage, and a scope entered per step) cost a quarter of the
 * `switch` rate; so a captured context is shared and its scope is entered
 * once for many steps:
 *
 * - A `Context` (one AsyncResource) is shared by every greenlet made in it:
 *   a greenlet made by a greenlet, in a step that changed no store, takes
 *   its maker's `Context` without capturing anything.
 * - The hub enters a context's scope once and runs in it every ready task
 *   until a greenlet of another context is next (hub.ts's batches), so the
 *   greenlets of one program part — both actors of a ping-pong, a
 *   pipeline's stages — pay no scope per step. `ctx.scope` says which
 *   context is entered.
 * - With Node's resource-based AsyncLocalStorage (Node 20, 22), a store
 *   lives on the execution resource — here the shared AsyncResource — and
 *   `enterWith` or `run` writes it there. So a Context remembers its
 *   resource's properties as captured, and after each step the hub checks
 *   them (a few loads): a step that left one changed (`enterWith`) leaves
 *   with a Context of its own, captured right then, and the shared one is
 *   put back as it was. A storage first used after the capture adds a
 *   property instead: the resource's prototype is a Proxy of
 *   AsyncResource's whose `set` notes it (a write to a missing property
 *   goes to the prototype). A `run` that restored what it changed costs
 *   nothing more.
 *
 * With the frame-based AsyncLocalStorage of newer Nodes (AsyncContextFrame),
 * stores do not live on resources and writes cannot be seen; there each
 * greenlet captures its own context and each step enters it, as before.
 * Which kind Node has is probed once.
 *
 * `configure({ asyncContext: false })` turns propagation off for greenlets
 * made afterwards: they run in whatever context the hub is in. See
 * config.ts and the README for the measured cost.
 */
import { AsyncLocalStorage, AsyncResource, executionAsyncId } from 'node:async_hooks';
import { ctx } from './context.js';

let propagating = !/^(0|false)$/i.test(typeof process === 'object' ? (process.env?.GROVE_ASYNC_CONTEXT ?? '') : '');

/** @internal turns the propagation on or off, for greenlets made from now on (config.ts). */
export function propagateAsyncContext(on: boolean): void {
  propagating = on;
}

/** @internal whether greenlets made now capture their context. */
export function propagatingAsyncContext(): boolean {
  return propagating;
}

/**
 * True when AsyncLocalStorage keeps its stores on the execution resource
 * (Node 20, 22 without AsyncContextFrame): shared contexts work. Probed on
 * first need: a store entered inside a resource's scope stays on that
 * resource only in that design.
 */
let storesOnResources: boolean | null = null;

/**
 * The properties every AsyncResource has of its own that are not stores
 * (its ids): they never change, so a step need not look at them. Found as
 * those that differ between a resource and one made in its scope (a
 * store's value is the same in both).
 */
let fixedKeys: ReadonlySet<PropertyKey> = new Set();

function probeStores(): boolean {
  const probe = new AsyncLocalStorage<number>();
  const resource = new AsyncResource('grove.probe');
  resource.runInAsyncScope(() => probe.enterWith(1));
  const kept = resource.runInAsyncScope(() => probe.getStore()) === 1;
  probe.disable();
  const inner = resource.runInAsyncScope(() => new AsyncResource('grove.probe'));
  const fixed = new Set<PropertyKey>();
  for (const key of Reflect.ownKeys(inner)) {
    if ((inner as unknown as Props)[key] !== (resource as unknown as Props)[key]) fixed.add(key);
  }
  fixedKeys = fixed;
  return kept;
}

/**
 * @internal whether contexts are shared and the hub may run many steps in
 * one scope, skipping the scope of a greenlet whose context is entered
 * already (`ctx.scope`): only where changes to a shared context are seen.
 */
export function batchingContexts(): boolean {
  return (storesOnResources ??= probeStores());
}

/** Set when a property a Context's resource did not have was written (a storage first used since the capture). */
let added = false;
/** The resources and keys of those writes: resource, key, resource, key... */
const additions: unknown[] = [];

type Props = Record<PropertyKey, unknown>;

/** The prototype of a shared resource: AsyncResource's, through a Proxy that notes writes of new properties. */
const NOTING_PROTOTYPE: object = new Proxy(AsyncResource.prototype, {
  set(_prototype, key, value, receiver: object): boolean {
    added = true;
    additions.push(receiver, key);
    return Reflect.defineProperty(receiver, key, { value, writable: true, enumerable: true, configurable: true });
  },
});

const runInScope = AsyncResource.prototype.runInAsyncScope;

/** @internal a captured async context, shared by the greenlets made in it. */
export class Context {
  /** The resource the context was captured in; its scope is what the hub enters. */
  readonly resource: AsyncResource;
  /** Its async id: `executionAsyncId()` inside its scope. */
  readonly asyncId: number;
  /** Its stores as captured (the properties of its resource but its ids), and their values; null where not shared. */
  private readonly keys: PropertyKey[] | null = null;
  private readonly values: unknown[] | null = null;
  /** True when it has stores to look at after a step (none in a program that uses no AsyncLocalStorage). */
  private readonly stores: boolean = false;

  constructor() {
    const resource = new AsyncResource('grove.Greenlet');
    this.resource = resource;
    this.asyncId = resource.asyncId();
    if (batchingContexts()) {
      const keys = Reflect.ownKeys(resource).filter((key) => !fixedKeys.has(key));
      this.keys = keys;
      this.values = keys.map((key) => (resource as unknown as Props)[key]);
      this.stores = keys.length > 0;
      Object.setPrototypeOf(resource, NOTING_PROTOTYPE);
    }
  }

  /** Runs `fn` (with `this` = `self`) in the context's scope. */
  run<S>(fn: (this: S) => void, self: S): void {
    runInScope.call(this.resource, fn as (this: unknown) => void, self);
  }

  /** True when a step changed it: a store differs from the capture (`enterWith`), or one was added. */
  changed(): boolean {
    return added || (this.stores && this.storeChanged());
  }

  private storeChanged(): boolean {
    const keys = this.keys!;
    const resource = this.resource as unknown as Props;
    const values = this.values!;
    for (let i = 0; i < keys.length; i++) if (resource[keys[i]] !== values[i]) return true;
    return false;
  }

  /**
   * After `changed()` said so: returns the context the step's greenlet
   * keeps from now on — a capture of the changed stores, made now in this
   * scope — or null when nothing really differs (a storage's `run` that
   * restored what it added). Then puts this context back as captured.
   */
  split(): Context | null {
    const resource = this.resource as unknown as Props;
    let differs = false;
    for (let i = 0; i < additions.length; i += 2) if ((additions[i] as Props)[additions[i + 1] as PropertyKey] !== undefined) differs = true;
    const keys = this.keys!;
    const values = this.values!;
    for (let i = 0; i < keys.length; i++) if (resource[keys[i]] !== values[i]) differs = true;
    const own = differs ? new Context() : null;
    for (let i = 0; i < keys.length; i++) resource[keys[i]] = values[i];
    for (let i = 0; i < additions.length; i += 2) delete (additions[i] as Props)[additions[i + 1] as PropertyKey];
    additions.length = 0;
    added = false;
    return own;
  }
}

/**
 * @internal the context for a greenlet made now, or null when propagation
 * is off: inside a context's scope the hub entered, if no store changed
 * and no other resource's scope was entered since, that context; anywhere
 * else, a new capture.
 */
export function captureContext(): Context | null {
  if (!propagating) return null;
  const scope = ctx.scope;
  if (scope !== null && executionAsyncId() === scope.asyncId && !scope.changed()) return scope;
  return new Context();
}
