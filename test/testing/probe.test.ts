import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExitSignal, getHub, joinAll, sleep, spawn, type Operation } from 'grove';
import { Actor, ask, monitor, type DownMessage, type ReplyTo } from 'grove/actors';
import { ExpectationFailed, TestProbe, explore, simulate, type ExploreFailure } from 'grove/testing';

async function failureOf(body: () => Operation<unknown>): Promise<ExpectationFailed> {
  try {
    await simulate(body);
  } catch (error) {
    assert.instance(error, ExpectationFailed);
    return error as ExpectationFailed;
  }
  throw new Error('the expectation did not fail');
}

/** A client of a flaky service: asks, and retries 30 s after a failure. */
type Reply = { type: 'request'; attempt: number } | { type: 'gave up' };
class RetryingClient extends Actor<'go' | 'failed'> {
  private attempt = 0;
  constructor(private readonly service: TestProbe<Reply>) {
    super({ name: 'client' });
  }
  protected *receive(message: 'go' | 'failed'): Operation<void> {
    if (message === 'failed') {
      if (this.attempt === 3) {
        this.service.send({ type: 'gave up' });
        this.stop();
        return;
      }
      yield* sleep(30_000);
    }
    this.attempt++;
    this.service.send({ type: 'request', attempt: this.attempt });
  }
}

const probe = suite('TestProbe');

probe('tests a protocol with 30 s retries instantly, message by message', async () => {
  const started = performance.now();
  await simulate(function* () {
    const service = new TestProbe<Reply>('service');
    const client = new RetryingClient(service).start();
    client.send('go');
    assert.equal(yield* service.expectMessage({ type: 'request', attempt: 1 }), { type: 'request', attempt: 1 });
    assert.is(getHub().now(), 0);
    client.send('failed');
    yield* service.expectNoMessage(29_999);
    yield* service.expectMessage((m) => m.type === 'request' && m.attempt === 2, { timeout: 31_000 });
    assert.is(getHub().now(), 30_000);
    client.send('failed');
    client.send('failed');
    yield* service.expectMessage({ type: 'request', attempt: 3 }, { timeout: 31_000 });
    assert.equal(yield* service.expectMessage({ type: 'gave up' }), { type: 'gave up' });
    assert.is(yield* service.expectExit(client, 'normal'), 'normal');
    assert.equal(
      service.history.map((a) => a.at),
      [0, 30_000, 60_000, 60_000],
    );
  });
  assert.ok(performance.now() - started < 2000);
});

probe('a wrong message fails with what was expected, what came and when', async () => {
  const failure = await failureOf(function* () {
    const p = new TestProbe<{ n: number }>('p');
    yield* sleep(250);
    p.send({ n: 2 });
    yield* p.expectMessage({ n: 1 });
  });
  assert.is(failure.message, 'TestProbe p: expected { n: 1 }, but got { n: 2 } at t=250');
});

