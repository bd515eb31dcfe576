/**
 * Intrusive doubly linked lists of waiters and link callbacks.
 *
 * A blocked operation is itself the list node, so blocking allocates nothing
 * beyond the operation, and a waiter that times out or is killed leaves its
 * list in O(1) — a list of many waiters can be cancelled one by one without
 * quadratic cost or garbage left behind.
 */
export abstract class Link {
  prevLink: Link | null = null;
  nextLink: Link | null = null;
  /** The list this node is on, or null. */
  list: LinkList | null = null;

  /**
   * Called, outside any greenlet, by whoever the node waits on when it is
   * its turn (a greenlet died, an event was set, an item arrived). The node
   * has already been taken off its list.
   */
  abstract notify(source: unknown): void;
}

export class LinkList {
  head: Link | null = null;
  tail: Link | null = null;
  length = 0;

  push(node: Link): void {
    node.list = this;
    node.prevLink = this.tail;
    node.nextLink = null;
    if (this.tail === null) this.head = node;
    else this.tail.nextLink = node;
    this.tail = node;
    this.length++;
  }

  /** Puts `node` first: a waiter that lost its turn keeps its place. */
  unshift(node: Link): void {
    node.list = this;
    node.prevLink = null;
    node.nextLink = this.head;
    if (this.head === null) this.tail = node;
    else this.head.prevLink = node;
    this.head = node;
    this.length++;
  }

  shift(): Link | null {
    const node = this.head;
    if (node !== null) this.remove(node);
    return node;
  }

  remove(node: Link): void {
    if (node.list !== this) return;
    if (node.prevLink === null) this.head = node.nextLink;
    else node.prevLink.nextLink = node.nextLink;
    if (node.nextLink === null) this.tail = node.prevLink;
    else node.nextLink.prevLink = node.prevLink;
    node.prevLink = node.nextLink = null;
    node.list = null;
    this.length--;
  }
}
