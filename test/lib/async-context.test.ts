import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { Greenlet, Hub, Queue, call, configure, getCurrent, joinAll, sleep, spawn, type Operation } from 'grove';
import { CONTEXT } from '../../lib/internal/keys.js';
import { Context } from '../../lib/internal/async-context.js';
import { Actor } from 'grove/actors';
import { simulate } from 'grove/testing';

const als = new AsyncLocalStorage<string>();

const context = suite('Greenlets and AsyncLocalStorage');

context('two greenlets started under als.run("A") and als.run("B") each see their own, step after step', () => {
  const hub = new Hub({ clock: 'virtual' });
  const seen: string[] = [];
  function* worker(tag: string): Operation<void> {
    for (let i = 0; i < 3; i++) {
      seen.push(`${tag} sees ${als.getStore()}`);
      yield* sleep(10);
    }
  }
  const a = als.run('A', () => hub.run(worker, 'a'));
  const b = als.run('B', () => hub.run(worker, 'b'));
  return Promise.all([a, b]).then(() => {
    assert.equal(seen, ['a sees A', 'b sees B', 'a sees A', 'b sees B', 'a sees A', 'b sees B']);
  });
});

context('a greenlet keeps its context whoever wakes it: a put from a greenlet in another context', () =>
  simulate(function* () {
    const queue = new Queue<number>();
    const seen: string[] = [];
    const consumer = als.run('consumer', () =>
      spawn(function* () {
        for (let i = 0; i < 2; i++) {
          const n = yield* queue.get();
          seen.push(`got ${n} in ${als.getStore()}`);
        }
      }),
    );
    const producer = als.run('producer', () =>
      spawn(function* () {
        for (const n of [1, 2]) {
          queue.putNowait(n);
          seen.push(`put ${n} in ${als.getStore()}`);
          yield* sleep(1);
        }
      }),
    );
    yield* joinAll([consumer, producer]);
    assert.equal(seen, ['put 1 in producer', 'got 1 in consumer', 'put 2 in producer', 'got 2 in consumer']);
  }));

context('a greenlet started inside a greenlet, within als.run there, sees that store; its parent keeps its own', () =>
  als.run('outer', () =>
    simulate(function* () {
      const seen: string[] = [];
      const child = als.run('inner', () => spawn(function* () {
        yield* sleep(1);
        seen.push(`child: ${als.getStore()}`);
      }));
      const plain = spawn(function* () {
        yield* sleep(1);
        seen.push(`sibling: ${als.getStore()}`);
      });
      yield* joinAll([child, plain]);
      seen.push(`parent: ${als.getStore()}`);
      assert.equal(seen, ['child: inner', 'sibling: outer', 'parent: outer']);
    }),
  ));

context('a greenlet made in one context and started from another runs in the one it was made in', () =>
  simulate(function* () {
    let seen: string | undefined;
    const made = als.run('request', () => new Greenlet(function* () {
      yield* sleep(1);
      seen = als.getStore();
    }));
    const starter = als.run('pool', () => spawn(() => void made.start()));
    yield* starter.join();
    yield* made.join();
    assert.is(seen, 'request');
  }));

context('a greenlet started outside any context sees none, even when woken from one', () =>
  simulate(function* () {
    const queue = new Queue<string>();
    let seen: string | undefined = 'not run';
    const reader = spawn(function* () {
      yield* queue.get();
      seen = als.getStore();
    });
    als.run('writer', () => queue.putNowait('x'));
    yield* reader.join();
    assert.is(seen, undefined);
  }));

context('enterWith inside a greenlet lasts for the rest of that greenlet, and no other', () =>
  simulate(function* () {
    const seen: string[] = [];
    const a = spawn(function* () {
      als.enterWith('a-own');
      yield* sleep(5);
      seen.push(`a: ${als.getStore()}`);
    });
    const b = spawn(function* () {
      yield* sleep(5);
      seen.push(`b: ${String(als.getStore())}`);
    });
    yield* joinAll([a, b]);
    assert.equal(seen, ['a: a-own', 'b: undefined']);
  }));

context('promise work a greenlet waits on with call() runs in the greenlet\'s context', async () => {
  const hub = new Hub({ clock: 'virtual' });
  const seen = await als.run('request-7', () =>
    hub.run(function* () {
      return yield* call(async () => {
        await null;
        return `in promise: ${als.getStore()}`;
      });
    }),
  );
  assert.is(seen, 'in promise: request-7');
});

context('an actor handles every message in the context it was started in, not its senders\'', () =>
  simulate(function* () {
    const seen: string[] = [];
    class Logger extends Actor<string> {
      protected receive(message: string): void {
        seen.push(`${message} handled in ${als.getStore()}`);
      }
    }
    const logger = als.run('logger', () => new Logger().start());
    yield* sleep(0);
    als.run('sender', () => logger.send('hello'));
    yield* sleep(0);
    logger.stop();
    assert.equal(seen, ['hello handled in logger']);
  }));

context('configure({ asyncContext: false }): greenlets see the context of what runs the hub, not their own', async () => {
  const before = configure({ asyncContext: false });
  try {
    const hub = new Hub({ clock: 'virtual' });
    const seen: (string | undefined)[] = [];
    function* look(): Operation<void> {
      yield* sleep(1);
      seen.push(als.getStore());
    }
    // The first run() queues the hub's loop, in context A; B's greenlet runs in that loop too.
    await Promise.all([als.run('A', () => hub.run(look)), als.run('B', () => hub.run(look))]);
    assert.equal(seen, ['A', 'A']);
  } finally {
    configure(before);
  }
  assert.is(configure({}).asyncContext, true, 'on by default');
});

