import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AsyncResult,
  Event,
  Greenlet,
  Group,
  Queue,
  Timeout,
  call,
  getCurrent,
  getHub,
  greenletInfo,
  joinAll,
  sleep,
  spawn,
  spawnLater,
  type BlockedOn,
  type Operation,
} from 'grove';
import { simulate } from 'grove/testing';

const statuses = suite('greenletInfo: status');

statuses('unstarted, ready, running, blocked, sleeping and dead, each where it belongs', () =>
  simulate(function* () {
    const made = new Greenlet(function* () {
      yield* sleep(1);
    });
    assert.is(greenletInfo(made).status, 'unstarted');

    const q = new Queue<number>();
    const getter = spawn(function* () {
      return yield* q.get();
    });
    const sleeper = spawn(function* () {
      yield* sleep(100);
    });
    assert.is(greenletInfo(getter).status, 'ready', 'spawned: queued, not run yet');
    assert.is(greenletInfo(getCurrent()).status, 'running');
    yield* sleep(0);
    assert.is(greenletInfo(getter).status, 'blocked');
    assert.is(greenletInfo(sleeper).status, 'sleeping');

    const yielder = spawn(function* () {
      yield* sleep(0);
      yield* sleep(0);
    });
    yield* sleep(0);
    assert.is(greenletInfo(yielder).status, 'ready', 'after sleep(0) it is queued again');

    q.putNowait(7);
    assert.is(greenletInfo(getter).status, 'blocked', "until the queue's round hands it the item");
    yield* getter.join();
    assert.is(greenletInfo(getter).status, 'dead');
    assert.is(greenletInfo(getter).blockedOn, null);
    sleeper.kill();
    assert.is(greenletInfo(sleeper).status, 'ready', 'killed: queued to raise GreenletExit where it sleeps');
    yield* sleeper.join();
  }));

statuses('a startLater greenlet sleeps until it is due, then is ready', () =>
  simulate(function* () {
    const hub = getHub();
    const later = spawnLater(250, () => 'ran');
    assert.is(greenletInfo(later).status, 'sleeping');
    assert.equal(greenletInfo(later).blockedOn, { label: 'startLater', target: null, deadline: hub.now() + 250 });
    yield* sleep(250);
    yield* later.join();
    assert.is(greenletInfo(later).status, 'dead');
  }));

statuses('killed before it started: dead', () =>
  simulate(function* () {
    const g = spawn(() => 1);
    g.kill();
    assert.is(greenletInfo(g).status, 'dead');
    yield* sleep(0);
  }));

statuses('greenletInfo refuses what is not a greenlet, naming the call', () => {
  assert.throws(() => greenletInfo({} as Greenlet<unknown>), (e: unknown) => e instanceof TypeError && e.message === 'greenletInfo: expected a Greenlet, got an object');
});

statuses.run();

const blocked = suite('greenletInfo: blockedOn');

/** Spawns `body`, lets it block, and returns what it is blocked on. */
function* blockedIn(body: () => Operation<unknown>): Operation<BlockedOn | null> {
  const g = spawn(body);
  yield* sleep(0);
  const info = greenletInfo(g);
  g.kill();
  return info.blockedOn;
}

blocked('the call label, its target and its deadline on the hub clock', () =>
  simulate(function* () {
    const hub = getHub();
    yield* sleep(1000); // the clock is not at 0: deadlines are absolute
    const q = new Queue<number>(1);
    q.putNowait(1);
    const event = new Event();
    const result = new AsyncResult<number>();
    const other = spawn(function* () {
      yield* sleep(10_000);
    });
    const group = new Group();
    group.spawn(function* () {
      yield* sleep(10_000);
    });
    const now = hub.now();
    assert.equal(yield* blockedIn(function* () { yield* q.get({ timeout: 50 }); return yield* q.get({ timeout: 50 }); }), { label: 'Queue.get', target: q, deadline: now + 50 });
    assert.equal(yield* blockedIn(function* () { yield* q.put(2); return yield* q.put(3); }), { label: 'Queue.put', target: q, deadline: null });
    assert.equal(yield* blockedIn(() => event.wait()), { label: 'Event.wait', target: event, deadline: null });
    assert.equal(yield* blockedIn(() => result.get({ timeout: 5 })), { label: 'AsyncResult.get', target: result, deadline: now + 5 });
    assert.equal(yield* blockedIn(() => other.join()), { label: 'Greenlet.join', target: other, deadline: null });
    assert.equal(yield* blockedIn(() => group.join()), { label: 'Group.join', target: group, deadline: null });
    assert.equal(yield* blockedIn(() => sleep(30)), { label: 'sleep', target: null, deadline: now + 30 });
    const joined = yield* blockedIn(() => joinAll([other]));
    assert.is(joined?.label, 'joinAll');
    assert.equal(joined?.target, [other]);
    const timeout = new Timeout(70);
    assert.equal(yield* blockedIn(() => event.wait({ timeout })), { label: 'Event.wait', target: event, deadline: now + 70 }, 'a Timeout given as timeout');
    other.kill();
    group.kill();
  }));

blocked('call() shows the promise it waits for', async () => {
  let settle: (v: number) => void = () => {};
  const promise = new Promise<number>((resolve) => (settle = resolve));
  await simulate(function* () {
    const g = spawn(() => call(promise));
    yield* sleep(0);
    assert.equal(greenletInfo(g).blockedOn, { label: 'call', target: promise, deadline: null });
    settle(1);
    assert.is(yield* g.get(), 1);
  });
});

blocked.run();

const counts = suite('greenletInfo: spawnedBy and runs');

counts('spawnedBy is the id of the greenlet that started it; null from outside any greenlet', () =>
  simulate(function* () {
    const parent = getCurrent();
    const child = spawn(function* () {
      return spawn(() => 0);
    });
    const grandchild = yield* child.get();
    assert.is(greenletInfo(child).spawnedBy, parent.id);
    assert.is(greenletInfo(grandchild).spawnedBy, child.id);
    assert.is(greenletInfo(parent).spawnedBy, null, 'simulate starts its main from outside');
    const made = new Greenlet(() => 0);
    assert.is(greenletInfo(made).spawnedBy, null, 'not started yet');
    yield* sleep(0);
  }));

counts('runs counts the switches into it: once per step between blocking points', () =>
  simulate(function* () {
    const g = spawn(function* () {
      for (let i = 0; i < 4; i++) yield* sleep(0);
    });
    assert.is(greenletInfo(g).runs, 0);
    yield* sleep(0);
    assert.is(greenletInfo(g).runs, 1);
    yield* g.join();
    assert.is(greenletInfo(g).runs, 5, 'the first step and one after each of the 4 yields');
    const plain = spawn(() => 1);
    yield* plain.join();
    assert.is(greenletInfo(plain).runs, 1);
  }));

counts.run();
