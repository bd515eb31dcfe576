/**
 * Supervision across threads: a supervisor on the main thread supervises
 * actors on worker threads through remoteChild. Real threads; no thread is
 * left running (onThreads checks).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sleep, type Operation } from 'grove';
import { ask, exit, monitor, type DownMessage, type ReplyTo } from 'grove/actors';
import { Supervisor, type ChildSpec } from 'grove/supervision';
import { RemoteChild, RemoteError, remoteChild, runInThread, spawnThreads, type ThreadPool } from 'grove/cluster';
import { TestProbe } from 'grove/testing';
import { CRASH_THREAD, WORKER, type Note, type WorkerMessage } from './fixtures/protocol.js';
import { TEST_THREAD, onThreads } from './support.js';

const T = { timeout: 5000 };
const isDown = (m: Note): m is DownMessage => m.type === 'DOWN';

/** The running child `id` of `sup` once it is not `old` (a restart happened), waiting up to 5 s. */
function* restarted(sup: Supervisor, spec: ChildSpec<RemoteChild<WorkerMessage>>, old: RemoteChild<WorkerMessage>): Operation<RemoteChild<WorkerMessage>> {
  for (let waited = 0; waited < 5000; waited += 10) {
    const child = sup.child(spec);
    if (child !== undefined && child !== old && child.ref !== undefined) return child;
    yield* sleep(10);
  }
  throw new Error(`${spec.id} was not restarted within 5 s`);
}

function* echo(child: RemoteChild<WorkerMessage>, text: string): Operation<string> {
  return yield* ask(child, (replyTo: ReplyTo<string>) => ({ type: 'echo', text, replyTo }), T);
}

function supervise(pool: ThreadPool, probe: TestProbe<Note>): [Supervisor, ChildSpec<RemoteChild<WorkerMessage>>] {
  const spec: ChildSpec<RemoteChild<WorkerMessage>> = { id: 'worker', start: () => remoteChild(pool, WORKER, 'sup:', false, probe), shutdown: 2000 };
  const sup = new Supervisor({ strategy: 'oneForOne', maxRestarts: 5, withinMs: 10_000, children: [spec] });
  return [sup, spec];
}

test('a supervisor restarts a crashed remote child, and stops it as its parent: terminate runs there with shutdown', async () => {
  const { reports } = await onThreads(function* () {
    const pool = yield* spawnThreads(TEST_THREAD, { threads: 1, name: 'sup' });
    const probe = new TestProbe<Note>('probe');
    const [sup, spec] = supervise(pool, probe);
    sup.start();
    yield* sup.up(T);
    const first = sup.child(spec)!;
    assert.instance(first, RemoteChild);
    assert.is(first.ref?.node.name, 'sup-1');
    assert.is(yield* echo(first, 'one'), 'sup:one');
    monitor(probe, first);

    first.send({ type: 'crash', why: 'oops' });
    assert.is(((yield* probe.expectMessage((m) => m.type === 'note', T)) as { text: string }).text, 'worker-sup: terminated oops');
    const down = yield* probe.expectMessage(isDown, T);
    assert.instance(down.reason, RemoteError, 'the child exits with the remote actor\'s reason');
    assert.is((down.reason as RemoteError).message, 'Error: oops');
    const second = yield* restarted(sup, spec, first);
    assert.ok(second.ref !== first.ref, 'a new actor');
    assert.is(second.ref?.node, first.ref?.node, 'on the same thread, which is still up');
    assert.is(yield* echo(second, 'two'), 'sup:two');

    exit(sup, 'shutdown');
    yield* sup.join();
    // The remote actor ended (its terminate ran, with 'shutdown') before the supervisor did.
    assert.is(((yield* probe.expectMessage((m) => m.type === 'note', { timeout: 0 })) as { text: string }).text, 'worker-sup: terminated shutdown');
    assert.ok(second.ref?.dead);
    yield* pool.stop();
  });
  assert.equal(reports, ['hub: greenlet: RemoteError: Error: oops (in worker-sup: on sup-1)']);
});

test("a thread that dies takes its actors with 'noconnection', and the supervisor restarts them on a new thread", async () => {
  await onThreads(function* () {
    const pool = yield* spawnThreads(TEST_THREAD, { threads: 1, name: 'frail' });
    const probe = new TestProbe<Note>('probe');
    const [sup, spec] = supervise(pool, probe);
    sup.start();
    yield* sup.up(T);
    const first = sup.child(spec)!;
    const firstNode = first.ref!.node;
    monitor(probe, first);

    assert.is(yield* runInThread(pool, CRASH_THREAD), 'crashing');
    assert.is((yield* probe.expectMessage(isDown, T)).reason, 'noconnection');
    const second = yield* restarted(sup, spec, first);
    const secondNode = second.ref!.node;
    assert.is(secondNode.name, firstNode.name);
    assert.not.equal(secondNode.incarnation, firstNode.incarnation, 'a new thread: a new incarnation');
    assert.is(yield* echo(second, 'again'), 'sup:again');

    exit(sup, 'shutdown');
    yield* sup.join();
    yield* pool.stop();
  });
});

test.run();
