/**
 * The W9 rows' other process on grove: a node of cluster `bench` named
 * `peer`, offering the actors the measuring process spawns there — W7's
 * pong (grove-thread.mjs offers it) and W9ask's echo — on grove from the
 * same built bundle (GROVE_BENCH_DIST too). Prints `up` once it has joined.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = process.env.GROVE_BENCH_DIST
  ? pathToFileURL(resolve(process.env.GROVE_BENCH_DIST) + '/')
  : new URL('../../dist/', import.meta.url);
const { run } = await import(new URL('index.js', dist).href);
const { Actor } = await import(new URL('actors.js', dist).href);
const { connectNode, offer, spawnable } = await import(new URL('cluster.js', dist).href);
await import('./grove-thread.mjs');

/** W9ask: answers each `{ i, replyTo }` with i. */
class Echo extends Actor {
  receive({ i, replyTo }) {
    replyTo.reply(i);
  }
}

offer(spawnable('bench-nats-echo'), () => new Echo({ name: 'echo' }));

await run(function* () {
  yield* connectNode({ servers: process.argv[2], name: 'peer', cluster: 'bench', registry: false });
  console.log('up');
});
