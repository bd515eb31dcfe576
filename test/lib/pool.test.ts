import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  BaseGroup,
  Greenlet,
  GreenletExit,
  Group,
  IMap,
  Pool,
  PoolFull,
  Timeout,
  getCurrent,
  getHub,
  sleep,
  spawn,
  type ErrorContext,
  type Operation,
} from 'grove';
import { simulate } from 'grove/testing';

/** The hub's virtual time, in ms. */
const now = (): number => getHub().now();

/** Collects what the hub reports, as `"<greenlet>: <message>"`. */
function reports(): { lines: string[]; onError: (error: unknown, context: ErrorContext) => void } {
  const lines: string[] = [];
  return {
    lines,
    onError: (error, context) => void lines.push(`${context.greenlet?.name ?? 'hub'}: ${(error as Error).message}`),
  };
}

/** Drains an IMap into an array. */
function* collect<T>(it: IMap<T>): Operation<T[]> {
  const out: T[] = [];
  for (let r = yield* it.next(); !r.done; r = yield* it.next()) out.push(r.value);
  return out;
}

/** Runs `body` and returns the error it throws (fails if it does not). */
function* thrown(body: () => Operation<unknown>): Operation<unknown> {
  try {
    yield* body();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

/** True if `g` ended by a kill with GreenletExit (its value is then the instance, whatever its type says). */
const killed = (g: Greenlet<unknown>): boolean => (g.value as unknown) instanceof GreenletExit;

function* sleeper(ms: number): Operation<number> {
  yield* sleep(ms);
  return ms;
}

// ---------------------------------------------------------------------------

const group = suite('Group');

group('add makes a greenlet a member; it leaves in the link round after it dies', () =>
  simulate(function* () {
    const g = new Group();
    const a = spawn(() => 'a');
    const b = spawn(sleeper, 10);
    g.add(a);
    g.add(b);
    g.add(a);
    assert.is(g.size, 2);
    assert.ok(g.has(a) && g.has(b));
    yield* sleep(0);
    assert.ok(a.dead, 'a ran while main slept');
    assert.is(g.size, 2, 'a dead greenlet is counted until its links run');
    yield* sleep(0);
    assert.is(g.size, 1);
    assert.not.ok(g.has(a));
    assert.equal([...g], [b]);
  }));

group('spawn adds and starts a member without blocking; iteration gives members in the order they joined', () =>
  simulate(function* () {
    const g = new Group();
    const order: string[] = [];
    const x = g.spawn((name: string) => void order.push(name), 'x');
    const y = g.spawn(function* (name: string) {
      order.push(name);
      yield* sleep(5);
      return name.length;
    }, 'yy');
    assert.ok(x.started && !x.dead);
    assert.equal(order, [], 'spawn never switches');
    assert.equal([...g], [x, y]);
    assert.is(yield* g.join(), true);
    assert.equal(order, ['x', 'yy']);
    assert.is(y.value, 2);
    assert.is(g.size, 0);
    assert.is(now(), 5);
  }));

group('a group can be created holding greenlets, and add accepts one not yet started', () =>
  simulate(function* () {
    const a = spawn(sleeper, 1);
    const b = new Greenlet(sleeper, 2);
    const g = new Group([a, b]);
    assert.equal([...g], [a, b]);
    assert.not.ok(b.started, 'add does not start it');
    b.start();
    assert.is(yield* g.join(), true);
    assert.is(now(), 2);
  }));

group('discard removes a live member without killing it', () =>
  simulate(function* () {
    const g = new Group();
    const a = g.spawn(sleeper, 10);
    g.discard(a);
    g.discard(a);
    assert.is(g.size, 0);
    assert.is(yield* g.join(), true);
    assert.is(now(), 0, 'join did not wait for a');
    assert.is(yield* a.get(), 10, 'a ran to completion');
    g.add(a);
    assert.is(g.size, 1);
    yield* sleep(0);
    assert.is(g.size, 0, 'a dead greenlet added leaves at the next link round');
  }));

group('join waits until every member is dead, including members added while it waits', () =>
  simulate(function* () {
    const g = new Group();
    g.spawn(function* () {
      yield* sleep(10);
      g.spawn(sleeper, 15);
    });
    assert.is(yield* g.join(), true);
    assert.is(now(), 25);
    assert.is(g.size, 0);
  }));

group('join on an empty group returns true at once; several joiners all wake', () =>
  simulate(function* () {
    const g = new Group();
    assert.is(yield* g.join(), true);
    g.spawn(sleeper, 7);
    const woke: string[] = [];
    const j1 = spawn(function* () {
      woke.push(`j1 ${yield* g.join()} ${now()}`);
    });
    const j2 = spawn(function* () {
      woke.push(`j2 ${yield* g.join()} ${now()}`);
    });
    yield* j1.join();
    yield* j2.join();
    assert.equal(woke, ['j1 true 7', 'j2 true 7']);
  }));

group('join returns false on timeout and the members keep running', () =>
  simulate(function* () {
    const g = new Group();
    const a = g.spawn(sleeper, 50);
    assert.is(yield* g.join({ timeout: 20 }), false);
    assert.is(now(), 20);
    assert.not.ok(a.dead);
    assert.is(yield* g.join({ timeout: 0 }), false, 'timeout 0 never blocks');
    assert.is(now(), 20);
    assert.is(yield* g.join({ timeout: 100 }), true);
    assert.is(now(), 50);
  }));

group('join raises a Timeout given as its timeout', () =>
  simulate(function* () {
    const g = new Group();
    g.spawn(sleeper, 50);
    const timer = new Timeout(10);
    assert.is(yield* thrown(() => g.join({ timeout: timer })), timer);
    assert.is(now(), 10);
  }));

group('join with raiseError waits for the group to empty, then throws the first member failure', () => {
  const hub = reports();
  return simulate(
    function* () {
      const g = new Group();
      const first = new Error('first');
      g.spawn(function* () {
        yield* sleep(20);
        throw new Error('second');
      });
      g.spawn(function* () {
        yield* sleep(10);
        throw first;
      });
      g.spawn(sleeper, 30);
      assert.is(yield* thrown(() => g.join({ raiseError: true })), first);
      assert.is(now(), 30);
      assert.is(g.size, 0);
      assert.equal(hub.lines, [], 'the failures were watched: not reported');
    },
    { onError: hub.onError },
  );
});

group('join with raiseError and a timeout throws a failure that happened in time, else returns false', () =>
  simulate(function* () {
    const g = new Group();
    const boom = new Error('boom');
    g.spawn(function* () {
      yield* sleep(5);
      throw boom;
    });
    const slow = g.spawn(sleeper, 100);
    assert.is(yield* thrown(() => g.join({ raiseError: true, timeout: 10 })), boom);
    assert.is(now(), 10);
    assert.is(yield* g.join({ raiseError: true, timeout: 10 }), false, 'no failure among the members left');
    assert.is(yield* g.join({ raiseError: true }), true);
    assert.is(slow.value, 100);
  }));

group('a failing member does not take the group down, and the hub reports it', () => {
  const hub = reports();
  return simulate(
    function* () {
      const g = new Group();
      const bad = g.spawn(function* (): Operation<void> {
        yield* sleep(1);
        throw new Error('member failed');
      });
      const good = g.spawn(sleeper, 5);
      assert.is(yield* g.join(), true);
      assert.is(good.value, 5);
      assert.is((bad.exception as Error).message, 'member failed');
      assert.equal(hub.lines, [`${bad.name}: member failed`]);
      assert.is(yield* g.apply(() => 'still usable'), 'still usable');
    },
    { onError: hub.onError },
  );
});

group('join from a member of the group throws instead of waiting for itself', () =>
  simulate(function* () {
    const g = new Group();
    const member = g.spawn(function* () {
      return (yield* thrown(() => g.join())) as Error;
    });
    const error = yield* member.get();
    assert.is(error.message, `Group.join: ${member.name} is a member of this group and would wait for itself`);
  }));

group('kill raises GreenletExit in every member, runs their finally blocks, and with yield* waits until the group is empty', () =>
  simulate(function* () {
    const g = new Group();
    const log: string[] = [];
    const worker = function* (name: string): Operation<void> {
      try {
        yield* sleep(1000);
      } finally {
        log.push(`${name} cleans up`);
        yield* sleep(3);
        log.push(`${name} done`);
      }
    };
    const a = g.spawn(worker, 'a');
    const b = g.spawn(worker, 'b');
    yield* sleep(0);
    const kill = g.kill();
    assert.ok(a.dead === false && log.length === 0, 'kill takes effect when called, does not block');
    yield* kill;
    assert.equal(log, ['a cleans up', 'b cleans up', 'a done', 'b done']);
    assert.is(g.size, 0);
    assert.is(now(), 3);
    assert.ok(killed(a) && killed(b));
  }));

group('kill with an exception class raises a new instance in each member, reported as failures', () => {
  const hub = reports();
  return simulate(
    function* () {
      class Stop extends Error {
        override message = 'stop';
      }
      const g = new Group();
      const a = g.spawn(sleeper, 100);
      const b = g.spawn(sleeper, 100);
      yield* sleep(0);
      yield* g.kill({ exception: Stop });
      assert.ok(a.exception instanceof Stop && b.exception instanceof Stop);
      assert.is.not(a.exception, b.exception);
      assert.equal(hub.lines, [`${a.name}: stop`, `${b.name}: stop`]);
    },
    { onError: hub.onError },
  );
});

group('kill keeps killing members added while it waits, until the group is empty', () =>
  simulate(function* () {
    const g = new Group();
    const late: Greenlet<number>[] = [];
    g.spawn(function* () {
      try {
        yield* sleep(1000);
      } finally {
        yield* sleep(5);
        late.push(g.spawn(sleeper, 1000));
      }
    });
    yield* sleep(0);
    yield* g.kill();
    assert.is(g.size, 0);
    assert.is(late.length, 1);
    assert.ok(late[0].dead && killed(late[0]));
    assert.is(now(), 5);
  }));

group('kill with a timeout gives up silently on a member that ignores the kill; a member is not killed twice', () =>
  simulate(function* () {
    const g = new Group();
    let caught = 0;
    const stubborn = g.spawn(function* () {
      for (;;) {
        try {
          yield* sleep(1000);
          return 'gave in';
        } catch {
          caught++;
        }
      }
    });
    yield* sleep(0);
    yield* g.kill({ timeout: 50 });
    assert.is(now(), 50);
    assert.not.ok(stubborn.dead);
    assert.is(caught, 1);
    yield* g.kill({ timeout: 10 });
    assert.is(caught, 1, 'the group already killed it');
    assert.is(now(), 60);
    assert.is(yield* stubborn.get(), 'gave in');
    assert.is(now(), 1000);
  }));

group('killOne kills a member (counted until the next link round); a non-member is left alone', () =>
  simulate(function* () {
    const g = new Group();
    const a = g.spawn(sleeper, 100);
    const b = g.spawn(sleeper, 100);
    const outsider = spawn(sleeper, 100);
    yield* sleep(0);
    g.killOne(a);
    assert.not.ok(a.dead, 'the kill is delivered when a next runs');
    yield* sleep(0);
    assert.ok(a.dead);
    assert.is(g.size, 2, 'still counted');
    yield* sleep(0);
    assert.is(g.size, 1);
    g.killOne(outsider);
    yield* g.killOne(outsider);
    assert.not.ok(outsider.dead);
    yield* g.killOne(b, { exception: new GreenletExit('bye') });
    assert.is((b.value as unknown as GreenletExit).message, 'bye');
    assert.is(g.size, 0, 'after yield* the victim has left');
  }));

group('killOne with yield* on a member the group already killed returns at once, though it lives on (gevent\'s killone)', () =>
  simulate(function* () {
    const g = new Group();
    const stubborn = g.spawn(function* () {
      try {
        yield* sleep(1000);
      } catch {
        // Swallows the GreenletExit and carries on.
      }
      yield* sleep(1000);
      return 'gave in';
    });
    yield* sleep(0);
    yield* g.killOne(stubborn, { timeout: 10 });
    assert.is(now(), 10);
    assert.not.ok(stubborn.dead);
    yield* g.killOne(stubborn);
    assert.is(now(), 10, 'did not wait: the group had killed it already');
    g.kill();
    yield* g.killOne(stubborn);
    assert.is(now(), 10);
    assert.not.ok(stubborn.dead);
    assert.is(yield* stubborn.get(), 'gave in');
    assert.is(now(), 1000, 'killed at 0, it slept 1000 ms more');
  }));

group('a member that kills its group kills the others too, then itself', () =>
  simulate(function* () {
    const g = new Group();
    const order: string[] = [];
    const other = g.spawn(function* () {
      try {
        yield* sleep(100);
      } finally {
        order.push('other');
      }
    });
    const killer = g.spawn(function* () {
      yield* sleep(1);
      try {
        g.kill();
      } finally {
        order.push('killer');
      }
    });
    yield* g.join();
    assert.equal(order, ['killer', 'other']);
    assert.ok(killed(killer) && killed(other));
  }));

group('map returns results in input order, whatever order the items finish in', () =>
  simulate(function* () {
    const g = new Group();
    const results = yield* g.map(sleeper, [30, 10, 20]);
    assert.equal(results, [30, 10, 20]);
    assert.is(now(), 30);
    assert.equal(yield* g.map((s: string) => s.toUpperCase(), new Set(['a', 'b'])), ['A', 'B']);
    assert.equal(yield* g.map((n: number) => Promise.resolve(n + 1), [1, 2]), [2, 3]);
    assert.equal(yield* g.map(sleeper, []), []);
    assert.is(g.size, 0);
  }));

group('map throws a failed item\'s error when the in-order collection reaches it', () => {
  const hub = reports();
  return simulate(
    function* () {
      const g = new Group();
      const items: Array<[number, string | null]> = [
        [30, null],
        [10, 'first failure'],
        [50, 'late failure'],
      ];
      const error = yield* thrown(() =>
        g.map(function* ([ms, failure]: [number, string | null]) {
          yield* sleep(ms);
          if (failure !== null) throw new Error(failure);
          return ms;
        }, items),
      );
      assert.is((error as Error).message, 'first failure');
      assert.is(now(), 30, 'thrown when item 0 was in, not when item 1 failed');
      assert.equal(hub.lines, []);
      yield* g.join();
      assert.is(hub.lines.length, 1, 'a failure map will never throw is reported');
      assert.match(hub.lines[0], /: late failure$/);
    },
    { onError: hub.onError },
  );
});

group('map with a timeout throws Timeout and leaves the started items running', () =>
  simulate(function* () {
    const g = new Group();
    const error = yield* thrown(() => g.map(sleeper, [10, 40], { timeout: 20 }));
    assert.ok(error instanceof Timeout);
    assert.is((error as Timeout).message, '20 ms');
    assert.is(now(), 20);
    assert.is(g.size, 1);
    yield* g.join();
    assert.is(now(), 40);
  }));

group('map and imap reject a non-iterable and a non-function, naming them', () =>
  simulate(function* () {
    const g = new Group();
    const fn = (n: number): number => n;
    assert.throws(() => g.map(fn, 5 as unknown as number[]), (e: Error) => e instanceof TypeError && e.message === 'Group.map: items must be an iterable, got 5');
    assert.throws(() => g.map(fn, null as unknown as number[]), /Group\.map: items must be an iterable, got null/);
    assert.throws(() => g.imap(fn, {} as unknown as number[]), /Group\.imap: items must be an iterable, got an object/);
    assert.throws(() => new Pool(2).imapUnordered(fn, 1 as unknown as number[]), /Pool\.imapUnordered: items must be an iterable, got 1/);
    assert.throws(() => g.map('f' as unknown as typeof fn, [1]), /Group\.map: fn must be a function, got "f"/);
    assert.throws(() => g.apply(fn, 3 as unknown as [number]), /Group\.apply: args must be an array, got 3/);
    assert.throws(() => g.add({} as Greenlet), /Group\.add: expected a Greenlet, got an object/);
    assert.throws(() => g.join({ timeout: -1 }), /Group\.join: timeout must be a non-negative number of ms, got -1/);
    assert.throws(() => g.kill({ exception: 'x' as unknown as Error }), /Group\.kill: exception must be an Error class or instance, got "x"/);
    assert.is(g.size, 0);
  }));

group('imap gives results in input order, imapUnordered in completion order', () =>
  simulate(function* () {
    const g = new Group();
    const ordered = g.imap(sleeper, [30, 10, 20]);
    const unordered = g.imapUnordered(sleeper, [30, 10, 20]);
    assert.is(g.size, 0, 'items start when the caller blocks');
    const first = yield* ordered.next();
    assert.equal(first, { done: false, value: 30 });
    assert.is(now(), 30);
    assert.equal(yield* collect(ordered), [10, 20]);
    assert.equal(yield* collect(unordered), [10, 20, 30]);
    assert.equal(yield* ordered.next(), { done: true, value: undefined });
    assert.equal(yield* ordered.next(), { done: true, value: undefined });
  }));

group('imap throws a failed item\'s error at its place and goes on after it', () =>
  simulate(function* () {
    const g = new Group();
    const it = g.imap(function* (n: number) {
      yield* sleep(10 - n);
      if (n === 1) throw new Error('one');
      return n;
    }, [0, 1, 2]);
    assert.equal(yield* it.next(), { done: false, value: 0 });
    assert.is(((yield* thrown(() => it.next())) as Error).message, 'one');
    assert.equal(yield* collect(it), [2]);
  }));

group('imap next() with a timeout throws Timeout and the iterator stays usable', () =>
  simulate(function* () {
    const it = new Group().imapUnordered(sleeper, [50]);
    const error = yield* thrown(() => it.next({ timeout: 20 }));
    assert.ok(error instanceof Timeout);
    assert.is(now(), 20);
    assert.equal(yield* it.next({ timeout: 100 }), { done: false, value: 50 });
    assert.equal(yield* it.next({ timeout: 0 }), { done: true, value: undefined });
  }));

group('an input that throws while being iterated fails its position', () =>
  simulate(function* () {
    function* input(): Generator<number> {
      yield 10;
      yield 20;
      throw new Error('input broke');
    }
    const it = new Group().imap(sleeper, input());
    assert.equal(yield* it.next(), { done: false, value: 10 });
    assert.equal(yield* it.next(), { done: false, value: 20 });
    assert.is(((yield* thrown(() => it.next())) as Error).message, 'input broke');
    assert.equal(yield* it.next(), { done: true, value: undefined });
  }));

group('close() ends an imap: next() gives done, also to a waiting caller, and a failure it drops is reported', () => {
  const hub = reports();
  return simulate(
    function* () {
      const g = new Group();
      const it = g.imapUnordered(function* (n: number) {
        yield* sleep(n);
        if (n === 5) throw new Error('dropped');
        return n;
      }, [5, 30]);
      const other = g.imap(sleeper, [100]);
      const waiter = spawn(() => other.next());
      yield* sleep(10);
      assert.equal(hub.lines, [], 'the failure waits for a next() call');
      it.close();
      other.close();
      assert.is(hub.lines.length, 1);
      assert.match(hub.lines[0], /^Greenlet-\d+: dropped$/);
      assert.equal(yield* it.next(), { done: true, value: undefined });
      assert.equal(yield* waiter.get(), { done: true, value: undefined });
      assert.is(g.size, 2, 'running items go on');
      yield* g.join();
      assert.is(now(), 100);
      assert.is(hub.lines.length, 1);
    },
    { onError: hub.onError },
  );
});

group('apply runs a function in a new member and returns its value or throws its error', () =>
  simulate(function* () {
    const g = new Group();
    let member = false;
    const value = yield* g.apply(function* (a: number, b: string) {
      member = g.has(getCurrent());
      yield* sleep(5);
      return `${b}${a}`;
    }, [1, 'x']);
    assert.is(value, 'x1');
    assert.ok(member);
    assert.is(yield* g.apply(() => 42), 42);
    const boom = new Error('boom');
    assert.is(
      yield* thrown(() =>
        g.apply((): number => {
          throw boom;
        }),
      ),
      boom,
    );
    assert.ok((yield* thrown(() => g.apply(sleeper, [100], { timeout: 10 }))) instanceof Timeout);
  }));

group('apply and map called from a member run in the caller, not in new members', () =>
  simulate(function* () {
    const pool = new Pool(1);
    const seen: string[] = [];
    const outer = yield* pool.spawn(function* () {
      const self = getCurrent();
      const a = yield* pool.apply(() => getCurrent() === self);
      const m = yield* pool.map((n: number) => (getCurrent() === self ? n : -1), [1, 2]);
      seen.push(`${a} ${m}`);
    });
    yield* pool.join();
    assert.ok(outer.successful());
    assert.equal(seen, ['true 1,2'], 'a full Pool(1) did not deadlock');
  }));

group('types flow from the functions given to spawn, map, imap and apply', () =>
  simulate(function* () {
    const g = new Group();
    const p = new Pool(2);
    const fromGenerator: number[] = yield* g.map(sleeper, [1, 2]);
    const fromPlain: string[] = yield* p.map((n: number) => n.toFixed(1), [1]);
    const fromPromise: boolean[] = yield* g.map((n: number) => Promise.resolve(n > 1), [1, 2]);
    const it: IMap<number> = p.imapUnordered(sleeper, [3]);
    const first: IteratorResult<number, undefined> = yield* it.next();
    const spawned: Greenlet<number> = yield* p.spawn(sleeper, 1);
    const plain: Greenlet<string> = g.spawn((a: number, b: string) => b.repeat(a), 2, 'x');
    const applied: string = yield* g.apply(function* (a: number, b: string) {
      yield* sleep(a);
      return b;
    }, [1, 'y']);
    const noArgs: number = yield* p.apply(() => 7);
    if (Number.isNaN(0)) {
      // Compile-time checks only: never run.
      // @ts-expect-error the arguments must match fn's parameters
      yield* g.apply(sleeper, ['x']);
      // @ts-expect-error fn takes an argument: apply needs args
      yield* g.apply(sleeper);
      // @ts-expect-error a Pool's spawn is an Operation, not a Greenlet
      const wrong: Greenlet<number> = p.spawn(sleeper, 1);
      // @ts-expect-error items must be an iterable of fn's parameter type
      yield* g.map(sleeper, ['a']);
      void wrong;
    }
    yield* g.join();
    yield* p.join();
    assert.equal([fromGenerator, fromPlain, fromPromise, first.value, spawned.value, plain.value, applied, noArgs], [
      [1, 2],
      ['1.0'],
      [false, true],
      3,
      1,
      'xx',
      'y',
      7,
    ]);
  }));

group('Group and Pool are both BaseGroups', () => {
  assert.ok(new Group() instanceof BaseGroup);
  assert.ok(new Pool(1) instanceof BaseGroup);
  assert.not.ok(new Pool(1) instanceof Group);
});

group.run();

// ---------------------------------------------------------------------------

const pool = suite('Pool');

pool('spawn blocks while the pool is full, and jobs start in spawn order', () =>
  simulate(function* () {
    const p = new Pool(2);
    const log: string[] = [];
    function* job(name: string): Operation<void> {
      log.push(`${name} starts at ${now()}`);
      yield* sleep(10);
    }
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      yield* p.spawn(job, name);
      log.push(`spawned ${name} at ${now()}`);
    }
    yield* p.join();
    // The spawner resumes when a's slot frees and spawns on until it blocks; then c and d run.
    assert.equal(log, [
      'spawned a at 0',
      'spawned b at 0',
      'a starts at 0',
      'b starts at 0',
      'spawned c at 10',
      'spawned d at 10',
      'c starts at 10',
      'd starts at 10',
      'spawned e at 20',
      'e starts at 20',
    ]);
  }));

pool('size, freeCount() and full() track the members through a run', () =>
  simulate(function* () {
    const p = new Pool(3);
    const seen: string[] = [];
    const look = (): number => void seen.push(`${now()}: size ${p.size} free ${p.freeCount()} full ${p.full()}`) as unknown as number;
    look();
    yield* p.spawn(sleeper, 10);
    yield* p.spawn(sleeper, 20);
    look();
    yield* p.spawn(sleeper, 30);
    look();
    yield* sleep(15);
    look();
    yield* sleep(10);
    look();
    yield* p.join();
    look();
    assert.equal(seen, [
      '0: size 0 free 3 full false',
      '0: size 2 free 1 full false',
      '0: size 3 free 0 full true',
      '15: size 2 free 1 full false',
      '25: size 1 free 2 full false',
      '30: size 0 free 3 full false',
    ]);
  }));

pool('greenlets waiting in spawn get slots in the order they called, and nobody calling later barges in', () =>
  simulate(function* () {
    const p = new Pool(1);
    const started: string[] = [];
    const job = (name: string): void => void started.push(name);
    const first = yield* p.spawn(sleeper, 10);
    const waiters = ['w1', 'w2', 'w3'].map((name) => spawn(() => p.spawn(job, name)));
    const seen: string[] = [];
    // Its join link comes after the pool's link on `first`: it runs right after the slot went to w1, before w1 resumes.
    const late = spawn(function* () {
      yield* first.join();
      seen.push(`full ${p.full()} size ${p.size}`);
      yield* p.spawn(job, 'late');
    });
    yield* late.join();
    assert.equal(seen, ['full true size 1']);
    yield* p.join();
    assert.equal(started, ['w1', 'w2', 'w3', 'late']);
    assert.ok(waiters.every((w) => w.successful()));
  }));

pool('waitAvailable returns the free count at once, waits while full, and returns 0 on timeout', () =>
  simulate(function* () {
    const p = new Pool(2);
    assert.is(yield* p.waitAvailable(), 2);
    yield* p.spawn(sleeper, 10);
    yield* p.spawn(sleeper, 30);
    assert.is(yield* p.waitAvailable({ timeout: 5 }), 0);
    assert.is(now(), 5);
    assert.is(yield* p.waitAvailable({ timeout: 0 }), 0);
    assert.is(yield* p.waitAvailable(), 1);
    assert.is(now(), 10);
    const timer = new Timeout(5);
    yield* p.spawn(sleeper, 100);
    assert.is(yield* thrown(() => p.waitAvailable({ timeout: timer })), timer);
  }));

pool('a waitAvailable caller that spawns takes the slot; the next one waits on', () =>
  simulate(function* () {
    const p = new Pool(1);
    yield* p.spawn(sleeper, 10);
    const log: string[] = [];
    for (const name of ['x', 'y']) {
      spawn(function* () {
        const free = yield* p.waitAvailable();
        log.push(`${name} sees ${free} at ${now()}`);
        yield* p.spawn(sleeper, 10);
      });
    }
    yield* sleep(0);
    yield* p.join();
    yield* sleep(25);
    assert.equal(log, ['x sees 1 at 10', 'y sees 1 at 20']);
  }));

pool('add blocks while full, does not start the greenlet, and throws PoolFull on timeout', () =>
  simulate(function* () {
    const p = new Pool(1);
    yield* p.spawn(sleeper, 10);
    const g = new Greenlet(sleeper, 5);
    const error = yield* thrown(() => p.add(g, { timeout: 4 }));
    assert.ok(error instanceof PoolFull);
    assert.is((error as Error).message, 'Pool.add: no free slot within 4 ms');
    assert.not.ok(p.has(g));
    yield* p.add(g);
    assert.is(now(), 10);
    assert.ok(p.has(g) && !g.started);
    yield* p.add(g);
    assert.is(p.size, 1, 'adding a member again takes no slot');
    g.start();
    yield* p.join();
    assert.is(now(), 15);
  }));

pool('imapUnordered follows the concurrency-limited schedule: [3,1,4,2,0] with Pool(10), [1,2,3,0,4] with Pool(2)', () =>
  simulate(function* () {
    const sleeps = [50, 10, 30, 0, 20];
    function* job(i: number): Operation<number> {
      yield* sleep(sleeps[i]);
      return i;
    }
    assert.equal(yield* collect(new Pool(10).imapUnordered(job, [0, 1, 2, 3, 4])), [3, 1, 4, 2, 0]);
    assert.equal(yield* collect(new Pool(2).imapUnordered(job, [0, 1, 2, 3, 4])), [1, 2, 3, 0, 4]);
    assert.equal(yield* collect(new Pool(2).imap(job, [0, 1, 2, 3, 4])), [0, 1, 2, 3, 4]);
    assert.equal(yield* new Pool(2).map(job, [0, 1, 2, 3, 4]), [0, 1, 2, 3, 4]);
  }));

pool('map runs at most capacity items at once, starting them in input order', () =>
  simulate(function* () {
    const p = new Pool(3);
    let running = 0;
    let most = 0;
    const starts: number[] = [];
    const results = yield* p.map(function* (n: number) {
      starts.push(n);
      most = Math.max(most, ++running);
      yield* sleep(10 * (n % 4) + 1);
      running--;
      return n * n;
    }, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(results, [0, 1, 4, 9, 16, 25, 36, 49]);
    assert.is(most, 3);
    assert.equal(starts, [0, 1, 2, 3, 4, 5, 6, 7]);
  }));

pool('killing a greenlet waiting in spawn keeps no slot, and its job never starts', () =>
  simulate(function* () {
    const p = new Pool(1);
    let ran = false;
    yield* p.spawn(sleeper, 10);
    const spawner = spawn(() => p.spawn(() => void (ran = true)));
    yield* sleep(5);
    yield* spawner.kill();
    assert.ok(killed(spawner));
    yield* p.join();
    yield* sleep(10);
    assert.not.ok(ran);
    assert.is(p.size, 0);
    assert.is(p.freeCount(), 1);
  }));

pool('killing a spawner handed a slot before it resumed gives the slot to the next in line', () =>
  simulate(function* () {
    const p = new Pool(1);
    const started: string[] = [];
    const job = (name: string): void => void started.push(name);
    const first = yield* p.spawn(sleeper, 10);
    const w1 = spawn(() => p.spawn(job, 'w1'));
    const w2 = spawn(() => p.spawn(job, 'w2'));
    const seen: boolean[] = [];
    // Linked after the pool's link: runs in the same link round, right after the slot went to w1.
    first.link(() => {
      seen.push(p.full());
      w1.kill();
    });
    yield* sleep(10);
    yield* p.join();
    assert.equal(seen, [true], 'the slot was w1\'s when it was killed');
    assert.equal(started, ['w2']);
    assert.ok(w2.successful());
    assert.ok(killed(w1));
    assert.is(p.freeCount(), 1);
  }));

pool('a Timeout raised in a greenlet waiting for a slot takes it out of the line', () =>
  simulate(function* () {
    const p = new Pool(1);
    yield* p.spawn(sleeper, 10);
    const timer = new Timeout(3);
    const started: string[] = [];
    assert.is(yield* thrown(() => timer.scope(p.spawn(() => void started.push('never')))), timer);
    yield* p.spawn(() => void started.push('next'));
    assert.is(now(), 10);
    yield* p.join();
    assert.equal(started, ['next']);
  }));

pool('when map fails, items not started yet never start', () => {
  const hub = reports();
  return simulate(
    function* () {
      const p = new Pool(1);
      const started: number[] = [];
      const error = yield* thrown(() =>
        p.map(function* (n: number) {
          started.push(n);
          yield* sleep(1);
          if (n === 1) throw new Error(`item ${n}`);
          return n;
        }, [0, 1, 2, 3]),
      );
      assert.is((error as Error).message, 'item 1');
      yield* p.join();
      yield* sleep(10);
      // Item 2 got item 1's slot in the link round before map saw the failure; item 3 never starts.
      assert.equal(started, [0, 1, 2]);
      assert.is(p.freeCount(), 1);
      assert.equal(hub.lines, []);
    },
    { onError: hub.onError },
  );
});

pool('killing a greenlet blocked in map stops the items not started; those running go on', () =>
  simulate(function* () {
    const p = new Pool(1);
    const started: number[] = [];
    const mapper = spawn(() =>
      p.map(function* (n: number) {
        started.push(n);
        yield* sleep(10);
        return n;
      }, [0, 1, 2]),
    );
    yield* sleep(5);
    yield* mapper.kill();
    assert.is(p.size, 1);
    yield* p.join();
    yield* sleep(50);
    assert.equal(started, [0]);
    assert.is(now(), 60);
    assert.is(p.freeCount(), 1);
  }));

pool('closing an imap whose feeder waits for a slot frees nothing it did not hold', () =>
  simulate(function* () {
    const p = new Pool(2);
    const it = p.imap(sleeper, [10, 20, 30, 40]);
    assert.equal(yield* it.next(), { done: false, value: 10 });
    it.close();
    assert.is(p.size, 2, 'items 1 and 2 run on');
    yield* p.join();
    assert.is(now(), 40, 'item 3 never started');
    assert.is(p.freeCount(), 2);
  }));

pool('kill empties the pool; a map whose items are killed gets their GreenletExit as results', () =>
  simulate(function* () {
    const p = new Pool(2);
    const mapper = spawn(() => p.map(sleeper, [100, 100, 100]));
    yield* sleep(5);
    yield* p.kill();
    assert.is(p.size, 0, 'item 2, handed the slot of a killed item, was killed too');
    const results = yield* mapper.get();
    assert.is(results.length, 3);
    assert.ok(results.every((r) => (r as unknown) instanceof GreenletExit));
    assert.is(now(), 5);
  }));

pool('an unbounded Pool never blocks: capacity and freeCount() are Infinity', () =>
  simulate(function* () {
    for (const p of [new Pool(), new Pool(null), new Pool(Infinity)]) {
      for (let i = 0; i < 100; i++) yield* p.spawn(sleeper, 1);
      assert.is(p.size, 100);
      assert.is(p.capacity, Infinity);
      assert.is(p.freeCount(), Infinity);
      assert.not.ok(p.full());
      assert.is(yield* p.waitAvailable(), Infinity);
      yield* p.join();
    }
    assert.is(now(), 3);
  }));

pool('a capacity that is not a positive integer is a RangeError naming it', () => {
  for (const bad of [0, -1, 1.5, NaN, -Infinity]) {
    assert.throws(
      () => new Pool(bad),
      (e: Error) => e instanceof RangeError && e.message === `new Pool: capacity must be a positive integer, or omitted for no limit; got ${bad}`,
    );
  }
  assert.throws(() => new Pool('3' as unknown as number), (e: Error) => e instanceof TypeError && /got "3"$/.test(e.message));
  assert.is(new Pool(7).capacity, 7);
});

pool('spawn, add and waitAvailable reject bad arguments at the call', () =>
  simulate(function* () {
    const p = new Pool(1);
    assert.throws(() => p.spawn(42 as unknown as () => void), /Pool\.spawn: fn must be a function, got 42/);
    assert.throws(() => p.add('g' as unknown as Greenlet), /Pool\.add: expected a Greenlet, got "g"/);
    assert.throws(() => p.add(new Greenlet(() => 1), { timeout: -5 }), /Pool\.add: timeout must be a non-negative number of ms, got -5/);
    assert.throws(() => p.waitAvailable({ timeout: 'soon' as unknown as number }), /Pool\.waitAvailable: timeout must be a number of ms or a Timeout, got "soon"/);
    assert.is(p.size, 0);
  }));

pool('a spawn without yield* is caught at the next blocking call', () =>
  simulate(function* () {
    const p = new Pool(1);
    p.spawn(sleeper, 1);
    const error = (yield* thrown(() => sleep(1))) as Error;
    assert.is(error.name, 'DroppedOperation');
    assert.match(error.message, /^Pool\.spawn\(\) was called without yield\*/);
    assert.is(p.size, 0, 'nothing was spawned');
  }));

pool('a blocked spawn with nothing left to free a slot ends in LoopExit', async () => {
  const error = await simulate(function* () {
    const p = new Pool(1);
    yield* p.add(new Greenlet(sleeper, 1));
    yield* p.spawn(sleeper, 1);
  }).then(
    () => null,
    (e: unknown) => e as Error,
  );
  assert.ok(error !== null);
  assert.is(error!.name, 'LoopExit');
  assert.match(error!.message, /blocked in Pool\.spawn\(\)/);
});

pool('under 200 seeded interleavings with kills, no slot leaks, no job runs twice and at most capacity run at once', async () => {
  const reported: string[] = [];
  for (let seed = 1; seed <= 200; seed++) {
    await simulate(
      function* () {
        const p = new Pool(3);
        let running = 0;
        let most = 0;
        const ran = new Map<string, number>();
        const returned = new Set<string>();
        function* job(name: string, ms: number): Operation<string> {
          ran.set(name, (ran.get(name) ?? 0) + 1);
          most = Math.max(most, ++running);
          try {
            yield* sleep(ms);
          } finally {
            running--;
          }
          return name;
        }
        const spawners = [0, 1, 2, 3].map((s) =>
          spawn(function* () {
            for (let j = 0; j < 5; j++) {
              yield* p.spawn(job, `s${s}j${j}`, (s * 7 + j * 3 + seed) % 4);
              returned.add(`s${s}j${j}`);
              assert.is(p.size + p.freeCount(), 3);
            }
          }),
        );
        const mapper = spawn(() => p.map((n: number) => job(`m${n}`, n % 3), [0, 1, 2, 3, 4, 5]));
        yield* sleep(seed % 5);
        spawners[seed % 4].kill();
        if (seed % 3 === 0) p.kill();
        yield* sleep(3);
        spawners[(seed + 1) % 4].kill();
        for (const g of [...spawners, mapper]) yield* g.join();
        yield* p.join();
        assert.ok(spawners.every((g) => g.successful()), `seed ${seed}: a spawner failed`);
        assert.is(p.freeCount(), 3, `seed ${seed}: a slot leaked`);
        assert.ok(most <= 3, `seed ${seed}: ${most} jobs ran at once`);
        for (const [name, n] of ran) {
          assert.is(n, 1, `seed ${seed}: ${name} ran ${n} times`);
          assert.ok(name.startsWith('m') || returned.has(name), `seed ${seed}: ${name} ran though its spawn never returned`);
        }
      },
      { seed, onError: (error) => void reported.push(`seed ${seed}: ${String(error)}`) },
    );
  }
  assert.equal(reported, []);
});

pool.run();
