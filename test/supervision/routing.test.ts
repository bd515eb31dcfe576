import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { consistentHash } from 'grove/supervision';
import {
  checkStrategy, hashKey, pickConsistent, pickRandom, pickRoundRobin, pickSmallestMailbox, type Routee,
} from '../../supervision/routing.js';

function routees(...specs: [live: boolean, queued?: number, busy?: boolean][]): Routee[] {
  return specs.map(([live, queued = 0, busy = false], slot) => ({ slot, live, queued, busy }));
}

const picks = suite('routing: picks');

picks('roundRobin takes the first live routee at or after the cursor, wrapping', () => {
  const rs = routees([true], [false], [true]);
  assert.equal([0, 1, 2, 3].map((cursor) => pickRoundRobin(rs, cursor)), [0, 2, 2, 0]);
  assert.is(pickRoundRobin(routees([false], [false]), 0), -1);
});

picks('smallestMailbox prefers an idle empty routee, then the fewest queued, a busy one losing a tie', () => {
  assert.is(pickSmallestMailbox(routees([true, 0, true], [true, 0, false])), 1, 'idle beats busy');
  assert.is(pickSmallestMailbox(routees([true, 3], [true, 1, true], [true, 1])), 2, 'one queued, idle, beats one queued, busy');
  assert.is(pickSmallestMailbox(routees([true, 2], [false, 0], [true, 2])), 0, 'the first among equals; dead ones skipped');
  assert.is(pickSmallestMailbox(routees([false])), -1);
});

picks('random maps a draw in [0, 1) onto the live routees evenly', () => {
  const rs = routees([true], [false], [true], [true]);
  assert.equal([0, 0.33, 0.34, 0.66, 0.67, 0.999].map((d) => pickRandom(rs, d)), [0, 0, 2, 2, 3, 3]);
  assert.is(pickRandom(routees([false]), 0.5), -1);
});

picks('consistent hashing keeps a key on its slot; only keys of a slot that is down or removed move', () => {
  const all = routees([true], [true], [true], [true], [true]);
  const keys = Array.from({ length: 400 }, (_, i) => hashKey('test', `user-${i}`));
  const home = keys.map((k) => pickConsistent(all, k));
  const counts = [0, 1, 2, 3, 4].map((slot) => home.filter((h) => h === slot).length);
  assert.ok(counts.every((c) => c > 40 && c < 120), `spread over the 5 slots: ${counts}`);

  const slot2Down = routees([true], [true], [false], [true], [true]);
  const moved = keys.map((k) => pickConsistent(slot2Down, k));
  home.forEach((h, i) => {
    if (h !== 2) assert.is(moved[i], h, 'a key of a live slot stays');
    else assert.is.not(moved[i], 2);
  });

  const shrunk = all.slice(0, 4);
  keys.forEach((k, i) => {
    if (home[i] !== 4) assert.is(pickConsistent(shrunk, k), home[i], 'removing slot 4 moves only its keys');
  });
  assert.is(pickConsistent(routees([false]), keys[0]), -1);
});

picks('keys: strings, integers and other numbers hash; anything else is a TypeError naming the call', () => {
  assert.is(hashKey('c', 'a'), hashKey('c', 'a'));
  assert.is.not(hashKey('c', 'a'), hashKey('c', 'b'));
  assert.is(hashKey('c', 1.5), hashKey('c', '1.5'));
  assert.is(typeof hashKey('c', 2 ** 40), 'number');
  for (const [key, shown] of [[undefined, 'undefined'], [null, 'null'], [{}, 'an object'], [NaN, 'NaN']] as const) {
    assert.throws(() => hashKey('Router.send', key), (e: Error) => e instanceof TypeError && e.message === `Router.send: keyOf must return a string or a number, got ${shown}`);
  }
});

const strategies = suite('routing: strategies');

strategies('the named strategies and consistentHash(keyOf) are accepted; anything else names the call', () => {
  for (const s of ['roundRobin', 'smallestMailbox', 'random', 'broadcast', consistentHash((m: string) => m)]) checkStrategy('new Router', s);
  for (const [s, shown] of [['roundrobin', '"roundrobin"'], [{ type: 'consistentHash' }, 'an object'], [3, '3']] as const) {
    assert.throws(
      () => checkStrategy('new Router', s),
      (e: Error) =>
        e instanceof TypeError &&
        e.message === `new Router: strategy must be 'roundRobin', 'smallestMailbox', 'random', 'broadcast' or consistentHash(keyOf), got ${shown}`,
    );
  }
  assert.throws(() => consistentHash('user' as never), /consistentHash: keyOf must be a function, got "user"/);
  assert.ok(Object.isFrozen(consistentHash((m: string) => m)));
});

picks.run();
strategies.run();
