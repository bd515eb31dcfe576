/**
 * The W9 rows' other process on grove: a node of cluster `bench` named
 * `peer`, offering the actors the measuring process spawns there, on grove
 * from the same built bundle (GROVE_BENCH_DIST too). Prints `up` once it
 * has joined.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = process.env.GROVE_BENCH_DIST
  ? pathToFileURL(resolve(process.env.GROVE_BENCH_DIST) + '/')
  : new URL('../../dist/', import.meta.url);
const { run } = await import(new URL('index.js', dist).href);
const { Actor } = await import(new URL('actors.js', dist).href);
const { connectNode, offer, spawnable } = await import(new URL('cluster.js', dist).href);

/** W9: receives message i, sends i + 1 to its peer in the measuring process; answers `{ report }` with its tallies. */
class Pong extends Actor {
  #peer;
  #n;
  #expected = 0;
  #received = 0;
  #sum = 0;
  #bad = 0;
  constructor(n, peer) {
    super({ name: 'pong' });
    this.#n = n;
    this.#peer = peer;
  }
  receive(i) {
    if (typeof i !== 'number') {
      i.report.reply([this.#received, this.#sum, this.#bad]);
      return;
    }
    if (i !== this.#expected) this.#bad++;
    this.#expected = i + 2;
    this.#received++;
    this.#sum += i;
    if (i + 1 < this.#n) this.#peer.send(i + 1);
  }
}

/** W9ask: answers each `{ i, replyTo }` with i. */
class Echo extends Actor {
  receive({ i, replyTo }) {
    replyTo.reply(i);
  }
}

offer(spawnable('bench-nats-pong'), (n, peer) => new Pong(n, peer));
offer(spawnable('bench-nats-echo'), () => new Echo({ name: 'echo' }));

await run(function* () {
  yield* connectNode({ servers: process.argv[2], name: 'peer', cluster: 'bench', registry: false });
  console.log('up');
});
