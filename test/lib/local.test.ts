import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NotInGreenlet, getCurrent, joinAll, local, sleep, spawn } from 'grove';
import { simulate } from 'grove/testing';

/** Collects log lines. */
function recorder(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line: string) => void lines.push(line) };
}

const locals = suite('local');

locals('a property set in one greenlet is invisible in another', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const stash = local<{ x?: number; y?: number }>();
    const g1 = spawn(() => {
      stash.x = 1;
      log(String(stash.x));
    });
    const g2 = spawn(() => {
      stash.y = 2;
      log(String(stash.y));
      if (!('x' in stash)) log('x is not local to f2');
    });
    yield* joinAll([g1, g2]);
    assert.equal(lines, ['1', '2', 'x is not local to f2']);
  }));

locals('each greenlet keeps its own value across switches', () =>
  simulate(function* () {
    const stash = local<{ name?: string }>();
    const seen: string[] = [];
    function* worker(name: string) {
      stash.name = name;
      yield* sleep(0);
      seen.push(`${name}:${stash.name}`);
    }
    yield* joinAll([spawn(worker, 'a'), spawn(worker, 'b'), spawn(worker, 'c')]);
    assert.equal(seen, ['a:a', 'b:b', 'c:c']);
  }));

locals('children do not inherit their parent’s values', () =>
  simulate(function* () {
    const stash = local<{ x?: number }>();
    stash.x = 10;
    const child = spawn(() => stash.x);
    assert.is(yield* child.get(), undefined);
    assert.is(stash.x, 10);
  }));

locals('init runs once per greenlet, on its first access of any kind, and gives its initial properties', () =>
  simulate(function* () {
    const calls: string[] = [];
    const counter = local(() => {
      calls.push(getCurrent().name);
      return { count: 0 };
    });
    const a = spawn(function* () {
      counter.count++;
      yield* sleep(0);
      counter.count++;
      return counter.count;
    });
    a.name = 'a';
    const b = spawn(() => ('count' in counter ? counter.count : -1));
    b.name = 'b';
    const c = spawn(() => Object.keys(counter));
    c.name = 'c';
    assert.equal(calls, [], 'init waits for a first access');
    yield* joinAll([a, b, c]);
    assert.is(a.value, 2);
    assert.is(b.value, 0);
    assert.equal(c.value, ['count']);
    assert.equal(calls, ['a', 'b', 'c']);
  }));

locals('an init returning a class instance keeps its methods and accessors, with `this` the local', () =>
  simulate(function* () {
    class Session {
      user = 'anonymous';
      greet(): string {
        return `Hello ${this.user}`;
      }
      get shout(): string {
        return this.user.toUpperCase();
      }
    }
    const session = local(() => new Session());
    const alice = spawn(() => {
      session.user = 'alice';
      return [session.greet(), session.shout];
    });
    const other = spawn(() => [session.greet(), session.shout]);
    yield* joinAll([alice, other]);
    assert.equal(alice.value, ['Hello alice', 'ALICE']);
    assert.equal(other.value, ['Hello anonymous', 'ANONYMOUS']);
  }));

locals('delete, in, Object.keys and Object.entries see only the calling greenlet’s properties', () =>
  simulate(function* () {
    const stash = local<Record<string, number>>();
    stash.a = 1;
    stash.b = 2;
    delete stash.a;
    assert.equal(Object.entries(stash), [['b', 2]]);
    assert.is('a' in stash, false);
    assert.equal(yield* spawn(() => Object.keys(stash)).get(), []);
    Object.defineProperty(stash, 'c', { value: 3, enumerable: true, writable: true });
    assert.is(stash.c, 3);
    assert.equal({ ...stash }, { b: 2, c: 3 });
  }));

locals('two locals are independent of each other', () =>
  simulate(function* () {
    const one = local<{ v?: string }>();
    const two = local<{ v?: string }>();
    one.v = 'one';
    two.v = 'two';
    assert.equal([one.v, two.v], ['one', 'two']);
  }));

locals('an init that throws throws at the access, and runs again at the next one', () =>
  simulate(function* () {
    let attempts = 0;
    const flaky = local(() => {
      attempts++;
      if (attempts === 1) throw new Error('not yet');
      return { ok: true };
    });
    assert.throws(() => flaky.ok, /not yet/);
    assert.is(flaky.ok, true);
    assert.is(attempts, 2);
  }));

locals('properties cannot be used outside a greenlet: NotInGreenlet names the property', () => {
  const stash = local<{ x?: number }>();
  assert.throws(
    () => stash.x,
    (e: Error) =>
      e instanceof NotInGreenlet &&
      e.message ===
        'local: reading property "x" outside any greenlet; a local\'s properties belong to the greenlet that uses them ' +
          '(use it inside run(function* () { ... }) or spawn())',
  );
  assert.throws(() => {
    stash.x = 1;
  }, (e: Error) => e instanceof NotInGreenlet && e.message.startsWith('local: setting property "x" outside any greenlet'));
  assert.throws(() => Object.keys(stash), (e: Error) => e instanceof NotInGreenlet && e.message.startsWith('local: listing properties outside'));
  assert.is((stash as Record<symbol, unknown>)[Symbol.toStringTag], undefined, 'symbols read as undefined, for inspection');
});

locals('bad init functions are rejected with clear messages', () =>
  simulate(function* () {
    assert.throws(
      () => local(1 as never),
      (e: Error) => e instanceof TypeError && e.message === 'local: init must be a function, got 1',
    );
    const notObject = local(() => 5 as never as object);
    assert.throws(
      () => Object.keys(notObject),
      (e: Error) => e instanceof TypeError && e.message === 'local: init must return an object, got 5',
    );
    const shared = { n: 0 };
    const sharing = local(() => shared);
    assert.is(sharing.n, 0);
    const other = spawn(() => sharing.n);
    yield* other.join();
    assert.instance(other.exception, TypeError);
    assert.is(
      (other.exception as Error).message,
      'local: init returned an object it returned before; it must return a new object for each greenlet',
    );
    const selfish: { n: number } = local((): { n: number } => ({ n: selfish.n + 1 }));
    assert.throws(() => selfish.n, /^local: init\(\) used the local it is initializing \(reading property "n"\)$/);
  }));

locals('types: local<T>() without init gives Partial<T>; with init, the type it returns', () =>
  simulate(function* () {
    const stash = local<{ x: number }>();
    const maybe: number | undefined = stash.x;
    const typed = local(() => ({ n: 1, tag: 'a' as const }));
    const n: number = typed.n;
    const tag: 'a' = typed.tag;
    assert.equal([maybe, n, tag], [undefined, 1, 'a']);
  }));

locals.run();
