import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExitSignal, Greenlet, exitReason, getHub, shutdown, sleep, spawn, type Operation } from 'grove';
import { Actor, StartFailed } from 'grove/actors';
import { ChildStartFailed, Supervisor, UnknownChild, WrongStrategy, type ChildSpec } from 'grove/supervision';
import { advance, explore, simulate } from 'grove/testing';
import { errorSink, recorder } from '../../support.js';
import { Worker, running, supervisionLog, workerSpec } from '../support.js';

/** A worker with an init that takes `initMs`, logging its life; handles `{ ms }` jobs. */
class Slow extends Actor<{ ms: number; tag: string }> {
  constructor(
    readonly tag: string,
    private readonly log: (line: string) => void,
    private readonly initMs = 0,
    trapExit = false,
  ) {
    super({ name: tag, trapExit });
  }
  protected override *init(): Operation<void> {
    if (this.initMs > 0) yield* sleep(this.initMs);
    this.log(`${this.tag} up at ${getHub().now()}`);
  }
  protected override *receive(job: { ms: number; tag: string }): Operation<void> {
    this.log(`${this.tag}: ${job.tag} begins at ${getHub().now()}`);
    yield* sleep(job.ms);
    this.log(`${this.tag}: ${job.tag} done at ${getHub().now()}`);
  }
  protected override terminate(reason: unknown): void {
    this.log(`${this.tag} terminate(${String(reason)}) at ${getHub().now()}`);
  }
}

const starting = suite('Supervisor: children are up when their init returns');

starting('a crashing message already queued when a child starts is an ordinary exit, restarted: never a failed start (explored)', () => {
  const sink = errorSink();
  return explore(
    function* () {
      sink.reports.length = 0;
      const { log } = recorder();
      const sup = new Supervisor({ name: 'top', maxRestarts: 10, children: [workerSpec('a', log), workerSpec('b', log)] }).start();
      const crashed = new Set<Greenlet<unknown>>();
      // As soon as a child shows in whichChildren(), send it a message that crashes it.
      const poisoner = spawn(function* () {
        while (crashed.size < 2) {
          for (const { greenlet } of sup.whichChildren()) {
            if (greenlet !== undefined && !crashed.has(greenlet)) {
              crashed.add(greenlet);
              (greenlet as Worker).send('crash');
            }
          }
          yield* sleep(0);
        }
      });
      yield* poisoner.join();
      yield* advance(1);
      assert.not.ok(sup.dead, `the supervisor died: ${String(exitReason(sup))}`);
      assert.is(running(sup), 'a b');
      for (const g of crashed) assert.is((exitReason(g) as Error).message, `${g.name} crashed`);
      assert.equal(sink.reports.filter((r) => !r.includes('greenlet: Error: ')), []);
      sup.kill({ exception: new ExitSignal('shutdown') });
      yield* sup.join();
    },
    { seeds: 100, onError: sink.onError },
  );
});

starting('up() on a supervisor waits for every initial child to be up (their inits in turn)', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sup = new Supervisor({
      name: 'top',
      children: [
        { id: 'a', start: () => new Slow('a', log, 20) },
        { id: 'b', start: () => new Slow('b', log, 30) },
      ],
    }).start();
    yield* sup.up({ timeout: 100 });
    assert.is(getHub().now(), 50);
    assert.equal(lines, ['a up at 20', 'b up at 50']);
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
  }));

starting("up() on a supervisor whose child fails to start throws StartFailed, its cause the ChildStartFailed", () =>
  simulate(
    function* () {
      const { log } = recorder();
      const sup = new Supervisor({
        name: 'top',
        children: [workerSpec('a', log), workerSpec('b', log, {}, { failOnStart: new Error('bad config') })],
      }).start();
      let error: unknown;
      try {
        yield* sup.up();
      } catch (e) {
        error = e;
      }
      assert.instance(error, StartFailed);
      assert.instance((error as StartFailed).cause, ChildStartFailed);
      assert.is(
        (error as StartFailed).message,
        '<Supervisor "top"> exited with ChildStartFailed: <Supervisor "top">: child "b" failed to start: Error: bad config before it was up',
      );
    },
    { onError: () => {} },
  ));

