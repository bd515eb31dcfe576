/**
 * Offloading work: runInThread and spawnRemote on a pool of two real
 * threads (started once for the suite, stopped after it).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Hub, joinAll, spawn } from 'grove';
import { ask, exit, type ReplyTo } from 'grove/actors';
import {
  JobFailed, NotPlainData, RemoteError, SpawnFailed, job, runInThread, spawnRemote, spawnThreads, spawnable, threads, type ThreadPool,
} from 'grove/cluster';
import { TestProbe } from 'grove/testing';
import { errorSink } from '../support.js';
import { ADD, BROKEN, DATE, FAIL, NAP, WHERE, WORKER, type Note } from './fixtures/protocol.js';
import { TEST_THREAD } from './support.js';

const T = { timeout: 5000 };
const sink = errorSink();
const hub = new Hub({ onError: sink.onError });
let pool: ThreadPool;

const jobs = suite('runInThread and spawnRemote on a pool');

jobs.before(async () => {
  pool = await hub.run(function* () {
    return yield* spawnThreads(TEST_THREAD, { threads: 2, name: 'jobs' });
  });
});

jobs.after(async () => {
  await hub.run(function* () {
    yield* pool.stop();
  });
  assert.equal(threads(), [], 'no thread is left running');
});

jobs.before.each(() => {
  sink.reports.length = 0;
});

jobs('runInThread runs an offered job there and returns its result', () =>
  hub.run(function* () {
    assert.is(yield* runInThread(pool, ADD, 2, 3), 5);
    assert.is(String(pool), '<ThreadPool jobs: 2/2 up>');
  }));

jobs('a job that throws fails with JobFailed, its error a RemoteError', () =>
  hub.run(function* () {
    try {
      yield* runInThread(pool, FAIL, 'nope');
      assert.unreachable();
    } catch (error) {
      assert.instance(error, JobFailed);
      assert.match((error as Error).message, /^runInThread: job "fail" on jobs-[12] failed: RemoteError: TypeError: nope$/);
      const reason = (error as JobFailed).reason as RemoteError;
      assert.instance(reason, RemoteError);
      assert.equal([reason.remoteName, reason.remoteMessage], ['TypeError', 'nope']);
      assert.is((error as Error).cause, reason);
    }
  }));

jobs('a result that is not plain data fails the job with NotPlainData; args are checked at the call', () =>
  hub.run(function* () {
    try {
      yield* runInThread(pool, DATE);
      assert.unreachable();
    } catch (error) {
      assert.instance(error, JobFailed);
      const reason = (error as JobFailed).reason as RemoteError;
      assert.is(reason.remoteName, 'NotPlainData');
      assert.match(reason.remoteMessage, /^runInThread: the result is a Date \(a class instance\): only plain data/);
    }
    assert.throws(() => runInThread(pool, ADD, new Date() as unknown as number, 1), (error: unknown) =>
      error instanceof NotPlainData && /^runInThread: args\[0\] is a Date \(a class instance\)/.test(error.message));
  }));

jobs('a job or an actor kind the thread does not offer fails, naming what it offers', () =>
  hub.run(function* () {
    try {
      yield* runInThread(pool, job<[], void>('nothing'));
      assert.unreachable();
    } catch (error) {
      assert.instance(error, JobFailed);
      assert.match(
        (error as Error).message,
        /: RemoteError: Error: jobs-[12] offers no job named "nothing" \(it offers "add", "crash-thread", "date", "fail", "hash", "nap", "spin", "where"\): offer\(\) it in the module the thread runs$/,
      );
    }
    try {
      yield* spawnRemote(pool, spawnable<never>('nobody'));
      assert.unreachable();
    } catch (error) {
      assert.instance(error, SpawnFailed);
      assert.match((error as Error).message, /^spawnRemote: "nobody" did not start on jobs-[12]: RemoteError: Error: jobs-[12] offers no actor kind named "nobody" \(it offers "broken", "worker"\)/);
    }
  }));

jobs("an actor whose init throws did not start: SpawnFailed with init's error", () =>
  hub.run(function* () {
    try {
      yield* spawnRemote(pool, BROKEN);
      assert.unreachable();
    } catch (error) {
      assert.instance(error, SpawnFailed);
      const reason = (error as SpawnFailed).reason as RemoteError;
      assert.equal([reason.remoteName, reason.remoteMessage], ['RangeError', 'init refused']);
    }
    // As a local actor's failed init is, the crash is reported where it happened (and reaches this hub).
    assert.equal(sink.reports.length, 1);
    assert.match(sink.reports[0], /^hub: greenlet: RemoteError: RangeError: init refused \(in Broken-\d+ on jobs-[12]\)$/);
  }));

jobs('a kill of the caller cancels its job: the thread is told, and the job ends there (its finally runs)', () =>
  hub.run(function* () {
    const probe = new TestProbe<Note>('probe');
    const caller = spawn(function* () {
      return yield* runInThread(pool, NAP, 60_000, probe);
    });
    assert.equal(yield* probe.expectMessage({ type: 'note', text: 'nap of 60000 ms began' }, T), { type: 'note', text: 'nap of 60000 ms began' });
    yield* caller.kill();
    assert.equal(yield* probe.expectMessage({ type: 'note', text: 'nap of 60000 ms ended' }, T), { type: 'note', text: 'nap of 60000 ms ended' });
  }));

jobs('the pool spreads jobs over its threads, and spawns on them in turn', () =>
  hub.run(function* () {
    const where = yield* joinAll([spawn(() => runInThread(pool, WHERE)), spawn(() => runInThread(pool, WHERE))]);
    assert.equal(where.map((g) => g.value).sort(), ['jobs-1', 'jobs-2']);
    const a = yield* spawnRemote(pool, WORKER, 'a:');
    const b = yield* spawnRemote(pool, WORKER, 'b:');
    assert.not.equal(a.node.name, b.node.name);
    exit(a, 'kill');
    exit(b, 'kill');
  }));

jobs('a thread of the pool that died is started again, as a new node, when the pool needs it', () =>
  hub.run(function* () {
    const [first] = pool.nodes();
    first.terminate();
    assert.is(pool.nodes().length, 1);
    // Its slot counts as idle: the job goes there, on a new thread.
    assert.is(yield* runInThread(pool, WHERE), first.name);
    assert.is(pool.nodes().length, 2);
    const again = pool.nodes().find((t) => t.name === first.name)!;
    assert.not.equal(again.id.incarnation, first.id.incarnation);
    const worker = yield* spawnRemote(again, WORKER, 'new:');
    assert.is(yield* ask(worker, (replyTo: ReplyTo<string>) => ({ type: 'echo', text: 'hello', replyTo }), T), 'new:hello');
    exit(worker, 'kill');
  }));

jobs.run();
