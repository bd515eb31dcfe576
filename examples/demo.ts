/**
 * `npm start`: a tour of grove — the gevent tutorial's examples, ported.
 */
import { EventEmitter } from 'node:events';
import { Hub, getHub, run, spawnLater, type Operation } from 'grove';
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
import * as programShutdown from './tutorial/program-shutdown.js';
import * as monkeypatching from './tutorial/monkeypatching.js';
import * as subprocess from './tutorial/subprocess.js';
import * as zeromq from './tutorial/zeromq.js';
import * as pingPong from './ping-pong.js';
import * as pipeline from './pipeline.js';
import * as supervisionTree from './supervision-tree.js';
import * as telnetEcho from './servers/telnet-echo.js';
import * as httpHello from './servers/http-hello.js';
import * as streaming from './servers/streaming.js';
import * as longPolling from './servers/long-polling.js';
import * as websockets from './tutorial/websockets.js';
import * as chat from './servers/chat.js';
import * as jobService from './job-service.js';

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
  ['Program Shutdown (a SIGTERM, simulated 2.5 s in)', shutdownOnSimulatedSignal],
];

/** The Program Shutdown example, with the signal sent by a greenlet instead of the terminal. */
function* shutdownOnSimulatedSignal(log: Log): Operation<void> {
  const signals = new EventEmitter();
  spawnLater(2500, () => signals.emit('SIGTERM', 'SIGTERM'));
  yield* programShutdown.main(log, signals);
}

/** Sections doing real I/O (servers on 127.0.0.1, child processes): they need the real clock. */
export const realClockSections: [string, (log: Log) => Operation<unknown>][] = [
  ['Monkeypatching: real I/O awaited with call()', monkeypatching.main],
  ['Subprocess: a child process beside a ticking greenlet', subprocess.main],
  ['ZeroMQ: request/reply between two greenlets beside a ticking one', zeromq.main],
  ['Servers: telnet echo, a greenlet per connection in a Pool', telnetEcho.main],
  ['Servers: WSGI-style hello, a greenlet per request', httpHello.main],
  ['Servers: streaming a chunked response', streaming.main],
  ['Servers: long polling', longPolling.main],
  ['Websockets: points pushed to each page every 500 ms', websockets.main],
  ['Servers: the minichat', chat.main],
  ['Actors: a job service (init, up, a crash restarted, dead letters, a drain on SIGTERM)', jobServiceWithReports],
];

/**
 * The job service, with the hub's reports (its worker's crash, the dead
 * letters it left) printed among its lines instead of on stderr.
 */
function* jobServiceWithReports(log: Log): Operation<void> {
  const hub = getHub();
  const before = hub.onError;
  hub.onError = (error, context) => {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    log(`  (hub report, ${context.where}) ${text}`);
  };
  try {
    yield* jobService.main(log, new EventEmitter());
  } finally {
    hub.onError = before;
  }
}

// A virtual clock: the examples' sleeps and timeouts take no real time, and run in the same order.
const hub = new Hub({ clock: 'virtual' });
await hub.run(function* () {
  console.log('grove demo (virtual clock: every sleep below is instant, the order is exact)');
  for (const [title, main] of sections) {
    console.log(`\n== ${title} ==`);
    yield* main((line) => console.log(line));
  }
});

// Then the program's own hub, on the real clock, for what talks to the world.
await run(function* () {
  console.log('\n(real clock from here: servers on 127.0.0.1, real sockets)');
  for (const [title, main] of realClockSections) {
    console.log(`\n== ${title} ==`);
    yield* main((line) => console.log(line));
  }
});
