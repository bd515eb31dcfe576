import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExitSignal, GreenletExit, exitReason, getCurrent, getHub, joinAll, sleep, spawn, type Greenlet, type Operation } from 'grove';
import { Actor, exit, link, unlink, type ExitMessage } from 'grove/actors';
import { TestProbe, simulate } from 'grove/testing';
import { errorSink, recorder } from '../support.js';

/** Crashes on 'crash', logs its end from a finally around the inbox loop. */
class Member extends Actor<string> {
  constructor(
    private readonly log: (line: string) => void,
    name: string,
    private readonly failure: unknown = new Error('boom'),
  ) {
    super({ name });
  }
  protected override *run(): Operation<void> {
    try {
      yield* super.run();
    } finally {
      this.log(`${this.name} finally`);
    }
  }
  receive(message: string): void {
    if (message === 'crash') throw this.failure;
  }
}

/** Traps exits and logs the EXIT messages it gets. */
class Trapper extends Actor<ExitMessage | string> {
  constructor(
    private readonly log: (line: string) => void,
    name = 'trapper',
  ) {
    super({ name, trapExit: true });
  }
  receive(message: ExitMessage | string): void {
    if (typeof message === 'string') this.log(`${this.name} got ${message}`);
    else this.log(`${this.name} got EXIT from ${message.from?.name ?? 'outside'}: ${describe(message.reason)}`);
  }
}

function describe(reason: unknown): string {
  return reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
}

const links = suite('link');

links('a crash propagates a→b→c with the same reason; each runs its finally; only the crash is reported', async () => {
  const sink = errorSink();
  const { lines, log } = recorder();
  const boom = new Error('boom');
  await simulate(
    function* () {
      const a = new Member(log, 'a', boom).start();
      const b = new Member(log, 'b').start();
      const c = new Member(log, 'c').start();
      link(a, b);
      link(b, c);
      yield* sleep(0);
      a.send('crash');
      yield* joinAll([b, c]); // not a: joining it would mark its crash as seen, and it would not be reported
      assert.equal(lines, ['a finally', 'b finally', 'c finally']);
      assert.is(exitReason(a), boom);
      assert.is(exitReason(b), boom, 'b exits with the very reason');
      assert.is(exitReason(c), boom);
      assert.instance(b.exception, ExitSignal);
      assert.is((b.exception as ExitSignal).reason, boom);
      assert.is((c.exception as ExitSignal).message, 'exit: Error: boom');
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, ['a: greenlet: Error: boom']);
});

links("a reason string passes unchanged along the chain: exit(a, 'boom')", () =>
  simulate(function* () {
    const { log } = recorder();
    const [a, b, c] = ['a', 'b', 'c'].map((name) => new Member(log, name).start());
    link(a, b);
    link(b, c);
    yield* sleep(0);
    exit(a, 'boom');
    yield* joinAll([a, b, c]);
    assert.equal([a, b, c].map(exitReason), ['boom', 'boom', 'boom']);
  }));

links('links are bidirectional: the second side exiting kills the first', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const a = new Member(log, 'a').start();
    const b = new Member(log, 'b').start();
    link(a, b);
    yield* sleep(0);
    yield* b.kill();
    yield* a.join();
    assert.equal(lines, ['b finally', 'a finally']);
    assert.is(exitReason(b), 'killed');
    assert.is(exitReason(a), 'killed', "'killed' is not 'normal': it propagates");
  }));

links('every linked greenlet that does not trap exits dies with the same reason, at the same virtual time', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const a = new Member(log, 'a').start();
    const b = new Member(log, 'b').start();
    const linked = new TestProbe<string>('linked probe'); // a probe does not trap exits unless told
    link(a, b);
    link(b, linked);
    spawn(function* () {
      yield* sleep(50);
      exit(a, 'shutdown');
    });
    const observer = new TestProbe('observer');
    assert.is(yield* observer.expectExit(b, 'shutdown', { timeout: 100 }), 'shutdown');
    assert.is(getHub().now(), 50);
    yield* observer.expectExit(linked, 'shutdown');
    yield* observer.expectExit(a, 'shutdown');
    assert.is(getHub().now(), 50, 'the signals take no virtual time');
    assert.equal(lines, ['a finally', 'b finally']);
  }));

links("a 'normal' exit kills nobody", () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const a = new Member(log, 'a').start();
    const b = new Member(log, 'b').start();
    const g = spawn(function* () {
      yield* sleep(1);
      return 'done';
    });
    link(a, b);
    link(g, b);
    yield* sleep(0);
    a.stop();
    yield* joinAll([a, g]);
    yield* sleep(10);
    assert.equal(lines, ['a finally']);
    assert.not.ok(b.dead);
    b.stop();
  }));

