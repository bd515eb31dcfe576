import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getHub, joinAll, sleep, spawn, type Operation } from 'grove';
import { ExploreFailure, advance, explore, simulate } from 'grove/testing';
import { lostUpdate, racyCounter as racyCounterOf } from './protocols.js';

/** The store protocol with a second client 6 yields behind: FIFO order counts 2, other interleavings lose an update. */
const racyCounter = (): Operation<number> => racyCounterOf(6);
const racyCounterMustCountTwo = lostUpdate(6);

const exploring = suite('explore');

exploring('the racy protocol passes in FIFO order', async () => {
  assert.is(await simulate(racyCounter), 2);
});

exploring('exploration finds the lost update, names the seed and carries the error', async () => {
  try {
    await explore(racyCounterMustCountTwo, { seeds: 200 });
    assert.unreachable('no failing seed found');
  } catch (error) {
    assert.instance(error, ExploreFailure);
    const failure = error as ExploreFailure;
    assert.ok(Number.isInteger(failure.seed) && failure.seed >= 1 && failure.seed <= 200);
    assert.is(failure.passed, failure.seed - 1);
    assert.instance(failure.cause, Error);
    assert.is((failure.cause as Error).message, 'lost update: counter is 1, expected 2');
    assert.ok(failure.message.startsWith(`explore: seed ${failure.seed} fails (after ${failure.passed} passing seeds): Error: lost update`));
    // PCT (the default) spreads its priority drops over the run's length, which explore measures: the replay needs it too.
    const steps = failure.replay.steps!;
    assert.equal(failure.replay, { seed: failure.seed, strategy: 'pct', depth: 2, steps });
    assert.ok(Number.isInteger(steps) && steps > 0);
    assert.match(failure.message, `\n\treplay it with simulate(body, { seed: ${failure.seed}, strategy: 'pct', depth: 2, steps: ${steps} })`);
  }
});

exploring('the failing seed replays the same failure every time', async () => {
  let replay: ExploreFailure['replay'] | undefined;
  try {
    await explore(racyCounterMustCountTwo, { seeds: 200 });
  } catch (error) {
    replay = (error as ExploreFailure).replay;
  }
  assert.ok(replay !== undefined);
  for (let i = 0; i < 5; i++) assert.is(await simulate(racyCounter, replay), 1);
});

exploring("strategy 'shuffle' draws batch orders as before: simulate(body, { seed }) replays its failures", async () => {
  try {
    await explore(racyCounterMustCountTwo, { seeds: 200, strategy: 'shuffle' });
    assert.unreachable('no failing seed found');
  } catch (error) {
    const failure = error as ExploreFailure;
    assert.equal(failure.replay, { seed: failure.seed, strategy: 'shuffle' });
    assert.match(failure.message, `\n\treplay it with simulate(body, { seed: ${failure.seed}, strategy: 'shuffle' })`);
    for (let i = 0; i < 3; i++) assert.is(await simulate(racyCounter, { seed: failure.seed }), 1);
  }
});

exploring('a correct protocol passes every seed, and explicit seeds are used as given', async () => {
  const used: number[] = [];
  await explore(function* () {
    used.push(-1);
    const gs = [spawn(() => 1), spawn(() => 2)];
    yield* joinAll(gs);
  }, { seeds: [7, 9, 11] });
  assert.equal(used, [-1, -1, -1]);
  await explore(function* () {
    yield* sleep(5);
  });
});

exploring('bad seeds are rejected', async () => {
  for (const seeds of [0, -3, 1.5, [] as number[], [1, 2.5]]) {
    try {
      await explore(() => 1, { seeds });
      assert.unreachable(`seeds ${String(seeds)} accepted`);
    } catch (error) {
      assert.instance(error, RangeError);
      assert.match((error as Error).message, /^explore: seeds must be a positive integer/);
    }
  }
});

exploring('bad strategy, depth, steps or options: typed errors naming the option and the value', async () => {
  for (const [options, type, message] of [
    [{ strategy: 'random' }, TypeError, `explore: strategy must be 'pct' or 'shuffle', got "random"`],
    [{ depth: 0 }, RangeError, 'explore: depth must be a positive integer, got 0'],
    [{ depth: 2.5 }, RangeError, 'explore: depth must be a positive integer, got 2.5'],
    [{ steps: -1 }, RangeError, 'explore: steps must be a positive integer, got -1'],
    [{ strategy: 'shuffle', depth: 3 }, TypeError, "explore: depth and steps are options of strategy 'pct', not 'shuffle'"],
    [{ seed: 3 }, TypeError, 'explore: unknown option "seed" (options are seeds, strategy, depth, steps, traceDir, onError)'],
    [{ onError: 'log' }, TypeError, 'explore: onError must be a function, got "log"'],
  ] as const) {
    try {
      await explore(() => 1, options as never);
      assert.unreachable(message);
    } catch (error) {
      assert.instance(error, type);
      assert.is((error as Error).message, message);
    }
  }
  for (const [options, message] of [
    [{ strategy: 'pct' }, 'simulate: strategy chooses how a seed draws the schedule; give a seed too'],
    [{ seed: 1, strategy: 'pct', depth: 0 }, 'simulate: depth must be a positive integer, got 0'],
    [{ seed: 1, strategy: 'bfs' }, `simulate: strategy must be 'pct' or 'shuffle', got "bfs"`],
    [{ seeds: 3 }, 'simulate: unknown option "seeds" (options are seed, strategy, depth, steps, fault, trace, onError)'],
  ] as const) {
    assert.throws(() => simulate(() => 1, options as never), (e: Error) => e.message === message, message);
  }
});

