/**
 * The module grove's worker threads run in W7 and W8 (bench/systems/grove.mjs
 * starts them), and W9's other process imports: the actor kinds the main
 * thread spawns there, on grove from the same built bundle as the main
 * thread (GROVE_BENCH_DIST too).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { hashItem } from '../workloads.mjs';

const dist = process.env.GROVE_BENCH_DIST
  ? pathToFileURL(resolve(process.env.GROVE_BENCH_DIST) + '/')
  : new URL('../../dist/', import.meta.url);
const { Actor } = await import(new URL('actors.js', dist).href);
const { offer, spawnable } = await import(new URL('cluster.js', dist).href);

/** W7, W9: receives message i, sends i + 1 to its peer (on the main thread, in the other process); answers `{ report }` with its tallies. */
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

/** W7fan: forwards each message to the collector on the main thread. */
class Fan extends Actor {
  #collector;
  constructor(collector) {
    super();
    this.#collector = collector;
  }
  receive(m) {
    this.#collector.send(m);
  }
}

/** W8: hashes a chunk of items and answers with their digests. */
class Hasher extends Actor {
  receive({ items, rounds, replyTo }) {
    replyTo.reply(items.map((item) => hashItem(item, rounds)));
  }
}

offer(spawnable('bench-pong'), (n, peer) => new Pong(n, peer));
offer(spawnable('bench-fan'), (collector) => new Fan(collector));
offer(spawnable('bench-hasher'), () => new Hasher());
