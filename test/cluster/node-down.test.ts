/**
 * A thread that ends is a node down: everything on it gives
 * 'noconnection' at once — links, monitors, asks, spawns, jobs, node
 * monitors — whether it was terminated, crashed or stopped. Real threads,
 * one per test; no thread is left running (onThreads checks).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, sleep } from 'grove';
import { AskFailed, ask, link, monitor, type DownMessage, type ExitMessage, type ReplyTo } from 'grove/actors';
import {
  JobFailed, SpawnFailed, ThreadStartFailed, monitorNode, runInThread, spawnRemote, spawnThread, threads, type NodeDownMessage,
} from 'grove/cluster';
import { TestProbe } from 'grove/testing';
import { ADD, CRASH_THREAD, NAP, SPIN, WORKER, type Note } from './fixtures/protocol.js';
import { BROKEN_THREAD, TEST_THREAD, onThreads } from './support.js';

type Seen = Note | NodeDownMessage;
const T = { timeout: 5000 };
const isExit = (m: Seen): m is ExitMessage => m.type === 'EXIT';
const isDown = (m: Seen): m is DownMessage => m.type === 'DOWN';
const isNodeDown = (m: Seen): m is NodeDownMessage => m.type === 'nodedown';

/** An ask that waits (the actor sleeps a minute before answering), run in its own greenlet; its value is what the ask threw. */
function pendingAsk(target: Parameters<typeof ask>[0]) {
  return spawn(function* () {
    try {
      yield* ask(target, (replyTo: ReplyTo<string>) => ({ type: 'sleep', ms: 60_000, replyTo }) as never);
      return 'answered';
    } catch (error) {
      return error;
    }
  });
}

test("a terminated thread is down before terminate() returns: 'noconnection' to links, monitors, asks and node monitors", async () => {
  const { reports } = await onThreads(function* () {
    const thread = yield* spawnThread(TEST_THREAD, { name: 'doomed' });
    const actor = yield* spawnRemote(thread, WORKER, 'a:');
    const probe = new TestProbe<Seen>('probe');
    probe.trapExit = true;
    link(probe, actor);
    const watch = monitor(probe, actor);
    monitorNode(probe, thread);
    const asking = pendingAsk(actor);
    // An answer in order after the link, the monitor and the ask's request: all are in place over there.
    assert.is(yield* ask(actor, (replyTo: ReplyTo<string>) => ({ type: 'echo', text: 'ready', replyTo }), T), 'a:ready');

    thread.terminate();
    assert.is(thread.alive, false);
    assert.is(actor.dead, true);
    assert.is(probe.inbox.qsize(), 3, 'the EXIT, the DOWN and the nodedown are in the inbox already');
    const signal = yield* probe.expectMessage(isExit, T);
    assert.equal([signal.from === actor, signal.reason], [true, 'noconnection']);
    const down = yield* probe.expectMessage(isDown, T);
    assert.equal([down.ref === watch, down.target === actor, down.reason], [true, true, 'noconnection']);
    const nodeDown = yield* probe.expectMessage(isNodeDown, T);
    assert.equal(nodeDown, { type: 'nodedown', node: thread.id, reason: 'noconnection' });
    const failed = yield* asking.get();
    assert.instance(failed, AskFailed);
    assert.is((failed as AskFailed).reason, 'noconnection');
    assert.is((failed as AskFailed).message, 'ask: <RemoteRef worker-a: on doomed> exited with noconnection before replying');

    // Afterwards, everything on it fails at once.
    const late = new TestProbe<Seen>('late');
    monitor(late, actor);
    monitorNode(late, thread.id);
    assert.equal(
      (yield* late.receiveN(2, T)).map((m) => `${m.type} ${(m as { reason: string }).reason}`),
      ['DOWN noconnection', 'nodedown noconnection'],
    );
    try {
      yield* ask(actor, (replyTo: ReplyTo<string>) => ({ type: 'echo', text: 'late', replyTo }), T);
      assert.unreachable();
    } catch (error) {
      assert.instance(error, AskFailed);
      assert.is((error as AskFailed).reason, 'noconnection');
    }
    try {
      yield* spawnRemote(thread, WORKER, 'b:');
      assert.unreachable();
    } catch (error) {
      assert.instance(error, SpawnFailed);
      assert.is((error as Error).message, 'spawnRemote: "worker" did not start on doomed: noconnection');
    }
    try {
      yield* runInThread(thread, ADD, 1, 2);
      assert.unreachable();
    } catch (error) {
      assert.instance(error, JobFailed);
      assert.is((error as Error).message, 'runInThread: job "add" on doomed failed: noconnection');
    }
    actor.send({ type: 'crash', why: 'too late' });
  });
  assert.equal(reports, [
    "hub: deadLetter: DeadLetter: dead letter #1: { type: 'crash', why: 'too late' } was sent to <RemoteRef worker-a: on doomed>, which exited with noconnection",
  ]);
});

