/**
 * The actor layer's process-wide settings: whether messages are frozen
 * (deep, with immer) when they are sent (`Actor.send`, `ask`'s replies and
 * the registry's `send` read it), and how many dead letters each hub
 * reports (dead-letter.ts).
 */
import { freeze } from 'immer';
import { checkOptions, optionKeys, show } from '../lib/internal/validate.js';

/** The settings `configureActors` changes. */
export interface ActorSettings {
  /**
   * Deep-freeze every message on send, and every `ask` reply (immer's
   * `freeze(message, true)`), so that no two actors share mutable state: a
   * receiver that assigns to a message throws a `TypeError`. On by default.
   * Plain objects, arrays, Maps and Sets are frozen; class instances are
   * passed as they are (immer's rule; mark a class `[immerable]` to freeze
   * it too). Freezing walks the whole message at every send of a new
   * object (re-sending a frozen one costs one check): measured on the
   * built bundle, about 0.25 µs for `{ type, n }` and 1.6 µs for a message
   * with an 8-item array and a nested object, against ~0.17 µs for the
   * whole send/receive hop. Turn it off in production only where that
   * matters and the code is known not to mutate what it sends or receives;
   * keep it on in tests, where a mutation throws at the faulty line.
   */
  freezeMessages: boolean;
  /**
   * How many dead letters each hub reports through its error handler (a
   * one-line notice each, `where: 'deadLetter'`) before it only counts them
   * (`hub.deadLetters`), as Akka logs the first ten. 10 by default; 0 turns
   * the reports off. The `actorDeadLetter` events and the count are not
   * affected.
   */
  logDeadLetters: number;
}
const SETTINGS_KEYS = optionKeys<ActorSettings>({ freezeMessages: true, logDeadLetters: true });

/** @internal the settings in effect. */
export const settings: ActorSettings = { freezeMessages: true, logDeadLetters: 10 };

/**
 * Changes the actor layer's settings for the whole process (every hub) and
 * returns the settings that were in effect before, so a test can put them
 * back. Takes effect for the next message sent.
 */
export function configureActors(options: Partial<ActorSettings>): ActorSettings {
  checkOptions('configureActors', options, SETTINGS_KEYS);
  if (options === undefined) throw new TypeError('configureActors: options must be an object, got undefined');
  const before = { ...settings };
  const { freezeMessages, logDeadLetters } = options;
  if (freezeMessages !== undefined && typeof freezeMessages !== 'boolean') {
    throw new TypeError(`configureActors: freezeMessages must be a boolean, got ${show(freezeMessages)}`);
  }
  if (logDeadLetters !== undefined && !(Number.isInteger(logDeadLetters) && logDeadLetters >= 0) && logDeadLetters !== Infinity) {
    throw new RangeError(`configureActors: logDeadLetters must be a non-negative integer (or Infinity), got ${show(logDeadLetters)}`);
  }
  if (freezeMessages !== undefined) settings.freezeMessages = freezeMessages;
  if (logDeadLetters !== undefined) settings.logDeadLetters = logDeadLetters;
  return before;
}

/** @internal a message as it is to be delivered: deep-frozen unless freezing is off. */
export function prepareMessage<M>(message: M): M {
  // Primitives come back at once; an already frozen object costs one check (immer stops at it).
  return settings.freezeMessages ? freeze(message, true) : message;
}

/** What V8 and immer say when code writes to a frozen object, array, Map or Set. */
const FROZEN_WRITE = /Cannot (assign to read only property|add property|delete property|redefine property)|object is not extensible|This object has been frozen/;
const FROZEN_HINT =
  ' (messages are deep-frozen when sent, the sender\'s own object included: copy it to change it, ' +
  'or see configureActors({ freezeMessages }))';

/**
 * @internal adds a hint to a TypeError that a write to a frozen object
 * raised, while messages are frozen: the object may be a message, frozen
 * on send. Changes the error's message (and its stack's first line).
 */
export function explainFrozenWrite(error: unknown): void {
  if (!settings.freezeMessages || !(error instanceof TypeError)) return;
  const before = error.message;
  if (!FROZEN_WRITE.test(before) || before.endsWith(FROZEN_HINT)) return;
  error.message = before + FROZEN_HINT;
  if (typeof error.stack === 'string') error.stack = error.stack.replace(before, error.message);
}
