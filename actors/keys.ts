/**
 * Symbol keys of Actor's internal members, so an actor subclass's own
 * fields and methods (`relations`, `deliver`...) never overwrite them (see
 * lib/internal/keys.ts). Imports nothing: class bodies evaluate these keys
 * while modules load.
 */
export const RELATIONS: unique symbol = Symbol('grove.relations');
export const ACTOR_FLAGS: unique symbol = Symbol('grove.actorFlags');
export const DELIVER: unique symbol = Symbol('grove.deliver');
export const SPAWNED: unique symbol = Symbol('grove.spawned');
export const DEAD_LETTER: unique symbol = Symbol('grove.deadLetter');
export const STOP_GRACEFULLY: unique symbol = Symbol('grove.stopGracefully');
export const RUN_HOOK: unique symbol = Symbol('grove.runHook');
export const TAKE_PENDING_STOP: unique symbol = Symbol('grove.takePendingStop');
export const BEGIN_LIFE: unique symbol = Symbol('grove.beginLife');
export const END_LIFE: unique symbol = Symbol('grove.endLife');
export const REMOTE: unique symbol = Symbol('grove.remote');
export const BUSY: unique symbol = Symbol('grove.busy');
export const TAKE_MESSAGES: unique symbol = Symbol('grove.takeMessages');
