import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Greenlet, sleep, spawn, type Operation } from 'grove';
import { Actor } from 'grove/actors';
import { ExploreFailure, FaultFailure, TraceDivergence, explore, exploreFaults, replay, simulate, type Trace } from 'grove/testing';
import { bumpTwice } from './protocols.js';

/** An actor that answers each number with its double, after `delay` ms. */
class Doubler extends Actor<{ n: number; to: Actor<number> }> {
  constructor(private readonly delay: number) {
    super({ name: 'doubler' });
  }
  *receive(m: { n: number; to: Actor<number> }): Operation<void> {
    yield* sleep(this.delay);
    m.to.send(m.n * 2);
  }
}

class Collector extends Actor<number> {
  readonly got: number[] = [];
  receive(n: number): void {
    this.got.push(n);
    if (this.got.length === 2) this.stop();
  }
}

function doubling(delay: number, numbers = [1, 2]): () => Operation<number[]> {
  return function* () {
    const doubler = new Doubler(delay).start();
    const collector = new Collector({ name: 'collector' }).start();
    for (const n of numbers) doubler.send({ n, to: collector });
    yield* collector.join();
    doubler.stop();
    return collector.got;
  };
}

/** A trace as a file would give it back. */
function saved(trace: Trace): Trace {
  return JSON.parse(JSON.stringify(trace)) as Trace;
}

const replaying = suite('replay');

replaying('a run that does what its trace recorded settles as the body does', async () => {
  const { trace } = await simulate(doubling(5), { trace: true });
  assert.equal(await replay(doubling(5), saved(trace)), [2, 4]);
});

replaying('fails at the first event that differs, naming its index and both events', async () => {
  const { trace } = await simulate(doubling(5), { trace: true });
  try {
    await replay(doubling(7), saved(trace));
    assert.unreachable('the slower doubler replayed the same');
  } catch (error) {
    assert.instance(error, TraceDivergence);
    const divergence = error as TraceDivergence;
    assert.is(divergence.index, 6);
    assert.is(divergence.expected, 't=5 timer doubler (sleep)');
    assert.is(divergence.actual, 't=7 timer doubler (sleep)');
    assert.is(divergence.message, 'replay: the run differs from the trace at event 6:\n\texpected t=5 timer doubler (sleep)\n\tgot      t=7 timer doubler (sleep)');
    assert.equal(divergence.trace.events.slice(0, 6), trace.events.slice(0, 6));
  }
});

replaying('a run that ends early or goes on says so', async () => {
  const { trace } = await simulate(doubling(5), { trace: true });
  try {
    await replay(doubling(5, [1, 2, 3]), trace);
    assert.unreachable('a third message replayed the same');
  } catch (error) {
    assert.is((error as TraceDivergence).index, 5);
    assert.is((error as TraceDivergence).actual, 't=0 send main → doubler { n: 3, to: <collector> }');
  }
  const longer = await simulate(doubling(5, [1, 2, 3]), { trace: true });
  const shorter = { ...longer.trace, events: longer.trace.events.slice(0, 4) };
  try {
    await replay(doubling(5, [1, 2, 3]), shorter);
    assert.unreachable('a cut trace matched');
  } catch (error) {
    assert.is((error as TraceDivergence).index, 4);
    assert.is((error as TraceDivergence).expected, 'the end of the trace');
  }
});

replaying('a run that went another way is cut short at the first difference, even one that would never end', async () => {
  const recorded = await simulate(
    function* () {
      yield* sleep(10);
      return 'done';
    },
    { trace: true },
  );
  const started = Date.now();
  try {
    await replay(function* () {
      // A ticker that never stops, and a main that waits for ever: only the cut ends this run.
      spawn(function* () {
        for (;;) yield* sleep(1000);
      });
      yield* new Greenlet(function* () {
        yield* sleep(Infinity);
      }).start().join();
      return 'never';
    }, recorded.trace);
    assert.unreachable('a diverging run replayed the same');
  } catch (error) {
    assert.instance(error, TraceDivergence);
    assert.is((error as TraceDivergence).index, 1);
    assert.match((error as TraceDivergence).actual, /^t=0 spawn Greenlet#1/);
  }
  assert.ok(Date.now() - started < 5000, 'cut short, not run to a timeout');
});

replaying('same events but another outcome: the divergence is at the end', async () => {
  const { trace } = await simulate(() => 1, { trace: true });
  try {
    await replay(() => 2, trace);
    assert.unreachable('another value replayed the same');
  } catch (error) {
    const divergence = error as TraceDivergence;
    assert.is(divergence.index, 2);
    assert.is(divergence.expected, 'the body passed: 1');
    assert.is(divergence.actual, 'the body passed: 2');
  }
});

replaying('the trace of a failing seed reproduces the failure: the same error, again', async () => {
  let failure: ExploreFailure | undefined;
  try {
    await explore(bumpTwice, { seeds: 20 });
  } catch (error) {
    failure = error as ExploreFailure;
  }
  assert.ok(failure !== undefined);
  try {
    await replay(bumpTwice, saved(failure.trace));
    assert.unreachable('the failure did not reproduce');
  } catch (error) {
    assert.not.instance(error, TraceDivergence);
    assert.is((error as Error).message, 'lost update');
  }
});

replaying('a fault aimed by a predicate does not survive JSON: replay takes it again', async () => {
  function* body(): Operation<void> {
    const g = spawn(function* () {
      yield* sleep(1);
      yield* sleep(1);
    });
    g.name = 'victim';
    yield* g.join();
    if (!g.successful()) throw new Error('victim died');
  }
  let failure: FaultFailure | undefined;
  try {
    await exploreFaults(body, { targets: function victims(g: Greenlet<unknown>) { return g.name === 'victim'; } });
  } catch (error) {
    failure = error as FaultFailure;
  }
  assert.ok(failure !== undefined);
  const trace = saved(failure.trace);
  try {
    await replay(body, trace);
    assert.unreachable('replayed without its target');
  } catch (error) {
    assert.instance(error, TypeError);
    assert.is((error as Error).message, 'replay: fault.target must be a greenlet name or a predicate on greenlets, got undefined');
  }
  try {
    await replay(body, trace, { fault: failure.fault });
    assert.unreachable('the fault did not reproduce');
  } catch (error) {
    assert.is((error as Error).message, 'victim died');
  }
});

replaying('something that is not a trace: a TypeError saying what it got', async () => {
  const { trace } = await simulate(() => 1, { trace: true });
  for (const [bad, got] of [
    [5, '5'],
    [[], 'an array'],
    [{ events: [] }, "an object without format 'grove-trace'"],
    [{ ...trace, version: 2 }, 'a trace of version 2 (this grove reads version 1)'],
    [{ ...trace, events: undefined }, 'a trace without an events array'],
    [{ ...trace, events: [{ kind: 'teleport', at: 0 }] }, 'a trace whose event 0 is an object'],
    [{ ...trace, outcome: undefined }, 'a trace without an outcome'],
  ] as const) {
    try {
      await replay(() => 1, bad as never);
      assert.unreachable(got);
    } catch (error) {
      assert.instance(error, TypeError);
      assert.is((error as Error).message, `replay: trace must be a trace recorded by simulate(body, { trace: true }) or a failure's .trace, got ${got}`);
    }
  }
  assert.throws(() => replay(() => 1, trace, { seed: 3 } as never), /^replay: unknown option "seed" \(options are fault, onError\)$/);
});

replaying.run();
