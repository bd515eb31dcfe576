import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getHub, sleep, type Operation } from 'grove';
import { Actor, type ActorTimers, type TimerKey } from 'grove/actors';
import { simulate, advance } from 'grove/testing';
import { errorSink } from '../support.js';
import { nextTickDelay } from '../../actors/timers.js';

type Tick = { type: 'tick'; n: number } | { type: 'go'; run: (timers: ActorTimers<Tick>, self: Clock) => void } | { type: 'slow'; ms: number };

/** An actor that records each message with the virtual time it was handled, and lets a test drive its timers from inside. */
class Clock extends Actor<Tick> {
  readonly got: string[] = [];
  constructor(options?: { mailbox?: number }) {
    super({ name: 'clock', ...options });
  }
  protected *receive(message: Tick): Operation<void> {
    if (message.type === 'go') message.run(this.timers, this);
    else if (message.type === 'slow') yield* sleep(message.ms);
    else this.got.push(`tick ${message.n} at ${getHub().now()}`);
  }
  /** Runs `run` in the actor, with its timers, as the next message. */
  use(run: (timers: ActorTimers<Tick>, self: Clock) => void): void {
    this.send({ type: 'go', run });
  }
  get queued(): number {
    return this.inbox.qsize();
  }
  /** Its timers, for the test to look at from outside. */
  get timerState(): ActorTimers<Tick> {
    return this.timers;
  }
}

const single = suite('Actor timers: single');

single('a single timer sends its message once, after the delay, on the virtual clock', () =>
  simulate(function* () {
    const clock = new Clock().start();
    clock.use((timers) => timers.startSingle('t', { type: 'tick', n: 1 }, 1500));
    yield* advance(10_000);
    assert.equal(clock.got, ['tick 1 at 1500']);
    clock.stop();
  }));

single('delay 0 sends at the next turn of the hub', () =>
  simulate(function* () {
    const clock = new Clock().start();
    clock.use((timers) => timers.startSingle('t', { type: 'tick', n: 1 }, 0));
    yield* advance(0);
    assert.equal(clock.got, ['tick 1 at 0']);
    clock.stop();
  }));

single('it is active until its message is taken; then the key is free', () =>
  simulate(function* () {
    const clock = new Clock().start();
    clock.use((timers) => timers.startSingle('t', { type: 'tick', n: 1 }, 100));
    clock.send({ type: 'slow', ms: 200 }); // busy when the timer fires: its message waits in the inbox
    yield* advance(50);
    assert.equal([clock.timerState.isActive('t'), clock.timerState.size], [true, 1], 'started');
    yield* advance(100);
    assert.is(clock.queued, 1, 'the message is queued');
    assert.equal([clock.timerState.isActive('t'), clock.timerState.size], [true, 1], 'queued, not taken');
    yield* advance(100);
    assert.equal([clock.timerState.isActive('t'), clock.timerState.size], [false, 0], 'taken');
    assert.equal(clock.got, ['tick 1 at 200']);
    clock.stop();
  }));

single('starting a key again replaces the timer: the old one never fires', () =>
  simulate(function* () {
    const clock = new Clock().start();
    clock.use((timers) => timers.startSingle('t', { type: 'tick', n: 1 }, 100));
    yield* advance(50);
    clock.use((timers) => timers.startSingle('t', { type: 'tick', n: 2 }, 100));
    yield* advance(1000);
    assert.equal(clock.got, ['tick 2 at 150']);
    clock.stop();
  }));

single("starting a key again while the old timer's message is queued: that message is not delivered", () =>
  simulate(function* () {
    const clock = new Clock().start();
    clock.use((timers) => timers.startSingle('t', { type: 'tick', n: 1 }, 10));
    // Busy from 0 to 100: tick 1 is queued at 10, behind the restart below.
    clock.send({ type: 'slow', ms: 100 });
    clock.use((timers) => timers.startSingle('t', { type: 'tick', n: 2 }, 5));
    yield* advance(50);
    assert.is(clock.queued, 2, "tick 1 and the 'go' that restarts the key wait behind the slow message");
    yield* advance(1000);
    assert.equal(clock.got, ['tick 2 at 105']);
    clock.stop();
  }));

single("cancel stops it, and takes back its message if queued; the actor's other messages stay in order", () =>
  simulate(function* () {
    const clock = new Clock().start();
    const answers: boolean[] = [];
    clock.use((timers) => {
      timers.startSingle('a', { type: 'tick', n: 1 }, 10);
      timers.startSingle('b', { type: 'tick', n: 2 }, 500);
    });
    clock.send({ type: 'slow', ms: 100 });
    clock.send({ type: 'tick', n: 9 });
    clock.use((timers) => answers.push(timers.cancel('a'), timers.cancel('b'), timers.cancel('b'), timers.cancel('never')));
    yield* advance(1000);
    assert.equal(answers, [true, true, false, false]);
    assert.equal(clock.got, ['tick 9 at 100']);
    clock.stop();
  }));

