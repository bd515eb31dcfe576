/**
 * The supervision tree as the page draws it: each root supervisor of the
 * hub (`rootSupervisors`), its strategy and intensity, and per child what
 * `describe()` says — status, restart count, its greenlet — with a child
 * supervisor's own children nested under it. Plain data, made when asked.
 */
import type { Hub } from '../lib/hub.js';
import { Supervisor, rootSupervisors } from '../supervision/supervisor.js';
import type { ChildStatusName } from '../supervision/description.js';
import type { ChildType, RestartType } from '../supervision/child-spec.js';
import type { Strategy } from '../supervision/options.js';

/** A supervisor in the tree. */
export interface SupervisorNode {
  /** Its greenlet's id. */
  readonly id: number;
  readonly name: string;
  readonly strategy: Strategy;
  readonly maxRestarts: number;
  readonly withinMs: number;
  readonly children: readonly ChildNode[];
}

/** A child of a supervisor in the tree. */
export interface ChildNode {
  /** Its id in the supervisor (a dynamic child: its template's). */
  readonly id: string;
  readonly type: ChildType;
  readonly restart: RestartType;
  readonly status: ChildStatusName;
  /** While backing off: the hub time (ms) its restart is due. */
  readonly restartAt: number | null;
  /** How many times it was restarted. */
  readonly restarts: number;
  /** Its greenlet's id and name while it runs. */
  readonly greenlet: number | null;
  readonly name: string | null;
  /** A running child supervisor's own tree. */
  readonly supervisor: SupervisorNode | null;
}

/** The trees of every root supervisor of `hub`, oldest first. */
export function supervisionTree(hub: Hub): SupervisorNode[] {
  return rootSupervisors(hub).map(nodeOf);
}

function nodeOf(supervisor: Supervisor): SupervisorNode {
  const described = supervisor.describe();
  return {
    id: supervisor.id,
    name: supervisor.name,
    strategy: described.strategy,
    maxRestarts: described.maxRestarts,
    withinMs: described.withinMs,
    children: described.children.map((child) => ({
      id: child.id,
      type: child.type,
      restart: child.restart,
      status: child.status,
      restartAt: child.restartAt,
      restarts: child.restarts,
      greenlet: child.greenlet?.id ?? null,
      name: child.greenlet?.name ?? null,
      supervisor: child.greenlet instanceof Supervisor && !child.greenlet.dead ? nodeOf(child.greenlet) : null,
    })),
  };
}
