/**
 * The actor layer's process-wide settings: whether messages are frozen
 * (deep, with immer) when they are sent. `Actor.send`, `ask`'s replies and
 * the registry's `send` read them; nothing else does.
 */
import { freeze } from 'immer';
import { checkOptions, show } from '../lib/internal/validate.js';

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
}

const settings: ActorSettings = { freezeMessages: true };

/**
 * Changes the actor layer's settings for the whole process (every hub) and
 * returns the settings that were in effect before, so a test can put them
 * back. Takes effect for the next message sent.
 */
export function configureActors(options: Partial<ActorSettings>): ActorSettings {
  checkOptions('configureActors', options);
  if (options === undefined) throw new TypeError('configureActors: options must be an object, got undefined');
  const before = { ...settings };
  const { freezeMessages } = options;
  if (freezeMessages !== undefined) {
    if (typeof freezeMessages !== 'boolean') {
      throw new TypeError(`configureActors: freezeMessages must be a boolean, got ${show(freezeMessages)}`);
    }
    settings.freezeMessages = freezeMessages;
  }
  return before;
}

/** @internal a message as it is to be delivered: deep-frozen unless freezing is off. */
export function prepareMessage<M>(message: M): M {
  // Primitives come back at once; an already frozen object costs one check (immer stops at it).
  return settings.freezeMessages ? freeze(message, true) : message;
}