single('keys are strings, numbers or symbols, each its own timer', () =>
  simulate(function* () {
    const clock = new Clock().start();
    const sym = Symbol('k');
    const keys: TimerKey[] = ['1', 1, sym];
    clock.use((timers) => keys.forEach((key, i) => timers.startSingle(key, { type: 'tick', n: i }, 10 * (i + 1))));
    yield* advance(100);
    assert.equal(clock.got, ['tick 0 at 10', 'tick 1 at 20', 'tick 2 at 30']);
    clock.stop();
  }));

single('a timer message is frozen when the timer starts, as send freezes', () =>
  simulate(function* () {
    const clock = new Clock().start();
    const message = { type: 'tick' as const, n: 1 };
    clock.use((timers) => timers.startSingle('t', message, 10));
    yield* advance(0);
    assert.ok(Object.isFrozen(message));
    clock.stop();
  }));

single("a timer's message goes past a full mailbox's bound", () =>
  simulate(function* () {
    const clock = new Clock({ mailbox: 2 }).start();
    clock.use((timers) => timers.startSingle('t', { type: 'tick', n: 1 }, 10));
    yield* advance(0);
    clock.send({ type: 'slow', ms: 100 });
    yield* advance(0);
    clock.send({ type: 'tick', n: 7 });
    clock.send({ type: 'tick', n: 8 });
    yield* advance(20);
    assert.is(clock.queued, 3, 'two sent, plus the timer past the bound');
    yield* advance(100);
    assert.equal(clock.got, ['tick 7 at 100', 'tick 8 at 100', 'tick 1 at 100']);
    clock.stop();
  }));

const periodic = suite('Actor timers: periodic');

periodic('a periodic timer sends every interval until cancelled', () =>
  simulate(function* () {
    const clock = new Clock().start();
    clock.use((timers) => timers.startPeriodic('p', { type: 'tick', n: 0 }, 100));
    yield* advance(350);
    clock.use((timers) => timers.cancel('p'));
    yield* advance(1000);
    assert.equal(clock.got, ['tick 0 at 100', 'tick 0 at 200', 'tick 0 at 300']);
    clock.stop();
  }));

periodic('initialDelayMs sets the first tick; later ones keep the interval', () =>
  simulate(function* () {
    const clock = new Clock().start();
    clock.use((timers) => timers.startPeriodic('p', { type: 'tick', n: 0 }, 100, { initialDelayMs: 0 }));
    yield* advance(250);
    clock.stop();
    assert.equal(clock.got, ['tick 0 at 0', 'tick 0 at 100', 'tick 0 at 200']);
  }));

periodic('ticks keep to the schedule while the actor is slow: they pile up in the inbox', () =>
  simulate(function* () {
    const clock = new Clock().start();
    clock.use((timers) => timers.startPeriodic('p', { type: 'tick', n: 0 }, 10));
    clock.send({ type: 'slow', ms: 35 });
    yield* advance(35);
    clock.use((timers) => timers.cancel('p'));
    yield* advance(100);
    assert.equal(clock.got, ['tick 0 at 35', 'tick 0 at 35', 'tick 0 at 35']);
    clock.stop();
  }));

periodic('cancelling takes back every tick still queued', () =>
  simulate(function* () {
    const clock = new Clock().start();
    clock.use((timers) => timers.startPeriodic('p', { type: 'tick', n: 0 }, 10));
    clock.send({ type: 'slow', ms: 35 });
    clock.send({ type: 'tick', n: 5 });
    clock.use((timers) => timers.cancel('p'));
    yield* advance(30);
    assert.is(clock.queued, 5, 'three ticks, tick 5 and the cancel');
    yield* advance(100);
    assert.equal(clock.got, ['tick 5 at 35']);
    clock.stop();
  }));

periodic('a tick due while the hub was held up is skipped, not sent in a burst', () => {
  // The hub fell behind: the next tick is the next one on the schedule still ahead of now.
  assert.is(nextTickDelay(100, 10, 105), 5);
  assert.is(nextTickDelay(100, 10, 110), 10, 'exactly due: the next interval');
  assert.is(nextTickDelay(100, 10, 137), 10, 'three ticks missed: one now, then every 10 ms from now');
});

const lifetime = suite('Actor timers: lifetime');

lifetime('they stop when the actor dies; their queued messages are not dead letters', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const clock = new Clock().start();
      clock.use((timers) => {
        timers.startPeriodic('p', { type: 'tick', n: 0 }, 10);
        timers.startSingle('s', { type: 'tick', n: 1 }, 50);
      });
      clock.send({ type: 'slow', ms: 25 }); // two ticks queue up meanwhile
      yield* advance(20);
      clock.kill();
      yield* advance(1000);
      assert.equal(clock.got, []);
      assert.is(getHub().deadLetters, 0);
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, []);
});