context('a greenlet made by a greenlet sees the store its maker had then, not what the maker enters later', () =>
  simulate(function* () {
    const seen: string[] = [];
    const maker = spawn(function* () {
      als.enterWith('first');
      const child = spawn(function* () {
        yield* sleep(5);
        seen.push(`child: ${als.getStore()}`);
      });
      als.enterWith('second');
      yield* child.join();
      seen.push(`maker: ${als.getStore()}`);
    });
    const sibling = spawn(function* () {
      yield* sleep(5);
      seen.push(`sibling: ${String(als.getStore())}`);
    });
    yield* joinAll([maker, sibling]);
    assert.equal(seen, ['sibling: undefined', 'child: first', 'maker: second']);
    assert.is(als.getStore(), undefined);
  }));

context('als.run inside a step changes nothing for the greenlets that share its context, before or after', () =>
  simulate(function* () {
    const seen: string[] = [];
    const runner = spawn(function* () {
      for (let i = 0; i < 2; i++) {
        als.run(`inner ${i}`, () => seen.push(`runner inside: ${als.getStore()}`));
        seen.push(`runner after: ${String(als.getStore())}`);
        yield* sleep(0);
      }
    });
    const other = spawn(function* () {
      for (let i = 0; i < 2; i++) {
        seen.push(`other: ${String(als.getStore())}`);
        yield* sleep(0);
      }
    });
    yield* joinAll([runner, other]);
    assert.equal(seen, [
      'runner inside: inner 0',
      'runner after: undefined',
      'other: undefined',
      'runner inside: inner 1',
      'runner after: undefined',
      'other: undefined',
    ]);
  }));

context('a storage first used by enterWith in one greenlet is not seen by the others of its context', () =>
  simulate(function* () {
    const fresh = new AsyncLocalStorage<string>();
    const seen: string[] = [];
    const a = spawn(function* () {
      fresh.enterWith('a only');
      yield* sleep(0);
      seen.push(`a: ${fresh.getStore()}`);
    });
    const b = spawn(function* () {
      yield* sleep(0);
      seen.push(`b: ${String(fresh.getStore())}`);
    });
    yield* joinAll([a, b]);
    seen.push(`main: ${String(fresh.getStore())}`);
    assert.equal(seen, ['a: a only', 'b: undefined', 'main: undefined']);
    fresh.disable();
  }));

context("a greenlet made inside another resource's scope, within a step, runs in that scope's context", () =>
  simulate(function* () {
    const resource = als.run('from a resource', () => new AsyncResource('test'));
    let seen: string | undefined;
    const child = resource.runInAsyncScope(() =>
      spawn(function* () {
        yield* sleep(1);
        seen = als.getStore();
      }),
    );
    yield* child.join();
    assert.is(seen, 'from a resource');
  }));

context("a link callback's enterWith is not seen by the greenlets that run after it", () =>
  simulate(function* () {
    const seen: string[] = [];
    const dying = spawn(() => 'done');
    dying.link(() => als.enterWith('from a link'));
    const after = spawn(function* () {
      yield* sleep(0);
      yield* sleep(0);
      seen.push(`after: ${String(als.getStore())}`);
    });
    yield* joinAll([dying, after]);
    seen.push(`main: ${String(als.getStore())}`);
    assert.equal(seen, ['after: undefined', 'main: undefined']);
  }));

context('greenlets made in one step share one captured context; one that enters a store gets its own', () =>
  simulate(function* () {
    const gs = [0, 1, 2].map(() => spawn(() => sleep(1)));
    const main = getCurrent();
    assert.ok(main[CONTEXT] !== null);
    assert.ok(gs.every((g) => g[CONTEXT] === main[CONTEXT]), 'made in main\'s step, they share its context');
    const changer = spawn(function* () {
      als.enterWith('own');
      yield* sleep(1);
    });
    assert.is(changer[CONTEXT], main[CONTEXT]);
    yield* sleep(0);
    assert.ok(changer[CONTEXT] !== main[CONTEXT], 'after its step entered a store, it has a context of its own');
    yield* joinAll([...gs, changer]);
  }));

context('greenlets of one context pay no scope per step: a ping-pong of 2,000 messages enters it once per pass', async () => {
  const entries = { count: 0 };
  const run = Context.prototype.run;
  Context.prototype.run = function <S>(this: Context, fn: (this: S) => void, self: S): void {
    entries.count++;
    run.call<Context, [(this: S) => void, S], void>(this, fn, self);
  };
  try {
    await simulate(function* () {
      const ping = new Queue<number>();
      const pong = new Queue<number>();
      const a = spawn(function* () {
        for (let i = 0; i < 1000; i++) {
          ping.putNowait(i);
          yield* pong.get();
        }
      });
      const b = spawn(function* () {
        for (let i = 0; i < 1000; i++) {
          yield* ping.get();
          pong.putNowait(i);
        }
      });
      yield* joinAll([a, b]);
    });
  } finally {
    Context.prototype.run = run;
  }
  // About 4,000 steps and queue rounds, in passes of 1000 tasks: a handful of entries, not one per step.
  assert.ok(entries.count <= 10, `the context's scope was entered ${entries.count} times`);
});

context('configure checks asyncContext', () => {
  assert.throws(
    () => configure({ asyncContext: 'yes' as never }),
    (e: Error) => e instanceof TypeError && e.message === 'configure: asyncContext must be a boolean, got "yes"',
  );
});

context.run();
