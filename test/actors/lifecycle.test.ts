import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Greenlet, QueueShutDown, Timeout, exitReason, getCurrent, getHub, joinAll, shutdown, sleep, spawn, type Operation } from 'grove';
import { Actor, AskFailed, StartFailed, ask, exit, type ReplyTo } from 'grove/actors';
import { simulate } from 'grove/testing';
import { errorSink, recorder } from '../support.js';
import { PARENT } from '../../lib/internal/keys.js';

/** An actor that logs its life: init (taking `initMs`, or failing), each message (taking `ms`), terminate. */
class Service extends Actor<{ ms: number; tag: string } | 'crash'> {
  constructor(
    private readonly log: (line: string) => void,
    private readonly opts: { initMs?: number; initError?: Error; terminateMs?: number; trapExit?: boolean; name?: string } = {},
  ) {
    super({ name: opts.name ?? 'svc', trapExit: opts.trapExit });
  }
  protected override *init(): Operation<void> {
    this.log(`init at ${getHub().now()}`);
    if (this.opts.initMs !== undefined) yield* sleep(this.opts.initMs);
    if (this.opts.initError !== undefined) throw this.opts.initError;
    this.log(`up at ${getHub().now()}`);
  }
  protected override *receive(message: { ms: number; tag: string } | 'crash'): Operation<void> {
    if (message === 'crash') throw new Error('crashed');
    this.log(`${message.tag} begins at ${getHub().now()}`);
    yield* sleep(message.ms);
    this.log(`${message.tag} done at ${getHub().now()}`);
  }
  protected override *terminate(reason: unknown): Operation<void> {
    this.log(`terminate(${reason instanceof Error ? reason.message : String(reason)}) at ${getHub().now()}`);
    if (this.opts.terminateMs !== undefined) yield* sleep(this.opts.terminateMs);
    this.log(`terminated at ${getHub().now()}`);
  }
}

const up = suite('Actor: init and up()');

up('init runs before the first message; up() returns when it does; messages sent meanwhile wait', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const svc = new Service(log, { initMs: 30 }).start();
    svc.send({ ms: 0, tag: 'early' });
    yield* svc.up();
    log(`caller sees it up at ${getHub().now()}`);
    yield* sleep(0);
    // The actor runs on until it blocks (in its first message) before the caller resumes: gevent's order.
    assert.equal(lines, ['init at 0', 'up at 30', 'early begins at 30', 'caller sees it up at 30', 'early done at 30']);
    yield* svc.up(); // up already: at once
    assert.is(getHub().now(), 30);
    svc.stop();
  }));

up('an actor without init is up as soon as it runs, before its first message', () =>
  simulate(function* () {
    const got: string[] = [];
    class Plain extends Actor<string> {
      receive(m: string): void {
        got.push(m);
      }
    }
    const a = new Plain().start();
    yield* a.up();
    assert.is(getHub().now(), 0);
    a.send('x');
    assert.equal(got, [], 'up, and idle on its inbox');
    yield* sleep(0);
    assert.equal(got, ['x']);
    a.stop();
  }));

up('an error in init is a failed start: up() throws StartFailed with it as cause; terminate does not run', async () => {
  const sink = errorSink();
  const bad = new Error('no config');
  await simulate(
    function* () {
      const { lines, log } = recorder();
      const svc = new Service(log, { initMs: 5, initError: bad }).start();
      let error: unknown;
      try {
        yield* svc.up();
      } catch (e) {
        error = e;
      }
      assert.instance(error, StartFailed);
      assert.is((error as StartFailed).message, '<Service "svc"> exited with Error: no config before it was up');
      assert.is((error as StartFailed).reason, bad);
      assert.is((error as StartFailed).cause, bad);
      assert.is((error as StartFailed).actor, svc);
      assert.equal(lines, ['init at 0']);
      assert.is(getHub().now(), 5);
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, ['svc: greenlet: Error: no config']);
});

up('an error in the first receive is an ordinary exit, not a failed start: up() returns', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const { lines, log } = recorder();
      const svc = new Service(log).start();
      svc.send('crash');
      yield* sleep(0);
      assert.ok(svc.dead);
      yield* svc.up(); // it was up before it crashed
      assert.equal(lines, ['init at 0', 'up at 0', 'terminate(crashed) at 0', 'terminated at 0']);
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, ['svc: greenlet: Error: crashed']);
});

