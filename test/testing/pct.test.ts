/**
 * PCT, explore's default strategy, against the race batch shuffling misses:
 * a lost update where one client reaches the store only after many
 * `sleep(0)`s of its own. The seeds below are what the runs take; they are
 * deterministic, so they only change when the scheduler or these protocols
 * do — then measure again (each must stay within explore's default 100).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { joinAll, sleep, spawn, type Operation } from 'grove';
import { ExploreFailure, explore, simulate } from 'grove/testing';
import { lostUpdate } from './protocols.js';

/**
 * The same race on a shared variable: the first client is preempted between
 * its read and its write only if the scheduler holds it back there while
 * the second, `head` yields later, does its whole update.
 */
function preempted(head: number): () => Operation<void> {
  return function* () {
    let counter = 0;
    function* first(): Operation<void> {
      const value = counter;
      yield* sleep(0);
      counter = value + 1;
    }
    function* second(): Operation<void> {
      for (let i = 0; i < head; i++) yield* sleep(0);
      const value = counter;
      yield* sleep(0);
      counter = value + 1;
    }
    yield* joinAll([spawn(first), spawn(second)]);
    if (counter !== 2) throw new Error(`lost update: counter is ${counter}, expected 2`);
  };
}

/** The seed explore fails at (within its default 100 seeds), or null if every seed passes. */
async function failingSeed(body: () => Operation<void>, strategy?: 'pct' | 'shuffle'): Promise<number | null> {
  try {
    await explore(body, strategy === undefined ? {} : { strategy });
    return null;
  } catch (error) {
    assert.instance(error, ExploreFailure);
    assert.match(((error as ExploreFailure).cause as Error).message, /^lost update: counter is 1, expected 2$/);
    return (error as ExploreFailure).seed;
  }
}

const pct = suite('PCT, explore’s default strategy');

pct('in FIFO order the race shows only when both clients start at once', async () => {
  for (const body of [lostUpdate, preempted]) {
    try {
      await simulate(body(0));
      assert.unreachable('FIFO passed with no head start');
    } catch (error) {
      assert.is((error as Error).message, 'lost update: counter is 1, expected 2');
    }
    for (const head of [5, 20, 100]) await simulate(body(head));
  }
});

pct('finds the lost update whatever the second client’s head start: seeds 1, 1, 1, 7 for 0, 5, 20, 100 yields', async () => {
  const seeds: Record<number, number | null> = {};
  for (const head of [0, 5, 20, 100]) seeds[head] = await failingSeed(lostUpdate(head));
  assert.equal(seeds, { 0: 1, 5: 1, 20: 1, 100: 7 });
});

pct('batch shuffling, for comparison, needs seed 1 and 55, and misses it with 20 and 100 yields', async () => {
  const seeds: Record<number, number | null> = {};
  for (const head of [0, 5, 20, 100]) seeds[head] = await failingSeed(lostUpdate(head), 'shuffle');
  assert.equal(seeds, { 0: 1, 5: 1 + 54, 20: null, 100: null });
});

pct('finds the race that needs a preemption between a read and a write: seeds 12, 25, 23 for 0, 5, 20 yields', async () => {
  const seeds: Record<number, number | null> = {};
  for (const head of [0, 5, 20]) seeds[head] = await failingSeed(preempted(head));
  assert.equal(seeds, { 0: 12, 5: 25, 20: 23 });
  assert.is(await failingSeed(preempted(20), 'shuffle'), null);
});

pct('the failure replays exactly with its options', async () => {
  try {
    await explore(lostUpdate(100));
    assert.unreachable('not found');
  } catch (error) {
    const failure = error as ExploreFailure;
    // steps: the longest of the six runs before it (README quotes this replay).
    assert.equal(failure.replay, { seed: 7, strategy: 'pct', depth: 2, steps: 116 });
    for (let i = 0; i < 3; i++) {
      try {
        await simulate(lostUpdate(100), failure.replay);
        assert.unreachable('replay passed');
      } catch (again) {
        assert.is((again as Error).message, 'lost update: counter is 1, expected 2');
      }
    }
  }
});

pct.run();
