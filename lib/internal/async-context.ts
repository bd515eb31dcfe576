/**
 * Node's async context (`AsyncLocalStorage`) across greenlets: a greenlet
 * runs in the context it was made in (`spawn` makes and starts it at once),
 * as a callback or a promise reaction runs in the context it was created in
 * (the convention OpenTelemetry's context and pino's child loggers rely
 * on). A greenlet made in one context and started later from another — a
 * request's handler started by a pool when a slot frees — keeps the first,
 * as an `AsyncResource` does.
 *
 * Node gives no way to read "the current context" as a value, only to
 * capture it in an `AsyncResource` and run code in it later; so a greenlet
 * captures one when it is made and the hub runs each of its steps in it
 * (`runInAsyncScope`). Code in a greenlet that changes
 * its context (`als.enterWith`) changes it for the rest of that greenlet.
 * It costs an AsyncResource per greenlet and a scope per step, so it can be
 * turned off (`configure({ asyncContext: false })`); see config.ts for the
 * measured cost and why it is on by default.
 */
import { AsyncResource } from 'node:async_hooks';

let propagating = !/^(0|false)$/i.test(typeof process === 'object' ? (process.env?.GROVE_ASYNC_CONTEXT ?? '') : '');

/** @internal turns the propagation on or off, for greenlets made from now on (config.ts). */
export function propagateAsyncContext(on: boolean): void {
  propagating = on;
}

/** @internal whether greenlets made now capture their context. */
export function propagatingAsyncContext(): boolean {
  return propagating;
}

/** @internal the context of the code making a greenlet, or null when propagation is off. */
export function captureContext(): AsyncResource | null {
  return propagating ? new AsyncResource('grove.Greenlet') : null;
}