up('up({ timeout }) throws Timeout when init takes longer; killed before it is up, StartFailed "killed"', () =>
  simulate(function* () {
    const { log } = recorder();
    const slow = new Service(log, { initMs: 100 }).start();
    let error: unknown;
    try {
      yield* slow.up({ timeout: 40 });
    } catch (e) {
      error = e;
    }
    assert.instance(error, Timeout);
    assert.is(getHub().now(), 40);
    spawn(() => slow.kill());
    try {
      yield* slow.up();
    } catch (e) {
      error = e;
    }
    assert.instance(error, StartFailed);
    assert.is((error as StartFailed).reason, 'killed');
    assert.is((error as StartFailed).message, '<Service "svc"> exited with killed before it was up');
  }));

up('up() and ask on an actor never started fail at once, saying to start it; up() validates its options', () =>
  simulate(function* () {
    type Get = { type: 'get'; replyTo: ReplyTo<number> };
    class Idle extends Actor<Get> {
      receive(m: Get): void {
        m.replyTo.reply(1);
      }
    }
    const idle = new Idle({ name: 'idle' });
    assert.throws(() => idle.up(), (e: Error) => e.message === 'Actor.up: <Idle "idle"> was never started: call start() on it first (or give it to a supervisor)');
    assert.throws(
      () => ask(idle, (replyTo) => ({ type: 'get', replyTo })),
      (e: Error) => e.message === 'ask: <Idle "idle"> was never started: call start() on it first (or give it to a supervisor)',
    );
    assert.throws(() => idle.up({ timeout: -1 }), /Actor.up: timeout must be a non-negative number of ms, got -1/);
    idle.start();
    assert.is(yield* ask(idle, (replyTo) => ({ type: 'get', replyTo })), 1);
    idle.stop();
  }));

up('a run() override that never reaches super.run() is up at its first blocking point', () =>
  simulate(function* () {
    class Custom extends Actor<string> {
      steps = 0;
      protected override *run(): Operation<void> {
        this.steps++;
        yield* sleep(10);
        this.steps++;
      }
      receive(): void {}
    }
    const c = new Custom().start();
    yield* c.up();
    assert.is(c.steps, 1);
    assert.is(getHub().now(), 0);
  }));

up('init and terminate must be generator methods when they return something', () =>
  simulate(
    function* () {
      class Odd extends Actor<string> {
        protected override init(): Operation<void> {
          return 5 as unknown as Operation<void>;
        }
        receive(): void {}
      }
      const odd = new Odd({ name: 'odd' }).start();
      yield* odd.join();
      assert.is(
        (odd.exception as Error).message,
        'odd.init returned 5: write it as a generator method (*init) when it blocks, or a plain method returning nothing',
      );
    },
    { onError: () => {} },
  ));

up.run();

const terminate = suite('Actor: terminate(reason)');

terminate('runs after stop() from inside or outside (normal), a crash (the error) and an exit signal (its reason); not after a plain kill', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const { lines, log } = recorder();
      const stopped = new Service(log, { name: 'a' }).start();
      yield* sleep(0);
      stopped.stop();
      const crashed = new Service(log, { name: 'b' }).start();
      crashed.send('crash');
      const signalled = new Service(log, { name: 'c' }).start();
      yield* sleep(0);
      exit(signalled, 'bye');
      const killed = new Service(log, { name: 'd' }).start();
      yield* sleep(0);
      killed.kill();
      yield* sleep(0);
      assert.equal(lines.filter((l) => l.startsWith('terminate(')), ['terminate(normal) at 0', 'terminate(crashed) at 0', 'terminate(bye) at 0']);
      assert.equal([stopped, crashed, signalled, killed].map((g) => String(exitReason(g) instanceof Error ? 'crashed' : exitReason(g))), [
        'normal',
        'crashed',
        'bye',
        'killed',
      ]);
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, ['b: greenlet: Error: crashed']);
});

