import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ExitSignal,
  Greenlet,
  GreenletExit,
  Timeout,
  exitReason,
  getCurrent,
  getHub,
  joinAll,
  sleep,
  spawn,
  spawnLater,
  type Operation,
} from 'grove';
import { simulate } from 'grove/testing';
import { errorSink, recorder } from '../support.js';

const state = suite('Greenlet state');

state('a constructed greenlet does not run until started, then runs when the starter blocks', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const g = new Greenlet(() => log('ran'));
    yield* sleep(0);
    assert.not.ok(g.started);
    assert.equal(lines, []);
    assert.is(g.start(), g);
    assert.ok(g.started);
    assert.equal(lines, []);
    yield* sleep(0);
    assert.equal(lines, ['ran']);
  }));

state('value, exception, ready(), successful() and dead of a winner and a loser', () =>
  simulate(function* () {
    const failure = new Error('lost');
    const winner = spawn(() => 'won');
    const loser = spawn((): string => {
      throw failure;
    });
    assert.not.ok(winner.ready());
    assert.is(winner.value, undefined);
    yield* joinAll([winner, loser]);
    assert.is(winner.value, 'won');
    assert.is(winner.exception, undefined);
    assert.ok(winner.ready() && winner.dead && winner.successful());
    assert.is(loser.value, undefined);
    assert.is(loser.exception, failure);
    assert.ok(loser.ready() && loser.dead);
    assert.not.ok(loser.successful());
    assert.ok(winner.started, 'started stays true after death');
  }));

state('ids increase and names default to "<Class>-<id>"', () =>
  simulate(function* () {
    class Worker extends Greenlet<void> {
      protected override *run(): Operation<void> {}
    }
    const a = new Greenlet(() => 1);
    const b = new Worker();
    assert.ok(b.id > a.id);
    assert.is(a.name, `Greenlet-${a.id}`);
    assert.is(b.name, `Worker-${b.id}`);
    b.name = 'custom';
    assert.is(b.name, 'custom');
    assert.is(String(b), '<Worker "custom">');
    assert.throws(() => (b.name = 5 as unknown as string), /Greenlet.name must be a string, got 5/);
  }));

state('starting twice is an error; starting a greenlet killed before it started does nothing', () =>
  simulate(function* () {
    const g = spawn(() => 1);
    assert.throws(() => g.start(), (e: Error) => e.message === `Greenlet.start: ${g.name} was already started`);
    const k = new Greenlet(() => assert.unreachable('killed greenlet ran'));
    k.kill();
    k.start();
    yield* sleep(0);
    assert.ok(k.dead);
    assert.not.ok(k.started);
  }));

state('startLater and spawnLater start after the delay', () =>
  simulate(function* () {
    const hub = getHub();
    const g = new Greenlet(() => hub.now()).startLater(250);
    const h = spawnLater(100, (x: number) => x * 2, 21);
    assert.is(yield* h.get(), 42);
    assert.is(hub.now(), 100);
    assert.is(yield* g.get(), 250);
  }));

state('plain functions, async functions and generator functions are all bodies; args are passed', () =>
  simulate(function* () {
    const plain = spawn((a: number, b: number) => a + b, 2, 3);
    const asyncBody = spawn(async (s: string) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return s.toUpperCase();
    }, 'ok');
    const generator = spawn(function* (n: number): Operation<number> {
      yield* sleep(10);
      return n + 1;
    }, 41);
    const returnsGenerator = spawn(() => generator.get());
    yield* joinAll([plain, asyncBody, generator]);
    assert.is(plain.value, 5);
    assert.is(yield* asyncBody.get(), 'OK');
    assert.is(yield* generator.get(), 42);
    assert.is(yield* returnsGenerator.get(), 42);
  }));

state('a subclass overrides run(); a Greenlet with neither fn nor run() is an error', () =>
  simulate(function* () {
    class Counter extends Greenlet<number> {
      constructor(private readonly to: number) {
        super();
      }
      protected override *run(): Operation<number> {
        let n = 0;
        while (n < this.to) {
          n++;
          yield* sleep(1);
        }
        return n;
      }
    }
    assert.is(yield* new Counter(3).start().get(), 3);
    assert.is(yield* Counter.spawn(2).get(), 2);
    assert.throws(
      () => new Greenlet(),
      (e: Error) => e instanceof TypeError && e.message === 'new Greenlet: give it a function to run, or subclass Greenlet and override run()',
    );
  }));

state('an async body that rejects fails the greenlet with the rejection', () =>
  simulate(function* () {
    const reason = new Error('rejected');
    const g = spawn(async () => {
      throw reason;
    });
    yield* g.join();
    assert.is(g.exception, reason);
  }));

