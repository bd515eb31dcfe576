/**
 * `TestProbe`: an actor that records what it receives, for tests of actor
 * protocols (Akka's TestProbe, on grove's virtual clock). Point the protocol
 * under test at a probe — as a client, a peer, a monitor's watcher — and
 * state what must arrive, in order, and by when:
 *
 * ```ts
 * const probe = new TestProbe<Reply>('client');
 * server.send({ type: 'get', replyTo: probe });
 * const reply = yield* probe.expectMessage((m) => m.type === 'value', { timeout: 100 });
 * yield* probe.expectNoMessage(1000);
 * ```
 *
 * A failure throws `ExpectationFailed`, saying what was expected, what
 * arrived instead (or that nothing did), and when, in virtual ms.
 */
import { inspect, isDeepStrictEqual } from 'node:util';
import { Empty, Greenlet, Queue, exitReason, getHub, type Operation, type Suspend } from 'grove';
import { Composite } from '../lib/internal/composite.js';
import { checkGreenlet } from '../lib/greenlet.js';
import { ctx } from '../lib/internal/context.js';
import { NotInGreenlet } from '../lib/errors.js';
import { checkMs, checkOptions, optionKeys, show } from '../lib/internal/validate.js';
import { Actor } from 'grove/actors';

/** How a probe matches a message: a predicate, or a value compared structurally. */
export type MessageMatcher<M> = ((message: M) => boolean) | M;

/**
 * How `expectExit` matches a reason: a value (`'normal'`, `'shutdown'`, an
 * error instance — compared structurally), an Error class (matched with
 * `instanceof`), or a predicate.
 */
export type ReasonMatcher = unknown;

/** Options of the probe's expectations. */
export interface ExpectOptions {
  /** How long to wait, in ms of the hub's clock. Default 3000 (Akka's default). */
  timeout?: number;
}
const EXPECT_KEYS = optionKeys<ExpectOptions>({ timeout: true });

/** A message as the probe received it. */
export interface Arrival<M> {
  readonly message: M;
  /** The hub's time when it arrived, in ms. */
  readonly at: number;
}

/** An expectation of a TestProbe that was not met. */
export class ExpectationFailed extends Error {
  static {
    this.prototype.name = 'ExpectationFailed';
  }
}

const DEFAULT_TIMEOUT = 3000;

/** A message, reason or matcher as a failure shows it: its content, on one line (validate.ts's `show` names only the type). */
function display(value: unknown): string {
  return inspect(value, { depth: 4, breakLength: Infinity, compact: true });
}

function describeMatcher(matcher: unknown): string {
  if (typeof matcher === 'function') {
    const source = String(matcher).replace(/\s+/g, ' ');
    return `a message matching ${source.length > 80 ? `${source.slice(0, 77)}...` : source}`;
  }
  return display(matcher);
}

function matches<M>(matcher: MessageMatcher<M>, message: M): boolean {
  return typeof matcher === 'function' ? (matcher as (m: M) => boolean)(message) : isDeepStrictEqual(matcher, message);
}

function isErrorClass(value: unknown): value is new (...args: never[]) => Error {
  return typeof value === 'function' && (value === Error || value.prototype instanceof Error);
}

function reasonMatches(expected: ReasonMatcher, reason: unknown): boolean {
  if (isErrorClass(expected)) return reason instanceof expected;
  if (typeof expected === 'function') return (expected as (r: unknown) => boolean)(reason);
  return expected === reason || isDeepStrictEqual(expected, reason);
}

/** The timeout of an expectation, checked: `options.timeout`, or the default. */
function timeoutOf(call: string, options: ExpectOptions | undefined): number {
  checkOptions(call, options, EXPECT_KEYS);
  return checkMs(call, 'timeout', options?.timeout ?? DEFAULT_TIMEOUT);
}

/**
 * An actor that records every message it receives, with the time it came,
 * and lets a test wait for them. It starts itself when created (inside a
 * greenlet, e.g. in `simulate`). Messages are taken by the expectations in
 * the order they arrived; `history` keeps them all.
 */
export class TestProbe<M = unknown> extends Actor<M> {
  /** Every message received, in order, with its arrival time. */
  readonly history: Arrival<M>[] = [];
  private readonly arrivals = new Queue<Arrival<M>>();

  constructor(name = 'probe') {
    super({ name });
    // Outside a greenlet it would start on the program's real-clock hub, not the test's.
    if (ctx.current === null) throw new NotInGreenlet('new TestProbe()');
    this.start();
  }

  protected receive(message: M): void {
    const arrival = { message, at: getHub().now() };
    this.history.push(arrival);
    this.arrivals.putNowait(arrival);
  }

  /** Messages received and not yet taken by an expectation. */
  get pending(): number {
    return this.arrivals.qsize() + this.inbox.qsize();
  }

  /**
   * Takes the next message and checks it matches; returns it. Fails if it
   * does not match (saying what came, and when) or if nothing arrives within
   * the timeout (default 3000 ms).
   */
  expectMessage<T extends M>(matcher: (message: M) => message is T, options?: ExpectOptions): Operation<T>;
  expectMessage(matcher: (message: M) => boolean, options?: ExpectOptions): Operation<M>;
  expectMessage(matcher: M, options?: ExpectOptions): Operation<M>;
  expectMessage<T extends M = M>(matcher: MessageMatcher<M>, options?: ExpectOptions): Operation<T> {
    const timeout = timeoutOf('TestProbe.expectMessage', options);
    return new Composite('TestProbe.expectMessage', () => this.expectMessageBody<T>(matcher, timeout));
  }

