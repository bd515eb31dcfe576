/**
 * Names across a cluster (Erlang's `global`): `registerGlobal(name,
 * actor)` claims a name for a local actor in a NATS KV bucket, where
 * `create` is an atomic claim, so of nodes that register one name at the
 * same time exactly one wins and the others get `GlobalNameTaken`; every
 * node watches the bucket, so `whereisGlobal(name)` answers at once from
 * its copy (a `RemoteRef`, or the actor itself on its own node).
 *
 * A name is freed when its actor exits (its node deletes it), when its
 * node closes, and when its node goes down: every node that sees it down
 * deletes its names (the first delete wins; each is conditional on the
 * entry being the one it saw). A name held by an earlier incarnation of a
 * node (a process started again under its name) is taken over by the new
 * one. A node that the others thought down while it was not (cut off from
 * NATS for longer than the detection time) finds its names deleted, and
 * claims them again; one taken meanwhile by another actor is lost, and the
 * loss is reported.
 *
 * The bucket is `grove_<cluster>`; keys are the names with characters
 * outside `[A-Za-z0-9_-]` escaped (`=` and two hex digits per byte).
 */
import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { QueuedIterator } from '@nats-io/nats-core';
import type { Packr } from 'msgpackr';
import { callOperation } from '../lib/call.js';
import { Composite } from '../lib/internal/composite.js';
import { show } from '../lib/internal/validate.js';
import type { Operation } from '../lib/operation.js';
import { Actor } from '../actors/actor.js';
import type { ActorRef, RegistryName } from '../actors/ref.js';
import { RegistryError } from '../actors/registry.js';
import { unwatchDeath, watchDeath, type DeathWatch } from '../actors/relations.js';
import type { RefToken } from './codec.js';
import type { LocalNode } from './local-node.js';
import type { NatsTransport } from './nats-transport.js';

/**
 * Thrown by `registerGlobal` when another actor holds the name in the
 * cluster. `holder` is its reference, if this node knows it.
 */
export class GlobalNameTaken extends RegistryError {
  static {
    this.prototype.name = 'GlobalNameTaken';
  }
  constructor(
    /** The name asked for. */
    readonly globalName: string,
    /** The actor that holds it, if known here. */
    readonly holder: ActorRef<never> | undefined,
  ) {
    super(`registerGlobal: the name ${JSON.stringify(globalName)} is taken${holder === undefined ? '' : ` by ${String(holder)}`}`);
  }
}

/** A name in the bucket: whose it is, and the revision that put it there. */
interface Entry {
  readonly token: RefToken;
  readonly revision: number;
}

/** A name this node holds for one of its actors; freed when the actor dies. */
class Claim implements DeathWatch {
  constructor(
    readonly registry: GlobalRegistry,
    readonly name: string,
    readonly actor: Actor<unknown>,
    public revision: number,
  ) {}

  targetDied(): void {
    void this.registry.free(this);
  }
}

