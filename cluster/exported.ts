/**
 * A local greenlet other nodes know about: one that a reference in a
 * message, a link, a monitor, an `exit` or a remote spawn made known. Its
 * record holds what other nodes hang on it — links to their actors,
 * their watches (monitors and asks), the remote parent that spawned it —
 * and, as a DeathWatch on the greenlet (actors/relations.ts), tells them
 * when it dies: an `EXIT` to each linked actor and a `DOWN` for each
 * watch, with its exit reason. Then the node forgets it, and a frame for
 * it is answered as for an unknown actor (`'noproc'`).
 */
import type { Greenlet } from '../lib/greenlet.js';
import type { ActorRef } from '../actors/ref.js';
import { DOWN, EXIT } from './frames.js';
import { encodeReason } from './codec.js';
import type { Peer } from './peer.js';
import type { RemoteEnd } from './remote-ref.js';
import type { LocalNode } from './local-node.js';

/** @internal what other nodes hang on a local greenlet. */
export class Exported {
  /** Remote actors linked to it. */
  links: Set<RemoteEnd> | null = null;
  /** Watch ids (monitors, asks) other nodes placed on it, by node. */
  watchers: Map<Peer, Set<number>> | null = null;
  /** The remote actor that spawned it as its parent (its `exit` stops it as a parent's does), if any. */
  parent: RemoteEnd | null = null;

  constructor(
    private readonly node: LocalNode,
    readonly greenlet: Greenlet<unknown>,
  ) {}

  /** The greenlet died: tell the nodes that hang something on it, then forget it. */
  targetDied(_target: Greenlet<unknown> | ActorRef<never>, reason: unknown): void {
    const g = this.greenlet;
    this.node.exported.delete(g.id);
    if (this.links === null && this.watchers === null) return;
    const encoded = encodeReason(reason, this.node);
    if (this.links !== null) {
      for (const end of this.links) end.peer.push(EXIT, g.id, g.name, end.id, encoded, 1);
      this.links = null;
    }
    if (this.watchers !== null) {
      for (const [peer, ids] of this.watchers) for (const id of ids) peer.push(DOWN, id, encoded);
      this.watchers = null;
    }
  }
}
