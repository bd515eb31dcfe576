import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Greenlet, GreenletExit, Timeout, getCurrent, getHub, joinAll, killAll, shutdown, sleep, spawn, wait } from 'grove';
import { simulate } from 'grove/testing';
import { errorSink, recorder } from '../support.js';

function* napper(ms: number) {
  yield* sleep(ms);
  return ms;
}

const joinAllSuite = suite('joinAll');

joinAllSuite('returns the greenlets in the order they finished, not the input order', () =>
  simulate(function* () {
    const gs = [30, 10, 20].map((ms) => spawn(napper, ms));
    const done = yield* joinAll(gs);
    assert.equal(done.map((g) => g.value), [10, 20, 30]);
  }));

joinAllSuite('with timeout returns those finished in time and raises nothing', () =>
  simulate(function* () {
    const gs = [30, 10, 20].map((ms) => spawn(napper, ms));
    const done = yield* joinAll(gs, { timeout: 25 });
    assert.equal(done.map((g) => g.value), [10, 20]);
    assert.is(getHub().now(), 25);
  }));

joinAllSuite('with count returns as soon as that many have finished', () =>
  simulate(function* () {
    const gs = [30, 10, 20].map((ms) => spawn(napper, ms));
    const done = yield* joinAll(gs, { count: 1 });
    assert.equal(done.map((g) => g.value), [10]);
    assert.is(getHub().now(), 10);
  }));

joinAllSuite('never throws a failure, except with raiseError: the first failure at once, the others running on', () =>
  simulate(function* () {
    const error = new Error('second fails');
    const make = () => [
      spawn(napper, 50),
      spawn(function* () {
        yield* sleep(20);
        throw error;
      }),
    ];
    const quiet = yield* joinAll(make());
    assert.is(quiet.length, 2);
    const [slow, failing] = make();
    const start = getHub().now();
    try {
      yield* joinAll([slow, failing], { raiseError: true });
      assert.unreachable('no raise');
    } catch (e) {
      assert.is(e, error);
    }
    assert.is(getHub().now() - start, 20);
    assert.not.ok(slow.dead);
    assert.is(yield* slow.get(), 50);
  }));

joinAllSuite('already-dead greenlets come first, in input order; an empty list returns at once', () =>
  simulate(function* () {
    const a = spawn(() => 'a');
    const b = spawn(() => 'b');
    yield* sleep(0);
    const c = spawn(napper, 5);
    const done = yield* joinAll([c, b, a]);
    assert.equal(done.map((g) => g.value), ['b', 'a', 5]);
    assert.equal(yield* joinAll([]), []);
  }));

joinAllSuite('a joinAll is notified in link order: after links added before it, before links added after it', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const early = spawn(napper, 10);
    early.link(() => log('early: link added before joinAll'));
    const late = spawn(napper, 20);
    spawn(function* () {
      yield* sleep(15); // main is in joinAll([late]) by now
      late.link(() => log('late: link added after joinAll'));
    });
    const twice = spawn(napper, 30);
    yield* joinAll([early], { count: 1 });
    log('joined early');
    yield* joinAll([late]);
    log('joined late');
    // The same greenlet twice, and a second joinAll on it meanwhile: each entry counts, in order.
    const other = spawn(function* () {
      yield* joinAll([twice]);
      log('other joinAll');
    });
    assert.equal((yield* joinAll([twice, twice])).length, 2);
    log('joined twice');
    yield* other.join();
    assert.equal(lines, [
      'early: link added before joinAll',
      'joined early',
      'joined late',
      'late: link added after joinAll',
      'joined twice',
      'other joinAll',
    ]);
  }));

joinAllSuite('a joinAll that ends early leaves nothing behind on the greenlets it waited for', () =>
  simulate(function* () {
    const slow = spawn(napper, 100);
    assert.equal(yield* joinAll([slow], { timeout: 10 }), []);
    const { lines, log } = recorder();
    slow.link(() => log('link'));
    yield* slow.join();
    yield* sleep(0);
    assert.equal(lines, ['link']);
  }));

