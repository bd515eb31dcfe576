/**
 * A seeded hub's schedules (lib/internal/schedule.ts, shuffle.ts, pct.ts),
 * through `new Hub({ seed, strategy, depth, steps })`.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Hub, Queue, joinAll, sleep, spawn, type Operation } from 'grove';
import { spinsBeforeDueTimer } from '../support.js';

/** Runs `body` on a fresh virtual hub with these schedule options. */
function on<T>(options: ConstructorParameters<typeof Hub>[0], body: () => Operation<T>): Promise<T> {
  return new Hub({ clock: 'virtual', ...options }).run(body);
}

/** Greenlets a and b each take `n` steps (a `sleep(0)` after each); the order the steps ran in. */
function* twoWorkers(n: number): Operation<string> {
  const seen: string[] = [];
  const worker = (name: string) =>
    function* (): Operation<void> {
      for (let i = 0; i < n; i++) {
        seen.push(name);
        yield* sleep(0);
      }
    };
  yield* joinAll([spawn(worker('a')), spawn(worker('b'))]);
  return seen.join('');
}

/** How many times the order passes from one worker to the other. */
function switches(order: string): number {
  let count = 0;
  for (let i = 1; i < order.length; i++) if (order[i] !== order[i - 1]) count++;
  return count;
}

const pct = suite("Hub({ strategy: 'pct' })");

pct('without priority drops (depth 1), the ready greenlet of highest priority runs until it blocks: no interleaving', async () => {
  const orders = new Set<string>();
  for (let seed = 1; seed <= 20; seed++) orders.add(await on({ seed, strategy: 'pct', depth: 1 }, () => twoWorkers(5)));
  assert.equal([...orders].sort(), ['aaaaabbbbb', 'bbbbbaaaaa']);
  // FIFO alternates strictly.
  assert.is(await on({}, () => twoWorkers(5)), 'ababababab');
});

pct('depth 2: one drop at a random step preempts the running greenlet once, anywhere in the run', async () => {
  const orders = new Set<string>();
  for (let seed = 1; seed <= 100; seed++) {
    const order = await on({ seed, strategy: 'pct', depth: 2, steps: 12 }, () => twoWorkers(5));
    assert.ok(switches(order) <= 2, `seed ${seed}: ${order} switches more than twice`);
    orders.add(order);
  }
  // Preempted after 1..4 of its steps, either worker: a^i b^5 a^(5-i) and the mirror, plus the unpreempted two.
  assert.ok(orders.has('abbbbbaaaa') && orders.has('bbbbaaaaab'), [...orders].join(' '));
  assert.ok(orders.size >= 8, `only ${orders.size} orders: ${[...orders].join(' ')}`);
});

pct('a seed gives the same interleaving every time, and the same seed with another strategy or depth may not', async () => {
  const a = await on({ seed: 5, strategy: 'pct', depth: 3 }, () => twoWorkers(6));
  assert.is(await on({ seed: 5, strategy: 'pct', depth: 3 }, () => twoWorkers(6)), a);
  const others = new Set<string>();
  for (let seed = 1; seed <= 30; seed++) others.add(await on({ seed, strategy: 'pct', depth: 3 }, () => twoWorkers(6)));
  assert.ok(others.size > 5, `only ${others.size} interleavings from 30 seeds`);
});

pct('a greenlet polling with sleep(0) for what a lower-priority one does gives way after 1000 polls', async () => {
  const counts = new Set<number>();
  for (let seed = 1; seed <= 30; seed++) {
    // Without drops (depth 1) only the guard against polling can let the setter run before the poller gives up its rank.
    const polls = await on({ seed, strategy: 'pct', depth: 1 }, function* () {
      let flag = false;
      let count = 0;
      const poller = spawn(function* () {
        while (!flag) {
          count++;
          yield* sleep(0);
        }
      });
      const setter = spawn(() => void (flag = true));
      yield* joinAll([poller, setter]);
      return count;
    });
    counts.add(polls);
  }
  // The setter ranked first: no polls. The poller ranked first: it drops below every priority after 1000 turns in a row.
  assert.equal([...counts].sort((a, b) => a - b), [0, 1000]);
});