state('exitReason: normal, killed, an ExitSignal reason, or the error', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const error = new Error('bad');
      const normal = spawn(() => 1);
      const killed = spawn(function* () {
        yield* sleep(10);
      });
      const signalled = spawn(() => {
        throw new ExitSignal('shutdown');
      });
      const failed = spawn(() => {
        throw error;
      });
      failed.name = 'failed';
      assert.is(exitReason(normal), undefined);
      yield* sleep(0);
      killed.kill();
      yield* joinAll([normal, killed, signalled, failed]);
      assert.equal([normal, killed, signalled, failed].map(exitReason), ['normal', 'killed', 'shutdown', error]);
    },
    { onError: sink.onError },
  );
  // `failed` died before anyone joined it: the hub reports it (the ExitSignal is a signal, never reported).
  assert.equal(sink.reports, ['failed: greenlet: Error: bad']);
});

state.run();

const waiting = suite('Greenlet join and get');

waiting('join() waits for the death and returns true; it never throws the greenlet error', () =>
  simulate(function* () {
    const g = spawn(function* () {
      yield* sleep(100);
      throw new Error('ignored by join');
    });
    assert.is(yield* g.join(), true);
    assert.is(getHub().now(), 100);
    assert.is(yield* g.join(), true);
  }));

waiting('join({ timeout }) returns false when the time is up, and the greenlet runs on', () =>
  simulate(function* () {
    const g = spawn(function* () {
      yield* sleep(100);
      return 'finished';
    });
    assert.is(yield* g.join({ timeout: 30 }), false);
    assert.is(getHub().now(), 30);
    assert.is(yield* g.join({ timeout: 0 }), false);
    assert.is(yield* g.get(), 'finished');
  }));

waiting('get() returns the value or rethrows the very same error', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const error = new RangeError('exact instance');
      const good = spawn(() => 7);
      const bad = spawn(() => {
        throw error;
      });
      bad.name = 'bad';
      assert.is(yield* good.get(), 7);
      try {
        yield* bad.get();
        assert.unreachable('get did not throw');
      } catch (e) {
        assert.is(e, error);
      }
    },
    { onError: sink.onError },
  );
  // `bad` died while the main waited for `good`, before its own get(): reported, as in gevent.
  assert.equal(sink.reports, ['bad: greenlet: RangeError: exact instance']);
});

waiting('get({ timeout }) throws a Timeout naming the ms; get({ timeout: 0 }) never blocks', () =>
  simulate(function* () {
    const g = spawn(function* () {
      yield* sleep(100);
    });
    try {
      yield* g.get({ timeout: 50 });
      assert.unreachable('no timeout');
    } catch (e) {
      assert.instance(e, Timeout);
      assert.is((e as Timeout).message, '50 ms');
    }
    assert.is(getHub().now(), 50);
    try {
      yield* g.get({ timeout: 0 });
      assert.unreachable('no timeout');
    } catch (e) {
      assert.instance(e, Timeout);
    }
    assert.is(getHub().now(), 50);
  }));

waiting('a Timeout passed as { timeout } is raised itself, and cancelled when the call returns', () =>
  simulate(function* () {
    const slow = spawn(function* () {
      yield* sleep(100);
    });
    const timer = new Timeout(40);
    try {
      yield* slow.join({ timeout: timer });
      assert.unreachable('join returned');
    } catch (e) {
      assert.is(e, timer);
    }
    const quick = spawn(() => 1);
    const unused = new Timeout(40);
    yield* quick.join({ timeout: unused });
    assert.not.ok(unused.pending);
    yield* sleep(100); // the cancelled Timeout never fires
  }));

waiting('joiners are resumed in the order they joined, each running until it blocks', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const target = spawn(function* () {
      yield* sleep(10);
    });
    const joiner = (name: string) =>
      spawn(function* () {
        yield* target.join();
        log(`${name} resumed`);
        yield* sleep(0);
        log(`${name} again`);
      });
    target.link(() => log('link callback'));
    yield* joinAll([joiner('a'), target, joiner('b')]);
    // The callback was linked before either joiner ran, so it comes first.
    assert.equal(lines, ['link callback', 'a resumed', 'b resumed', 'a again', 'b again']);
  }));

waiting('a greenlet cannot join or get itself', () =>
  simulate(function* () {
    const me = getCurrent();
    assert.throws(() => me.join(), (e: Error) => e.message === `Greenlet.join: ${me.name} cannot join itself`);
    assert.throws(() => me.get(), (e: Error) => e.message === `Greenlet.get: ${me.name} cannot wait for itself`);
  }));

