/**
 * W7's raw MessagePort baseline, the worker side: what a program would
 * write by hand with `worker_threads`, one `postMessage` per message.
 *
 * - `['start', n]`: a ping-pong of n messages begins (counters reset);
 *   then each number i (even, in order) is answered with i + 1.
 * - `['report']`: answers `['report', received, sum, orderErrors]`.
 * - `[a, m]`: a fan-out message for handler `a`: answered with `m`.
 */
import { parentPort } from 'node:worker_threads';

let n = 0;
let expected = 0;
let received = 0;
let sum = 0;
let bad = 0;

parentPort.on('message', (message) => {
  if (typeof message === 'number') {
    if (message !== expected) bad++;
    expected = message + 2;
    received++;
    sum += message;
    if (message + 1 < n) parentPort.postMessage(message + 1);
    return;
  }
  if (message[0] === 'start') {
    [, n] = message;
    expected = 0;
    received = 0;
    sum = 0;
    bad = 0;
  } else if (message[0] === 'report') parentPort.postMessage(['report', received, sum, bad]);
  else parentPort.postMessage(message[1]);
});
