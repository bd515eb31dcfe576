/**
 * Node's async context (`AsyncLocalStorage`) across greenlets: a greenlet
 * runs in the context it was started in, as a callback or a promise
 * reaction runs in the context it was created in (the convention
 * OpenTelemetry's context and pino's child loggers rely on).
 *
 * Node gives no way to read "the current context" as a value, only to
 * capture it in an `AsyncResource` and run code in it later; so a greenlet
 * captures one when it is started (`Greenlet[ENTER]`) and the hub runs each
 * of its steps in it (`runInAsyncScope`). Code in a greenlet that changes
 * its context (`als.enterWith`) changes it for the rest of that greenlet.
 * It costs an AsyncResource per greenlet and a scope per step, so it can be
 * turned off (`configure({ asyncContext: false })`); see config.ts for the
 * measured cost and why it is on by default.
 */
import { AsyncResource } from 'node:async_hooks';

let propagating = !/^(0|false)$/i.test(typeof process === 'object' ? (process.env?.GROVE_ASYNC_CONTEXT ?? '') : '');

/** @internal turns the propagation on or off, for greenlets started from now on (config.ts). */
export function propagateAsyncContext(on: boolean): void {
  propagating = on;
}

/** @internal whether greenlets started now capture their context. */
export function propagatingAsyncContext(): boolean {
  return propagating;
}

/** @internal the context of the code starting a greenlet, or null when propagation is off. */
export function captureContext(): AsyncResource | null {
  return propagating ? new AsyncResource('grove.Greenlet') : null;
}
