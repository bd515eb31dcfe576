import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Pool } from 'grove';
import { simulate } from 'grove/testing';
import { finishOrder, main } from '../../examples/tutorial/determinism.js';

const example = suite('examples/tutorial/determinism');

example('prints true: four imapUnordered runs over a Pool(10) agree', async () => {
  const lines: string[] = [];
  await simulate(() => main((line) => void lines.push(line)));
  assert.equal(lines, ['true']);
});

example('a run gives the jobs in the order they finished, the same each time', async () => {
  const runs = await simulate(function* () {
    const pool = new Pool(10);
    return [yield* finishOrder(pool), yield* finishOrder(pool), yield* finishOrder()];
  });
  const expected = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  assert.equal(runs, [expected, expected, expected]);
});

example.run();