links('links work between plain greenlets, made by a third greenlet', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const worker = spawn(function* () {
      yield* sleep(5);
      throw new ExitSignal('shutdown');
    });
    const partner = spawn(function* () {
      try {
        yield* sleep(1000);
      } finally {
        log('partner finally');
      }
    });
    link(worker, partner);
    yield* joinAll([worker, partner]);
    assert.equal(lines, ['partner finally']);
    assert.is(exitReason(worker), 'shutdown');
    assert.is(exitReason(partner), 'shutdown');
  }));

links('one link per pair: linking twice, then unlinking once, leaves no link; linking to itself does nothing', () =>
  simulate(function* () {
    const { log } = recorder();
    const a = new Member(log, 'a').start();
    const b = new Member(log, 'b').start();
    link(a, b);
    link(b, a);
    link(a, a);
    unlink(a, b);
    exit(a, 'boom');
    yield* a.join();
    yield* sleep(10);
    assert.not.ok(b.dead);
    b.stop();
  }));

links('unlink works from either side and from a third greenlet', () =>
  simulate(function* () {
    const { log } = recorder();
    class Unlinker extends Actor<Greenlet<unknown>> {
      receive(other: Greenlet<unknown>): void {
        unlink(other, this);
      }
    }
    const a = new Member(log, 'a').start();
    const b = new Member(log, 'b').start();
    const u = new Unlinker().start();
    link(a, b);
    link(a, u);
    unlink(a, b); // from main: a third greenlet
    u.send(a); // from the linked side itself
    yield* sleep(0);
    exit(a, 'boom');
    yield* a.join();
    yield* sleep(10);
    assert.not.ok(b.dead);
    assert.not.ok(u.dead);
    b.stop();
    u.stop();
  }));

links("linking to a dead greenlet signals the live side at once with 'noproc'", () =>
  simulate(function* () {
    const { log } = recorder();
    const dead = spawn(() => 1);
    yield* dead.join();
    const a = new Member(log, 'a').start();
    yield* sleep(0);
    link(a, dead);
    yield* a.join();
    assert.is(exitReason(a), 'noproc');
    const caller = spawn(function* () {
      link(getCurrent(), dead);
      log('not reached');
    });
    yield* caller.join();
    assert.instance(caller.exception, ExitSignal, 'the caller gets the ExitSignal right at link()');
    assert.is(exitReason(caller), 'noproc');
    const both = spawn(() => 2);
    yield* both.join();
    link(both, dead); // both dead: nothing at all
  }));

links.run();

const trapping = suite('trapExit');

trapping('trap-exit turns a linked crash into one EXIT message, after the crash; the trapper lives on', async () => {
  const { lines, log } = recorder();
  const sink = errorSink();
  const boom = new Error('boom');
  await simulate(
    function* () {
      const trapper = new TestProbe<ExitMessage | string>('trapper');
      trapper.trapExit = true;
      const worker = new Member(log, 'worker', boom).start();
      link(trapper, worker);
      spawn(function* () {
        yield* sleep(30);
        worker.send('crash');
      });
      yield* trapper.expectMessage({ type: 'EXIT', from: worker, reason: boom }, { timeout: 100 });
      assert.is(getHub().now(), 30);
      assert.equal(lines, ['worker finally'], 'the EXIT comes once the worker is dead');
      trapper.send('still here');
      yield* trapper.expectMessage('still here');
      yield* trapper.expectNoMessage(1000);
      assert.not.ok(trapper.dead);
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, ['worker: greenlet: Error: boom'], 'trapping it does not hide the crash');
});

trapping("a trapping actor gets an EXIT for a 'normal' exit too, and for a dead link target ('noproc') at once", () =>
  simulate(function* () {
    const { log } = recorder();
    const trapper = new TestProbe<ExitMessage>('trapper');
    trapper.trapExit = true;
    const worker = new Member(log, 'worker').start();
    link(trapper, worker);
    yield* sleep(10);
    worker.stop();
    yield* trapper.expectMessage({ type: 'EXIT', from: worker, reason: 'normal' });
    assert.is(getHub().now(), 10);
    link(trapper, worker);
    assert.equal(trapper.inbox.qsize(), 1, 'the noproc EXIT is already queued');
    yield* trapper.expectMessage({ type: 'EXIT', from: worker, reason: 'noproc' });
    assert.is(getHub().now(), 10, 'at once');
    yield* trapper.expectNoMessage(1000);
  }));

trapping('the EXIT message is frozen, names the linked greenlet, and goes past a full mailbox', () =>
  simulate(function* () {
    const seen: ExitMessage[] = [];
    class Full extends Actor<ExitMessage | string> {
      receive(message: ExitMessage | string): void {
        if (typeof message !== 'string') seen.push(message);
      }
    }
    const trapper = new Full({ mailbox: 1, trapExit: true });
    trapper.send('fills it');
    trapper.start();
    const g = spawn(() => {
      throw new ExitSignal('shutdown');
    });
    link(trapper, g);
    yield* g.join();
    yield* sleep(0);
    assert.is(seen.length, 1);
    assert.equal({ ...seen[0] }, { type: 'EXIT', from: g, reason: 'shutdown' });
    assert.ok(Object.isFrozen(seen[0]));
    trapper.stop();
  }));

trapping('trapExit can be switched on and off at run time', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const a = new Trapper(log, 'a').start();
    a.trapExit = false;
    assert.not.ok(a.trapExit);
    const g = spawn(function* () {
      yield* sleep(1);
      throw new ExitSignal('bye');
    });
    link(a, g);
    yield* a.join();
    assert.is(exitReason(a), 'bye');
    const b = new Trapper(log, 'b').start();
    b.trapExit = false;
    b.trapExit = true;
    const h = spawn(function* () {
      yield* sleep(1);
      throw new ExitSignal('bye');
    });
    link(b, h);
    yield* h.join();
    yield* sleep(0);
    assert.equal(lines, ['b got EXIT from Greenlet-' + h.id + ': bye']);
    assert.not.ok(b.dead);
    b.stop();
  }));

