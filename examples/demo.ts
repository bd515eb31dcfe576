/**
 * `npm start`: a tour of grove — the gevent tutorial's examples, ported.
 */
import { Hub, type Operation } from 'grove';
import type { Log } from './support.js';
import * as syncAsync from './tutorial/synchronous-asynchronous.js';
import * as determinism from './tutorial/determinism.js';
import * as spawning from './tutorial/spawning-greenlets.js';
import * as state from './tutorial/greenlet-state.js';
import * as timeouts from './tutorial/timeouts.js';
import * as events from './tutorial/events.js';
import * as queues from './tutorial/queues.js';
import * as groupsPools from './tutorial/groups-pools.js';
import * as locks from './tutorial/locks-semaphores.js';
import * as locals from './tutorial/thread-locals.js';
import * as pingPong from './ping-pong.js';
import * as pipeline from './pipeline.js';
import * as supervisionTree from './supervision-tree.js';

export const sections: [string, (log: Log) => Operation<void>][] = [
  ['Synchronous & Asynchronous Execution', syncAsync.main],
  ['Determinism', determinism.main],
  ['Spawning Greenlets', spawning.main],
  ['Greenlet State', state.main],
  ['Timeouts', timeouts.main],
  ['Events', events.main],
  ['Queues', queues.main],
  ['Groups and Pools', groupsPools.main],
  ['Locks and Semaphores', locks.main],
  ['Thread Locals', locals.main],
  ['Actors: ping-pong', pingPong.main],
  ['Actors: a pipeline with backpressure', pipeline.main],
  ['Supervision: a three-level tree restarting crashed workers', supervisionTree.main],
];

// A virtual clock: the examples' sleeps and timeouts take no real time, and run in the same order.
const hub = new Hub({ clock: 'virtual' });
await hub.run(function* () {
  console.log('grove demo (virtual clock: every sleep below is instant, the order is exact)');
  for (const [title, main] of sections) {
    console.log(`\n== ${title} ==`);
    yield* main((line) => console.log(line));
  }
});