starting('a child started later (startLater) is waited for without polling; the next child starts after it is up', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sup = new Supervisor({
      children: [
        { id: 'late', start: () => new Slow('late', log).startLater(1000) },
        { id: 'next', start: () => new Slow('next', log) },
      ],
    }).start();
    const switchesBefore = getHub().switches;
    yield* sup.up();
    assert.equal(lines, ['late up at 1000', 'next up at 1000']);
    assert.ok(getHub().switches - switchesBefore < 10, `a waiting supervisor does not spin (${getHub().switches - switchesBefore} switches)`);
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
  }));

starting('a supervisor refuses itself, an ancestor, or another supervisor\'s child as a child (ChildStartFailed, not a hang)', () =>
  simulate(
    function* () {
      const self: Supervisor = new Supervisor({ name: 'self', children: [{ id: 'me', start: () => self }] }).start();
      yield* self.join();
      assert.is(
        (self.exception as Error).message,
        '<Supervisor "self">: child "me" failed to start: TypeError: child "me": start returned the supervisor itself: a supervisor cannot supervise itself or its ancestors',
      );
      const top: Supervisor = new Supervisor({ name: 'top', children: [{ id: 'sub', type: 'supervisor', start: () => new Supervisor({ name: 'sub' }) }] }).start();
      yield* top.up();
      const sub = top.child('sub', Supervisor)!;
      let error: unknown;
      try {
        yield* sub.startChild({ id: 'up', start: () => top });
      } catch (e) {
        error = e;
      }
      assert.is(
        (error as Error).message,
        '<Supervisor "sub">: child "up" failed to start: TypeError: child "up": start returned <Supervisor "top">, an ancestor of <Supervisor "sub">: a supervisor cannot supervise itself or its ancestors',
      );
      const other = new Supervisor({ name: 'other' }).start();
      try {
        yield* other.startChild({ id: 'stolen', start: () => sub });
      } catch (e) {
        error = e;
      }
      assert.is(
        (error as Error).message,
        '<Supervisor "other">: child "stolen" failed to start: TypeError: child "stolen": start returned <Supervisor "sub">, which is already a child of <Supervisor "top">',
      );
      yield* shutdown();
    },
    { onError: () => {} },
  ));

starting.run();

const stopping = suite('Supervisor: stopping children that trap exits');

stopping('a trapping child finishes the message in hand within its shutdown time, then ends "shutdown"', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const { lines, log } = recorder();
      const sup = new Supervisor({
        name: 'top',
        children: [
          { id: 'quick', shutdown: 100, start: () => new Slow('quick', log, 0, true) },
          { id: 'long', shutdown: 100, start: () => new Slow('long', log, 0, true) },
        ],
      }).start();
      yield* sup.up();
      sup.child('quick', Slow)!.send({ ms: 40, tag: 'job' });
      sup.child('long', Slow)!.send({ ms: 500, tag: 'job' });
      yield* sleep(10);
      sup.kill({ exception: new ExitSignal('shutdown') });
      yield* sup.join();
      assert.equal(lines, [
        'quick up at 0',
        'long up at 0',
        'quick: job begins at 0',
        'long: job begins at 0',
        'quick: job done at 40',
        // Reverse start order: long first, asked at 10; it cannot finish within 100 ms and is killed plainly at 110
        // (no terminate); then quick, idle by then, ends at once.
        'quick terminate(shutdown) at 110',
      ]);
      assert.is(getHub().now(), 110);
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, []);
});

stopping('shutdown() of the program stops a tree in reverse start order; trapping workers finish their message', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const events = supervisionLog();
    const sup = new Supervisor({
      name: 'top',
      children: [
        { id: 'a', start: () => new Slow('a', log, 0, true) },
        { id: 'sub', type: 'supervisor', start: () => new Supervisor({ name: 'sub', children: [{ id: 'b', start: () => new Slow('b', log, 0, true) }] }) },
        { id: 'c', start: () => new Slow('c', log, 0, true) },
      ],
    }).start();
    yield* sup.up();
    sup.child('c', Slow)!.send({ ms: 30, tag: 'last job' });
    yield* sleep(5);
    yield* shutdown();
    assert.equal(lines, [
      'a up at 0',
      'b up at 0',
      'c up at 0',
      'c: last job begins at 0',
      'c: last job done at 30',
      'c terminate(shutdown) at 30',
      'b terminate(shutdown) at 30',
      'a terminate(shutdown) at 30',
    ]);
    assert.equal(events.lines.filter((l) => l.includes('exit')), ['top: exit c: shutdown', 'sub: exit b: shutdown', 'top: exit sub: shutdown', 'top: exit a: shutdown']);
    assert.is(exitReason(sup), 'shutdown');
    events.stop();
  }));

