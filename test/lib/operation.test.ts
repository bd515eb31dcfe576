import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DroppedOperation, NotInGreenlet, Timeout, sleep, spawn, withTimeout, type Operation } from 'grove';
import { simulate } from 'grove/testing';

const rule = suite('The yield* rule');

rule('a blocking call made without yield* is caught at the next blocking call', () =>
  simulate(function* () {
    sleep(10);
    try {
      yield* sleep(1);
      assert.unreachable('not caught');
    } catch (e) {
      assert.instance(e, DroppedOperation);
      assert.is(
        (e as Error).message,
        'sleep() was called without yield*: the Operation it returned never ran. Write `yield* sleep(...)`.',
      );
    }
  }));

rule('a greenlet that ends with an unused blocking call fails with DroppedOperation', () =>
  simulate(function* () {
    const g = spawn(function* () {
      const other = spawn(() => 1);
      other.join();
    });
    yield* g.join();
    assert.instance(g.exception, DroppedOperation);
    assert.match((g.exception as Error).message, /^Greenlet.join\(\) was called without yield\*/);
  }));

rule('composite calls are caught too: withTimeout and Timeout.scope', () =>
  simulate(function* () {
    withTimeout(10, () => 1);
    try {
      yield* sleep(0);
      assert.unreachable('not caught');
    } catch (e) {
      assert.match((e as Error).message, /^withTimeout\(\) was called without yield\*/);
    }
    const g = spawn(function* () {
      new Timeout(5).scope(sleep(1));
    });
    yield* g.join();
    assert.match((g.exception as Error).message, /^Timeout.scope\(\) was called without yield\*/);
  }));

rule('kill() without yield* is fine: it takes effect when called', () =>
  simulate(function* () {
    const g = spawn(function* () {
      yield* sleep(100);
    });
    yield* sleep(0);
    g.kill();
    yield* sleep(0);
    assert.ok(g.dead);
  }));

rule('yield instead of yield* throws a TypeError into the greenlet', () =>
  simulate(function* () {
    const g = spawn(function* (): Generator<unknown, void, unknown> {
      yield sleep(1);
    } as () => Operation<void>);
    g.name = 'yielder';
    yield* g.join();
    assert.instance(g.exception, TypeError);
    assert.is(
      (g.exception as Error).message,
      'yielder yielded an Operation to the hub: a greenlet may only use `yield*` with Operations (write `yield* sleep(1)`, not `yield sleep(1)`)',
    );
    const h = spawn(function* (): Generator<unknown, void, unknown> {
      yield 42;
    } as () => Operation<void>);
    yield* h.join();
    assert.match((h.exception as Error).message, /yielded 42 to the hub/);
  }));

rule('an Operation runs once, right where it was made; reusing it is an error', () =>
  simulate(function* () {
    const op = sleep(1);
    yield* op;
    try {
      yield* op;
      assert.unreachable('reused');
    } catch (e) {
      assert.instance(e, TypeError);
      assert.is((e as Error).message, 'sleep(): an Operation runs once, with yield* right where it was created; call sleep() again instead of reusing it');
    }
  }));

rule('an Operation kept aside while making no other blocking call still works', () =>
  simulate(function* () {
    const op = sleep(5);
    const note = 'plain code in between is fine';
    yield* op;
    assert.ok(note);
  }));

rule('a blocking call outside any greenlet says to use run()', () => {
  assert.throws(
    () => sleep(1),
    (e: Error) =>
      e instanceof NotInGreenlet &&
      e.message === 'sleep() must be called inside a greenlet: start one with run(function* () { ... }) or spawn()',
  );
});

rule.run();