waiting('bad options are rejected with the call and the value named', () =>
  simulate(function* () {
    const g = spawn(() => 1);
    assert.throws(() => g.join({ timeout: -1 }), (e: Error) => e instanceof RangeError && e.message === 'Greenlet.join: timeout must be a non-negative number of ms, got -1');
    assert.throws(() => g.get({ timeout: NaN }), /Greenlet.get: timeout must be a non-negative number of ms, got NaN/);
    assert.throws(() => g.join({ timeout: '5' as unknown as number }), (e: Error) => e instanceof TypeError && /got "5"/.test(e.message));
    assert.throws(() => g.join(5 as never), /Greenlet.join: options must be an object, got 5/);
    yield* g.join();
  }));

waiting.run();

const killing = suite('Greenlet kill');

killing('kill raises GreenletExit where the greenlet is blocked, so finally runs; it ends successful', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const g = spawn(function* () {
      try {
        yield* sleep(1000);
        log('not reached');
      } finally {
        log('finally');
      }
    });
    yield* sleep(0);
    yield* g.kill();
    assert.equal(lines, ['finally']);
    assert.ok(g.successful());
    assert.instance(g.value, GreenletExit);
    assert.is(g.exception, undefined);
    assert.is(getHub().now(), 0);
  }));

killing('kill takes effect when called and does not block; yield* waits for the death, cleanup included', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const g = spawn(function* () {
      try {
        yield* sleep(1000);
      } finally {
        yield* sleep(50);
        log('cleaned up');
      }
    });
    yield* sleep(0);
    g.kill();
    assert.not.ok(g.dead);
    yield* g.join();
    assert.equal(lines, ['cleaned up']);
    assert.is(getHub().now(), 50);
  }));

killing('killing a greenlet that never ran means it never runs; its links still fire, on the next turn', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const g = spawn(() => log('body ran'));
    g.link(() => log('link'));
    g.kill();
    assert.ok(g.dead);
    assert.ok(g.successful());
    assert.instance(g.value, GreenletExit);
    // Issue 13: it was started, and started stays true after death (it read false before).
    assert.ok(g.started);
    g.start(); // does nothing, as gevent's start() on a greenlet killed before it ran
    assert.equal(lines, []);
    yield* sleep(0);
    assert.equal(lines, ['link']);
    assert.instance(yield* g.get(), GreenletExit);
  }));

killing('kill({ exception }) raises a class (instantiated) or an instance, and the greenlet fails with it', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      class Stop extends Error {}
      const instance = new Error('given');
      const a = spawn(function* () {
        yield* sleep(100);
      });
      const b = spawn(function* () {
        yield* sleep(100);
      });
      a.name = 'a';
      b.name = 'b';
      yield* sleep(0);
      yield* a.kill({ exception: Stop });
      yield* b.kill({ exception: instance });
      assert.instance(a.exception, Stop);
      assert.is(b.exception, instance);
      assert.not.ok(a.successful());
      assert.throws(() => a.kill({ exception: 'nope' as never }), /Greenlet.kill: exception must be an Error class or instance, got "nope"/);
    },
    { onError: sink.onError },
  );
  // Killed with an error, not GreenletExit, and nobody watching: each failure is reported.
  assert.equal(sink.reports, ['a: greenlet: Error: ', 'b: greenlet: Error: given']);
});

killing('a greenlet that catches GreenletExit and returns a value ends successful with that value', () =>
  simulate(function* () {
    const g = spawn(function* () {
      try {
        yield* sleep(100);
        return 'normal';
      } catch (e) {
        if (!(e instanceof GreenletExit)) throw e;
        return 'caught the kill';
      }
    });
    yield* sleep(0);
    yield* g.kill();
    assert.is(g.value, 'caught the kill');
  }));

killing('kill({ timeout }) gives up silently when the victim swallows the exit and carries on', () =>
  simulate(function* () {
    const stubborn = spawn(function* () {
      for (;;) {
        try {
          yield* sleep(1000);
        } catch {
          // swallows every interrupt
        }
      }
    });
    yield* sleep(0);
    yield* stubborn.kill({ timeout: 30 });
    assert.not.ok(stubborn.dead);
    assert.is(getHub().now(), 30);
    yield* stubborn.kill({ exception: new Error('really'), timeout: 10 });
    assert.not.ok(stubborn.dead);
  }));

killing('killing a dead greenlet does nothing', () =>
  simulate(function* () {
    const g = spawn(() => 'done');
    yield* g.join();
    yield* g.kill();
    assert.is(g.value, 'done');
  }));

killing('a kill interrupts sleep(0) too', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const g = spawn(function* () {
      try {
        for (;;) yield* sleep(0);
      } finally {
        log('interrupted');
      }
    });
    yield* sleep(0);
    g.kill();
    yield* sleep(0);
    assert.ok(g.dead);
    assert.equal(lines, ['interrupted']);
  }));

