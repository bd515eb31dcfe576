import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { simulate } from 'grove/testing';
import { main } from '../../examples/ping-pong.js';
import { recorder } from '../support.js';

const example = suite('examples/ping-pong');

example('ping and pong take turns, and both stop normally after 3 exchanges', async () => {
  const { lines, log } = recorder();
  await simulate(() => main(log));
  assert.equal(lines, [
    'start',
    'ping',
    'pong',
    'ping',
    'pong',
    'ping',
    'pong',
    'ping: 3 exchanges, stopping',
    'ping exited normal, pong exited normal',
  ]);
});

example('the number of exchanges is a parameter', async () => {
  const { lines, log } = recorder();
  await simulate(() => main(log, 1));
  assert.equal(lines, ['start', 'ping', 'pong', 'ping: 1 exchanges, stopping', 'ping exited normal, pong exited normal']);
});

example.run();