trapping.run();

const exits = suite('exit');

exits("exit(target, 'normal') is ignored by a target that does not trap exits", () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const a = new Member(log, 'a').start();
    exit(a, 'normal');
    yield* sleep(10);
    assert.not.ok(a.dead);
    assert.equal(lines, []);
    a.stop();
  }));

exits("exit(self, 'normal') ends the caller at once with reason 'normal'", () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const g = spawn(function* () {
      try {
        exit(getCurrent(), 'normal');
        log('not reached');
      } finally {
        log('finally');
      }
    });
    yield* g.join();
    assert.equal(lines, ['finally']);
    assert.is(exitReason(g), 'normal');
    assert.ok(g.successful());
  }));

exits('exit(target, reason) kills a non-trapping target with ExitSignal(reason), where it is blocked', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const a = new Member(log, 'a').start();
    yield* sleep(0);
    exit(a, 'shutdown');
    yield* a.join();
    assert.equal(lines, ['a finally']);
    assert.is(exitReason(a), 'shutdown');
    assert.instance(a.exception, ExitSignal);
  }));

exits('a trapping target gets { EXIT, from: the caller, reason } instead', () =>
  simulate(function* () {
    const main = getCurrent();
    const t = new TestProbe<ExitMessage>('trapper');
    t.trapExit = true;
    exit(t, 'shutdown');
    exit(t, 'normal');
    assert.equal(yield* t.receiveN(2), [
      { type: 'EXIT', from: main, reason: 'shutdown' },
      { type: 'EXIT', from: main, reason: 'normal' },
    ]);
    yield* t.expectNoMessage(100);
    assert.not.ok(t.dead);
  }));

exits("exit(target, 'kill') cannot be trapped: the target exits 'killed'; its links see 'killed'", () =>
  simulate(function* () {
    const t = new TestProbe('trapper');
    t.trapExit = true;
    const watcher = new TestProbe<ExitMessage>('watcher');
    watcher.trapExit = true;
    link(t, watcher);
    yield* sleep(0);
    exit(t, 'kill');
    assert.is(yield* watcher.expectExit(t, 'killed'), 'killed');
    assert.instance(t.value, GreenletExit);
    yield* watcher.expectMessage({ type: 'EXIT', from: t, reason: 'killed' });
    yield* watcher.expectNoMessage(100);
    assert.is(t.history.length, 0, 'the kill never reached the inbox');
  }));

exits('exit on a dead target does nothing; a non-greenlet target is a TypeError', () =>
  simulate(function* () {
    const g = spawn(() => 1);
    yield* g.join();
    exit(g, 'boom');
    assert.is(exitReason(g), 'normal');
    assert.throws(() => exit({} as never, 'boom'), /exit: target must be a Greenlet or an Actor, got an object/);
    assert.throws(() => link(g, 5 as never), /link: b must be a Greenlet or an Actor, got 5/);
  }));

exits.run();