terminate('may block; a kill while it blocks ends it where it is; an error it throws becomes the exit reason', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const { lines, log } = recorder();
      const slow = new Service(log, { name: 'slow', terminateMs: 50 }).start();
      yield* sleep(0);
      slow.stop();
      yield* slow.join();
      assert.is(getHub().now(), 50);
      assert.equal(lines.slice(-2), ['terminate(normal) at 0', 'terminated at 50']);
      const cut = new Service(log, { name: 'cut', terminateMs: 50 }).start();
      yield* sleep(0);
      cut.stop();
      yield* sleep(10);
      yield* cut.kill();
      assert.is(exitReason(cut), 'killed');
      assert.equal(lines.slice(-1), ['terminate(normal) at 50']);
      const failing = new (class extends Actor<string> {
        receive(): void {}
        protected override terminate(): void {
          throw new Error('flush failed');
        }
      })({ name: 'failing' }).start();
      yield* sleep(0);
      failing.stop();
      yield* sleep(0);
      assert.is((exitReason(failing) as Error).message, 'flush failed');
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, ['failing: greenlet: Error: flush failed']);
});

terminate.run();

const stopping = suite('Actor: stop({ drain }) and a stop by the parent');

stopping('stop({ drain: true }) handles every message already queued, then stops "normal"; later ones are dead letters', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const { lines, log } = recorder();
      const svc = new Service(log).start();
      svc.send({ ms: 10, tag: 'one' });
      svc.send({ ms: 10, tag: 'two' });
      svc.stop({ drain: true });
      svc.send({ ms: 10, tag: 'late' });
      assert.not.ok(svc.dead);
      yield* svc.join();
      assert.equal(lines, [
        'init at 0',
        'up at 0',
        'one begins at 0',
        'one done at 10',
        'two begins at 10',
        'two done at 20',
        'terminate(normal) at 20',
        'terminated at 20',
      ]);
      assert.is(exitReason(svc), 'normal');
      assert.throws(() => svc.stop({ drain: 'yes' as never }), /Actor.stop: drain must be a boolean, got "yes"/);
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, [
    "svc: deadLetter: DeadLetter: dead letter #1: { ms: 10, tag: 'late' } was still queued in <Service \"svc\">, which exited with normal",
  ]);
});

stopping('a trapping actor stopped by its parent finishes the message in hand, then ends "shutdown"; a non-trapping one is interrupted', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const { lines, log } = recorder();
      const parent = getCurrent();
      const trapping = new Service(log, { name: 'trapping', trapExit: true }).start();
      const plain = new Service(log, { name: 'plain' }).start();
      trapping[PARENT] = parent;
      plain[PARENT] = parent;
      trapping.send({ ms: 30, tag: 't-job' });
      trapping.send({ ms: 30, tag: 't-next' });
      plain.send({ ms: 30, tag: 'p-job' });
      yield* sleep(10);
      exit(trapping, 'shutdown');
      exit(plain, 'shutdown');
      yield* trapping.join();
      yield* plain.join();
      assert.equal(lines, [
        'init at 0',
        'up at 0',
        't-job begins at 0',
        'init at 0',
        'up at 0',
        'p-job begins at 0',
        'terminate(shutdown) at 10',
        'terminated at 10',
        't-job done at 30',
        'terminate(shutdown) at 30',
        'terminated at 30',
      ]);
      assert.is(exitReason(trapping), 'shutdown');
      assert.is(exitReason(plain), 'shutdown');
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, [
    "trapping: deadLetter: DeadLetter: dead letter #1: { ms: 30, tag: 't-next' } was still queued in <Service \"trapping\">, which exited with shutdown",
  ]);
});

stopping('exit(actor, reason) from a greenlet that is not its parent reaches a trapping actor as an EXIT message', () =>
  simulate(function* () {
    const seen: unknown[] = [];
    class Trapper extends Actor<unknown> {
      receive(m: unknown): void {
        seen.push(m);
      }
    }
    const t = new Trapper({ trapExit: true }).start();
    const stranger = new Greenlet(function* () {
      exit(t, 'shutdown');
    }).start();
    yield* stranger.join();
    yield* sleep(0);
    assert.equal(seen, [{ type: 'EXIT', from: stranger, reason: 'shutdown' }]);
    assert.not.ok(t.dead);
    t.stop();
  }));

stopping('shutdown() stops actors as a parent would: a trapping one finishes its message; terminate runs', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const svc = new Service(log, { trapExit: true }).start();
    const worker = spawn(function* () {
      try {
        yield* sleep(1000);
      } finally {
        log(`greenlet killed at ${getHub().now()}`);
      }
    });
    svc.send({ ms: 20, tag: 'job' });
    yield* sleep(5);
    yield* shutdown();
    assert.equal(lines, [
      'init at 0',
      'up at 0',
      'job begins at 0',
      'greenlet killed at 5',
      'job done at 20',
      'terminate(shutdown) at 20',
      'terminated at 20',
    ]);
    assert.is(exitReason(svc), 'shutdown');
    assert.is(exitReason(worker), 'killed');
  }));