joinAllSuite('a Timeout as timeout is raised itself', () =>
  simulate(function* () {
    const t = new Timeout(10);
    try {
      yield* joinAll([spawn(napper, 100)], { timeout: t });
      assert.unreachable('no raise');
    } catch (e) {
      assert.is(e, t);
    }
  }));

joinAllSuite('bad input names the argument and its position', () =>
  simulate(function* () {
    const g = spawn(() => 1);
    assert.throws(() => joinAll(5 as never), /joinAll: greenlets must be an iterable of Greenlets, got 5/);
    assert.throws(() => joinAll([g, 'x' as never]), /joinAll: greenlets\[1\] must be a Greenlet, got "x"/);
    assert.throws(() => joinAll([g], { count: -1 }), /joinAll: count must be a non-negative integer, got -1/);
    assert.throws(() => joinAll([g], { timeout: -3 }), /joinAll: timeout must be a non-negative number of ms, got -3/);
    yield* g.join();
  }));

joinAllSuite.run();

const waitSuite = suite('wait');

waitSuite('waits on greenlets and returns them in the order they became ready; count and timeout apply', () =>
  simulate(function* () {
    const gs = [30, 10, 20].map((ms) => spawn(napper, ms));
    assert.equal((yield* wait(gs, { count: 2 })).map((g) => g.value), [10, 20]);
    assert.equal((yield* wait(gs, { timeout: 5 })).map((g) => g.value), [10, 20]);
    assert.equal((yield* wait(gs)).map((g) => g.value), [10, 20, 30]);
  }));

waitSuite('count is an upper bound: objects already ready are not all returned (gevent\'s wait)', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const gs = [spawn(() => 'a'), spawn(() => 'b'), spawn(() => 'c')];
      yield* sleep(0);
      assert.equal((yield* wait(gs, { count: 1 })).map((g) => g.value), ['a']);
      assert.equal((yield* wait(gs, { count: 2 })).map((g) => g.value), ['a', 'b']);
      assert.equal((yield* joinAll(gs, { count: 2 })).map((g) => g.value), ['a', 'b']);
      assert.equal(yield* wait(gs, { count: 0 }), []);
      const failing = spawn(() => {
        throw new Error('late failure');
      });
      failing.name = 'failing';
      yield* sleep(0);
      // raiseError looks at what it returns: the failure is the third, past count.
      assert.equal((yield* joinAll([gs[0], gs[1], failing], { count: 2, raiseError: true })).map((g) => g.value), ['a', 'b']);
    },
    { onError: sink.onError },
  );
  // It died before anyone joined it: reported.
  assert.equal(sink.reports, ['failing: greenlet: Error: late failure']);
});

waitSuite('rejects what cannot be waited on', () =>
  simulate(function* () {
    assert.throws(() => wait([{} as never]), /wait: objects\[0\] must be a Greenlet, Event or AsyncResult, got an object/);
  }));

waitSuite.run();

const killAllSuite = suite('killAll and shutdown');

killAllSuite('killAll kills in list order; each runs its finally; yield* waits for all', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const victim = (name: string) =>
      spawn(function* () {
        try {
          yield* sleep(1000);
        } finally {
          log(`${name} finally`);
        }
      });
    const gs = [victim('a'), victim('b'), victim('c')];
    yield* sleep(0);
    yield* killAll([gs[2], gs[0], gs[1]]);
    assert.equal(lines, ['c finally', 'a finally', 'b finally']);
    assert.ok(gs.every((g) => g.dead && (g.value as unknown) instanceof GreenletExit));
  }));

