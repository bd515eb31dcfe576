import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Greenlet } from 'grove';
import { checkChildSpec } from '../../supervision/child-spec.js';
import {
  addChild,
  allGone,
  childExited,
  childStarted,
  childStopped,
  findByGreenlet,
  findById,
  initialState,
  nextDue,
  planView,
  removeChild,
  restartCancelled,
  restartCounted,
  restartPending,
  statusOf,
  stopRequested,
} from '../../supervision/state.js';

const start = () => new Greenlet(function* () {});
const spec = (id: string, restart: 'permanent' | 'transient' | 'temporary' = 'permanent') => checkChildSpec('test', id, { id, start, restart });

const record = suite('supervisor state: one immutable record');

record('starts with every child stopped, in start order, keyed 0..n-1', () => {
  const state = initialState([spec('a'), spec('b')]);
  assert.equal(
    state.children.map((c) => [c.key, c.spec.id, statusOf(c)]),
    [
      [0, 'a', 'stopped'],
      [1, 'b', 'stopped'],
    ],
  );
  assert.is(state.nextKey, 2);
  assert.ok(Object.isFrozen(state) && Object.isFrozen(state.children) && Object.isFrozen(state.children[0]));
});

record('every helper returns a new frozen record and leaves the old one as it was', () => {
  const before = initialState([spec('a')]);
  const g = new Greenlet(() => 1);
  const after = childStarted(before, 0, g, 40);
  assert.is.not(after, before);
  assert.is(before.children[0].greenlet, undefined);
  assert.is(after.children[0].greenlet, g);
  assert.is(after.children[0].startedAt, 40);
  assert.ok(Object.isFrozen(after.children[0]));
  // Greenlets are held by reference, never frozen.
  assert.not.ok(Object.isFrozen(g));
});

record('addChild appends with the next key; removeChild forgets it', () => {
  let state = addChild(initialState([spec('a')]), spec('b'), start);
  assert.equal(state.children.map((c) => [c.key, c.spec.id]), [[0, 'a'], [1, 'b']]);
  assert.is(state.nextKey, 2);
  state = removeChild(state, 0);
  assert.equal(state.children.map((c) => c.key), [1]);
  state = addChild(state, spec('c'), start);
  assert.equal(state.children.map((c) => c.key), [1, 2]);
});

record('status: running, restarting (a pending restart), stopped', () => {
  const g = new Greenlet(() => 1);
  let state = childStarted(initialState([spec('a')]), 0, g, 0);
  assert.is(statusOf(state.children[0]), 'running');
  state = restartPending(state, 0, 500, 1);
  assert.is(statusOf(state.children[0]), 'restarting');
  assert.is(state.children[0].greenlet, undefined);
  assert.is(state.children[0].attempts, 1);
  state = restartCancelled(state, 0);
  assert.is(statusOf(state.children[0]), 'stopped');
});

record('a start ends the pending restart; stopping and exiting clear the greenlet and the stop deadline', () => {
  const g = new Greenlet(() => 1);
  let state = restartPending(initialState([spec('a'), spec('t', 'temporary')]), 0, 10, 2);
  state = childStarted(state, 0, g, 10);
  assert.is(state.children[0].retryAt, undefined);
  assert.is(state.children[0].attempts, 2);
  state = stopRequested(state, 0, 5010);
  assert.is(state.children[0].stopBy, 5010);
  state = childStopped(state, 0);
  assert.equal([state.children[0].greenlet, state.children[0].stopBy], [undefined, undefined]);
  // childExited keeps a permanent child's spec and removes a temporary one.
  state = childExited(childExited(state, 0), 1);
  assert.equal(state.children.map((c) => c.spec.id), ['a']);
});

record('lookups by id and by greenlet; planView for the strategies', () => {
  const g = new Greenlet(() => 1);
  const state = childStarted(initialState([spec('a'), spec('b', 'temporary')]), 1, g, 0);
  assert.is(findById(state, 'b')?.key, 1);
  assert.is(findById(state, 'zz'), undefined);
  assert.is(findByGreenlet(state, g)?.spec.id, 'b');
  assert.equal(planView(state), [
    { key: 0, restart: 'permanent', running: false },
    { key: 1, restart: 'temporary', running: true },
  ]);
});

record('nextDue: the earliest pending restart; at the same time, the one decided first', () => {
  let state = initialState([spec('a'), spec('b'), spec('c')]);
  assert.is(nextDue(state), undefined);
  state = restartPending(restartPending(restartPending(state, 2, 100, 1), 1, 100, 1), 0, 300, 1);
  assert.is(nextDue(state)?.spec.id, 'c');
  state = restartPending(state, 0, 50, 1);
  assert.is(nextDue(state)?.spec.id, 'a');
});

record('restartCounted keeps the window of restart times', () => {
  let state = initialState([]);
  for (const at of [0, 100, 6000]) state = restartCounted(state, at, 5000);
  assert.equal(state.restarts, [6000]);
});

record('allGone: every child stopped, temporary ones forgotten', () => {
  const g = new Greenlet(() => 1);
  let state = childStarted(childStarted(initialState([spec('a'), spec('t', 'temporary')]), 0, g, 0), 1, g, 0);
  state = allGone(restartPending(state, 0, 99, 1));
  assert.equal(
    state.children.map((c) => [c.spec.id, statusOf(c)]),
    [['a', 'stopped']],
  );
});

record.run();
