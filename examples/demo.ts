/**
 * `npm start`: a tour of grove, the gevent tutorial's examples ported.
 */
import { Hub, type Operation } from 'grove';
import type { Log } from './support.js';
import * as syncAsync from './tutorial/synchronous-asynchronous.js';
import * as determinism from './tutorial/determinism.js';
import * as spawning from './tutorial/spawning-greenlets.js';
import * as state from './tutorial/greenlet-state.js';
import * as timeouts from './tutorial/timeouts.js';

const sections: [string, (log: Log) => Operation<void>][] = [
  ['Synchronous & Asynchronous Execution', syncAsync.main],
  ['Determinism', determinism.main],
  ['Spawning Greenlets', spawning.main],
  ['Greenlet State', state.main],
  ['Timeouts', timeouts.main],
];

// A virtual clock: the examples' 16 s of sleeps and timeouts run in milliseconds, in the same order.
const hub = new Hub({ clock: 'virtual' });
await hub.run(function* () {
  console.log('grove demo (virtual clock: every sleep below is instant, the order is exact)');
  for (const [title, main] of sections) {
    console.log(`\n== ${title} ==`);
    yield* main((line) => console.log(line));
  }
});
