/**
 * Regression (issue 11, item 11: memory after bursts): blocking calls share
 * one Operation per kind, which carried the last result it returned until
 * the next call of that kind — a joinAll of a burst of 500,000 greenlets
 * kept them all alive (~90 MB). The result is dropped once read.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Queue, joinAll, spawn } from 'grove';
import { simulate } from 'grove/testing';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Lets the current job end (WeakRefs dereferenced in it stay alive until then), then collects. */
async function collect(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}

const retention = suite('results are not kept alive');

retention('the item a Queue.get returned is not kept by the runtime once the getter is done', async () => {
  let ref: WeakRef<object> | undefined;
  await simulate(function* () {
    const q = new Queue<object>();
    const item = { payload: new Array(1000).fill(0) };
    ref = new WeakRef(item);
    q.putNowait(item);
    yield* q.get();
  });
  await collect();
  assert.is(ref?.deref(), undefined);
});

retention('the greenlets a joinAll returned are not kept by the runtime', async () => {
  let ref: WeakRef<object> | undefined;
  await simulate(function* () {
    const gs = [spawn(() => 1), spawn(() => 2)];
    ref = new WeakRef(gs[0]);
    yield* joinAll(gs);
  });
  await collect();
  assert.is(ref?.deref(), undefined);
});

retention.run();
