import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getHub } from 'grove';
import { simulate } from 'grove/testing';
import { bounded, main, unbounded } from '../../examples/tutorial/queues.js';

const example = suite('examples/tutorial/queues');

const workers = (names: string[], tasks: number[]): string[] =>
  tasks.map((task, i) => `Worker ${names[i % names.length]} got task ${task}`);
const range = (start: number, stop: number): number[] => Array.from({ length: stop - start }, (_, i) => start + i);
const quitting = ['Quitting time!', 'Quitting time!', 'Quitting time!'];

const unboundedLines = [...workers(['steve', 'john', 'nancy'], range(1, 25)), ...quitting];

const boundedLines = [
  ...workers(['steve', 'john', 'bob'], range(1, 7)),
  'Assigned all work in iteration 1',
  ...workers(['steve', 'john', 'bob'], range(7, 19)),
  'Assigned all work in iteration 2',
  'Worker steve got task 19',
  ...quitting,
];

example('the unbounded queue: workers take turns, steve/john/nancy, then all three quit', async () => {
  const lines: string[] = [];
  await simulate(() => unbounded((line) => void lines.push(line)));
  assert.equal(lines, unboundedLines);
});

example('the bounded queue: the boss blocks while 3 tasks wait; the rotation is steve/john/bob (001 order)', async () => {
  const lines: string[] = [];
  const elapsed = await simulate(function* () {
    yield* bounded((line) => void lines.push(line));
    return getHub().now();
  });
  assert.equal(lines, boundedLines);
  assert.is(elapsed, 1000, 'the workers quit after their 1 s get timeout');
});

example('main prints both examples, in order', async () => {
  const lines: string[] = [];
  await simulate(() => main((line) => void lines.push(line)));
  assert.equal(lines, [...unboundedLines, ...boundedLines]);
});

example.run();
