/**
 * Intrusive doubly linked lists of waiters and link callbacks.
 *
 * A blocked operation is itself the list node, so blocking allocates nothing
 * beyond the operation, and a waiter that times out or is killed leaves its
 * list in O(1) — a list of many waiters can be cancelled one by one without
 * quadratic cost or garbage left behind.
 */
import { HEAD, PUSH, REMOVE, SHIFT, SIZE, TAIL, UNSHIFT } from './keys.js';

export abstract class Link {
  /** @internal */
  prevLink: Link | null = null;
  /** @internal */
  nextLink: Link | null = null;
  /** @internal the list this node is on, or null. */
  list: LinkList | null = null;

  /**
   * @internal called, outside any greenlet, by whoever the node waits on when it is
   * its turn (a greenlet died, an event was set, an item arrived). The node
   * has already been taken off its list.
   */
  abstract notify(source: unknown): void;
}

// Its members are all internal: Linkable (so Greenlet, Event...) extends LinkList,
// and the published types leave the list machinery out.
export class LinkList {
  /** @internal */
  [HEAD]: Link | null = null;
  /** @internal */
  [TAIL]: Link | null = null;
  /** @internal */
  [SIZE] = 0;

  /** @internal */
  [PUSH](node: Link): void {
    node.list = this;
    node.prevLink = this[TAIL];
    node.nextLink = null;
    if (this[TAIL] === null) this[HEAD] = node;
    else this[TAIL].nextLink = node;
    this[TAIL] = node;
    this[SIZE]++;
  }

  /** @internal puts `node` first: a waiter that lost its turn keeps its place. */
  [UNSHIFT](node: Link): void {
    node.list = this;
    node.prevLink = null;
    node.nextLink = this[HEAD];
    if (this[HEAD] === null) this[TAIL] = node;
    else this[HEAD].prevLink = node;
    this[HEAD] = node;
    this[SIZE]++;
  }

  /** @internal */
  [SHIFT](): Link | null {
    const node = this[HEAD];
    if (node !== null) this[REMOVE](node);
    return node;
  }

  /** @internal */
  [REMOVE](node: Link): void {
    if (node.list !== this) return;
    if (node.prevLink === null) this[HEAD] = node.nextLink;
    else node.prevLink.nextLink = node.nextLink;
    if (node.nextLink === null) this[TAIL] = node.prevLink;
    else node.nextLink.prevLink = node.prevLink;
    node.prevLink = node.nextLink = null;
    node.list = null;
    this[SIZE]--;
  }
}
