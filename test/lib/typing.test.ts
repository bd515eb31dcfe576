/**
 * Compile-time checks of the public types (the test command type-checks this
 * file), with a few runtime assertions so the suite runs.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Greenlet, Group, Hub, Pool, run, sleep, spawn, spawnLater, withTimeout, type Operation } from 'grove';
import { simulate } from 'grove/testing';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(_: T): void {}

const typing = suite('Public types');

typing('yield* gives the result type of an Operation; spawn infers the value type from any body', () =>
  simulate(function* () {
    const fromGenerator = spawn(function* () {
      yield* sleep(1);
      return 5;
    });
    const fromPlain = spawn(() => 'text');
    const fromAsync = spawn(async (flag: boolean) => flag, true);
    const withArgs = spawn((a: number, b: string) => a + b.length, 1, 'ab');
    const later = spawnLater(1, () => [1, 2]);
    const constructed = new Greenlet(function* () {
      return 'q';
    });
    expectType<Equal<typeof fromGenerator, Greenlet<number>>>(true);
    expectType<Equal<typeof fromPlain, Greenlet<string>>>(true);
    expectType<Equal<typeof fromAsync, Greenlet<boolean>>>(true);
    expectType<Equal<typeof withArgs, Greenlet<number>>>(true);
    expectType<Equal<typeof later, Greenlet<number[]>>>(true);
    expectType<Equal<typeof constructed, Greenlet<string>>>(true);
    const n = yield* fromGenerator.get();
    expectType<Equal<typeof n, number>>(true);
    const joined = yield* fromPlain.join();
    expectType<Equal<typeof joined, boolean>>(true);
    const timed = yield* withTimeout(5, () => sleep(1), { timeoutValue: 'late' as const });
    expectType<Equal<typeof timed, void | 'late'>>(true);
    // @ts-expect-error: the argument types are checked
    spawn((x: number) => x, 'not a number');
    constructed.start();
    assert.is(n, 5);
  }));

typing('run() returns a typed promise', async () => {
  const p = run(function* (): Operation<number> {
    return 42;
  });
  expectType<Equal<typeof p, Promise<number>>>(true);
  assert.is(await p, 42);
});

/**
 * A generator body that `yield`s something other than an Operation (the
 * star forgotten) is not an Operation; it must not type-check as a plain
 * function returning a generator. Never called: the checks are tsc's, and
 * the test command fails on an unused `@ts-expect-error`.
 */
function bodiesThatYieldValues(hub: Hub, group: Group, pool: Pool): void {
  // @ts-expect-error: yields an Operation instead of yield*-ing it
  void run(function* () {
    yield sleep(10);
  });
  // @ts-expect-error: the same on a given hub
  void hub.run(function* () {
    yield sleep(10);
  });
  // @ts-expect-error: yields a number
  spawn(function* () {
    yield 1;
  });
  // @ts-expect-error: with arguments too
  spawn(function* (ms: number) {
    yield sleep(ms);
  }, 5);
  // @ts-expect-error: spawnLater
  spawnLater(5, function* () {
    yield sleep(10);
  });
  // @ts-expect-error: new Greenlet
  new Greenlet(function* () {
    yield sleep(10);
  });
  // @ts-expect-error: Greenlet.spawn
  Greenlet.spawn(function* () {
    yield sleep(10);
  });
  // @ts-expect-error: Group.spawn
  group.spawn(function* () {
    yield sleep(10);
  });
  // @ts-expect-error: Pool.spawn
  void pool.spawn(function* () {
    yield sleep(10);
  });
  // @ts-expect-error: Group.map
  void group.map(function* (n: number) {
    yield n;
  }, [1]);
}

typing('a generator body must yield* Operations; a plain function returning an iterator is still a plain body', () =>
  simulate(function* () {
    assert.type(bodiesThatYieldValues, 'function');
    // Not a generator (no throw()): a value, as at run time.
    const entries = spawn(() => new Map([[1, 'a']]).values());
    expectType<Equal<typeof entries, Greenlet<MapIterator<string>>>>(true);
    const values = yield* entries.get();
    assert.equal([...values], ['a']);
  }));

typing.run();
