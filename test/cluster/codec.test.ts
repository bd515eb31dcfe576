/**
 * The codec (what crosses between nodes) and the argument checks of
 * grove/cluster's calls: no threads needed.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { run } from 'grove';
import { Actor, ask, type ReplyTo } from 'grove/actors';
import {
  NotPlainData, RemoteError, demonitorNode, job, monitorNode, offer, remoteChild, runInThread, sameNode, selfNode, spawnRemote,
  spawnThread, spawnThreads, spawnable,
} from 'grove/cluster';
import { decode, decodeReason, encode, encodeReason } from '../../cluster/codec.js';
import { localNode } from '../../cluster/local-node.js';

class Sink extends Actor<unknown> {
  receive(): void {}
}

const codec = suite('the codec');

codec('plain data without references is its own wire form, and nothing is copied', () => {
  const value = { a: [1, 'two', null, undefined, true, NaN, -0], b: Object.assign(Object.create(null), { c: 1 }) };
  const [wire, holes] = encode('send', 'message', value, localNode());
  assert.is(wire, value);
  assert.is(holes, undefined);
  assert.is(encode('send', 'message', 'text', localNode())[0], 'text');
});

codec('a shared sub-object is not a cycle', () => {
  const shared = { n: 1 };
  assert.not.throws(() => encode('send', 'message', { x: shared, y: [shared, shared] }, localNode()));
});

codec('references become holes: the containers on their paths are copied, the value itself untouched', () =>
  run(function* () {
    const actor = new Sink({ name: 'sink' }).start();
    const value = { to: actor, list: [1, { who: actor }], other: { kept: true } };
    const node = localNode();
    const [wire, holes] = encode('send', 'message', value, node);
    assert.equal(wire, { to: null, list: [1, { who: null }], other: { kept: true } });
    assert.is((wire as typeof value).other, value.other, 'a container with no reference in it is shared, not copied');
    assert.is(value.to, actor, 'the value sent is unchanged');
    assert.equal(holes, [
      [['to'], [0, node.selfKey, actor.id, 'sink']],
      [['list', 1, 'who'], [0, node.selfKey, actor.id, 'sink']],
    ]);
    const back = decode(structuredClone(wire), holes, node) as typeof value;
    assert.is(back.to, actor, 'a reference to a local actor decodes to the actor');
    assert.is((back.list[1] as { who: unknown }).who, actor);
    const [whole, wholeHoles] = encode('send', 'message', actor, node);
    assert.is(whole, null);
    assert.is(decode(whole, wholeHoles, node), actor);
    actor.stop();
  }));

codec('a ReplyTo travels as a reference and comes home as itself', () =>
  run(function* () {
    const node = localNode();
    let seen: ReplyTo<number> | undefined;
    class Keeper extends Actor<{ replyTo: ReplyTo<number> }> {
      receive(message: { replyTo: ReplyTo<number> }): void {
        seen = message.replyTo;
        const [wire, holes] = encode('send', 'message', { replyTo: message.replyTo }, node);
        (decode(structuredClone(wire), holes, node) as { replyTo: ReplyTo<number> }).replyTo.reply(42);
      }
    }
    const keeper = new Keeper().start();
    assert.is(yield* ask(keeper, (replyTo) => ({ replyTo }), { timeout: 1000 }), 42);
    assert.ok(seen !== undefined);
    keeper.stop();
  }));

codec('NotPlainData names the call, the path and what was found there', () => {
  class Point {
    x = 1;
  }
  const node = localNode();
  const cases: [unknown, string][] = [
    [{ 'odd key': [new Point()] }, 'send: message["odd key"][0] is a Point (a class instance)'],
    [{ e: new Error('x') }, 'send: message.e is an Error (a class instance)'],
    [() => 1, 'send: message is a function (anonymous)'],
    [new Set([1]), 'send: message is a Set (a class instance)'],
    [[new Uint8Array(2)], 'send: message[0] is a Uint8Array (a class instance)'],
  ];
  for (const [value, expected] of cases) {
    assert.throws(
      () => encode('send', 'message', value, node),
      (error: unknown) => error instanceof NotPlainData && error.name === 'NotPlainData' && error.message.startsWith(expected + ': only plain data'),
      expected,
    );
  }
});

codec('exit reasons: strings as they are, errors as RemoteErrors, other plain data encoded, anything else described', () => {
  const node = localNode();
  assert.is(decodeReason(encodeReason('shutdown', node), node), 'shutdown');
  assert.equal(decodeReason(encodeReason({ code: 7 }, node), node), { code: 7 });
  const error = new RangeError('out');
  const remote = decodeReason(structuredClone(encodeReason(error, node)), node) as RemoteError;
  assert.instance(remote, RemoteError);
  assert.is(remote.name, 'RemoteError');
  assert.is(remote.message, 'RangeError: out');
  assert.equal([remote.remoteName, remote.remoteMessage], ['RangeError', 'out']);
  assert.ok(remote.node !== null && sameNode(remote.node, selfNode()));
  // This process's node is `main`, or whatever name a cluster test before this one joined under.
  assert.ok(remote.stack!.startsWith(`RemoteError: RangeError: out (on node ${selfNode().name})\n    at `), remote.stack);
  const again = decodeReason(encodeReason(remote, node), node) as RemoteError;
  assert.equal([again.message, again.remoteName, again.node?.name], ['RangeError: out', 'RangeError', selfNode().name], 'a RemoteError passed on keeps its origin');
  assert.is(decodeReason(encodeReason(new Map([[1, 2]]), node), node), '{}');
});

const checks = suite('argument checks of grove/cluster');

checks('spawnThread and spawnThreads check the module and their options at the call', () => {
  assert.throws(() => spawnThread('relative/worker.js'), /^spawnThread: module must be a URL or an absolute path \(new URL\('\.\/worker\.js', import\.meta\.url\)\), got "relative\/worker\.js"$/);
  assert.throws(() => spawnThread(new URL('file:///w.js'), { name: 'a#b' }), /spawnThread: name must be a non-empty string without '#', got "a#b"/);
  assert.throws(() => spawnThread(new URL('file:///w.js'), { imports: 'x' as never }), /spawnThread: imports must be an array, got "x"/);
  assert.throws(() => spawnThread(new URL('file:///w.js'), { imports: [3 as never] }), /spawnThread: imports must hold URLs, absolute paths or package names, got 3/);
  assert.throws(() => spawnThreads(new URL('file:///w.js'), { threads: 0 }), /spawnThreads: threads must be a positive integer, got 0/);
  assert.throws(() => spawnThreads(7 as never), /spawnThreads: module must be a URL or an absolute path/);
});

checks('spawnRemote, runInThread and remoteChild check where, what and the args at the call', () => {
  const HASH = job<[string], string>('hash');
  const KIND = spawnable<string, [number]>('kind');
  assert.throws(() => spawnRemote({} as never, KIND, 1), /^spawnRemote: where must be a ThreadNode, a ThreadPool or a RemoteNode, got an object$/);
  assert.throws(() => runInThread(null as never, HASH, 'x'), /runInThread: where must be a ThreadNode, a ThreadPool or a RemoteNode, got null/);
  assert.throws(() => remoteChild({} as never, KIND, 1), /remoteChild: where must be a ThreadNode, a ThreadPool or a RemoteNode/);
});

checks('spawnable, job and offer check their names and functions', () => {
  assert.throws(() => spawnable(''), /spawnable: name must be a non-empty string, got ""/);
  assert.throws(() => job(3 as never), /job: name must be a non-empty string, got 3/);
  assert.throws(() => offer({ kind: 'x', name: 'y' } as never, () => 1), /offer: kind must be a spawnable\(\) or a job\(\), got an object/);
  assert.throws(() => offer(job<[], number>('codec-test-job'), 'f' as never), /offer: the body of "codec-test-job" must be a function, got "f"/);
  offer(job<[], number>('codec-test-job'), () => 1);
  assert.throws(() => offer(job<[], number>('codec-test-job'), () => 2), /offer: a job named "codec-test-job" is offered already/);
  assert.equal(spawnable('k'), { kind: 'actor', name: 'k' });
  assert.ok(Object.isFrozen(job('j')));
});

checks('monitorNode and demonitorNode check their arguments', () =>
  run(function* () {
    const sink = new Sink().start();
    assert.throws(() => monitorNode({} as never, selfNode()), /monitorNode: watcher must be an Actor, got an object/);
    assert.throws(() => monitorNode(sink, 'main' as never), /monitorNode: node must be a NodeId or a ThreadNode, got "main"/);
    assert.throws(() => demonitorNode({} as never), /demonitorNode: ref must be a NodeMonitorRef or a NodesMonitorRef, got an object/);
    const ref = monitorNode(sink, selfNode());
    assert.ok(demonitorNode(ref));
    assert.not.ok(demonitorNode(ref));
    sink.stop();
  }));

checks('a node never reached is down: monitorNode says nodedown at once', () =>
  run(function* () {
    const probe = new (class extends Actor<unknown> {
      got: unknown[] = [];
      receive(message: unknown): void {
        this.got.push(message);
      }
    })().start();
    monitorNode(probe, { name: 'nowhere', incarnation: 5 });
    assert.equal(probe.inbox.qsize(), 1);
    probe.stop({ drain: true });
    yield* probe.join();
    assert.equal(probe.got, [{ type: 'nodedown', node: { name: 'nowhere', incarnation: 5 }, reason: 'noconnection' }]);
  }));

codec.run();
checks.run();
