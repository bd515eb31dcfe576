/**
 * Regression (issue 11, item 9): a subscriber of `events$` or of
 * `toObservable(queue)` that throws. rxjs rethrew its error from a timer,
 * which killed the process; it is reported through the hub's error handler
 * instead (`where: 'subscriber'`), and the hub, the stream and the other
 * subscribers go on.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { filter, map } from 'rxjs';
import { Queue, defaultErrorHandler, getHub, sleep, spawn, toObservable, type HubEvent } from 'grove';
import { simulate } from 'grove/testing';
import { errorSink } from '../support.js';

const subscribers = suite('a subscriber that throws');

subscribers('events$: reported with where "subscriber"; the greenlets, the stream and the others go on', async () => {
  const sink = errorSink();
  const seen: string[] = [];
  const values = await simulate(
    function* () {
      const events$ = getHub().events$;
      let calls = 0;
      const faulty = events$.subscribe((event: HubEvent) => {
        calls++;
        if (event.type === 'spawn') throw new Error(`no spawns (${calls})`);
      });
      const other = events$.subscribe({ next: (event) => seen.push(event.type) });
      const gs = [spawn(() => 'a'), spawn(() => 'b')];
      yield* sleep(1);
      faulty.unsubscribe();
      other.unsubscribe();
      assert.ok(calls > 2, 'the faulty subscriber kept receiving events');
      return gs.map((g) => g.value);
    },
    { onError: sink.onError },
  );
  assert.equal(values, ['a', 'b']);
  assert.equal(sink.reports, ['hub: subscriber: Error: no spawns (1)', 'hub: subscriber: Error: no spawns (2)']);
  assert.equal(seen.slice(0, 2), ['spawn', 'spawn']);
  assert.ok(seen.includes('exit'));
});

subscribers('lifecycle$ too', async () => {
  const sink = errorSink();
  const value = await simulate(
    function* () {
      const subscription = getHub().lifecycle$.subscribe(() => {
        throw new Error('lifecycle');
      });
      const g = spawn(() => 'ran');
      yield* g.join();
      subscription.unsubscribe();
      return g.value;
    },
    { onError: sink.onError },
  );
  assert.is(value, 'ran');
  assert.equal(sink.reports, ['hub: subscriber: Error: lifecycle', 'hub: subscriber: Error: lifecycle']);
});

subscribers('at the end of a pipe(), too; and an error callback that throws', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const subscription = getHub()
        .events$.pipe(
          filter((event) => event.type === 'exit'),
          map((event) => event.type),
        )
        .subscribe(() => {
          throw new Error('piped');
        });
      yield* spawn(() => 1).join();
      subscription.unsubscribe();
      const q = new Queue<number>();
      toObservable(q).subscribe({
        error: () => {
          throw new Error('in error');
        },
      });
      q.shutdown({ cause: new Error('closed') });
      yield* sleep(0);
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, ['hub: subscriber: Error: piped', 'hub: subscriber: Error: in error']);
});

subscribers('toObservable(queue): reported; the subscriber still gets the next items, in order', async () => {
  const sink = errorSink();
  const got: number[] = [];
  await simulate(
    function* () {
      const q = new Queue<number>();
      const subscription = toObservable(q).subscribe((n) => {
        got.push(n);
        if (n === 2) throw new Error('two');
      });
      for (let i = 1; i <= 4; i++) {
        q.putNowait(i);
        yield* sleep(0);
      }
      subscription.unsubscribe();
    },
    { onError: sink.onError },
  );
  assert.equal(got, [1, 2, 3, 4]);
  assert.equal(sink.reports, ['hub: subscriber: Error: two']);
});

subscribers('the default report names it: "an Observable subscriber failed with ..."', () => {
  const lines: string[] = [];
  const original = console.error;
  console.error = (text: string) => void lines.push(text.split('\n')[0]);
  try {
    defaultErrorHandler(new Error('boom'), { where: 'subscriber' });
  } finally {
    console.error = original;
  }
  assert.equal(lines, ['an Observable subscriber failed with Error: boom']);
});

subscribers.run();
