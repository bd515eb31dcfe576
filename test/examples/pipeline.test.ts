import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { simulate } from 'grove/testing';
import { BOUND, MAILBOX, main, pipeline } from '../../examples/pipeline.js';
import { recorder } from '../support.js';

const example = suite('examples/pipeline');

const produced = (from: number, to: number, ahead: (i: number) => number, t = 0): string[] =>
  Array.from({ length: to - from + 1 }, (_, k) => `t=${t} produced "${from + k}" (${ahead(from + k)} ahead of the sink)`);

example('prints the producer filling the stages, then going at the sink’s pace', async () => {
  const { lines, log } = recorder();
  await simulate(() => main(log));
  assert.equal(lines, [
    ...produced(1, 9, (i) => i),
    't=10 sink got 1 (total 1)',
    't=10 produced "10" (9 ahead of the sink)',
    't=20 sink got 4 (total 5)',
    't=20 produced "11" (9 ahead of the sink)',
    't=30 sink got 9 (total 14)',
    't=30 produced "12" (9 ahead of the sink)',
    't=40 sink got 16 (total 30)',
    't=50 sink got 25 (total 55)',
    't=60 sink got 36 (total 91)',
    't=70 sink got 49 (total 140)',
    't=80 sink got 64 (total 204)',
    't=90 sink got 81 (total 285)',
    't=100 sink got 100 (total 385)',
    't=110 sink got 121 (total 506)',
    't=120 sink got 144 (total 650)',
    't=120 done: 12 items, total 650, the producer was at most 9 ahead',
  ]);
});

example('backpressure: the producer is never more than the bound ahead of the sink, however many items', async () => {
  assert.is(BOUND, 3 * (MAILBOX + 1));
  for (const count of [1, 5, 9, 10, 100]) {
    const progress = await simulate(() => pipeline(() => {}, count));
    assert.is(progress.sunk, count);
    assert.is(progress.maxAhead, Math.min(count, BOUND), `${count} items`);
  }
});

example('the producer waits on the pipeline: 100 items take the sink’s 10 ms each, not less', async () => {
  const { lines, log } = recorder();
  await simulate(() => pipeline(log, 100));
  const last = lines.filter((line) => line.includes('produced')).at(-1);
  // Item 100 goes in when the sink has taken item 100 - BOUND = 91 ... one slot frees per 10 ms.
  assert.is(last, `t=${(100 - BOUND) * 10} produced "100" (${BOUND} ahead of the sink)`);
  assert.is(lines.at(-1), 't=1000 done: 100 items, total 338350, the producer was at most 9 ahead');
});

example.run();
