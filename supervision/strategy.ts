/**
 * The restart strategies as a pure decision: given the children in start
 * order and the one that is to be restarted, which children to stop (in
 * the order to stop them), which temporary ones to forget, and which to
 * start (in start order). The supervisor carries out the plan; this file
 * only decides it, so each strategy is tested on its own.
 */
import type { RestartType } from './child-spec.js';
import type { Strategy } from './options.js';

/** What a strategy needs to know of a child. */
export interface PlanChild {
  readonly key: number;
  readonly restart: RestartType;
  /** It has a live greenlet that the supervisor would have to stop. */
  readonly running: boolean;
}

/** What to do to restart a child, in order: stop, forget, start. */
export interface RestartPlan {
  /** Keys of the running children to stop, last started first. */
  readonly stop: readonly number[];
  /**
   * Keys of temporary children among those affected: they are stopped (if
   * running) and their specs removed, never restarted (OTP: "even when a
   * sibling's death causes the temporary process to be terminated").
   */
  readonly drop: readonly number[];
  /** Keys to start, in start order: the failed child and every kept spec affected. */
  readonly start: readonly number[];
}

/**
 * The plan for restarting child `failedKey`:
 * - `oneForOne`, `simpleOneForOne`: start it again; no one else is touched.
 * - `oneForAll`: stop every other running child (last started first), then
 *   start every kept spec in start order — including specs that were not
 *   running (OTP's `one_for_all` restarts them all).
 * - `restForOne`: the same, for the children after the failed one.
 * The failed child keeps its place in the start order. `children` gives
 * the children in start order (the failed one among them); it is called
 * only by the strategies that touch siblings, so restarting one child of a
 * `oneForOne` supervisor costs the same among 100,000 children as among 10.
 */
export function planRestart(strategy: Strategy, failedKey: number, children: () => readonly PlanChild[]): RestartPlan {
  if (strategy === 'oneForOne' || strategy === 'simpleOneForOne') return { stop: [], drop: [], start: [failedKey] };
  const all = children();
  const at = all.findIndex((child) => child.key === failedKey);
  if (at < 0) throw new Error(`planRestart: no child with key ${failedKey}`);
  const group = strategy === 'oneForAll' ? all : all.slice(at);
  const others = group.filter((child) => child.key !== failedKey);
  return {
    stop: others.filter((child) => child.running).map((child) => child.key).reverse(),
    drop: others.filter((child) => child.restart === 'temporary').map((child) => child.key),
    start: group.filter((child) => child.key === failedKey || child.restart !== 'temporary').map((child) => child.key),
  };
}
