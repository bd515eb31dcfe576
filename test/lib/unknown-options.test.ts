/**
 * Regression (issue 11, item 12): an options record with a key the call does
 * not know (`q.get({ timout: 5 })`) was ignored, so the call silently did
 * something else (waited forever). Every call that takes options refuses
 * one, naming the key and listing the valid ones.
 */
import { suite } from 'uvu';
import {
  AsyncResult,
  BoundedSemaphore,
  Channel,
  Event,
  Greenlet,
  Group,
  Hub,
  JoinableQueue,
  Lock,
  Pool,
  PriorityQueue,
  Queue,
  RLock,
  Semaphore,
  Timeout,
  call,
  configure,
  joinAll,
  killAll,
  shutdown,
  sleep,
  spawn,
  wait,
  withTimeout,
} from 'grove';
import { simulate } from 'grove/testing';
import { throwsExactly } from '../support.js';

const test = suite('unknown option keys');

/** The message every call gives for a misspelt key. */
function unknown(call: string, key: string, valid: string): string {
  return `${call}: unknown option ${JSON.stringify(key)} (options are ${valid})`;
}

test('every blocking call of lib/ refuses a misspelt key, naming the call, the key and the valid keys', () =>
  simulate(function* () {
    const q = new Queue<number>();
    const ch = new Channel<number>();
    const jq = new JoinableQueue<number>();
    const ev = new Event();
    const ar = new AsyncResult<number>();
    const g = spawn(function* () {
      yield* sleep(1000);
    });
    const group = new Group();
    const pool = new Pool(2);
    const bad = { timout: 5 } as never;
    const cases: [make: () => unknown, call: string, key: string, valid: string][] = [
      [() => q.put(1, bad), 'Queue.put', 'timout', 'timeout'],
      [() => q.get(bad), 'Queue.get', 'timout', 'timeout'],
      [() => q.peek(bad), 'Queue.peek', 'timout', 'timeout'],
      [() => q.shutdown({ immediat: true } as never), 'Queue.shutdown', 'immediat', 'immediate, cause'],
      [() => ch.put(1, bad), 'Channel.put', 'timout', 'timeout'],
      [() => ch.get(bad), 'Channel.get', 'timout', 'timeout'],
      [() => ch.shutdown({ immediat: true } as never), 'Channel.shutdown', 'immediat', 'immediate, cause'],
      [() => jq.join(bad), 'JoinableQueue.join', 'timout', 'timeout'],
      [() => ev.wait(bad), 'Event.wait', 'timout', 'timeout'],
      [() => ar.get(bad), 'AsyncResult.get', 'timout', 'timeout'],
      [() => ar.wait(bad), 'AsyncResult.wait', 'timout', 'timeout'],
      [() => g.join(bad), 'Greenlet.join', 'timout', 'timeout'],
      [() => g.get(bad), 'Greenlet.get', 'timout', 'timeout'],
      [() => g.kill({ exeption: Error } as never), 'Greenlet.kill', 'exeption', 'exception, timeout'],
      [() => joinAll([g], { raiseErrors: true } as never), 'joinAll', 'raiseErrors', 'timeout, raiseError, count'],
      [() => wait([g], bad), 'wait', 'timout', 'timeout, count'],
      [() => killAll([g], bad), 'killAll', 'timout', 'exception, timeout'],
      [() => shutdown(bad), 'shutdown', 'timout', 'exception, timeout'],
      [() => call(Promise.resolve(1), bad), 'call', 'timout', 'timeout'],
      [() => group.join({ raiseErrors: true } as never), 'Group.join', 'raiseErrors', 'timeout, raiseError'],
      [() => group.kill(bad), 'Group.kill', 'timout', 'exception, timeout'],
      [() => group.killOne(g, bad), 'Group.killOne', 'timout', 'exception, timeout'],
      [() => group.map((x: number) => x, [1], bad), 'Group.map', 'timout', 'timeout'],
      [() => group.apply((x: number) => x, [1], bad), 'Group.apply', 'timout', 'timeout'],
      [() => group.imap((x: number) => x, [1]).next(bad), 'IMap.next', 'timout', 'timeout'],
      [() => pool.add(new Greenlet(() => 1), bad), 'Pool.add', 'timout', 'timeout'],
      [() => pool.waitAvailable(bad), 'Pool.waitAvailable', 'timout', 'timeout'],
      [() => new Semaphore(1).acquire(bad), 'Semaphore.acquire', 'timout', 'timeout'],
      [() => new Semaphore(1).wait(bad), 'Semaphore.wait', 'timout', 'timeout'],
      [() => new BoundedSemaphore(1).acquire(bad), 'BoundedSemaphore.acquire', 'timout', 'timeout'],
      [() => new Lock().acquire(bad), 'Lock.acquire', 'timout', 'timeout'],
      [() => new RLock().acquire(bad), 'RLock.acquire', 'timout', 'timeout'],
      [() => withTimeout(5, () => 1, { timeoutvalue: 0 } as never), 'withTimeout', 'timeoutvalue', 'timeoutValue'],
    ];
    for (const [make, name, key, valid] of cases) throwsExactly(make, TypeError, unknown(name, key, valid));
    g.kill();
  }));

test('constructors refuse a misspelt key too', () => {
  throwsExactly(() => new Timeout(5, { silet: true } as never), TypeError, unknown('new Timeout', 'silet', 'exception, silent'));
  throwsExactly(() => new PriorityQueue({ compar: () => 0 } as never), TypeError, unknown('new PriorityQueue', 'compar', 'maxsize, compare'));
  throwsExactly(() => new PriorityQueue(3, { maxSize: 3 } as never), TypeError, unknown('new PriorityQueue', 'maxSize', 'maxsize, compare'));
  throwsExactly(() => new Hub({ clok: 'virtual' } as never), TypeError, unknown('new Hub', 'clok', 'clock, onError, seed, strategy, depth, steps, maxBlockingMs'));
  throwsExactly(() => configure({ traceOperation: true } as never), TypeError, unknown('configure', 'traceOperation', 'traceOperations, asyncContext, maxBlockingMs'));
});

test('the misspelt call is refused before it does anything (q.get({ timout }) no longer waits forever)', () =>
  simulate(function* () {
    const q = new Queue<number>();
    throwsExactly(() => q.get({ timout: 5 } as never), TypeError, unknown('Queue.get', 'timout', 'timeout'));
    // Nothing was recorded: the next call works.
    q.putNowait(1);
    const got: number = yield* q.get({ timeout: 5 });
    if (got !== 1) throw new Error(`expected 1, got ${got}`);
  }));

test.run();