killAllSuite('killAll of greenlets that never ran: the bodies never run', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const gs = [spawn(() => log('ran')), spawn(() => log('ran'))];
    yield* killAll(gs);
    yield* sleep(0);
    assert.equal(lines, []);
    // Issue 13: started stays true after death (the killed greenlets read started === false before).
    assert.ok(gs.every((g) => (g.value as unknown) instanceof GreenletExit && g.started));
  }));

killAllSuite('killAll({ exception: Class }) gives each victim its own instance', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      class Stop extends Error {}
      const gs = [spawn(napper, 100), spawn(napper, 100)];
      gs.forEach((g, i) => (g.name = `victim-${i}`));
      yield* sleep(0);
      yield* killAll(gs, { exception: Stop });
      assert.instance(gs[0].exception, Stop);
      assert.instance(gs[1].exception, Stop);
      assert.is.not(gs[0].exception, gs[1].exception);
    },
    { onError: sink.onError },
  );
  // Killed with an error, not GreenletExit, and nobody watching: each failure is reported.
  assert.equal(sink.reports, ['victim-0: greenlet: Error: ', 'victim-1: greenlet: Error: ']);
});

killAllSuite('killAll takes effect without yield*', () =>
  simulate(function* () {
    const g = spawn(napper, 100);
    yield* sleep(0);
    killAll([g]);
    yield* sleep(0);
    assert.ok(g.dead);
  }));

/** A greenlet that swallows its first exit and lives `ms` ms more. */
function stubborn(ms: number): Greenlet<string> {
  return spawn(function* () {
    try {
      yield* sleep(1000);
    } catch {
      // Caught the exit; carries on.
    }
    yield* sleep(ms);
    return 'outlived';
  });
}

killAllSuite('killAll({ timeout }) throws Timeout when a victim outlives it (gevent\'s killall); shutdown gives up silently', () =>
  simulate(function* () {
    const hub = getHub();
    const quick = spawn(napper, 1000);
    const slow = stubborn(500);
    yield* sleep(0);
    let caught: unknown;
    try {
      yield* killAll([quick, slow], { timeout: 50 });
    } catch (error) {
      caught = error;
    }
    assert.instance(caught, Timeout);
    assert.is((caught as Timeout).message, '50 ms');
    assert.is(hub.now(), 50);
    assert.ok(quick.dead);
    assert.not.ok(slow.dead, 'the straggler is alive, and the caller knows');

    // In time: nothing thrown; a Timeout given as the option is raised itself.
    const inTime = stubborn(10);
    yield* sleep(0);
    yield* killAll([inTime], { timeout: 50 });
    assert.is(hub.now(), 60);
    const mine = new Timeout(20);
    const late = stubborn(100);
    yield* sleep(0);
    try {
      yield* killAll([late], { timeout: mine });
      assert.unreachable('the Timeout should have been raised');
    } catch (error) {
      assert.is(error, mine);
    }
    assert.is(hub.now(), 80);

    stubborn(100);
    yield* sleep(0);
    yield* shutdown({ timeout: 30 });
    assert.is(hub.now(), 110, 'shutdown returned at its timeout, silently');
    yield* sleep(1000);
  }));

killAllSuite('shutdown() kills every other live greenlet of the hub, newest first', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const victim = (name: string) =>
      spawn(function* () {
        try {
          yield* sleep(1000);
        } finally {
          log(name);
        }
      });
    victim('old');
    victim('new');
    yield* sleep(0);
    yield* shutdown();
    assert.equal(lines, ['new', 'old']);
    assert.equal(getHub().greenlets(), [getCurrent()]);
  }));

killAllSuite.run();

const misc = suite('Greenlet bodies under joinAll');

misc('the tutorial: spawning ten tasks and joining them all', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const gs = Array.from({ length: 10 }, (_, i) => spawn((x: number) => log(`inside ${x}`), i));
    yield* joinAll(gs);
    assert.equal(lines, Array.from({ length: 10 }, (_, i) => `inside ${i}`));
    assert.ok(gs.every((g) => g instanceof Greenlet));
  }));

misc.run();
