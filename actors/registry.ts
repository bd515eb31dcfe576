/**
 * Erlang's process registry: actors known by name (`register`, `whereis`,
 * `unregister`, `send` by name). One registry per hub, so tests that each
 * run their own hub never see each other's names. A name frees itself when
 * its actor exits (relations.ts). A name is a string, or a
 * `RegistryName<M>` (ref.ts) that types the messages of its actor.
 */
import { getHub, type Hub } from '../lib/hub.js';
import { ctx } from '../lib/internal/context.js';
import { show } from '../lib/internal/validate.js';
import { Actor } from './actor.js';
import { ensureRelations, relationsOf } from './relations.js';
import { remoteOf, type ActorRef, type RegistryName } from './ref.js';
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

/** The name a string or a RegistryName stands for, checked. */
function nameOf(call: string, name: unknown): string {
  const text = name !== null && typeof name === 'object' ? (name as { name?: unknown }).name : name;
  if (typeof text !== 'string' || text === '') {
    throw new TypeError(`${call}: name must be a non-empty string or a registryName(), got ${show(name)}`);
  }
  return text;
}

/**
 * A registered name that carries the type of its actor's messages (see
 * `RegistryName`): `const Jobs = registryName<JobMessage>('jobs')`. Use it
 * wherever a name goes: `register`, `whereis`, `unregister`, `send`.
 */
export function registryName<M>(name: string): RegistryName<M> {
  return Object.freeze({ name: nameOf('registryName', name) });
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
export function register<M>(name: string | RegistryName<M>, actor: ActorRef<M>): void;
export function register(nameOrKey: string | RegistryName<unknown>, actor: ActorRef<never>): void {
  const name = nameOf('register', nameOrKey);
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
export function unregister(nameOrKey: string | RegistryName<unknown>): boolean {
  const name = nameOf('unregister', nameOrKey);
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
export function whereis<M>(name: RegistryName<M>): Actor<M> | undefined;
export function whereis(name: string): Actor<unknown> | undefined;
export function whereis(name: string | RegistryName<unknown>): Actor<unknown> | undefined {
  return lookup(currentRegistry(), nameOf('whereis', name));
}

/** The names registered in the current hub, to live actors, sorted. */
export function registered(): string[] {
  const registry = currentRegistry();
  return [...registry.keys()].filter((name) => lookup(registry, name) !== undefined).sort();
}

/**
 * Sends `message` to an actor (local, or a `RemoteRef` to one on another
 * thread or machine), or to the actor registered as a name in the current
 * hub: `actor.send(message)` (never blocks; `MailboxFull` on a full
 * bounded inbox). An unregistered name throws `RegistryError`, as
 * Erlang's `Name ! Message` fails with badarg.
 */
export function send<M>(target: ActorRef<M> | RegistryName<M>, message: NoInfer<M>): void;
export function send(target: string, message: unknown): void;
export function send(target: ActorRef<never> | RegistryName<unknown> | string, message: unknown): void {
  if (target instanceof Actor || remoteOf(target) !== null) {
    (target as ActorRef<unknown>).send(message);
    return;
  }
  if (typeof target === 'string' || (target !== null && typeof target === 'object' && typeof (target as { name?: unknown }).name === 'string' && !('send' in target))) {
    const name = nameOf('send', target);
    const actor = lookup(currentRegistry(), name);
    if (actor === undefined) throw new RegistryError(`send: no actor is registered as ${JSON.stringify(name)}`);
    actor.send(message);
    return;
  }
  throw new TypeError(`send: target must be an Actor or a registered name, got ${show(target)}`);
}
