/**
 * Short texts for the page: what a greenlet waits on, an exit reason, and,
 * when the observer is asked to show contents, a message or an actor's
 * state. Everything the page shows is text made here, never an object, so
 * no object of the program reaches the browser by accident.
 */
import { inspect } from 'node:util';
import { Greenlet } from '../../lib/greenlet.js';
import { Queue } from '../../lib/queue.js';
import { Event, AsyncResult } from '../../lib/event.js';
import { describeReason } from '../../lib/errors.js';

/** The longest text shown for a value. */
const MAX_TEXT = 160;

function cut(text: string, max = MAX_TEXT): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** `worker-1 #12`: a greenlet as the page names it. */
export function nameOf(g: Greenlet<unknown>): string {
  return `${g.name} #${g.id}`;
}

/**
 * What a blocked greenlet waits on, without its contents: `its inbox`,
 * `Queue 3/10`, `Event (unset)`, `worker-1 #12`, `a promise`, `3 objects`.
 */
export function describeTarget(target: unknown, owner: Greenlet<unknown>): string | null {
  if (target === null || target === undefined) return null;
  if (target instanceof Queue) {
    if ((owner as { inbox?: unknown }).inbox === target) return 'its inbox';
    const bound = target.maxsize === Infinity ? '' : `/${target.maxsize}`;
    return `${target.constructor.name} ${target.qsize()}${bound}`;
  }
  if (target instanceof Greenlet) return nameOf(target);
  if (target instanceof Event) return `Event (${target.isSet() ? 'set' : 'unset'})`;
  if (target instanceof AsyncResult) return `AsyncResult (${target.ready() ? 'ready' : 'pending'})`;
  if (Array.isArray(target)) return `${target.length} object${target.length === 1 ? '' : 's'}`;
  if (typeof target === 'function') return 'a function returning a promise';
  if (typeof (target as PromiseLike<unknown>).then === 'function') return 'a promise';
  const name = (target as object).constructor?.name;
  return name !== undefined && name !== 'Object' ? name : 'an object';
}

/** An exit reason on one line: `'normal'`, `Error: boom`. */
export function describeExit(reason: unknown): string {
  return cut(describeReason(reason));
}

/** A value (a message, an actor's field) on one line, shortened: shown only with `showContents`. */
export function describeValue(value: unknown): string {
  return cut(inspect(value, { depth: 2, breakLength: Infinity, maxArrayLength: 10, maxStringLength: 80 }));
}

/** An actor's own fields (its state), but the runtime's (`id`, `inbox`): shown only with `showContents`. */
export function describeState(actor: object): string | null {
  const fields: Record<string, unknown> = {};
  let any = false;
  for (const key of Object.keys(actor)) {
    if (key === 'id' || key === 'inbox') continue;
    fields[key] = (actor as Record<string, unknown>)[key];
    any = true;
  }
  return any ? describeValue(fields) : null;
}
