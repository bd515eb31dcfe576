/**
 * Greenlet-local storage (gevent's `local`): one object whose properties
 * are kept per greenlet. A property set in one greenlet is invisible in every
 * other one, spawned children included (nothing is inherited).
 *
 * The values live in the greenlet (`Greenlet.localStore()`, keyed by the
 * local), so they go away with it; the object `local()` returns is a Proxy
 * that finds the running greenlet's store on every access.
 */
import { ctx } from './internal/context.js';
import { checkFunction, show } from './internal/validate.js';
import { NotInGreenlet } from './errors.js';
import type { Greenlet } from './greenlet.js';
import { LOCAL_STORE } from './internal/keys.js';

/** The error for using a local's properties where no greenlet runs (outside `run()`, in a link callback). */
function outside(what: string): NotInGreenlet {
  const error = new NotInGreenlet('local');
  error.message =
    `local: ${what} outside any greenlet; a local's properties belong to the greenlet that uses them ` +
    '(use it inside run(function* () { ... }) or spawn())';
  return error;
}

function describeKey(key: string | symbol): string {
  return typeof key === 'string' ? `property ${JSON.stringify(key)}` : `property ${String(key)}`;
}

/**
 * Returns an object whose properties are per greenlet. `init`, if given,
 * runs the first time each greenlet touches the object (read, write, `in`,
 * `delete`, `Object.keys`) and returns that greenlet's initial object — a
 * new one every call; its methods and accessors work, with `this` the
 * local. Without `init` every greenlet starts with an empty object.
 *
 * Touching the object outside a greenlet throws `NotInGreenlet` (reading a
 * symbol there, as `console.log` does, gives undefined).
 *
 * ```ts
 * const stash = local<{ x?: number }>();
 * spawn(() => { stash.x = 1; });           // only this greenlet sees x
 * const session = local(() => ({ user: 'anonymous' }));
 * ```
 */
export function local<T extends object = Record<string, unknown>>(): Partial<T>;
export function local<T extends object>(init: () => T): T;
export function local<T extends object>(init?: () => T): T {
  if (init !== undefined) checkFunction('local', 'init', init);
  const key = {};
  // Stores made by init, to catch an init that hands every greenlet the same object.
  const made = new WeakSet<object>();
  let initializing: Greenlet<unknown> | null = null;

  function store(what: string): Record<string | symbol, unknown> {
    const g = ctx.current;
    if (g === null) throw outside(what);
    const stores = g[LOCAL_STORE]();
    const found = stores.get(key);
    if (found !== undefined) return found as Record<string | symbol, unknown>;
    if (init === undefined) {
      const fresh = {};
      stores.set(key, fresh);
      return fresh;
    }
    if (initializing === g) throw new Error(`local: init() used the local it is initializing (${what})`);
    initializing = g;
    let initial: unknown;
    try {
      initial = init();
    } finally {
      initializing = null;
    }
    if (initial === null || typeof initial !== 'object') {
      throw new TypeError(`local: init must return an object, got ${show(initial)}`);
    }
    if (made.has(initial)) {
      throw new TypeError('local: init returned an object it returned before; it must return a new object for each greenlet');
    }
    made.add(initial);
    stores.set(key, initial);
    return initial as Record<string | symbol, unknown>;
  }

  return new Proxy({} as T, {
    get(_target, prop) {
      if (typeof prop === 'symbol' && ctx.current === null) return undefined;
      return Reflect.get(store(`reading ${describeKey(prop)}`), prop);
    },
    set(_target, prop, value) {
      return Reflect.set(store(`setting ${describeKey(prop)}`), prop, value);
    },
    has(_target, prop) {
      return Reflect.has(store(`testing ${describeKey(prop)}`), prop);
    },
    deleteProperty(_target, prop) {
      return Reflect.deleteProperty(store(`deleting ${describeKey(prop)}`), prop);
    },
    ownKeys() {
      return Reflect.ownKeys(store('listing properties'));
    },
    getOwnPropertyDescriptor(_target, prop) {
      const descriptor = Reflect.getOwnPropertyDescriptor(store(`reading ${describeKey(prop)}`), prop);
      // The Proxy's own target is empty and extensible: every property it reports must be configurable.
      if (descriptor !== undefined) descriptor.configurable = true;
      return descriptor;
    },
    defineProperty(_target, prop, descriptor) {
      return Reflect.defineProperty(store(`defining ${describeKey(prop)}`), prop, descriptor);
    },
  });
}
