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
 *   a greenlet made by a greenlet, in a step whose context nothing changed,
 *   takes its maker's `Context` without capturing anything.
 * - The hub enters a context's scope once and runs in it every ready task
 *   until a greenlet of another context is next (hub.ts's batches), so the
 *   greenlets of one program part — both actors of a ping-pong, a
 *   pipeline's stages — pay no scope per step. `ctx.scope` says which
 *   context is entered.
 * - What keeps greenlets that share a context apart is that steps run, not
 *   in the shared AsyncResource, but in a *view* of it: an object whose
 *   prototype is a Proxy of the resource. With Node's resource-based
 *   AsyncLocalStorage (Node 20, 22), `getStore()` reads the store on the
 *   execution resource — through the view, the shared one — and
 *   `enterWith` or `run` writes it there: the write lands on the view (an
 *   own property, caught by the Proxy's `set`), never on the shared
 *   resource. After each step the hub looks at one flag: a step whose
 *   writes changed a store (`enterWith`) leaves with a `Context` of its own,
 *   captured from the view right then; the view is then cleaned for the
 *   next step. A `run` that restored what it changed costs nothing more.
 *
 * With the frame-based AsyncLocalStorage of newer Nodes (AsyncContextFrame),
 * stores do not live on resources, writes cannot be seen, and capturing
 * costs no allocation of note: there each greenlet captures its own context
 * and each step enters it, as before. Which kind Node has is probed once.
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
 * (Node 20, 22 without AsyncContextFrame): views and shared contexts work.
 * Probed on first need: a store entered inside a resource's scope stays on
 * that resource only in that design.
 */
let storesOnResources: boolean | null = null;

function probeStores(): boolean {
  const probe = new AsyncLocalStorage<number>();
  const resource = new AsyncResource('grove.probe');
  resource.runInAsyncScope(() => probe.enterWith(1));
  const kept = resource.runInAsyncScope(() => probe.getStore()) === 1;
  probe.disable();
  return kept;
}

/** Set by a view's Proxy when a step (or a callback) wrote a store on it; cleared by `settleWrites`. */
let written = false;
/** The writes since the last `settleWrites`: view, key, view, key... */
const writes: unknown[] = [];

/** Catches writes to a view (they land on the view itself); reads fall through to the resource. */
const VIEW_TRAP: ProxyHandler<object> = {
  set(_resource, key, value, receiver: object): boolean {
    written = true;
    writes.push(receiver, key);
    return Reflect.defineProperty(receiver, key, { value, writable: true, enumerable: true, configurable: true });
  },
};

const runInScope = AsyncResource.prototype.runInAsyncScope;

/** @internal a captured async context, shared by the greenlets made in it. */
export class Context {
  /** The resource the context was captured in. */
  readonly resource = new AsyncResource('grove.Greenlet');
  /** Its async id: `executionAsyncId()` inside its scope. */
  readonly asyncId = this.resource.asyncId();
  /** What its scope is entered with: a view of the resource (resource-based stores), or the resource. */
  private entry: object | null = null;

  /** Runs `fn` (with `this` = `self`) in the context's scope. */
  run<S>(fn: (this: S) => void, self: S): void {
    runInScope.call(this.entry ?? this.makeEntry(), fn as (this: unknown) => void, self);
  }

  private makeEntry(): object {
    return (this.entry = batchingContexts() ? Object.create(new Proxy(this.resource, VIEW_TRAP)) : this.resource);
  }
}

/**
 * @internal the context for a greenlet made now, or null when propagation
 * is off. Inside a context's scope the hub entered, where no store was
 * written and no other resource's scope was entered since, that context;
 * anywhere else, a new capture.
 */
export function captureContext(): Context | null {
  if (!propagating) return null;
  const scope = ctx.scope;
  if (scope !== null && !written && executionAsyncId() === scope.asyncId) return scope;
  return new Context();
}

/**
 * @internal whether the hub may run many steps in one scope and skip the
 * scope of a greenlet whose context is entered already (`ctx.scope`): only
 * where writes to a shared context can be caught.
 */
export function batchingContexts(): boolean {
  return (storesOnResources ??= probeStores());
}

/**
 * @internal after a task or a step run in a view: true when something
 * wrote a store there (`enterWith`, `run`, a new AsyncLocalStorage). Read
 * the flag first (`writtenInScope()`), call `settleWrites` only then.
 */
export function writtenInScope(): boolean {
  return written;
}

/**
 * @internal a step (of greenlet `g`, or of no greenlet: a link callback)
 * wrote stores in the entered view: returns the context `g` must keep from
 * now on — a capture of the view as it is, if a store now differs from the
 * shared context's (`enterWith`); null if none does (a `run` that
 * restored). Then cleans the view for the next step.
 */
export function settleWrites(keep: boolean): Context | null {
  let own: Context | null = null;
  if (keep) {
    for (let i = 0; i < writes.length; i += 2) {
      const view = writes[i] as Record<PropertyKey, unknown>;
      const key = writes[i + 1] as PropertyKey;
      // The view's prototype is a Proxy of the resource: read the resource's own value past it.
      if (view[key] !== (Object.getPrototypeOf(view) as Record<PropertyKey, unknown>)[key]) {
        own = new Context();
        break;
      }
    }
  }
  for (let i = 0; i < writes.length; i += 2) delete (writes[i] as Record<PropertyKey, unknown>)[writes[i + 1] as PropertyKey];
  writes.length = 0;
  written = false;
  return own;
}