stopping.run();

const typed = suite('Supervisor: typed children');

typed('startChild returns the type its spec makes; child(id, Class) and child(spec) are typed and checked', () =>
  simulate(function* () {
    const { log } = recorder();
    const slowSpec: ChildSpec<Slow> = { id: 'slow', start: () => new Slow('slow', log) };
    const sup = new Supervisor({ name: 'top', children: [slowSpec, workerSpec('w', log)] }).start();
    yield* sup.up();
    const extra: Slow = yield* sup.startChild({ id: 'extra', start: () => new Slow('extra', log) });
    assert.is(extra.tag, 'extra');
    const bySpec: Slow | undefined = sup.child(slowSpec);
    assert.is(bySpec?.tag, 'slow');
    const byClass: Worker | undefined = sup.child('w', Worker);
    assert.is(byClass?.tag, 'w');
    assert.is(sup.child('w'), byClass);
    assert.throws(() => sup.child('w', Slow), (e: Error) => e instanceof TypeError && e.message === 'Supervisor.child: child "w" of <Supervisor "top"> is <Worker "w">, not a Slow');
    assert.throws(
      () => sup.child({ id: 'slow', start: () => new Slow('other', log) }),
      (e: Error) => e instanceof TypeError && e.message === 'Supervisor.child: child "slow" of <Supervisor "top"> was not started from the spec given (its start function differs)',
    );
    assert.throws(() => sup.child('nope'), (e: Error) => e instanceof UnknownChild && e.message === 'Supervisor.child: no child "nope" in <Supervisor "top">');
    yield* sup.terminateChild('w');
    assert.is(sup.child('w', Worker), undefined);
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
  }));

typed('a simpleOneForOne template types startChild(args) and what it returns', () =>
  simulate(function* () {
    const { log } = recorder();
    const sup = new Supervisor({
      name: 'pool',
      strategy: 'simpleOneForOne',
      children: [{ id: 'worker', start: (tag: string, initMs: number) => new Slow(tag, log, initMs) }],
    }).start();
    const w: Slow = yield* sup.startChild(['w1', 5]);
    assert.is(w.tag, 'w1');
    assert.is(getHub().now(), 5);
    // Type-level only (never called): the template takes (string, number).
    const wrongArgs = () => {
      // @ts-expect-error [1, 2, 3] is not [string, number]
      return sup.startChild([1, 2, 3]);
    };
    void wrongArgs;
    assert.throws(() => sup.child('worker'), (e: Error) => e instanceof WrongStrategy);
    sup.kill({ exception: new ExitSignal('shutdown') });
    yield* sup.join();
  }));

typed.run();

const own = suite('Supervisor: its own stop');

own('stop() and stop({ drain: true }) end a supervisor "normal", its children stopped in reverse start order first', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const plain = new Supervisor({ name: 'plain', children: [workerSpec('a', log), workerSpec('b', log)] }).start();
    yield* plain.up();
    plain.stop();
    yield* plain.join();
    const drained = new Supervisor({ name: 'drained', children: [workerSpec('c', log)] }).start();
    yield* drained.up();
    const added = spawn(() => drained.startChild(workerSpec('d', log)));
    yield* sleep(0); // the call is in the supervisor's inbox
    drained.stop({ drain: true }); // handled first, then the supervisor stops
    yield* drained.join();
    assert.equal(lines, ['start a', 'start b', 'stop b: shutdown', 'stop a: shutdown', 'start c', 'start d', 'stop d: shutdown', 'stop c: shutdown']);
    assert.equal([exitReason(plain), exitReason(drained)], ['normal', 'normal']);
    assert.ok(added.successful());
  }));

own.run();