  private *expectMessageBody<T extends M = M>(matcher: MessageMatcher<M>, timeout: number): Generator<Suspend, T, unknown> {
    const hub = getHub();
    const from = hub.now();
    const arrival = yield* this.next(timeout);
    if (arrival === null) {
      throw this.failure(`expected ${describeMatcher(matcher)} within ${timeout} ms (from t=${from}), but nothing arrived by t=${hub.now()}`);
    }
    if (!matches(matcher, arrival.message)) {
      throw this.failure(`expected ${describeMatcher(matcher)}, but got ${display(arrival.message)} at t=${arrival.at}`);
    }
    return arrival.message as T;
  }

  /** Waits `ms` and fails if any message arrives meanwhile (or was already waiting). */
  expectNoMessage(ms: number): Operation<void> {
    checkMs('TestProbe.expectNoMessage', 'timeout', ms);
    return new Composite('TestProbe.expectNoMessage', () => this.expectNoMessageBody(ms));
  }

  private *expectNoMessageBody(ms: number): Generator<Suspend, void, unknown> {
    const hub = getHub();
    const from = hub.now();
    const arrival = yield* this.next(ms);
    if (arrival !== null) {
      throw this.failure(`expected no message for ${ms} ms (from t=${from}), but got ${display(arrival.message)} at t=${arrival.at}`);
    }
  }

  /** Takes the next `n` messages, in order; fails if fewer arrive within the timeout (default 3000 ms). */
  receiveN(n: number, options?: ExpectOptions): Operation<M[]> {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`TestProbe.receiveN: n must be a non-negative integer, got ${show(n)}`);
    const timeout = timeoutOf('TestProbe.receiveN', options);
    return new Composite('TestProbe.receiveN', () => this.receiveNBody(n, timeout));
  }

  private *receiveNBody(n: number, timeout: number): Generator<Suspend, M[], unknown> {
    const hub = getHub();
    const from = hub.now();
    const deadline = from + timeout;
    const got: Arrival<M>[] = [];
    while (got.length < n) {
      const arrival = yield* this.next(Math.max(0, deadline - hub.now()));
      if (arrival === null) {
        const seen = got.map((a) => `${display(a.message)} at t=${a.at}`).join(', ');
        throw this.failure(`expected ${n} messages within ${timeout} ms (from t=${from}), but got ${got.length}${got.length ? `: ${seen}` : ''}`);
      }
      got.push(arrival);
    }
    return got.map((a) => a.message);
  }

  /**
   * Waits for `greenlet` to exit and checks its exit reason (`'normal'`,
   * `'killed'`, `'shutdown'`, an error...) against `reason` when given;
   * returns the reason. Fails if it is still alive after the timeout.
   * Waiting joins the greenlet, so a crash of it counts as seen: the hub
   * does not report it.
   */
  expectExit(greenlet: Greenlet<unknown>, reason?: ReasonMatcher, options?: ExpectOptions): Operation<unknown> {
    checkGreenlet('TestProbe.expectExit', greenlet, 'greenlet');
    const timeout = timeoutOf('TestProbe.expectExit', options);
    const checkReason = arguments.length >= 2;
    return new Composite('TestProbe.expectExit', () => this.expectExitBody(greenlet, checkReason, reason, timeout));
  }

  private *expectExitBody(greenlet: Greenlet<unknown>, checkReason: boolean, reason: ReasonMatcher, timeout: number): Generator<Suspend, unknown, unknown> {
    const hub = getHub();
    const from = hub.now();
    if (!(yield* greenlet.join({ timeout }))) {
      throw this.failure(`expected ${greenlet.name} to exit within ${timeout} ms (from t=${from}), but it was still alive at t=${hub.now()}`);
    }
    const actual = exitReason(greenlet);
    if (checkReason && !reasonMatches(reason, actual)) {
      const wanted = isErrorClass(reason) ? `a ${reason.name}` : typeof reason === 'function' ? describeMatcher(reason).replace('a message', 'a reason') : display(reason);
      throw this.failure(`expected ${greenlet.name} to exit with ${wanted}, but it exited with ${display(actual)} at t=${hub.now()}`);
    }
    return actual;
  }

  private *next(timeout: number): Generator<Suspend, Arrival<M> | null, unknown> {
    this.collect();
    try {
      return yield* this.arrivals.get({ timeout });
    } catch (error) {
      if (!(error instanceof Empty)) throw error;
      // A message sent at the deadline, by a greenlet that ran just before
      // this one, may still be in the inbox: it arrived in time.
      this.collect();
      return this.arrivals.qsize() > 0 ? this.arrivals.getNowait() : null;
    }
  }

  /**
   * Records what is in the inbox and the probe's own greenlet has not taken
   * yet (it was sent by the greenlet now running, or in this same instant):
   * an expectation sees a message from the moment it was sent.
   */
  private collect(): void {
    const inbox = this.inbox;
    while (inbox.qsize() > 0) this.receive(inbox.getNowait());
  }

  private failure(message: string): ExpectationFailed {
    return new ExpectationFailed(`TestProbe ${this.name}: ${message}`);
  }
}
