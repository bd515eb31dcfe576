/**
 * Erlang's process registry: actors known by name (`register`, `whereis`,
 * `unregister`, `send` by name). One registry per hub, so tests that each
 * run their own hub never see each other's names. A name frees itself when
 * its actor exits (relations.ts).
 */
import { getHub, type Hub } from '../lib/hub.js';
import { ctx } from '../lib/internal/context.js';
import { show } from '../lib/internal/validate.js';
import { Actor } from './actor.js';
import { ensureRelations, relationsOf } from './relations.js';
import { HUB } from '../lib/internal/keys.js';

/** A misuse of the registry: a taken name, a dead actor, an actor already named, an unknown name. */
export class RegistryError extends Error {
  static {
    this.prototype.name = 'RegistryError';
  }
}

const registries = new WeakMap<Hub, Map<string, Actor<unknown>>>();

function registryOf(hub: Hub): Map<string, Actor<unknown>> {
  let registry = registries.get(hub);
  if (registry === undefined) registries.set(hub, (registry = new Map()));
  return registry;
}

/** The registry of the current hub (the program's hub outside any loop). */
function currentRegistry(): Map<string, Actor<unknown>> {
  return registryOf(ctx.hub ?? getHub());
}

function checkName(call: string, name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '') throw new TypeError(`${call}: name must be a non-empty string, got ${show(name)}`);
}

/** The live actor holding `name` in `registry`, dropping an entry whose actor is dead. */
function lookup(registry: Map<string, Actor<unknown>>, name: string): Actor<unknown> | undefined {
  const actor = registry.get(name);
  if (actor !== undefined && actor.dead) {
    // Dead, its death link not run yet: the name is already free.
    registry.delete(name);
    return undefined;
  }
  return actor;
}

/**
 * Registers `actor` under `name` in the registry of its hub (the current
 * hub if it has not started). Throws `RegistryError` if the name is taken
 * by a live actor, if the actor is dead, or if it is already registered
 * (one name per actor, as in Erlang). The name is freed when the actor
 * exits, or by `unregister`.
 */
export function register(name: string, actor: Actor<unknown>): void {
  checkName('register', name);
  if (!(actor instanceof Actor)) throw new TypeError(`register: actor must be an Actor, got ${show(actor)}`);
  if (actor.dead) throw new RegistryError(`register: ${actor} is dead (noproc); cannot register it as ${JSON.stringify(name)}`);
  const registry = registryOf(actor[HUB] ?? ctx.hub ?? getHub());
  const holder = lookup(registry, name);
  if (holder === actor) return;
  if (holder !== undefined) throw new RegistryError(`register: the name ${JSON.stringify(name)} is taken by ${holder}`);
  const relations = ensureRelations(actor);
  if (relations.name !== null && relations.registry !== null && relations.registry.get(relations.name) === actor) {
    throw new RegistryError(`register: ${actor} is already registered as ${JSON.stringify(relations.name)}`);
  }
  registry.set(name, actor);
  relations.name = name;
  relations.registry = registry;
}

/** Frees `name` in the current hub's registry. Returns true if it was registered to a live actor. */
export function unregister(name: string): boolean {
  checkName('unregister', name);
  const registry = currentRegistry();
  const actor = lookup(registry, name);
  if (actor === undefined) return false;
  registry.delete(name);
  const relations = relationsOf(actor);
  if (relations !== null && relations.name === name) {
    relations.name = null;
    relations.registry = null;
  }
  return true;
}

/** The live actor registered as `name` in the current hub, or undefined. */
export function whereis(name: string): Actor<unknown> | undefined {
  checkName('whereis', name);
  return lookup(currentRegistry(), name);
}

/** The names registered in the current hub, to live actors, sorted. */
export function registered(): string[] {
  const registry = currentRegistry();
  return [...registry.keys()].filter((name) => lookup(registry, name) !== undefined).sort();
}

/**
 * Sends `message` to an actor, or to the actor registered as a name in the
 * current hub: `actor.send(message)` (never blocks; `MailboxFull` on a
 * full bounded inbox). An unregistered name throws `RegistryError`, as
 * Erlang's `Name ! Message` fails with badarg.
 */
export function send<M>(target: Actor<M> | string, message: NoInfer<M>): void {
  if (typeof target === 'string') {
    checkName('send', target);
    const actor = lookup(currentRegistry(), target);
    if (actor === undefined) throw new RegistryError(`send: no actor is registered as ${JSON.stringify(target)}`);
    actor.send(message);
    return;
  }
  if (!(target instanceof Actor)) throw new TypeError(`send: target must be an Actor or a registered name, got ${show(target)}`);
  target.send(message);
}
