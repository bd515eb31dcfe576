import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DroppedOperation, Greenlet, GreenletExit, NotInGreenlet, Queue, Timeout, configure, joinAll, sleep, spawn, withTimeout, type Operation } from 'grove';
import { simulate } from 'grove/testing';
import { errorSink } from '../support.js';

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

rule('an unused call is its maker\'s: a greenlet it kills before that one ran, or that fails then, is not blamed', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const victim = spawn(() => 'never runs');
      const failing = new Greenlet(() => 'never runs either');
      failing.name = 'failing';
      failing.start();
      sleep(10); // made and not used: this greenlet's mistake
      victim.kill();
      failing.kill({ exception: new Error('killed with an error') });
      assert.instance(victim.value, GreenletExit);
      assert.is((failing.exception as Error).message, 'killed with an error');
      try {
        yield* sleep(1);
        assert.unreachable('not caught');
      } catch (e) {
        assert.instance(e, DroppedOperation);
        assert.match((e as Error).message, /^sleep\(\) was called without yield\*/);
      }
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, ['failing: greenlet: Error: killed with an error']);
});

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

const traced = suite('Tracing where Operations are made (configure({ traceOperations }))');

/** This file's line (1-based) that ends with `// <marker>`. */
function lineOf(marker: string): number {
  const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.endsWith(`// ${marker}`));
  assert.ok(index >= 0, marker);
  return index + 1;
}

/** The message's lines after the plain one: the call named, then its stack, the call itself first. */
function site(error: unknown): string[] {
  assert.instance(error, DroppedOperation);
  return (error as Error).message.split('\n').slice(1);
}

/** Runs `body` with tracing on, and puts the setting back. */
async function tracing<T>(body: () => Promise<T>): Promise<T> {
  const before = configure({ traceOperations: true });
  try {
    return await body();
  } finally {
    configure(before);
  }
}

traced('off by default', () => {
  assert.is(configure({}).traceOperations, false);
});

traced('DroppedOperation shows the line that made the Operation, not only the call that noticed', () =>
  tracing(() =>
    simulate(function* () {
      sleep(10); // dropped sleep
      try {
        yield* sleep(1);
        assert.unreachable('not caught');
      } catch (e) {
        const [called, api, caller] = site(e);
        assert.is(called, 'sleep() was called');
        assert.match(api, /^ {4}at sleep \(/);
        assert.match(caller, `operation.test.ts:${lineOf('dropped sleep')}:`);
      }
    }),
  ));

traced('a greenlet that ends with an unused call, and a composite call, are traced too', () =>
  tracing(() =>
    simulate(function* () {
      const g = spawn(function* () {
        new Queue<number>().get(); // dropped get
      });
      const h = spawn(function* () {
        withTimeout(10, () => 1); // dropped withTimeout
        yield* sleep(1);
      });
      yield* joinAll([g, h]);
      const [gCalled, gApi, gCaller] = site(g.exception);
      assert.is(gCalled, 'Queue.get() was called');
      assert.match(gApi, /^ {4}at Queue\.get \(/);
      assert.match(gCaller, `operation.test.ts:${lineOf('dropped get')}:`);
      const [hCalled, hApi, hCaller] = site(h.exception);
      assert.is(hCalled, 'withTimeout() was called');
      assert.match(hApi, /^ {4}at withTimeout \(/);
      assert.match(hCaller, `operation.test.ts:${lineOf('dropped withTimeout')}:`);
    }),
  ));

traced('an Operation made before tracing was turned on is reported without a site', () =>
  simulate(function* () {
    sleep(10);
    const before = configure({ traceOperations: true });
    try {
      yield* sleep(1);
      assert.unreachable('not caught');
    } catch (e) {
      assert.equal(site(e), []);
    } finally {
      configure(before);
    }
  }));

traced('configure checks its options', () => {
  assert.throws(
    () => configure({ traceOperations: 'yes' as unknown as boolean }),
    (e: Error) => e instanceof TypeError && e.message === 'configure: traceOperations must be a boolean, got "yes"',
  );
  assert.throws(
    () => configure(null as unknown as {}),
    (e: Error) => e instanceof TypeError && e.message === 'configure: options must be an object, got null',
  );
  assert.is(configure({}).traceOperations, false);
});

traced.run();