test("a thread that crashes (an uncaught error) is down at once: 'noconnection' to links, monitors, asks and its jobs", async () => {
  await onThreads(function* () {
    const thread = yield* spawnThread(TEST_THREAD, { name: 'crashy' });
    const actor = yield* spawnRemote(thread, WORKER, 'c:');
    const probe = new TestProbe<Seen>('probe');
    probe.trapExit = true;
    link(probe, actor);
    monitor(probe, actor);
    const asking = pendingAsk(actor);
    const napProbe = new TestProbe<Note>('nap');
    const napping = spawn(function* () {
      try {
        return yield* runInThread(thread, NAP, 60_000, napProbe);
      } catch (error) {
        return error;
      }
    });
    assert.is(yield* ask(actor, (replyTo: ReplyTo<string>) => ({ type: 'echo', text: 'ready', replyTo }), T), 'c:ready');
    assert.is(yield* runInThread(thread, CRASH_THREAD), 'crashing');

    const signal = yield* probe.expectMessage(isExit, { timeout: 2000 });
    assert.is(signal.reason, 'noconnection');
    assert.is((yield* probe.expectMessage(isDown, T)).reason, 'noconnection');
    assert.is(thread.alive, false);
    assert.is(((yield* asking.get()) as AskFailed).reason, 'noconnection');
    const jobError = (yield* napping.get()) as JobFailed;
    assert.instance(jobError, JobFailed);
    assert.is(jobError.reason, 'noconnection');
    assert.is(jobError.node, thread.id);
  });
});

test('a thread whose module throws as it loads: spawnThread throws ThreadStartFailed with that error as its cause', async () => {
  await onThreads(function* () {
    try {
      yield* spawnThread(BROKEN_THREAD, { name: 'broken' });
      assert.unreachable('it started');
    } catch (error) {
      assert.instance(error, ThreadStartFailed);
      assert.is((error as Error).message, 'spawnThread: broken ended before its module was loaded: this module refuses to load');
      assert.is(((error as Error).cause as Error).message, 'this module refuses to load');
    }
  });
});

test("stop(): the thread's actors stop with 'shutdown' (terminate runs, links see it), then the thread ends", async () => {
  await onThreads(function* () {
    const thread = yield* spawnThread(TEST_THREAD, { name: 'stopping' });
    const probe = new TestProbe<Seen>('probe');
    probe.trapExit = true;
    const actor = yield* spawnRemote(thread, WORKER, 's:', false, probe);
    link(probe, actor);
    assert.is(yield* runInThread(thread, ADD, 2, 2), 4);
    yield* thread.stop();
    assert.is(thread.alive, false);
    assert.equal(threads(), []);
    assert.is(((yield* probe.expectMessage((m) => m.type === 'note', T)) as { text: string }).text, 'worker-s: terminated shutdown');
    const signal = yield* probe.expectMessage(isExit, T);
    assert.is(signal.reason, 'shutdown', 'the actor\'s own exit arrived before the thread went down');
  });
});

test('stop() of a thread that cannot stop (a job spinning without yielding) terminates it after the timeout', async () => {
  await onThreads(function* () {
    const thread = yield* spawnThread(TEST_THREAD, { name: 'busy' });
    const spinning = spawn(function* () {
      try {
        return yield* runInThread(thread, SPIN, 10_000);
      } catch (error) {
        return error;
      }
    });
    yield* sleep(50);
    const start = performance.now();
    yield* thread.stop({ timeout: 100 });
    const took = performance.now() - start;
    assert.ok(took >= 1000 && took < 5000, `stopped after ${Math.round(took)} ms`);
    assert.is(((yield* spinning.get()) as JobFailed).reason, 'noconnection');
  });
});

test.run();