killing('the running greenlet killing itself raises at once', () =>
  simulate(function* () {
    const g = spawn(function* () {
      getCurrent().kill();
      return 'not reached';
    });
    yield* g.join();
    assert.instance(g.value, GreenletExit);
  }));

killing('a greenlet killed while joining another leaves its list: the later death does not resume it', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const target = spawn(function* () {
      yield* sleep(100);
    });
    const joiner = spawn(function* () {
      try {
        yield* target.join();
        log('joined');
      } finally {
        log('joiner finally');
      }
    });
    yield* sleep(10);
    yield* joiner.kill();
    yield* target.join();
    yield* sleep(0);
    assert.equal(lines, ['joiner finally']);
  }));

killing('two interrupts in a row are both delivered, the second at the next blocking point', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const g = spawn(function* () {
      for (let i = 0; i < 3; i++) {
        try {
          yield* sleep(100);
        } catch (e) {
          log((e as Error).message);
        }
      }
    });
    yield* sleep(0);
    g.kill({ exception: new Error('first') });
    g.kill({ exception: new Error('second') });
    yield* g.join();
    assert.equal(lines, ['first', 'second']);
    assert.is(getHub().now(), 100);
  }));

killing('the AbortSignal aborts on kill with the kill exception, also if read after the kill', () =>
  simulate(function* () {
    const g = spawn(function* () {
      yield* sleep(100);
    });
    const signal = g.signal;
    assert.not.ok(signal.aborted);
    yield* sleep(0);
    g.kill();
    assert.ok(signal.aborted);
    assert.instance(signal.reason, GreenletExit);
    const h = spawn(() => 1);
    h.kill();
    assert.ok(h.signal.aborted);
  }));

killing.run();

const links = suite('Greenlet links');

links('links run in the hub after death, in the order added, and receive the greenlet', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const g = spawn(() => 1);
    g.name = 'target';
    g.link((x) => log(`a ${x.name}`));
    g.link((x) => log(`b ${x.value}`));
    yield* g.join();
    log('joined');
    yield* sleep(0);
    assert.equal(lines, ['a target', 'b 1', 'joined']);
  }));

links('a link added after death fires on the next turn, never synchronously', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const g = spawn(() => 1);
    yield* g.join();
    g.link(() => log('late link'));
    log('after link()');
    yield* sleep(0);
    assert.equal(lines, ['after link()', 'late link']);
  }));

links('linkValue fires on success (a GreenletExit kill included), linkException on failure, unlink removes', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const ok = spawn(() => 1);
    const bad = spawn(() => {
      throw new Error('x');
    });
    const killed = spawn(function* () {
      yield* sleep(10);
    });
    const removed = () => log('removed ran');
    for (const [name, g] of [['ok', ok], ['bad', bad], ['killed', killed]] as const) {
      g.linkValue(() => log(`${name} value`));
      g.linkException(() => log(`${name} exception`));
      g.link(removed);
      g.unlink(removed);
    }
    yield* sleep(0);
    killed.kill();
    yield* joinAll([ok, bad, killed]);
    yield* sleep(0);
    assert.equal(lines, ['ok value', 'bad exception', 'killed value']);
  }));

links('link callbacks must be functions', () =>
  simulate(function* () {
    const g = spawn(() => 1);
    assert.throws(() => g.link(null as never), /Greenlet.link: callback must be a function, got null/);
    assert.throws(() => g.linkValue(1 as never), /Greenlet.linkValue: callback must be a function, got 1/);
    yield* g.join();
  }));

links.run();

const input = suite('Greenlet bad input');

input('spawn, spawnLater and new Greenlet name a non-function', () => {
  assert.throws(() => spawn(42 as never), (e: Error) => e instanceof TypeError && e.message === 'spawn: fn must be a function, got 42');
  assert.throws(() => spawnLater(10, 'x' as never), /spawnLater: fn must be a function, got "x"/);
  assert.throws(() => spawnLater(-5, () => 1), (e: Error) => e instanceof RangeError && e.message === 'spawnLater: ms must be a non-negative number of ms, got -5');
  assert.throws(() => new Greenlet({} as never), /new Greenlet: fn must be a function, got an object/);
  assert.throws(() => new Greenlet(() => 1).startLater(NaN), /Greenlet.startLater: ms must be a non-negative number of ms, got NaN/);
});

input('getCurrent() outside a greenlet says to use run()', () => {
  assert.throws(() => getCurrent(), /getCurrent\(\) must be called inside a greenlet: start one with run\(function\* \(\) \{ \.\.\. \}\) or spawn\(\)/);
});

input('an unhandled failure of an unwatched greenlet is reported once', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const g = spawn(() => {
        throw new Error('unwatched');
      });
      g.name = 'lonely';
      yield* sleep(0);
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, ['lonely: greenlet: Error: unwatched']);
});

input.run();
