/**
 * The supervision tree as the page draws it: each root supervisor of the
 * hub (`rootSupervisors`), its strategy and intensity, and per child what
 * `describe()` says — status, restart count, its greenlet — with a child
 * supervisor's own children nested under it. Plain data, made when asked.
 *
 * The page gets a bounded tree: a supervisor with many children (a
 * `simpleOneForOne` pool of thousands) shows {@link PAGE_CHILDREN} of them,
 * those that are not running or were restarted first, and counts the rest
 * by status. `/snapshot` has every child.
 */
import type { Hub } from '../lib/hub.js';
import { Supervisor, rootSupervisors } from '../supervision/supervisor.js';
import type { ChildDescription, ChildStatusName } from '../supervision/description.js';
import type { Strategy } from '../supervision/options.js';

/** A supervisor in the tree. */
export interface SupervisorNode {
  /** Its greenlet's id. */
  readonly id: number;
  readonly name: string;
  readonly strategy: Strategy;
  readonly maxRestarts: number;
  readonly withinMs: number;
  /** Its children in start order (all of them, or those shown: see `hidden`). */
  readonly children: readonly ChildNode[];
  /** All its children, shown or not. */
  readonly childCount: number;
  /** The children left out of `children`, by status (all zero when every child is shown). */
  readonly hidden: Readonly<Record<ChildStatusName, number>>;
}

/**
 * A child of a supervisor in the tree: what `describe()` says of it (id,
 * type, restart type, status, restartAt, restart count), with its greenlet
 * as plain data.
 */
export interface ChildNode extends Omit<ChildDescription, 'greenlet'> {
  /** Its greenlet's id and name while it runs. */
  readonly greenlet: number | null;
  readonly name: string | null;
  /** A running child supervisor's own tree. */
  readonly supervisor: SupervisorNode | null;
}

/** How many children of one supervisor the page shows. */
export const PAGE_CHILDREN = 20;

/** The trees of every root supervisor of `hub`, oldest first, with at most `limit` children per supervisor. */
export function supervisionTree(hub: Hub, limit = Infinity): SupervisorNode[] {
  return rootSupervisors(hub).map((root) => nodeOf(root, limit));
}

function nodeOf(supervisor: Supervisor, limit: number): SupervisorNode {
  const described = supervisor.describe();
  const all = described.children;
  const hidden: Record<ChildStatusName, number> = { running: 0, restarting: 0, backingOff: 0, stopped: 0 };
  let shown = all;
  if (all.length > limit) {
    // Those worth a look first (not running, or restarted), then the first ones, shown in start order.
    const order = all.map((child, index) => ({ child, index }));
    const keep = [...order.filter((o) => o.child.status !== 'running' || o.child.restarts > 0), ...order.filter((o) => o.child.status === 'running' && o.child.restarts === 0)]
      .slice(0, limit)
      .sort((a, b) => a.index - b.index);
    const kept = new Set(keep.map((o) => o.child));
    for (const child of all) if (!kept.has(child)) hidden[child.status]++;
    shown = keep.map((o) => o.child);
  }
  return {
    id: supervisor.id,
    name: supervisor.name,
    strategy: described.strategy,
    maxRestarts: described.maxRestarts,
    withinMs: described.withinMs,
    childCount: all.length,
    hidden,
    children: shown.map((child) => ({
      id: child.id,
      type: child.type,
      restart: child.restart,
      status: child.status,
      restartAt: child.restartAt,
      restarts: child.restarts,
      greenlet: child.greenlet?.id ?? null,
      name: child.greenlet?.name ?? null,
      supervisor: child.greenlet instanceof Supervisor && !child.greenlet.dead ? nodeOf(child.greenlet, limit) : null,
    })),
  };
}