lifetime('a timer started from init or terminate works like any other (those from terminate die with the actor)', () =>
  simulate(function* () {
    class Warm extends Actor<Tick> {
      readonly got: number[] = [];
      protected override init(): void {
        this.timers.startSingle('warm', { type: 'tick', n: 1 }, 5);
      }
      protected receive(message: Tick): void {
        if (message.type === 'tick') this.got.push(getHub().now());
      }
      protected override terminate(): void {
        this.timers.startSingle('late', { type: 'tick', n: 2 }, 5);
      }
    }
    const warm = new Warm().start();
    yield* advance(10);
    warm.stop();
    yield* advance(10);
    assert.equal(warm.got, [5]);
    assert.is(getHub().deadLetters, 0);
  }));

lifetime('selective receive sees the message inside; taking it frees a single timer', () =>
  simulate(function* () {
    const log: string[] = [];
    class Picky extends Actor<Tick> {
      protected *receive(message: Tick): Operation<void> {
        if (message.type !== 'go') return;
        this.timers.startSingle('t', { type: 'tick', n: 1 }, 10);
        const got = yield* this.receiveMatching((m): m is Tick => m.type === 'tick');
        log.push(`${JSON.stringify(got)} at ${getHub().now()}, active: ${this.timers.isActive('t')}`);
      }
    }
    const picky = new Picky().start();
    picky.send({ type: 'go', run: () => {} });
    yield* advance(100);
    assert.equal(log, ['{"type":"tick","n":1} at 10, active: false']);
    picky.stop();
  }));

const bad = suite('Actor timers: bad input');

bad('keys and delays are checked at the call, naming it and the value', () =>
  simulate(function* () {
    const errors: string[] = [];
    const clock = new Clock().start();
    const attempts: ((timers: ActorTimers<Tick>) => void)[] = [
      (t) => t.startSingle(undefined as unknown as TimerKey, { type: 'tick', n: 0 }, 1),
      (t) => t.startSingle({} as unknown as TimerKey, { type: 'tick', n: 0 }, 1),
      (t) => t.startSingle(NaN, { type: 'tick', n: 0 }, 1),
      (t) => t.startSingle('k', { type: 'tick', n: 0 }, -1),
      (t) => t.startSingle('k', { type: 'tick', n: 0 }, Infinity),
      (t) => t.startSingle('k', { type: 'tick', n: 0 }, '5' as unknown as number),
      (t) => t.startPeriodic('k', { type: 'tick', n: 0 }, 0),
      (t) => t.startPeriodic('k', { type: 'tick', n: 0 }, NaN),
      (t) => t.startPeriodic('k', { type: 'tick', n: 0 }, 10, { initialDelayMs: -5 }),
      (t) => t.startPeriodic('k', { type: 'tick', n: 0 }, 10, { initalDelayMs: 5 } as never),
      (t) => t.startPeriodic('k', { type: 'tick', n: 0 }, 10, 5 as never),
    ];
    clock.use((timers) => {
      for (const attempt of attempts) {
        try {
          attempt(timers);
          errors.push('no error');
        } catch (error) {
          errors.push(`${(error as Error).name}: ${(error as Error).message}`);
        }
      }
    });
    yield* advance(0);
    assert.equal(errors, [
      'TypeError: Actor.timers.startSingle: key must be a string, a number or a symbol, got undefined',
      'TypeError: Actor.timers.startSingle: key must be a string, a number or a symbol, got an object',
      'TypeError: Actor.timers.startSingle: key must be a string, a number or a symbol, got NaN',
      'RangeError: Actor.timers.startSingle: delayMs must be a non-negative, finite number of ms, got -1',
      'RangeError: Actor.timers.startSingle: delayMs must be a non-negative, finite number of ms, got Infinity',
      'TypeError: Actor.timers.startSingle: delayMs must be a number of ms, got "5"',
      'RangeError: Actor.timers.startPeriodic: intervalMs must be a positive, finite number of ms, got 0',
      'RangeError: Actor.timers.startPeriodic: intervalMs must be a positive, finite number of ms, got NaN',
      'RangeError: Actor.timers.startPeriodic: initialDelayMs must be a non-negative, finite number of ms, got -5',
      'TypeError: Actor.timers.startPeriodic: unknown option "initalDelayMs" (options are initialDelayMs)',
      'TypeError: Actor.timers.startPeriodic: options must be an object, got 5',
    ]);
    clock.use((timers) => errors.push(`active: ${timers.size}`));
    yield* advance(0);
    assert.is(errors.at(-1), 'active: 0', 'no bad call started a timer');
    clock.stop();
  }));

single.run();
periodic.run();
lifetime.run();
bad.run();
