import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExitSignal, getHub, sleep, type Suspend } from 'grove';
import { Supervisor, type ChildSpec } from 'grove/supervision';
import { advance, simulate } from 'grove/testing';
import { recorder } from '../../support.js';
import { Worker, childOf, running, supervisionLog, workerSpec } from '../support.js';

/** A worker that crashes `upMs` after each start, logging `[t] start <id>`. */
class Crasher extends Worker {
  constructor(
    tag: string,
    private readonly timedLog: (line: string) => void,
    private readonly upMs: number,
  ) {
    super(tag, timedLog);
  }
  protected override *run(): Generator<Suspend, void, unknown> {
    this.timedLog(`[${getHub().now()}] start ${this.tag}`);
    yield* sleep(this.upMs);
    throw new Error(`${this.tag} crashed`);
  }
}

function crashingSpec(id: string, log: (line: string) => void, upMs: number): ChildSpec {
  return { id, start: () => new Crasher(id, log, upMs) };
}

const MINUTE = 60_000;

const backoff = suite('Supervisor: restart backoff');

backoff('restarts wait minMs, doubling up to maxMs: minutes pass instantly on the virtual clock', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      const events = supervisionLog();
      const sup = new Supervisor({
        name: 'top',
        maxRestarts: 100,
        withinMs: 3_600_000,
        backoff: { minMs: MINUTE, maxMs: 8 * MINUTE },
        children: [crashingSpec('a', log, 1)],
      }).start();
      yield* advance(30 * MINUTE);
      sup.kill({ exception: new ExitSignal('shutdown') });
      // Up 1 ms, then 1, 2, 4, 8, 8 minutes of backoff.
      assert.equal(lines, ['[0] start a', '[60001] start a', '[180002] start a', '[420003] start a', '[900004] start a', '[1380005] start a']);
      assert.equal(
        events.lines.filter((l) => l.includes('restart')),
        [
          'top: restart a #1 in 60000 ms',
          'top: restart a #2 in 120000 ms',
          'top: restart a #3 in 240000 ms',
          'top: restart a #4 in 480000 ms',
          'top: restart a #5 in 480000 ms',
          'top: restart a #6 in 480000 ms',
        ],
      );
    },
    { onError: () => {} },
  ));

backoff('a child that stayed up (minMs + maxMs) / 2 starts over at minMs', () =>
  simulate(
    function* () {
      const { log } = recorder();
      const events = supervisionLog();
      const sup = new Supervisor({ name: 'top', maxRestarts: 100, withinMs: 3_600_000, backoff: { minMs: 100, maxMs: 1000 }, children: [workerSpec('a', log)] }).start();
      yield* advance(0);
      for (const upMs of [10, 10, 549, 550, 10]) {
        yield* advance(upMs);
        childOf(sup, 'a').send('crash');
        yield* advance(0);
        // Wait out the delay: the child is restarted right now.
        yield* advance(Number(/in (\d+) ms/.exec(events.lines.at(-1)!)![1]));
        assert.is(running(sup), 'a');
      }
      assert.equal(
        events.lines.filter((l) => l.includes('restart')),
        [
          'top: restart a #1 in 100 ms',
          'top: restart a #2 in 200 ms',
          'top: restart a #3 in 400 ms',
          'top: restart a #1 in 100 ms',
          'top: restart a #2 in 200 ms',
        ],
      );
      sup.kill({ exception: new ExitSignal('shutdown') });
    },
    { onError: () => {} },
  ));

backoff('jitter adds up to that fraction, and a simulated run replays it exactly', async () => {
  const delays = () =>
    simulate(
      function* () {
        const events = supervisionLog();
        const sup = new Supervisor({
          name: 'top',
          maxRestarts: 100,
          withinMs: 3_600_000,
          backoff: { minMs: 1000, maxMs: 16_000, jitter: 0.5 },
          children: [crashingSpec('a', () => {}, 1)],
        }).start();
        yield* advance(120_000);
        sup.kill({ exception: new ExitSignal('shutdown') });
        return events.lines.filter((l) => l.includes('restart')).map((l) => Number(/in ([\d.]+) ms/.exec(l)![1]));
      },
      { onError: () => {} },
    );
  const first = await delays();
  assert.equal(await delays(), first);
  assert.ok(first.length >= 5);
  first.forEach((delay, i) => {
    const base = Math.min(16_000, 1000 * 2 ** i);
    assert.ok(delay >= base && delay < base * 1.5, `restart ${i + 1}: ${delay} ms`);
  });
  assert.ok(first.some((delay, i) => delay !== Math.min(16_000, 1000 * 2 ** i)));
});

backoff('while a restart waits, the supervisor answers calls and supervises its other children', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      const sup = new Supervisor({ maxRestarts: 10, backoff: { minMs: 5000, maxMs: 5000 }, children: [workerSpec('a', log), workerSpec('b', log)] }).start();
      yield* advance(0);
      childOf(sup, 'a').send('crash');
      yield* advance(100);
      assert.is(running(sup), '-a b');
      const c = yield* sup.startChild(workerSpec('c', log));
      childOf(sup, 'b').send('crash');
      yield* advance(4900);
      assert.is(running(sup), 'a -b c');
      assert.is(childOf(sup, 'c'), c);
      yield* advance(100);
      assert.is(running(sup), 'a b c');
      assert.equal(lines.slice(2), ['stop a: a crashed', 'start c', 'stop b: b crashed', 'start a', 'start b']);
      sup.kill({ exception: new ExitSignal('shutdown') });
    },
    { onError: () => {} },
  ));

backoff('oneForAll with backoff: the group stops at once and starts again after the delay', () =>
  simulate(
    function* () {
      const lines: string[] = [];
      const log = (line: string) => void lines.push(`[${getHub().now()}] ${line}`);
      const sup = new Supervisor({ strategy: 'oneForAll', backoff: { minMs: 2000, maxMs: 2000 }, children: ['a', 'b', 'c'].map((id) => workerSpec(id, log)) }).start();
      yield* advance(0);
      childOf(sup, 'b').send('crash');
      yield* advance(3000);
      assert.equal(lines.slice(3), [
        '[0] stop b: b crashed',
        '[0] stop c: shutdown',
        '[0] stop a: shutdown',
        '[2000] start a',
        '[2000] start b',
        '[2000] start c',
      ]);
      sup.kill({ exception: new ExitSignal('shutdown') });
    },
    { onError: () => {} },
  ));

backoff('a restart that fails to start is retried after the next, longer delay', () =>
  simulate(
    function* () {
      const lines: string[] = [];
      const log = (line: string) => void lines.push(`[${getHub().now()}] ${line}`);
      let calls = 0;
      const spec: ChildSpec = {
        id: 'a',
        start: () => {
          calls++;
          if (calls === 2 || calls === 3) {
            log('start() fails');
            throw new Error('not yet');
          }
          return new Worker('a', log);
        },
      };
      const sup = new Supervisor({ maxRestarts: 10, backoff: { minMs: 100, maxMs: 10_000 }, children: [spec] }).start();
      yield* advance(0);
      childOf(sup, 'a').send('crash');
      yield* advance(10_000);
      assert.equal(lines, ['[0] start a', '[0] stop a: a crashed', '[100] start() fails', '[300] start() fails', '[700] start a']);
      sup.kill({ exception: new ExitSignal('shutdown') });
    },
    { onError: () => {} },
  ));

backoff.run();
