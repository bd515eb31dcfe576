/**
 * Regression: on a seeded hub, `advance()` (through `hub.settled()`) took a
 * batch for played out while greenlets of that batch had yet to run — the
 * seeded scheduler moves a batch out of the ready queue before running it.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sleep, spawn } from 'grove';
import { advance, explore } from 'grove/testing';

const regression = suite('advance on a seeded hub');

regression('returns only once every greenlet due at this instant has run, in any interleaving', () =>
  explore(
    function* () {
      const ran: number[] = [];
      for (let i = 0; i < 5; i++) {
        spawn(function* () {
          yield* sleep(0);
          ran.push(i);
        });
      }
      yield* advance(0);
      assert.equal([...ran].sort(), [0, 1, 2, 3, 4]);
    },
    { seeds: 100 },
  ));

regression.run();