pct('greenlets that keep each other busy for ever give way to the rest after a bounded number of steps', async () => {
  // Seed 7 without drops (depth 1) ranks both queues' hand-out rounds above the stopper: a livelock under strict priorities.
  const rounds = await on({ seed: 7, strategy: 'pct', depth: 1 }, function* () {
    let stop = false;
    let count = 0;
    const ping = new Queue<number>();
    const pong = new Queue<number>();
    const a = spawn(function* () {
      while (!stop) {
        ping.putNowait(count++);
        yield* pong.get();
      }
    });
    const b = spawn(function* () {
      for (;;) {
        yield* ping.get();
        pong.putNowait(0);
      }
    });
    yield* sleep(0);
    stop = true;
    yield* a.join();
    b.kill();
    return count;
  });
  // Two steps a round: after 200,000 steps the schedule turns FIFO and the stopper gets its turn.
  assert.is(rounds, 99_999);
});

pct('timers due at the same instant fire in an order the seed draws', async () => {
  const orders = new Set<string>();
  for (let seed = 1; seed <= 20; seed++) {
    orders.add(
      await on({ seed, strategy: 'pct' }, function* () {
        const seen: number[] = [];
        yield* joinAll(
          [0, 1, 2, 3].map((i) =>
            spawn(function* () {
              yield* sleep(10);
              seen.push(i);
            }),
          ),
        );
        return seen.join('');
      }),
    );
  }
  assert.ok(orders.size > 3, [...orders].join(' '));
});

pct.run();

const passes = suite('Seeded hubs: passes of the ready queue');

/** How many sleep(0)s main made before a timer due at once (spawnLater(0)) ran, on a seeded virtual hub. */
function spinsBeforeTimer(seed: number, strategy: 'shuffle' | 'pct'): Promise<number> {
  return on({ seed, strategy }, spinsBeforeDueTimer);
}

passes('a sleep(0) loop lets a due timer fire after a pass of 1000 steps, at the step the seed gives every time', async () => {
  const shuffle: number[] = [];
  const pctCounts: number[] = [];
  for (let seed = 1; seed <= 6; seed++) {
    shuffle.push(await spinsBeforeTimer(seed, 'shuffle'));
    pctCounts.push(await spinsBeforeTimer(seed, 'pct'));
  }
  // PCT runs one task a step: main's 1000 steps, then the timer. A shuffled batch may defer main or the timer's greenlet.
  assert.equal(pctCounts, [1000, 1000, 1000, 1000, 1000, 1000]);
  assert.equal(shuffle, [1000, 1001, 1001, 1002, 1000, 1002]);
  for (let seed = 1; seed <= 6; seed++) assert.is(await spinsBeforeTimer(seed, 'shuffle'), shuffle[seed - 1]);
});

passes.run();

const options = suite('Hub schedule options');

options('strategy, depth and steps are checked, naming the option and the value', () => {
  for (const [bad, error, message] of [
    [{ seed: 1, strategy: 'dfs' }, TypeError, `new Hub: strategy must be 'pct' or 'shuffle', got "dfs"`],
    [{ seed: 1, strategy: 'pct', depth: 0 }, RangeError, 'new Hub: depth must be a positive integer, got 0'],
    [{ seed: 1, strategy: 'pct', depth: 1.5 }, RangeError, 'new Hub: depth must be a positive integer, got 1.5'],
    [{ seed: 1, strategy: 'pct', steps: -2 }, RangeError, 'new Hub: steps must be a positive integer, got -2'],
    [{ strategy: 'pct' }, TypeError, 'new Hub: strategy chooses how a seed draws the schedule; give a seed too'],
    [{ depth: 2 }, TypeError, 'new Hub: depth chooses how a seed draws the schedule; give a seed too'],
    [{ seed: 1, strategy: 'shuffle', depth: 2 }, TypeError, "new Hub: depth and steps are options of strategy 'pct', not 'shuffle'"],
    [{ seed: '1' }, TypeError, 'new Hub: seed must be an integer, got "1"'],
  ] as const) {
    assert.throws(
      () => new Hub(bad as never),
      (e: Error) => e instanceof error && e.message === message,
      JSON.stringify(bad),
    );
  }
});

options("a seed alone means 'shuffle', as before; the hub says it is seeded", async () => {
  const shuffled = await on({ seed: 9 }, () => twoWorkers(4));
  assert.is(await on({ seed: 9, strategy: 'shuffle' }, () => twoWorkers(4)), shuffled);
  assert.ok(new Hub({ seed: 1, strategy: 'pct' }).seeded);
  assert.not.ok(new Hub().seeded);
});

options.run();