exploring('a body that depends on something outside the simulation is named as such', async () => {
  let runs = 0;
  try {
    await explore(() => {
      if (++runs === 2) throw new Error('second run');
    });
    assert.unreachable('passed');
  } catch (error) {
    const failure = error as ExploreFailure;
    assert.is(failure.seed, 2);
    assert.ok(failure.trace.outcome.ok);
    assert.match(failure.message, '\n\tthe traced re-run of this schedule passed: the body depends on something outside the simulation');
  }
});

exploring.run();

const simulating = suite('simulate');

simulating('runs on a fresh virtual hub and returns the body value', async () => {
  const [a, b] = await Promise.all([
    simulate(function* () {
      yield* sleep(1000);
      return [getHub().now(), getHub().clock] as const;
    }),
    simulate(() => getHub()),
  ]);
  assert.equal(a, [1000, 'virtual']);
  assert.is.not(b, getHub());
});

simulating('rejects with the body error', async () => {
  const error = new Error('body failed');
  try {
    await simulate(() => {
      throw error;
    });
    assert.unreachable('resolved');
  } catch (e) {
    assert.is(e, error);
  }
});

simulating('a seed changes the interleaving reproducibly', async () => {
  function* order(): Operation<string> {
    const seen: number[] = [];
    yield* joinAll(Array.from({ length: 6 }, (_, i) => spawn(() => void seen.push(i))));
    return seen.join('');
  }
  assert.is(await simulate(order), '012345');
  assert.is(await simulate(order, { seed: 3 }), await simulate(order, { seed: 3 }));
});

simulating('bad input names the call and the argument', async () => {
  for (const [run, message] of [
    [() => simulate(5 as never), /^simulate: body must be a function, got 5$/],
    [() => simulate(() => 1, null as never), /^simulate: options must be an object, got null$/],
    [() => explore('x' as never), /^explore: body must be a function, got "x"$/],
    [() => explore(() => 1, 3 as never), /^explore: options must be an object, got 3$/],
  ] as const) {
    try {
      await run();
      assert.unreachable(String(message));
    } catch (e) {
      assert.instance(e, TypeError);
      assert.match((e as Error).message, message);
    }
  }
});

simulating.run();

const advancing = suite('advance');

advancing('moves virtual time and returns once everything due by then has run', () =>
  simulate(function* () {
    const seen: string[] = [];
    spawn(function* () {
      yield* sleep(100);
      seen.push('at 100');
      yield* sleep(0);
      seen.push('after its sleep(0)');
    });
    spawn(function* () {
      yield* sleep(250);
      seen.push('at 250');
    });
    assert.is(yield* advance(100), 100);
    assert.equal(seen, ['at 100', 'after its sleep(0)']);
    assert.is(yield* advance(200), 300);
    assert.equal(seen, ['at 100', 'after its sleep(0)', 'at 250']);
  }));

advancing('refuses a real clock and a bad ms', async () => {
  const { Hub } = await import('grove');
  try {
    await new Hub().run(() => advance(5));
    assert.unreachable('advanced a real clock');
  } catch (e) {
    assert.match((e as Error).message, /^advance: the hub runs on a real clock/);
  }
  try {
    await simulate(() => advance(-1));
    assert.unreachable('negative ms');
  } catch (e) {
    assert.instance(e, RangeError);
  }
});

advancing('checks ms when called, and is caught when used without yield*, like any blocking call', async () => {
  await simulate(function* () {
    assert.throws(() => advance('5' as never), (e: Error) => e instanceof TypeError && /^advance: ms must be a number of ms, got "5"$/.test(e.message));
    assert.throws(() => advance(-1), /^advance: ms must be a non-negative number of ms, got -1$/);
  });
  try {
    await simulate(function* () {
      advance(5);
      yield* sleep(1);
    });
    assert.unreachable('not caught');
  } catch (e) {
    assert.match((e as Error).message, /^advance\(\) was called without yield\*/);
  }
});

advancing.run();
