/**
 * Compile-time checks of the public types (the test command type-checks this
 * file), with a few runtime assertions so the suite runs.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Greenlet, run, sleep, spawn, spawnLater, withTimeout, type Operation } from 'grove';
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

typing.run();