/** A name as a KV key: `[A-Za-z0-9_-]` kept, every other byte as `=XX`. */
export function keyOf(name: string): string {
  let key = '';
  for (const byte of new TextEncoder().encode(name)) {
    const c = String.fromCharCode(byte);
    key += /[A-Za-z0-9_-]/.test(c) ? c : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return key;
}

/** The name a KV key stands for. */
export function nameOf(key: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < key.length; i++) {
    if (key[i] === '=') {
      bytes.push(parseInt(key.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(key.charCodeAt(i));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

let active: GlobalRegistry | null = null;

/** The registry of the cluster this process is in; throws, naming `call`, if it is in none. */
function registry(call: string): GlobalRegistry {
  if (active === null) throw new RegistryError(`${call}: this process is in no cluster with a registry (connectNode first, with registry: true)`);
  return active;
}

/** @internal the cluster registry of a connected node. */
export class GlobalRegistry {
  /** Every name in the bucket, as this node last saw it. */
  private readonly entries = new Map<string, Entry>();
  /** The names this node holds. */
  private readonly claims = new Map<string, Claim>();
  private watch: QueuedIterator<KvWatchEntry> | null = null;

  constructor(
    private readonly kv: KV,
    private readonly packr: Packr,
    private readonly node: LocalNode,
    private readonly transport: NatsTransport,
  ) {
    transport.onNodeGone = (key) => this.nodeGone(key);
    transport.onReconnect = () => this.reconnected();
  }

  /** Watches the bucket; resolves once the names already there are read. */
  async start(): Promise<void> {
    const status = await this.kv.status();
    const watch = (this.watch = await this.kv.watch());
    let ready: () => void = () => {};
    const loaded = new Promise<void>((resolve) => (ready = resolve));
    if (status.values === 0) ready();
    void (async () => {
      try {
        for await (const entry of watch) {
          try {
            this.seen(entry);
          } catch (error) {
            this.transport.hub.report(error, { where: 'link' });
          }
          if (entry.delta === 0) ready();
        }
      } catch (error) {
        // The watch failed (not stopped): this node's copy of the registry no longer follows the cluster's.
        this.transport.hub.report(new RegistryError(`grove/cluster: the watch of the cluster registry failed; whereisGlobal may be stale: ${error instanceof Error ? error.message : String(error)}`, { cause: error }), { where: 'link' });
      }
      ready();
    })();
    await loaded;
    active = this;
  }

  /** Stops watching; this node's names are freed (by the others, when it cannot reach NATS: they see it down). */
  async close(): Promise<void> {
    if (active === this) active = null;
    const claims = [...this.claims.values()];
    if (this.transport.connected) await Promise.all(claims.map((claim) => this.free(claim)));
    else for (const claim of claims) unwatchDeath(claim.actor, claim);
    this.claims.clear();
    this.watch?.stop();
  }

  /** A change in the bucket (or a name already there, at the start). */
  private seen(entry: KvWatchEntry): void {
    const name = nameOf(entry.key);
    if (entry.operation !== 'PUT') {
      const had = this.entries.get(name);
      if (had !== undefined && had.revision < entry.revision) this.entries.delete(name);
      const claim = this.claims.get(name);
      // Deleted while its actor lives: the cluster thought this node down. Claim it again.
      if (claim !== undefined && claim.revision < entry.revision && !claim.actor.dead) void this.reclaim(claim);
      return;
    }
    const token = this.packr.unpack(entry.value) as RefToken;
    this.entries.set(name, { token, revision: entry.revision });
    const key = token[1];
    if (key === this.node.selfKey) return;
    // A holder this node has not heard of is expected: if it is not heard in time, it is down and its names go.
    if (this.transport.isDown(key)) {
      if (this.transport.connected) this.delete(name, entry.revision);
    }
    else this.transport.expect(key);
  }

  /** `key`'s node is down for the cluster: its names go. */
  private nodeGone(key: string): void {
    for (const [name, entry] of this.entries) if (entry.token[1] === key) this.delete(name, entry.revision);
  }

  /** After a reconnect: names of actors that died meanwhile are deleted now. */
  private reconnected(): void {
    for (const [name, entry] of this.entries) {
      if (entry.token[1] === this.node.selfKey && !this.claims.has(name)) this.delete(name, entry.revision);
    }
  }

  /** Deletes `name` if the bucket still holds revision `revision` of it (someone else may have done it first). */
  private delete(name: string, revision: number): void {
    this.kv.delete(keyOf(name), { previousSeq: revision }).catch(() => {});
  }

  /** Registers `actor` as `name`, or throws GlobalNameTaken. */
  async claim(name: string, actor: Actor<unknown>): Promise<void> {
    if (!this.transport.connected) throw new RegistryError(`registerGlobal: this node is not connected to NATS now; cannot register ${JSON.stringify(name)}`);
    const value = this.packr.pack(this.node.refToken(actor));
    const key = keyOf(name);
    let revision: number;
    try {
      revision = await this.kv.create(key, value);
    } catch (error) {
      const held = await this.kv.get(key);
      if (held === null || held.operation !== 'PUT') throw new RegistryError(`registerGlobal: cannot register ${JSON.stringify(name)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      const token = this.packr.unpack(held.value) as RefToken;
      // Registered to this very actor already: nothing to do (as register does).
      if (token[1] === this.node.selfKey && token[2] === actor.id && this.claims.has(name)) return;
      if (!this.stale(token[1])) throw new GlobalNameTaken(name, this.node.ref(token));
      // Held by a node that is gone (this node's earlier incarnation, say): taken over.
      await this.kv.delete(key, { previousSeq: held.revision }).catch(() => {});
      try {
        revision = await this.kv.create(key, value);
      } catch {
        throw new GlobalNameTaken(name, this.lookup(name));
      }
    }
    if (actor.dead || active !== this) {
      this.delete(name, revision);
      if (actor.dead) throw new RegistryError(`registerGlobal: ${String(actor)} died (noproc) before ${JSON.stringify(name)} was registered`);
      throw new RegistryError(`registerGlobal: the node left the cluster before ${JSON.stringify(name)} was registered`);
    }
    const claim = new Claim(this, name, actor, revision);
    this.claims.set(name, claim);
    this.entries.set(name, { token: this.node.refToken(actor), revision });
    watchDeath(actor, claim);
  }

  /** A holder that is gone: down here, or an earlier incarnation of this node. */
  private stale(key: string): boolean {
    if (key === this.node.selfKey) return false;
    return this.transport.isDown(key) || key.slice(0, key.lastIndexOf('#')) === this.node.id.name;
  }

  /** The name was deleted while its actor lives: claims it again, or reports that it is lost. */
  private async reclaim(claim: Claim): Promise<void> {
    try {
      claim.revision = await this.kv.create(keyOf(claim.name), this.packr.pack(this.node.refToken(claim.actor)));
      this.entries.set(claim.name, { token: this.node.refToken(claim.actor), revision: claim.revision });
    } catch (error) {
      if (this.claims.get(claim.name) !== claim) return;
      this.claims.delete(claim.name);
      unwatchDeath(claim.actor, claim);
      this.transport.hub.report(
        new RegistryError(`registerGlobal: ${String(claim.actor)} lost the name ${JSON.stringify(claim.name)}: the cluster freed it while this node was unreachable, and it is taken now`, { cause: error }),
        { greenlet: claim.actor, where: 'link' },
      );
    }
  }

  /** Frees a name this node holds (its actor died, or unregisterGlobal). */
  async free(claim: Claim): Promise<void> {
    if (this.claims.get(claim.name) !== claim) return;
    this.claims.delete(claim.name);
    unwatchDeath(claim.actor, claim);
    // Deleted only if still this claim's: a failure while disconnected is done after the reconnect (reconnected()).
    await this.kv.delete(keyOf(claim.name), { previousSeq: claim.revision }).catch(() => {});
  }

  /** Frees `name` if this node holds it. */
  async release(name: string): Promise<boolean> {
    const claim = this.claims.get(name);
    if (claim === undefined) return false;
    await this.free(claim);
    return true;
  }

  /** The actor registered as `name`, unless its node is known down here. */
  lookup(name: string): ActorRef<never> | undefined {
    const entry = this.entries.get(name);
    if (entry === undefined) return undefined;
    const key = entry.token[1];
    if (key === this.node.selfKey) {
      const claim = this.claims.get(name);
      return claim === undefined || claim.actor.dead ? undefined : (claim.actor as Actor<never>);
    }
    if (this.transport.isDown(key)) return undefined;
    return this.node.ref(entry.token);
  }

  /** Every name registered, to actors on nodes not known down here, sorted. */
  names(): string[] {
    return [...this.entries.keys()].filter((name) => this.lookup(name) !== undefined).sort();
  }
}

/** The name a string or a RegistryName stands for, checked. */
function nameArg(call: string, name: unknown): string {
  const text = name !== null && typeof name === 'object' ? (name as { name?: unknown }).name : name;
  if (typeof text !== 'string' || text === '') throw new TypeError(`${call}: name must be a non-empty string or a registryName(), got ${show(name)}`);
  return text;
}

/**
 * Registers the local actor `actor` as `name` in the cluster's registry,
 * for every node to find with `whereisGlobal`. Blocks the calling
 * greenlet until the claim is stored (one round trip to NATS). Throws
 * `GlobalNameTaken` if another actor holds the name (of nodes registering
 * one name at the same time, exactly one wins), `RegistryError` if this
 * node is in no cluster, is disconnected, or the actor died meanwhile.
 * The name is freed when the actor exits, when `unregisterGlobal` frees
 * it, and when its node closes or goes down. An actor may hold several
 * names. A kill or Timeout of the caller ends the wait; a claim that
 * lands after that is kept (the actor holds the name). Use with `yield*`.
 */
export function registerGlobal<M>(name: RegistryName<M>, actor: ActorRef<NoInfer<M>>): Operation<void>;
export function registerGlobal(name: string, actor: ActorRef<never>): Operation<void>;
export function registerGlobal(nameOrKey: string | RegistryName<unknown>, actor: ActorRef<never>): Operation<void> {
  const name = nameArg('registerGlobal', nameOrKey);
  if (!(actor instanceof Actor)) throw new TypeError(`registerGlobal: actor must be a local Actor (a node registers its own actors), got ${show(actor)}`);
  return new Composite<void>('registerGlobal', function* () {
    if (actor.dead) throw new RegistryError(`registerGlobal: ${String(actor)} is dead (noproc); cannot register it as ${JSON.stringify(name)}`);
    yield* callOperation(registry('registerGlobal').claim(name, actor));
  });
}

/**
 * Frees `name` if this node registered it (to one of its actors). Returns
 * true if it did. Blocks until the registry has it (one round trip). Use
 * with `yield*`.
 */
export function unregisterGlobal<M>(nameOrKey: string | RegistryName<M>): Operation<boolean> {
  const name = nameArg('unregisterGlobal', nameOrKey);
  return new Composite<boolean>('unregisterGlobal', function* () {
    return yield* callOperation(registry('unregisterGlobal').release(name));
  });
}

/**
 * The actor registered as `name` in the cluster: a `RemoteRef`, or the
 * actor itself if it lives here; undefined if the name is free, or its
 * node is down. Answers from this node's copy of the registry, which
 * follows changes within a round trip to NATS. Never blocks.
 */
export function whereisGlobal<M>(name: RegistryName<M>): ActorRef<M> | undefined;
export function whereisGlobal(name: string): ActorRef<unknown> | undefined;
export function whereisGlobal(name: string | RegistryName<unknown>): ActorRef<unknown> | undefined {
  const text = nameArg('whereisGlobal', name);
  return registry('whereisGlobal').lookup(text) as ActorRef<unknown> | undefined;
}

/** The names registered in the cluster, to actors on nodes not known down here, sorted. Never blocks. */
export function registeredGlobal(): string[] {
  return registry('registeredGlobal').names();
}
