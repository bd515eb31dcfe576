import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Greenlet, Hub, HubBlocked, Queue, configure, defaultErrorHandler, joinAll, sleep, spawn, type HubEvent, type Operation } from 'grove';
import { errorSink } from '../support.js';
import { NOW, enterLoop, leaveLoop, tickerCells, wallMs } from '../../lib/internal/ticker.js';

/** Computes for `ms` of wall time without yielding: a step that blocks the hub. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/**
 * Waits (for real) until the ticker thread is running, so that a test's
 * blocking step is measured: it starts on the first watched loop, and a
 * worker thread takes a moment to start. Bounded: 10 s.
 */
async function tickerRunning(): Promise<void> {
  const ticks = tickerCells(10)!;
  enterLoop(ticks, wallMs() - 1000);
  try {
    const stale = Atomics.load(ticks, NOW);
    for (let waited = 0; Atomics.load(ticks, NOW) === stale; waited += 5) {
      if (waited > 10_000) throw new Error('the ticker thread did not start within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    leaveLoop(ticks);
  }
}

const detector = suite('Blocking detector');

detector.before(tickerRunning);

detector('a step longer than maxBlockingMs is reported: name, about how long, where it resumed and suspended', async () => {
  const sink = errorSink({ blocking: true });
  const hub = new Hub({ clock: 'virtual', maxBlockingMs: 30, onError: sink.onError });
  const events: HubEvent[] = [];
  const subscription = hub.events$.subscribe((event) => {
    if (event.type === 'blocking' || event.type === 'error') events.push(event);
  });
  await hub.run(function* () {
    const cruncher = spawn(function* () {
      yield* sleep(5);
      busy(80);
      yield* new Queue<number>().get({ timeout: 1 });
    });
    cruncher.name = 'cruncher';
    yield* cruncher.join();
  });
  subscription.unsubscribe();
  assert.is(sink.errors.length >= 1, true, `reported: ${sink.reports}`);
  const notice = sink.errors[0] as HubBlocked;
  assert.instance(notice, HubBlocked);
  assert.is(notice.greenlet.name, 'cruncher');
  assert.equal([notice.resumedIn, notice.suspendedIn], ['sleep', 'Queue.get']);
  assert.ok(notice.ms >= 70, `about 80 ms: ${notice.ms}`);
  assert.is(notice.thresholdMs, 30);
  assert.is(
    notice.message,
    `cruncher held the hub for about ${notice.ms} ms (over 30 ms) from sleep() to Queue.get(), without yielding: nothing else ran meanwhile`,
  );
  assert.is(sink.reports[0].split(': ')[1], 'blocking');
  assert.equal(events.map((e) => e.type), ['blocking'], 'its own event, not an error event');
  const event = events[0] as Extract<HubEvent, { type: 'blocking' }>;
  assert.equal([event.greenlet.name, event.ms, event.resumedIn, event.suspendedIn], ['cruncher', notice.ms, notice.resumedIn, notice.suspendedIn]);
});

detector("a first step is 'from its start'; a last one is 'to its end'", async () => {
  const sink = errorSink({ blocking: true });
  const hub = new Hub({ clock: 'virtual', maxBlockingMs: 30, onError: sink.onError });
  await hub.run(function* () {
    const g = spawn(() => busy(60));
    g.name = 'oneshot';
    yield* g.join();
  });
  assert.is(sink.errors.length, 1, `reported: ${sink.reports}`);
  const notice = sink.errors[0] as HubBlocked;
  assert.equal([notice.resumedIn, notice.suspendedIn], ['start', 'exit']);
  assert.match(notice.message, /^oneshot held the hub for about \d+ ms \(over 30 ms\) from its start to its end, without yielding: nothing else ran meanwhile$/);
});

detector('it works the same with the async context off', async () => {
  const before = configure({ asyncContext: false });
  const sink = errorSink({ blocking: true });
  try {
    const hub = new Hub({ clock: 'virtual', maxBlockingMs: 30, onError: sink.onError });
    await hub.run(function* () {
      yield* sleep(1);
      busy(60);
    });
  } finally {
    configure(before);
  }
  assert.is(sink.errors.length, 1, `reported: ${sink.reports}`);
  assert.equal([(sink.errors[0] as HubBlocked).resumedIn, (sink.errors[0] as HubBlocked).suspendedIn], ['sleep', 'exit']);
});

detector('many short steps are not reported, however long they take together', async () => {
  const sink = errorSink({ blocking: true });
  const hub = new Hub({ clock: 'virtual', maxBlockingMs: 50, onError: sink.onError });
  await hub.run(function* () {
    const workers = Array.from({ length: 4 }, () =>
      spawn(function* (): Operation<void> {
        for (let i = 0; i < 5; i++) {
          busy(4);
          yield* sleep(0);
        }
      }),
    );
    yield* joinAll(workers);
  });
  assert.equal(sink.reports, []);
});

detector('the default report is one line on stderr, without a stack', () => {
  const printed: string[] = [];
  const original = console.error;
  console.error = (line: string) => void printed.push(line);
  try {
    const g = new Greenlet(() => undefined);
    g.name = 'slowpoke';
    defaultErrorHandler(new HubBlocked(g, 120, 'sleep', 'Queue.get', 100), { greenlet: g, where: 'blocking' });
  } finally {
    console.error = original;
  }
  assert.equal(printed, ['slowpoke held the hub for about 120 ms (over 100 ms) from sleep() to Queue.get(), without yielding: nothing else ran meanwhile']);
});

const settings = suite('Blocking detector: settings');

settings('on at 100 ms on a real clock, off on a virtual one; a hub option sets one hub', () => {
  assert.is(new Hub().maxBlockingMs, 100);
  assert.is(new Hub({ clock: 'virtual' }).maxBlockingMs, null);
  assert.is(new Hub({ maxBlockingMs: null }).maxBlockingMs, null);
  assert.is(new Hub({ clock: 'virtual', maxBlockingMs: 25 }).maxBlockingMs, 25);
});

settings('configure({ maxBlockingMs }) changes the defaults of hubs created afterwards', () => {
  const before = configure({ maxBlockingMs: { virtual: 40 } });
  try {
    assert.equal(before.maxBlockingMs, { real: 100, virtual: null });
    assert.is(new Hub({ clock: 'virtual' }).maxBlockingMs, 40);
    assert.is(new Hub().maxBlockingMs, 100);
    configure({ maxBlockingMs: { real: null } });
    assert.is(new Hub().maxBlockingMs, null);
  } finally {
    configure(before);
  }
  assert.equal(configure({}).maxBlockingMs, { real: 100, virtual: null });
});

settings('bad thresholds are refused at the call, naming it', () => {
  for (const [value, shown] of [[0, '0'], [-5, '-5'], [Infinity, 'Infinity'], [NaN, 'NaN'], ['100', '"100"']] as const) {
    assert.throws(
      () => new Hub({ maxBlockingMs: value as number }),
      (e: Error) => e instanceof RangeError && e.message === `new Hub: maxBlockingMs must be a positive, finite number of ms, or null (off), got ${shown}`,
    );
  }
  assert.throws(
    () => configure({ maxBlockingMs: { real: 0 } }),
    (e: Error) => e instanceof RangeError && e.message === 'configure: maxBlockingMs.real must be a positive, finite number of ms, or null (off), got 0',
  );
  assert.throws(
    () => configure({ maxBlockingMs: 100 as never }),
    (e: Error) => e instanceof TypeError && e.message === 'configure: maxBlockingMs must be an object ({ real, virtual }), got 100',
  );
  assert.throws(
    () => configure({ maxBlockingMs: { rael: 5 } as never }),
    (e: Error) => e instanceof TypeError && e.message === 'configure: maxBlockingMs: unknown option "rael" (options are real, virtual)',
  );
  assert.throws(
    () => configure({ maxBlocking: 5 } as never),
    (e: Error) => e instanceof TypeError && e.message === 'configure: unknown option "maxBlocking" (options are traceOperations, asyncContext, maxBlockingMs)',
  );
  assert.equal(configure({}).maxBlockingMs, { real: 100, virtual: null }, 'nothing changed');
});

detector.run();
settings.run();
