/**
 * Actors on worker threads, reached with the same send, ask, link,
 * monitor and exit as local ones: real threads (two, started once for the
 * suite and stopped after it; no thread is left running).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Hub, spawn, sleep, type Operation } from 'grove';
import { Actor, AskFailed, ask, demonitor, exit, link, monitor, send, type ActorRef, type DownMessage, type ExitMessage, type ReplyTo } from 'grove/actors';
import { NotPlainData, RemoteError, RemoteRef, selfNode, spawnRemote, spawnThread, threads, type ThreadNode } from 'grove/cluster';
import { TestProbe } from 'grove/testing';
import { errorSink } from '../support.js';
import { WORKER, type Note, type WorkerMessage } from './fixtures/protocol.js';
import { TEST_THREAD } from './support.js';

/** A main-thread actor the threads' actors ask. */
class MainEcho extends Actor<{ type: 'echo'; text: string; replyTo: ReplyTo<string> }> {
  receive(message: { type: 'echo'; text: string; replyTo: ReplyTo<string> }): void {
    message.replyTo.reply(`main:${message.text}`);
  }
}

const T = { timeout: 5000 };
const isNote = (m: Note): m is Extract<Note, { type: 'note' }> => m.type === 'note';
const isExit = (m: Note): m is ExitMessage => m.type === 'EXIT';
const isDown = (m: Note): m is DownMessage => m.type === 'DOWN';

const sink = errorSink();
const hub = new Hub({ onError: sink.onError });
let w1: ThreadNode;
let w2: ThreadNode;

const remote = suite('actors on another thread');

remote.before(async () => {
  [w1, w2] = await hub.run(function* () {
    return [yield* spawnThread(TEST_THREAD, { name: 'w1' }), yield* spawnThread(TEST_THREAD, { name: 'w2' })];
  });
});

remote.after(async () => {
  await hub.run(function* () {
    yield* w1.stop();
    yield* w2.stop();
  });
  assert.equal(threads(), [], 'no thread is left running');
});

remote.before.each(() => {
  sink.reports.length = 0;
});

/** Runs a test body on the suite's hub, with a fresh worker actor on w1 stopped after it. */
function withWorker(prefix: string, body: (worker: RemoteRef<WorkerMessage>) => Operation<void>): Promise<void> {
  return hub.run(function* () {
    const worker = yield* spawnRemote(w1, WORKER, prefix);
    try {
      yield* body(worker);
    } finally {
      exit(worker, 'kill');
    }
  });
}

remote('send and ask reach an actor on another thread, and its answers come back', () =>
  withWorker('a:', function* (worker) {
    assert.ok(worker instanceof RemoteRef);
    assert.is(worker.node.name, 'w1');
    assert.is(String(worker), '<RemoteRef worker-a: on w1>');
    assert.is(worker.dead, false);
    const answer = yield* ask(worker, (replyTo: ReplyTo<string>) => ({ type: 'echo', text: 'hi', replyTo }), T);
    assert.is(answer, 'a:hi');
    const probe = new TestProbe<Note>('probe');
    send(worker, { type: 'tell', to: probe, text: 'there' });
    const note = yield* probe.expectMessage(isNote, T);
    assert.is(note.text, 'a:there');
    assert.is(note.from, worker, 'a reference to the same actor is the same RemoteRef');
  }));

remote('messages to one thread arrive in order, and one hub turn of sends is one post', () =>
  withWorker('o:', function* (worker) {
    const probe = new TestProbe<Note>('probe');
    const posted = w1.peer.posted;
    for (let i = 0; i < 100; i++) worker.send({ type: 'count', to: probe, from: i * 10, n: 10 });
    const notes = yield* probe.receiveN(1000, T);
    assert.equal(
      notes.map((m) => (m as { text: string }).text),
      Array.from({ length: 1000 }, (_, i) => String(i)),
    );
    assert.is(w1.peer.posted - posted, 1, 'the 100 sends of one turn went as one batch');
  }));

remote('references travel as references: a RemoteRef comes back as itself, a local actor as the actor', () =>
  withWorker('r:', function* (worker) {
    const self = yield* ask(worker, (replyTo: ReplyTo<ActorRef<WorkerMessage>>) => ({ type: 'self', replyTo }), T);
    assert.is(self, worker);
    const probe = new TestProbe<Note>('probe');
    const value = { probe, list: [probe, worker], n: 1 };
    const back = (yield* ask(worker, (replyTo: ReplyTo<unknown>) => ({ type: 'return', value, replyTo }), T)) as typeof value;
    assert.is(back.probe, probe);
    assert.is(back.list[0], probe);
    assert.is(back.list[1], worker);
    assert.is(back.n, 1);
    assert.ok(Object.isFrozen(back) && Object.isFrozen(back.list), 'the reply arrives frozen');
  }));

