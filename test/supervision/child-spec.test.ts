import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Greenlet } from 'grove';
import { badStartResult, checkChildSpec } from '../../supervision/child-spec.js';

const start = () => new Greenlet(function* () {});
const check = (spec: unknown) => checkChildSpec('call', 'spec', spec);

function throwsExactly(fn: () => unknown, type: new (...args: never[]) => Error, message: string): void {
  try {
    fn();
  } catch (error) {
    assert.instance(error, type);
    assert.is((error as Error).message, message);
    return;
  }
  assert.unreachable(`expected ${type.name}: ${message}`);
}

const defaults = suite('child spec: defaults');

defaults("a worker defaults to permanent, 5000 ms shutdown (OTP's defaults)", () => {
  assert.equal(check({ id: 'db', start }), { id: 'db', start, restart: 'permanent', shutdown: 5000, type: 'worker', meta: undefined });
});

defaults("a supervisor's shutdown defaults to 'infinity'", () => {
  assert.is(check({ id: 'sub', start, type: 'supervisor' }).shutdown, 'infinity');
});

defaults('given fields are kept; the spec returned is a new object', () => {
  const spec = { id: 'x', start, restart: 'transient', shutdown: 'brutal', type: 'worker', meta: { from: 'config' } } as const;
  const checked = check(spec);
  assert.equal(checked, spec);
  assert.is.not(checked, spec);
  assert.not.ok(Object.isFrozen(spec));
  // meta is kept as given: the same object, not copied, not frozen.
  assert.is(checked.meta, spec.meta);
  assert.not.ok(Object.isFrozen(spec.meta));
  assert.is(check({ id: 'y', start, shutdown: 0 }).shutdown, 0);
  assert.is(check({ id: 'y', start, shutdown: 'infinity' }).shutdown, 'infinity');
});

const errors = suite('child spec: validation names the field');

errors('not an object', () => {
  throwsExactly(() => check(null), TypeError, 'call: spec must be a child spec object ({ id, start, ... }), got null');
  throwsExactly(() => check([]), TypeError, 'call: spec must be a child spec object ({ id, start, ... }), got an array');
});

errors('id', () => {
  throwsExactly(() => check({ start }), TypeError, 'call: spec.id must be a non-empty string, got undefined');
  throwsExactly(() => check({ id: '', start }), TypeError, 'call: spec.id must be a non-empty string, got ""');
  throwsExactly(() => check({ id: 3, start }), TypeError, 'call: spec.id must be a non-empty string, got 3');
});

errors('start', () => {
  throwsExactly(() => check({ id: 'a' }), TypeError, 'call: spec.start must be a function returning a greenlet, got undefined');
});

errors('restart', () => {
  throwsExactly(
    () => check({ id: 'a', start, restart: 'always' }),
    TypeError,
    `call: spec.restart must be 'permanent', 'transient' or 'temporary', got "always"`,
  );
});

errors('shutdown', () => {
  throwsExactly(
    () => check({ id: 'a', start, shutdown: 'soon' }),
    TypeError,
    `call: spec.shutdown must be a number of ms, 'brutal' or 'infinity', got "soon"`,
  );
  throwsExactly(
    () => check({ id: 'a', start, shutdown: -1 }),
    RangeError,
    `call: spec.shutdown must be a non-negative, finite number of ms ('infinity' to wait forever), got -1`,
  );
  throwsExactly(
    () => check({ id: 'a', start, shutdown: Infinity }),
    RangeError,
    `call: spec.shutdown must be a non-negative, finite number of ms ('infinity' to wait forever), got Infinity`,
  );
  throwsExactly(() => check({ id: 'a', start, shutdown: NaN }), TypeError, `call: spec.shutdown must be a number of ms, 'brutal' or 'infinity', got NaN`);
});

errors('type', () => {
  throwsExactly(() => check({ id: 'a', start, type: 'actor' }), TypeError, `call: spec.type must be 'worker' or 'supervisor', got "actor"`);
});

errors('an unknown field (a typo) is refused', () => {
  throwsExactly(
    () => check({ id: 'a', start, restrat: 'temporary' }),
    TypeError,
    'call: spec has an unknown field "restrat" (a child spec has id, start, restart, shutdown, type, and meta for your own data)',
  );
});

errors('meta carries any user data (a spec built from configuration); other extra fields are still refused', () => {
  for (const meta of [{ replicas: 3, region: 'eu' }, 'note', 42, null, [1, 2]]) assert.is(check({ id: 'a', start, meta }).meta, meta);
  throwsExactly(
    () => check({ id: 'a', start, meta: {}, replicas: 3 }),
    TypeError,
    'call: spec has an unknown field "replicas" (a child spec has id, start, restart, shutdown, type, and meta for your own data)',
  );
});

const results = suite('child spec: what start returned');

results('a live greenlet, started or not, is fine', () => {
  const spec = check({ id: 'a', start });
  assert.is(badStartResult(spec, new Greenlet(() => 1)), null);
});

results('anything else is a TypeError naming the child', () => {
  const spec = check({ id: 'a', start });
  assert.is(badStartResult(spec, 42)!.message, `child "a": start must return a greenlet or 'ignore', got 42`);
  assert.is(badStartResult(spec, 'ignored')!.message, `child "a": start must return a greenlet or 'ignore', got "ignored"`);
  const generator = (function* () {})();
  assert.match(badStartResult(spec, generator)!.message, /got an object \(a generator function\? start must return a greenlet/);
});

defaults.run();
errors.run();
results.run();
