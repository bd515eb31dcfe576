import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Greenlet } from 'grove';
import { checkChildSpec } from '../../supervision/child-spec.js';
import { SupervisorState, statusOf } from '../../supervision/state.js';

const start = () => new Greenlet(function* () {});
const spec = (id: string, restart: 'permanent' | 'transient' | 'temporary' = 'permanent') => checkChildSpec('test', id, { id, start, restart });
const ids = (state: SupervisorState) => [...state.records()].map((c) => c.spec.id);

const state = suite('supervisor state: an indexed core with snapshots');

state('starts with every child stopped, in start order, keyed 0..n-1', () => {
  const s = new SupervisorState([spec('a'), spec('b')]);
  assert.equal(
    [...s.records()].map((c) => [c.key, c.spec.id, statusOf(c)]),
    [
      [0, 'a', 'stopped'],
      [1, 'b', 'stopped'],
    ],
  );
  assert.is(s.size, 2);
});

state('add appends with the next key, never reused; remove forgets a child and keeps the others in order', () => {
  const s = new SupervisorState([spec('a')]);
  assert.is(s.add(spec('b'), start).key, 1);
  s.remove(0);
  assert.equal(s.keys(), [1]);
  assert.is(s.add(spec('c'), start).key, 2);
  assert.equal(ids(s), ['b', 'c']);
  assert.is(s.findById('a'), undefined);
  assert.is(s.findById('c')?.key, 2);
});

state('a restart keeps the child in its place in the start order', () => {
  const s = new SupervisorState([spec('a'), spec('b'), spec('c')]);
  const g = new Greenlet(() => 1);
  s.started(1, g, 0);
  s.restartPending(1, 10, 1);
  s.started(1, new Greenlet(() => 2), 10);
  assert.equal(ids(s), ['a', 'b', 'c']);
});

state('status: running, restarting (a pending restart), stopped', () => {
  const s = new SupervisorState([spec('a')]);
  const a = s.findByKey(0)!;
  s.started(0, new Greenlet(() => 1), 0);
  assert.is(statusOf(a), 'running');
  s.restartPending(0, 500, 1);
  assert.is(statusOf(a), 'restarting');
  assert.is(a.greenlet, undefined);
  assert.is(a.attempts, 1);
  s.restartCancelled(0);
  assert.is(statusOf(a), 'stopped');
  assert.is(s.nextDue(), undefined);
});

state('a start ends the pending restart; stopping and exiting clear the greenlet and the stop deadline', () => {
  const s = new SupervisorState([spec('a'), spec('t', 'temporary')]);
  const a = s.findByKey(0)!;
  s.restartPending(0, 10, 2);
  s.started(0, new Greenlet(() => 1), 10);
  assert.equal([a.pending, a.attempts, a.startedAt], [null, 2, 10]);
  assert.is(s.nextDue(), undefined);
  s.stopRequested(0, 5010);
  assert.is(a.stopBy, 5010);
  s.stopped(0);
  assert.equal([a.greenlet, a.stopBy], [undefined, undefined]);
  // exited keeps a permanent child's spec and removes a temporary one.
  s.exited(0);
  s.exited(1);
  assert.equal(ids(s), ['a']);
});

state('lookups: by id, by current greenlet, by any incarnation; planView for the strategies', () => {
  const s = new SupervisorState([spec('a'), spec('b', 'temporary')]);
  const first = new Greenlet(() => 1);
  const second = new Greenlet(() => 2);
  s.started(1, first, 0);
  assert.is(s.findById('b')?.key, 1);
  assert.is(s.findById('zz'), undefined);
  assert.is(s.findByGreenlet(first)?.spec.id, 'b');
  assert.equal(s.planView(), [
    { key: 0, restart: 'permanent', running: false },
    { key: 1, restart: 'temporary', running: true },
  ]);
  s.restartPending(1, 5, 1);
  // Waiting to be restarted: no current greenlet, but its last one still names it.
  assert.is(s.findByGreenlet(first), undefined);
  assert.is(s.findByIncarnation(first)?.key, 1);
  s.started(1, second, 5);
  assert.is(s.findByGreenlet(second)?.key, 1);
  assert.is(s.findByIncarnation(first)?.key, 1);
  s.remove(1);
  assert.is(s.findByIncarnation(first), undefined);
  assert.is(s.findByGreenlet(second), undefined);
  // A greenlet that was a child is still known as one (its late EXIT is not a stranger's).
  assert.ok(s.wasChild(first) && s.wasChild(second));
  assert.not.ok(s.wasChild(new Greenlet(() => 3)));
});

state('nextDue: the earliest pending restart; at the same time, the one decided first', () => {
  const s = new SupervisorState([spec('a'), spec('b'), spec('c')]);
  assert.is(s.nextDue(), undefined);
  s.restartPending(2, 100, 1);
  s.restartPending(1, 100, 1);
  s.restartPending(0, 300, 1);
  assert.is(s.nextDue()?.spec.id, 'c');
  s.restartPending(0, 50, 1);
  assert.is(s.nextDue()?.spec.id, 'a');
  s.remove(0);
  assert.is(s.nextDue()?.spec.id, 'c');
  s.restartCancelled(2);
  assert.is(s.nextDue()?.spec.id, 'b');
});

state('snapshot: frozen, made on demand, reused until something changes; greenlets are not frozen', () => {
  const s = new SupervisorState([spec('a')]);
  const g = new Greenlet(() => 1);
  const before = s.snapshot();
  assert.equal(before, [{ id: 'a', greenlet: undefined, type: 'worker' }]);
  assert.ok(Object.isFrozen(before) && Object.isFrozen(before[0]));
  assert.is(s.snapshot(), before);
  s.started(0, g, 0);
  const after = s.snapshot();
  assert.is.not(after, before);
  assert.is(after[0].greenlet, g);
  assert.not.ok(Object.isFrozen(g));
  // The old snapshot is as it was.
  assert.is(before[0].greenlet, undefined);
});

state('the restart window is kept with the state', () => {
  const s = new SupervisorState([]);
  for (const at of [0, 100, 6000]) s.restarts.add(at, 5000);
  assert.equal(s.restarts.toArray(), [6000]);
});

state('allGone: every child stopped, pending restarts dropped, temporary ones forgotten', () => {
  const g = new Greenlet(() => 1);
  const s = new SupervisorState([spec('a'), spec('t', 'temporary'), spec('b')]);
  s.started(0, g, 0);
  s.started(1, new Greenlet(() => 2), 0);
  s.restartPending(2, 99, 1);
  s.allGone();
  assert.equal(
    [...s.records()].map((c) => [c.spec.id, statusOf(c)]),
    [
      ['a', 'stopped'],
      ['b', 'stopped'],
    ],
  );
  assert.is(s.nextDue(), undefined);
});

state.run();