remote('a message arrives frozen, and send freezes the sender\'s object as a local send does', () =>
  withWorker('f:', function* (worker) {
    const payload = { list: [1, 2, 3], nested: { flag: true } };
    const answer = yield* ask(worker, (replyTo: ReplyTo<string>) => ({ type: 'inspect', payload, replyTo }), T);
    assert.is(answer, 'frozen=true sum=6 flag=true');
    assert.ok(Object.isFrozen(payload) && Object.isFrozen(payload.list) && Object.isFrozen(payload.nested));
  }));

remote('what is not plain data is refused at send with NotPlainData naming where, and nothing is sent', () =>
  withWorker('p:', function* (worker) {
    const probe = new TestProbe<Note>('probe');
    const tail = ': only plain data goes to another thread or machine (null, undefined, booleans, numbers, strings, arrays and plain objects of them, actor refs and ReplyTos)';
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    const cases: [unknown, string][] = [
      [new Date(0), 'send: message.text is a Date (a class instance)'],
      [new Map(), 'send: message.text is a Map (a class instance)'],
      [function named() {}, 'send: message.text is a function (named)'],
      [10n, 'send: message.text is a bigint'],
      [{ inner: [1, { deep: Symbol('s') }] }, 'send: message.text.inner[1].deep is a symbol'],
      [{ [Symbol('k')]: 1 }, 'send: message.text is an object with a symbol key (Symbol(k))'],
      [cycle, 'send: message.text.self is a cycle (it contains itself)'],
      [spawn(() => 1), 'send: message.text is a Greenlet that is not an Actor'],
    ];
    const paths: string[] = [];
    for (const [text, message] of cases) {
      try {
        worker.send({ type: 'tell', to: probe, text } as never);
        assert.unreachable(`${message}: not refused`);
      } catch (error) {
        assert.instance(error, NotPlainData);
        assert.is((error as Error).message, message + tail);
        paths.push((error as NotPlainData).path);
      }
    }
    assert.equal(paths.slice(3, 7), ['message.text', 'message.text.inner[1].deep', 'message.text', 'message.text.self']);
    assert.is(yield* ask(worker, (replyTo: ReplyTo<string>) => ({ type: 'echo', text: 'after', replyTo }), T), 'p:after');
    assert.is(probe.pending, 0, 'none of the refused messages arrived');
    const refused = yield* ask(worker, (replyTo: ReplyTo<string>) => ({ type: 'reply-badly', replyTo }), T);
    assert.is(refused, 'refused: NotPlainData: ReplyTo.reply: value is a Date (a class instance)' + tail);
  }));

remote('a ReplyTo passed on to a third thread answers the asker directly; a thread asks the main thread', () =>
  hub.run(function* () {
    const first = yield* spawnRemote(w1, WORKER, 'one:');
    const second = yield* spawnRemote(w2, WORKER, 'two:');
    const answer = yield* ask(first, (replyTo: ReplyTo<string>) => ({ type: 'pass', to: second, text: 'x', replyTo }), T);
    assert.is(answer, 'two:x');
    const mainEcho = new MainEcho().start();
    const asked = yield* ask(second, (replyTo: ReplyTo<string>) => ({ type: 'ask', target: mainEcho as never, text: 'y', replyTo }), T);
    assert.is(asked, 'main:y');
    exit(first, 'kill');
    exit(second, 'kill');
    mainEcho.stop();
  }));

remote('a link across threads: a crash there is an EXIT here with the error as a RemoteError, reported where it happened', () =>
  hub.run(function* () {
    const worker = yield* spawnRemote(w1, WORKER, 'l:');
    const trapper = new TestProbe<Note>('trapper');
    trapper.trapExit = true;
    link(trapper, worker);
    worker.send({ type: 'crash', why: 'boom' });
    const signal = yield* trapper.expectMessage(isExit, T);
    assert.is(signal.from, worker);
    assert.instance(signal.reason, RemoteError);
    const reason = signal.reason as RemoteError;
    assert.is(reason.message, 'Error: boom');
    assert.is(reason.remoteName, 'Error');
    assert.is(reason.remoteMessage, 'boom');
    assert.is(reason.node?.name, 'w1');
    assert.ok(worker.dead, 'its exit is known here');
    assert.equal(sink.reports, ['hub: greenlet: RemoteError: Error: boom (in worker-l: on w1)']);
  }));

remote('a link across threads: a crash here kills the linked actor there with the same reason', () =>
  hub.run(function* () {
    const worker = yield* spawnRemote(w1, WORKER, 'k:');
    const watcher = new TestProbe<Note>('watcher');
    monitor(watcher, worker);
    const local = spawn(function* () {
      yield* sleep(60_000);
    });
    local.name = 'local';
    link(local, worker);
    assert.is(yield* ask(worker, (replyTo: ReplyTo<string>) => ({ type: 'echo', text: 'linked', replyTo }), T), 'k:linked');
    local.kill({ exception: new ExitReason('local boom') });
    const down = yield* watcher.expectMessage(isDown, T);
    assert.instance(down.reason, RemoteError);
    assert.is((down.reason as RemoteError).message, 'ExitReason: local boom');
    assert.equal(sink.reports, ['local: greenlet: ExitReason: local boom']);
  }));