stopping.run();

const dead = suite('Actor: dead letters and a dead inbox');

dead('the first logDeadLetters are reported, the last saying so; all are counted on the hub', async () => {
  const { configureActors } = await import('grove/actors');
  const sink = errorSink();
  const before = configureActors({ logDeadLetters: 2 });
  try {
    await simulate(
      function* () {
        class Sink extends Actor<number> {
          receive(): void {}
        }
        const a = new Sink({ name: 'gone' }).start();
        a.stop();
        for (let i = 1; i <= 5; i++) a.send(i);
        assert.is(getHub().deadLetters, 5);
      },
      { onError: sink.onError },
    );
    assert.equal(sink.reports, [
      'gone: deadLetter: DeadLetter: dead letter #1: 1 was sent to <Sink "gone">, which exited with normal',
      'gone: deadLetter: DeadLetter: dead letter #2: 2 was sent to <Sink "gone">, which exited with normal; further dead letters are counted in hub.deadLetters, not reported (configureActors({ logDeadLetters }))',
    ]);
    configureActors({ logDeadLetters: 0 });
    sink.reports.length = 0;
    await simulate(
      function* () {
        class Sink extends Actor<number> {
          receive(): void {}
        }
        const a = new Sink().start();
        a.stop();
        a.send(1);
        assert.is(getHub().deadLetters, 1);
      },
      { onError: sink.onError },
    );
    assert.equal(sink.reports, []);
    assert.throws(() => configureActors({ logDeadLetters: -1 }), /configureActors: logDeadLetters must be a non-negative integer \(or Infinity\), got -1/);
  } finally {
    configureActors(before);
  }
});

dead('an ask whose request was still queued when its target died fails with AskFailed carrying the exit reason', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      type Req = { type: 'slow' | 'get'; replyTo: ReplyTo<string> };
      class Server extends Actor<Req> {
        *receive(m: Req): Operation<void> {
          if (m.type === 'slow') yield* sleep(100);
          m.replyTo.reply(m.type);
        }
      }
      const server = new Server({ name: 'server' }).start();
      const first = spawn(() => ask(server, (replyTo) => ({ type: 'slow', replyTo })));
      const queued = spawn(() => ask(server, (replyTo) => ({ type: 'get', replyTo })));
      yield* sleep(10);
      exit(server, 'restarting');
      yield* joinAll([first, queued]);
      assert.instance(queued.exception, AskFailed);
      assert.is((queued.exception as AskFailed).reason, 'restarting');
      assert.is((queued.exception as AskFailed).message, 'ask: <Server "server"> exited with restarting before replying');
      assert.is((first.exception as AskFailed).reason, 'restarting');
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports.length, 1, sink.reports.join('\n'));
  assert.match(sink.reports[0], /^server: deadLetter: DeadLetter: dead letter #1: \{ type: 'get', replyTo: <ReplyTo Greenlet-\d+ <- server> \} was still queued in <Server "server">, which exited with restarting$/);
});

dead('a producer blocked putting into a dead actor\'s inbox gets QueueShutDown, not a silent wait', () =>
  simulate(function* () {
    class Slow extends Actor<number> {
      *receive(): Operation<void> {
        yield* sleep(1000);
      }
    }
    const a = new Slow({ mailbox: 1 }).start();
    a.send(1);
    yield* sleep(0);
    a.send(2);
    const producer = spawn(function* () {
      yield* a.inbox.put(3);
    });
    yield* sleep(0);
    yield* a.kill();
    yield* producer.join();
    assert.instance(producer.exception, QueueShutDown);
  }, { onError: () => {} }));

dead('a write to a frozen message says why it is read-only', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      class Mutator extends Actor<{ n: number }> {
        receive(m: { n: number }): void {
          m.n++;
        }
      }
      const a = new Mutator({ name: 'mutator' }).start();
      a.send({ n: 1 });
      yield* sleep(0);
      assert.ok(a.dead);
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, [
    "mutator: greenlet: TypeError: Cannot assign to read only property 'n' of object '#<Object>' (messages are deep-frozen when sent, the sender's own object included: copy it to change it, or see configureActors({ freezeMessages }))",
  ]);
});

dead.run();