probe('no message in time fails saying nothing arrived, and until when', async () => {
  const failure = await failureOf(function* () {
    const p = new TestProbe('p');
    yield* sleep(100);
    yield* p.expectMessage((m) => m === 'ping', { timeout: 500 });
  });
  // The predicate is quoted from its source, which depends on the compiler's formatting.
  assert.match(failure.message, /^TestProbe p: expected a message matching .*m ?=== ?["']ping["'] within 500 ms \(from t=100\), but nothing arrived by t=600$/);
});

probe('expectNoMessage fails on a message inside the window', async () => {
  const failure = await failureOf(function* () {
    const p = new TestProbe<string>('quiet');
    spawn(function* () {
      yield* sleep(40);
      p.send('noise');
    });
    yield* p.expectNoMessage(100);
  });
  assert.is(failure.message, "TestProbe quiet: expected no message for 100 ms (from t=0), but got 'noise' at t=40");
});

probe('receiveN returns the next n in order, or fails listing what came', async () => {
  await simulate(function* () {
    const p = new TestProbe<number>();
    for (const n of [1, 2, 3]) p.send(n);
    assert.equal(yield* p.receiveN(2), [1, 2]);
    assert.is(p.pending, 1);
  });
  const failure = await failureOf(function* () {
    const p = new TestProbe<number>('few');
    p.send(7);
    yield* p.receiveN(3, { timeout: 10 });
  });
  assert.is(failure.message, 'TestProbe few: expected 3 messages within 10 ms (from t=0), but got 1: 7 at t=0');
});

probe('expectExit checks the exit reason: a value, an error class or a predicate', async () => {
  await simulate(function* () {
    const p = new TestProbe();
    const crashes = spawn(() => {
      throw new RangeError('bad');
    });
    crashes.link(() => {});
    const shut = spawn(() => {
      throw new ExitSignal('shutdown');
    });
    yield* p.expectExit(crashes, RangeError);
    yield* p.expectExit(shut, 'shutdown');
    yield* p.expectExit(shut, (reason: unknown) => reason === 'shutdown');
    assert.is(yield* p.expectExit(spawn(() => 1)), 'normal');
  });
  const wrong = await failureOf(function* () {
    const p = new TestProbe('watcher');
    const g = spawn(() => 1);
    g.name = 'worker';
    yield* sleep(5);
    yield* p.expectExit(g, 'shutdown');
  });
  assert.is(wrong.message, "TestProbe watcher: expected worker to exit with 'shutdown', but it exited with 'normal' at t=5");
  const alive = await failureOf(function* () {
    const p = new TestProbe('watcher');
    const g = spawn(() => sleep(10_000));
    g.name = 'sleeper';
    yield* p.expectExit(g, 'normal', { timeout: 100 });
  });
  assert.is(alive.message, 'TestProbe watcher: expected sleeper to exit within 100 ms (from t=0), but it was still alive at t=100');
});

probe('a probe can watch: DOWN messages arrive like any other', () =>
  simulate(function* () {
    const p = new TestProbe<DownMessage>('watcher');
    const g = spawn(() => sleep(20));
    const ref = monitor(p, g);
    const down = yield* p.expectMessage((m) => m.type === 'DOWN');
    assert.is(down.ref, ref);
    assert.is(down.reason, 'normal');
  }));

probe('an expectation used without yield* is caught, like any blocking call', async () => {
  try {
    await simulate(function* () {
      const p = new TestProbe();
      p.expectMessage('x');
    });
    assert.unreachable('not caught');
  } catch (error) {
    assert.match((error as Error).message, /^TestProbe.expectMessage\(\) was called without yield\*/);
  }
});

probe('bad input is rejected eagerly', () =>
  simulate(function* () {
    const p = new TestProbe();
    assert.throws(() => p.expectMessage(1, { timeout: -1 }), /TestProbe.expectMessage: timeout must be a non-negative number of ms, got -1/);
    assert.throws(() => p.receiveN(1.5), /TestProbe.receiveN: n must be a non-negative integer, got 1.5/);
    assert.throws(() => p.expectNoMessage(NaN), /TestProbe.expectNoMessage: timeout must be a non-negative number of ms, got NaN/);
  }));

probe('bad input names the call and the argument: a non-number timeout, bad options, a non-greenlet to expectExit', () =>
  simulate(function* () {
    const p = new TestProbe();
    assert.throws(() => p.expectMessage(1, { timeout: '5' as never }), (e: Error) => e instanceof TypeError && /^TestProbe.expectMessage: timeout must be a number of ms, got "5"$/.test(e.message));
    assert.throws(() => p.receiveN(1, null as never), /^TestProbe.receiveN: options must be an object, got null$/);
    assert.throws(() => p.expectExit({} as never, 'normal'), (e: Error) => e instanceof TypeError && /^TestProbe.expectExit: greenlet must be a Greenlet or an Actor, got an object$/.test(e.message));
    assert.throws(() => p.expectExit(p, 'normal', { timeout: -1 }), /^TestProbe.expectExit: timeout must be a non-negative number of ms, got -1$/);
  }));

probe('a message already sent is seen at once, before the probe has run: pending, expectMessage with timeout 0, expectNoMessage', () =>
  simulate(function* () {
    const p = new TestProbe<string>('p');
    p.send('x');
    assert.is(p.pending, 1);
    assert.is(yield* p.expectMessage('x', { timeout: 0 }), 'x');
    p.send('y');
    let error: unknown;
    try {
      yield* p.expectNoMessage(0);
    } catch (e) {
      error = e;
    }
    assert.instance(error, ExpectationFailed);
    assert.is((error as Error).message, "TestProbe p: expected no message for 0 ms (from t=0), but got 'y' at t=0");
    assert.equal(p.history, [
      { message: 'x', at: 0 },
      { message: 'y', at: 0 },
    ]);
  }),
);

probe('monitoring a dead actor: the noproc DOWN is there for expectMessage with timeout 0', () =>
  simulate(function* () {
    const p = new TestProbe<DownMessage>('watcher');
    const target = spawn(function* () {});
    yield* target.join();
    monitor(p, target);
    const down = yield* p.expectMessage((m) => m.type === 'DOWN', { timeout: 0 });
    assert.is(down.reason, 'noproc');
  }),
);

probe('a message sent exactly at the deadline, by a greenlet woken just before, arrives in time', () =>
  simulate(function* () {
    const p = new TestProbe<string>('p');
    spawn(function* () {
      yield* sleep(100);
      p.send('edge');
    });
    yield* sleep(0); // the sender's timer is registered before the expectation's
    assert.is(yield* p.expectMessage('edge', { timeout: 100 }), 'edge');
    assert.is(getHub().now(), 100);
    spawn(function* () {
      yield* sleep(50);
      p.send('late');
    });
    yield* sleep(0);
    const failure = yield* (function* () {
      try {
        yield* p.expectNoMessage(50);
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    assert.is(failure?.message, "TestProbe p: expected no message for 50 ms (from t=100), but got 'late' at t=150");
  }),
);

probe('failure messages show actors by name, not their object graph', async () => {
  const failure = await failureOf(function* () {
    const p = new TestProbe<DownMessage>('watcher');
    const target = spawn(function* () {});
    target.name = 'worker';
    monitor(p, target);
    yield* p.expectMessage((m) => m.reason === 'crashed', { timeout: 10 });
  });
  assert.match(failure.message, /^TestProbe watcher: expected a message matching .*, but got \{ type: 'DOWN', ref: #Ref<\d+>, target: <Greenlet "worker">, reason: 'normal' \} at t=0$/);
});

probe.run();

/**
 * The racy protocol of issue 6, with actors: two clients each read a counter
 * from a store actor and write it back plus one, with no lock. The second
 * client starts a little later; in FIFO order it happens to read after the
 * first has written, so the count is right.
 */
type StoreMessage = { type: 'get'; replyTo: ReplyTo<number> } | { type: 'set'; value: number; replyTo: ReplyTo<number> };
class Store extends Actor<StoreMessage> {
  count = 0;
  protected receive(message: StoreMessage): void {
    if (message.type === 'set') this.count = message.value;
    message.replyTo.reply(this.count);
  }
}
class Incrementer extends Actor<'go'> {
  constructor(
    private readonly store: Store,
    private readonly delay: number,
  ) {
    super();
  }
  protected *receive(): Operation<void> {
    for (let i = 0; i < this.delay; i++) yield* sleep(0);
    const value = yield* ask(this.store, (replyTo: ReplyTo<number>) => ({ type: 'get', replyTo }));
    yield* ask(this.store, (replyTo: ReplyTo<number>) => ({ type: 'set', value: value + 1, replyTo }));
    this.stop();
  }
}
function* incrementTwice(): Operation<number> {
  const store = new Store().start();
  const clients = [new Incrementer(store, 0).start(), new Incrementer(store, 3).start()];
  for (const client of clients) client.send('go');
  yield* joinAll(clients);
  store.stop();
  return store.count;
}
function* incrementTwiceMustCountTwo(): Operation<void> {
  const count = yield* incrementTwice();
  if (count !== 2) throw new Error(`lost update: the store holds ${count}, expected 2`);
}

const race = suite('Exploring an actor race');

race('passes in FIFO order; exploration finds the lost update; the seed replays it', async () => {
  assert.is(await simulate(incrementTwice), 2);
  let replay: ExploreFailure['replay'] = {};
  try {
    await explore(incrementTwiceMustCountTwo, { seeds: 300 });
    assert.unreachable('no seed found the race');
  } catch (error) {
    const failure = error as ExploreFailure;
    replay = failure.replay;
    assert.is((failure.cause as Error).message, 'lost update: the store holds 1, expected 2');
  }
  for (let i = 0; i < 3; i++) assert.is(await simulate(incrementTwice, replay), 1);
});

race.run();
