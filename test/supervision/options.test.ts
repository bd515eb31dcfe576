import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Greenlet } from 'grove';
import { DuplicateChild } from 'grove/supervision';
import { checkSupervisorOptions } from '../../supervision/options.js';

const start = () => new Greenlet(function* () {});

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

const defaults = suite('supervisor options: defaults');

defaults('oneForOne, 1 restart in 5000 ms, no backoff, no children', () => {
  assert.equal(checkSupervisorOptions({}), { strategy: 'oneForOne', maxRestarts: 1, withinMs: 5000, backoff: null, children: [] });
});

defaults('backoff jitter defaults to 0; child specs get their defaults', () => {
  const config = checkSupervisorOptions({ backoff: { minMs: 10, maxMs: 100 }, children: [{ id: 'a', start }] });
  assert.equal(config.backoff, { minMs: 10, maxMs: 100, jitter: 0 });
  assert.equal(config.children, [{ id: 'a', start, restart: 'permanent', shutdown: 5000, type: 'worker', meta: undefined }]);
});

defaults('child specs keep their meta as given; any other extra field is still refused, naming the child', () => {
  const meta = { replicas: 3 };
  const config = checkSupervisorOptions({ children: [{ id: 'a', start, meta }] });
  assert.is(config.children[0].meta, meta);
  throwsExactly(
    () => checkSupervisorOptions({ children: [{ id: 'a', start, meta }, { id: 'b', start, replicas: 3 }] }),
    TypeError,
    'new Supervisor: children[1] has an unknown field "replicas" (a child spec has id, start, restart, shutdown, type, and meta for your own data)',
  );
});

const errors = suite('supervisor options: validation names the field');

errors('options and unknown options', () => {
  throwsExactly(() => checkSupervisorOptions(undefined), TypeError, 'new Supervisor: options must be an object ({ strategy, children, ... }), got undefined');
  throwsExactly(
    () => checkSupervisorOptions({ maxRestart: 3 }),
    TypeError,
    'new Supervisor: unknown option "maxRestart" (options are strategy, maxRestarts, withinMs, backoff, children, name)',
  );
});

errors('strategy', () => {
  throwsExactly(
    () => checkSupervisorOptions({ strategy: 'one_for_one' }),
    TypeError,
    `new Supervisor: strategy must be 'oneForOne', 'oneForAll', 'restForOne' or 'simpleOneForOne', got "one_for_one"`,
  );
});

errors('intensity', () => {
  throwsExactly(() => checkSupervisorOptions({ maxRestarts: -1 }), RangeError, 'new Supervisor: maxRestarts must be a non-negative integer, got -1');
  throwsExactly(() => checkSupervisorOptions({ maxRestarts: 1.5 }), RangeError, 'new Supervisor: maxRestarts must be a non-negative integer, got 1.5');
  throwsExactly(() => checkSupervisorOptions({ withinMs: 0 }), RangeError, 'new Supervisor: withinMs must be a positive, finite number of ms, got 0');
  throwsExactly(() => checkSupervisorOptions({ withinMs: '5s' }), RangeError, 'new Supervisor: withinMs must be a positive, finite number of ms, got "5s"');
});

errors('name', () => {
  throwsExactly(() => checkSupervisorOptions({ name: 7 }), TypeError, 'new Supervisor: name must be a string, got 7');
});

errors('children, and which child is wrong', () => {
  throwsExactly(() => checkSupervisorOptions({ children: {} }), TypeError, 'new Supervisor: children must be an array of child specs, got an object');
  throwsExactly(
    () => checkSupervisorOptions({ children: [{ id: 'a', start }, { id: 'b', start, restart: 'never' }] }),
    TypeError,
    `new Supervisor: children[1].restart must be 'permanent', 'transient' or 'temporary', got "never"`,
  );
});

errors('a duplicate id is a DuplicateChild naming both places', () => {
  throwsExactly(
    () => checkSupervisorOptions({ children: [{ id: 'a', start }, { id: 'b', start }, { id: 'a', start }] }),
    DuplicateChild,
    'new Supervisor: children[2].id "a" is already the id of children[0]',
  );
});

errors('simpleOneForOne takes exactly one spec, its template', () => {
  throwsExactly(
    () => checkSupervisorOptions({ strategy: 'simpleOneForOne' }),
    TypeError,
    'new Supervisor: a simpleOneForOne supervisor takes exactly one child spec (the template of its children), got 0',
  );
});

errors('backoff', () => {
  throwsExactly(() => checkSupervisorOptions({ backoff: 100 }), TypeError, 'new Supervisor: backoff must be an object ({ minMs, maxMs, jitter }), got 100');
  throwsExactly(
    () => checkSupervisorOptions({ backoff: { minMs: 0, maxMs: 10 } }),
    RangeError,
    'new Supervisor: backoff.minMs must be a positive, finite number of ms, got 0',
  );
  throwsExactly(
    () => checkSupervisorOptions({ backoff: { minMs: 100, maxMs: 10 } }),
    RangeError,
    'new Supervisor: backoff.maxMs must be a finite number of ms, at least backoff.minMs (100), got 10',
  );
  throwsExactly(
    () => checkSupervisorOptions({ backoff: { minMs: 1, maxMs: 10, jitter: 2 } }),
    RangeError,
    'new Supervisor: backoff.jitter must be a number from 0 to 1, got 2',
  );
  throwsExactly(
    () => checkSupervisorOptions({ backoff: { min: 1, maxMs: 10 } }),
    TypeError,
    'new Supervisor: backoff has an unknown field "min" (it has minMs, maxMs, jitter)',
  );
});

defaults.run();
errors.run();
