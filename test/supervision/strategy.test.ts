import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { planRestart, type PlanChild } from '../../supervision/strategy.js';
import type { RestartType } from '../../supervision/child-spec.js';

/** Children 0..n-1 in start order: `running` unless listed in `stopped`. */
function children(restarts: RestartType[], stopped: number[] = []): PlanChild[] {
  return restarts.map((restart, key) => ({ key, restart, running: !stopped.includes(key) }));
}

const P = 'permanent';
const T = 'transient';
const X = 'temporary';

const oneForOne = suite('planRestart: oneForOne and simpleOneForOne');

oneForOne('restart only the failed child and touch no other', () => {
  const plan = planRestart('oneForOne', 1, () => children([P, P, P]));
  assert.equal(plan, { stop: [], drop: [], start: [1] });
});

oneForOne('simpleOneForOne plans as oneForOne', () => {
  assert.equal(planRestart('simpleOneForOne', 2, () => children([P, X, T])), { stop: [], drop: [], start: [2] });
});

oneForOne('never looks at the other children: a restart costs the same among 100,000 as among 10', () => {
  const view = () => {
    throw new Error('the view was asked for');
  };
  assert.equal(planRestart('oneForOne', 7, view), { stop: [], drop: [], start: [7] });
  assert.equal(planRestart('simpleOneForOne', 7, view), { stop: [], drop: [], start: [7] });
});

oneForOne('for the strategies that look, an unknown key is a bug, said as such', () => {
  assert.throws(() => planRestart('oneForAll', 7, () => children([P])), /no child with key 7/);
  assert.throws(() => planRestart('restForOne', 7, () => children([P])), /no child with key 7/);
});

const oneForAll = suite('planRestart: oneForAll');

oneForAll('stops every other running child, last started first, then starts all in start order', () => {
  const plan = planRestart('oneForAll', 1, () => children([P, P, P, P]));
  assert.equal(plan, { stop: [3, 2, 0], drop: [], start: [0, 1, 2, 3] });
});

oneForAll('temporary siblings are stopped and dropped, never restarted', () => {
  const plan = planRestart('oneForAll', 1, () => children([X, P, X, T]));
  assert.equal(plan, { stop: [3, 2, 0], drop: [0, 2], start: [1, 3] });
});

oneForAll('transient siblings are restarted like permanent ones', () => {
  const plan = planRestart('oneForAll', 0, () => children([T, T, T]));
  assert.equal(plan, { stop: [2, 1], drop: [], start: [0, 1, 2] });
});

oneForAll('siblings that were not running are not stopped but are started again (every kept spec)', () => {
  const plan = planRestart('oneForAll', 2, () => children([P, T, P, P], [1, 3]));
  assert.equal(plan, { stop: [0], drop: [], start: [0, 1, 2, 3] });
});

oneForAll('the failed child keeps its place when it is the first or the last', () => {
  assert.equal(planRestart('oneForAll', 0, () => children([P, P, P])).start, [0, 1, 2]);
  assert.equal(planRestart('oneForAll', 2, () => children([P, P, P])), { stop: [1, 0], drop: [], start: [0, 1, 2] });
});

const restForOne = suite('planRestart: restForOne');

restForOne('stops the children started after the failed one, last first, and starts them again after it', () => {
  const plan = planRestart('restForOne', 1, () => children([P, P, P, P]));
  assert.equal(plan, { stop: [3, 2], drop: [], start: [1, 2, 3] });
});

restForOne('children started before the failed one are left alone', () => {
  const plan = planRestart('restForOne', 2, () => children([X, T, P, P]));
  assert.equal(plan, { stop: [3], drop: [], start: [2, 3] });
});

restForOne('the last child restarts alone', () => {
  assert.equal(planRestart('restForOne', 2, () => children([P, P, P])), { stop: [], drop: [], start: [2] });
});

restForOne('temporary children after it are dropped; stopped kept specs after it are started', () => {
  const plan = planRestart('restForOne', 1, () => children([P, P, X, T, P], [3]));
  assert.equal(plan, { stop: [4, 2], drop: [2], start: [1, 3, 4] });
});

oneForOne.run();
oneForAll.run();
restForOne.run();