class ExitReason extends Error {
  static {
    this.prototype.name = 'ExitReason';
  }
}

remote('an actor there that traps exits gets EXIT messages for its links, and exit() from here', () =>
  hub.run(function* () {
    const probe = new TestProbe<Note>('probe');
    const worker = yield* spawnRemote(w1, WORKER, 't:', true, probe);
    const local = spawn(function* () {
      yield* sleep(60_000);
    });
    link(worker, local);
    local.kill();
    assert.is((yield* probe.expectMessage(isNote, T)).text, 'worker-t: got EXIT killed');
    exit(worker, 'please');
    assert.is((yield* probe.expectMessage(isNote, T)).text, 'worker-t: got EXIT please');
    const watcher = new TestProbe<Note>('watcher');
    monitor(watcher, worker);
    exit(worker, 'kill');
    assert.is((yield* watcher.expectMessage(isDown, T)).reason, 'killed');
  }));

remote('monitors across threads: one DOWN with the exit reason; demonitor means none', () =>
  hub.run(function* () {
    const watcher = new TestProbe<Note>('watcher');
    const a = yield* spawnRemote(w1, WORKER, 'm1:');
    const b = yield* spawnRemote(w1, WORKER, 'm2:');
    const ra = monitor(watcher, a);
    const rb = monitor(watcher, b);
    assert.ok(demonitor(rb));
    exit(b, 'bye');
    exit(a, 'bye');
    const down = yield* watcher.expectMessage(isDown, T);
    assert.is(down.ref, ra);
    assert.is(down.target, a);
    assert.is(down.reason, 'bye');
    yield* watcher.expectNoMessage(100);
  }));

remote("an actor its thread does not know: 'noproc' for monitor, link and ask; a send to it is a dead letter there, reported here", () =>
  withWorker('n:', function* (worker) {
    const gone = yield* spawnRemote(w1, WORKER, 'gone:');
    exit(gone, 'kill');
    // In order after the exit, so it is done when the answer comes; nobody here watched it die.
    yield* ask(worker, (replyTo: ReplyTo<string>) => ({ type: 'echo', text: 'sync', replyTo }), T);
    assert.is(gone.dead, false);
    const watcher = new TestProbe<Note>('watcher');
    watcher.trapExit = true;
    monitor(watcher, gone);
    assert.is((yield* watcher.expectMessage(isDown, T)).reason, 'noproc');
    assert.ok(gone.dead, 'its death is known here now');
    const again = yield* spawnRemote(w1, WORKER, 'gone2:');
    exit(again, 'kill');
    yield* ask(worker, (replyTo: ReplyTo<string>) => ({ type: 'echo', text: 'sync', replyTo }), T);
    link(watcher, again);
    const signal = yield* watcher.expectMessage(isExit, T);
    assert.is(signal.reason, 'noproc');
    assert.is(signal.from, again);
    const third = yield* spawnRemote(w1, WORKER, 'gone3:');
    exit(third, 'kill');
    yield* ask(worker, (replyTo: ReplyTo<string>) => ({ type: 'echo', text: 'sync', replyTo }), T);
    try {
      yield* ask(third, (replyTo: ReplyTo<string>) => ({ type: 'echo', text: 'late', replyTo }), T);
      assert.unreachable('the ask succeeded');
    } catch (error) {
      assert.instance(error, AskFailed);
      assert.is((error as AskFailed).reason, 'noproc');
    }
    const fourth = yield* spawnRemote(w1, WORKER, 'gone4:');
    exit(fourth, 'kill');
    fourth.send({ type: 'crash', why: 'never handled' });
    yield* ask(worker, (replyTo: ReplyTo<string>) => ({ type: 'echo', text: 'sync', replyTo }), T);
    // The ask's request reached the dead actor's node: a dead letter there. The crash message went in
    // the same batch as the kill, before the kill took effect: queued at death there.
    assert.is(sink.reports.length, 2, sink.reports.join('\n'));
    // The asker's node is `main`, or whatever name a cluster test before this one joined under.
    assert.match(
      sink.reports[0].replace(`<ReplyTo on ${selfNode().name} <-`, '<ReplyTo on main <-'),
      /^hub: deadLetter: RemoteError: DeadLetter: dead letter #\d+: \{ type: 'echo', text: 'late', replyTo: <ReplyTo on main <- worker-gone3:> \} was sent to <RemoteRef worker-gone3: on w1>, which exited with noproc$/,
    );
    assert.match(
      sink.reports[1],
      /^hub: deadLetter: RemoteError: DeadLetter: dead letter #\d+: \{ type: 'crash', why: 'never handled' \} was still queued in <Worker "worker-gone4:">, which exited with killed \(in worker-gone4: on w1\)$/,
    );
  }));

remote.run();
