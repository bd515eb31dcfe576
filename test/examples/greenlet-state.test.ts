import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { simulate } from 'grove/testing';
import { main } from '../../examples/tutorial/greenlet-state.js';
import { recorder } from '../support.js';

const example = suite('examples/tutorial/greenlet-state');

example("prints the tutorial's state of a winner and a loser", async () => {
  const { lines, log } = recorder();
  await simulate(() => main(log));
  assert.equal(lines, ['true', 'true', 'You win!', 'undefined', 'true', 'true', 'true', 'false', 'You fail at failing.']);
});

example.run();
