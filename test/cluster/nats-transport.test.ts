/**
 * Actors in other processes, over a real nats-server: this process joins
 * as node `runner`, nodes b and c are processes (fixtures/nats-node.ts),
 * started once for the suite; the tests that kill a node start their own.
 * Detection times: a heartbeat every 100 ms, down after 600 ms unheard.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { call, sleep, spawn } from 'grove';
import { AskFailed, ask, demonitor, exit, link, monitor, registryName, unlink, type ActorRef, type DownMessage, type ExitMessage, type ReplyTo } from 'grove/actors';
import {
  NotPlainData, RemoteChild, RemoteError, RemoteRef, SpawnFailed, monitorNode, monitorNodes, remoteChild, remoteNode, runInThread, spawnRemote, whereisGlobal,
  type NodeDownMessage, type NodeUpMessage,
} from 'grove/cluster';
import { TestProbe } from 'grove/testing';
import { Supervisor, type ChildSpec } from 'grove/supervision';
import { KEY, SERVE } from './fixtures/nats-protocol.js';
import { WORKER, type Note, type WorkerMessage } from './fixtures/protocol.js';
import { DOWN_AFTER_MS, HEARTBEAT_MS, NatsServer, NodeProcess, asNode, haveNatsServer } from './nats-support.js';

type Seen = Note | NodeDownMessage | NodeUpMessage;
const T = { timeout: 5000 };
/** The detection time of the tests where something must happen before it could find a node down. */
const SLOW_DOWN_MS = 10_000;
const isExit = (m: Seen): m is ExitMessage => m.type === 'EXIT';
const isDown = (m: Seen): m is DownMessage => m.type === 'DOWN';
const isNodeDown = (m: Seen): m is NodeDownMessage => m.type === 'nodedown';
const isNodeUp = (m: Seen): m is NodeUpMessage => m.type === 'nodeup';
const echo = (text: string) => (replyTo: ReplyTo<string>) => ({ type: 'echo' as const, text, replyTo });

/** An ask that waits (the actor sleeps a minute first), in its own greenlet; its value is what the ask threw. */
function pendingAsk(target: RemoteRef<WorkerMessage>) {
  return spawn(function* () {
    try {
      yield* ask(target, (replyTo: ReplyTo<string>) => ({ type: 'sleep', ms: 60_000, replyTo }));
      return 'answered';
    } catch (error) {
      return error;
    }
  });
}

const remote = suite('actors in other processes, over NATS');
if (haveNatsServer(remote, 'actors in other processes, over NATS')) {
  let server: NatsServer;
  let b: NodeProcess;
  let c: NodeProcess;
  const CLUSTER = 'actors';

  remote.before(async () => {
    server = await NatsServer.start();
    [b, c] = await Promise.all([NodeProcess.start(server, 'b', CLUSTER), NodeProcess.start(server, 'c', CLUSTER)]);
  });

  remote.after(async () => {
    await Promise.all([b?.stop(), c?.stop()]);
    await server?.stop();
  });

  remote('send and ask reach an actor in another process; replies, references and ReplyTos travel; messages arrive frozen and in order', async () => {
    const { reports } = await asNode(server, CLUSTER, function* (node) {
      assert.equal(node.nodes().map((n) => n.name), ['b', 'c'], 'both nodes are heard once connected (a heartbeat answers the newcomer at once)');
      const onB = yield* spawnRemote(remoteNode('b'), WORKER, 'b:');
      const onC = yield* spawnRemote(remoteNode('c'), WORKER, 'c:');
      assert.instance(onB, RemoteRef);
      assert.equal([onB.node.name, onB.node.incarnation, String(onB)], ['b', b.incarnation, '<RemoteRef worker-b: on b>']);
      assert.is(yield* ask(onB, echo('hi'), T), 'b:hi');
      // The actor's own reference comes back as the same RemoteRef.
      assert.is(yield* ask(onB, (replyTo: ReplyTo<ActorRef<WorkerMessage>>) => ({ type: 'self', replyTo }), T), onB);
      const payload = { list: [1, 2, 3], nested: { flag: true } };
      assert.is(yield* ask(onB, (replyTo: ReplyTo<string>) => ({ type: 'inspect', payload, replyTo }), T), 'frozen=true sum=6 flag=true');
      assert.ok(Object.isFrozen(payload.nested), 'send froze the sender\'s object, as a local send does');
      // b passes the ReplyTo on to c's actor, which answers this process directly.
      assert.is(yield* ask(onB, (replyTo: ReplyTo<string>) => ({ type: 'pass', to: onC, text: 'relayed', replyTo }), T), 'c:relayed');
      // b's actor asks c's actor, then answers.
      assert.is(yield* ask(onB, (replyTo: ReplyTo<string>) => ({ type: 'ask', target: onC, text: 'x', replyTo }), T), 'c:x');
      // msgpack keeps undefined, NaN and the infinities; -0 arrives as 0.
      const odd = { u: undefined, n: NaN, inf: -Infinity, z: -0, list: [undefined, 1.5], nested: { deep: [null, 'é'] } };
      const back = (yield* ask(onB, (replyTo: ReplyTo<unknown>) => ({ type: 'return', value: odd, replyTo }), T)) as typeof odd;
      assert.equal(back, { ...odd, z: 0 });
      assert.ok('u' in back && Object.is(back.z, 0) && Number.isNaN(back.n));
      // A message that is not plain data is refused at send: nothing goes.
      try {
        onB.send({ type: 'return', value: new Map(), replyTo: null } as never);
        assert.unreachable();
      } catch (error) {
        assert.instance(error, NotPlainData);
        assert.is((error as Error).message.split(':').slice(0, 2).join(':'), 'send: message.value is a Map (a class instance)');
      }
      // In order: 200 notes from b, each to this process's probe.
      const probe = new TestProbe<Seen>('probe');
      onB.send({ type: 'count', to: probe, from: 1, n: 200 });
      const notes = yield* probe.receiveN(200, T);
      assert.equal(notes.map((n) => (n as { text: string }).text), Array.from({ length: 200 }, (_, i) => String(i + 1)));
      assert.ok(notes.every((n) => Object.isFrozen(n)));
      // A reference to this process's actor comes back as the actor itself.
      onB.send({ type: 'tell', to: probe, text: 'told' });
      const told = yield* probe.expectMessage((m): m is Extract<Note, { type: 'note' }> => m.type === 'note', T);
      assert.equal([told.text, told.from === onB], ['b:told', true]);
      exit(onB, 'kill');
      exit(onC, 'kill');
    });
    assert.equal(reports, []);
  });

  remote('links, monitors and exit across processes; unlink and demonitor; an actor its node does not know gives noproc', async () => {
    const { reports } = await asNode(server, CLUSTER, function* () {
      const probe = new TestProbe<Seen>('probe');
      probe.trapExit = true;
      // Unlinked and demonitored before it crashes: nothing comes of its crash here.
      const loose = yield* spawnRemote(remoteNode('c'), WORKER, 'loose:');
      link(probe, loose);
      const looseWatch = monitor(probe, loose);
      unlink(probe, loose);
      assert.is(demonitor(looseWatch), true);
      loose.send({ type: 'crash', why: 'unwatched' });
      // c answers another actor's echo after the crash (its hub ran the crash first, and would have sent an
      // EXIT or a DOWN before this answer): none came.
      const bystander = yield* spawnRemote(remoteNode('c'), WORKER, 'by:');
      assert.is(yield* ask(bystander, echo('after'), T), 'by:after');
      assert.is(probe.inbox.qsize(), 0, 'no EXIT, no DOWN');
      exit(bystander, 'kill');
      const crashing = yield* spawnRemote(remoteNode('b'), WORKER, 'crash:');
      link(probe, crashing);
      const watch = monitor(probe, crashing);
      assert.is(yield* ask(crashing, echo('ready'), T), 'crash:ready');
      crashing.send({ type: 'crash', why: 'boom' });
      const signal = yield* probe.expectMessage(isExit, T);
      assert.is(signal.from, crashing);
      assert.instance(signal.reason, RemoteError);
      assert.equal([(signal.reason as RemoteError).message, (signal.reason as RemoteError).node?.name], ['Error: boom', 'b']);
      const down = yield* probe.expectMessage(isDown, T);
      assert.equal([down.ref === watch, down.target === crashing, down.reason === signal.reason || (down.reason as Error).message], [true, true, 'Error: boom']);
      assert.is(crashing.dead, true);

      // exit/2 with 'kill' from here.
      const killed = yield* spawnRemote(remoteNode('c'), WORKER, 'k:');
      monitor(probe, killed);
      exit(killed, 'kill');
      assert.is((yield* probe.expectMessage(isDown, T)).reason, 'killed');

      // An actor that ended unwatched from here: its node answers a monitor with 'noproc'.
      const quiet = yield* spawnRemote(remoteNode('b'), WORKER, 'q:');
      const other = yield* spawnRemote(remoteNode('b'), WORKER, 'o:');
      quiet.send({ type: 'crash', why: 'quietly' });
      // b's hub runs quiet's crash before other's echo (it woke first), so it is dead once other answers.
      assert.is(yield* ask(other, echo('after'), T), 'o:after');
      assert.is(quiet.dead, false, 'not known here');
      const late = new TestProbe<Seen>('late');
      monitor(late, quiet);
      assert.is((yield* late.expectMessage(isDown, T)).reason, 'noproc');
      assert.is(quiet.dead, true);
      link(late, quiet);
      late.trapExit = true;
      exit(other, 'kill');
    });
    assert.equal(reports, []);
  });

  remote("kill -9 of a node: 'noconnection' to links, monitors, asks and node monitors within the detection time", async () => {
    const d = await NodeProcess.start(server, 'd', CLUSTER);
    const { reports } = await asNode(server, CLUSTER, function* (node) {
      const probe = new TestProbe<Seen>('probe');
      probe.trapExit = true;
      const nodes = new TestProbe<Seen>('nodes');
      monitorNodes(nodes);
      const actor = yield* spawnRemote(remoteNode('d'), WORKER, 'd:');
      link(probe, actor);
      const watch = monitor(probe, actor);
      monitorNode(probe, actor.node);
      const asking = pendingAsk(actor);
      assert.is(yield* ask(actor, echo('ready'), T), 'd:ready');

      yield* call(d.kill());
      const killedAt = performance.now();
      const signal = yield* probe.expectMessage(isExit, T);
      const detected = performance.now() - killedAt;
      assert.equal([signal.from === actor, signal.reason], [true, 'noconnection']);
      // Down once unheard for 600 ms, at the next 100 ms sweep; a stall of this process's own loop (a loaded machine)
      // may forgive one round: at most about twice the detection time.
      assert.ok(detected <= 2 * (DOWN_AFTER_MS + HEARTBEAT_MS) + 300, `detected in ${detected.toFixed(0)} ms`);
      const down = yield* probe.expectMessage(isDown, T);
      assert.equal([down.ref === watch, down.reason], [true, 'noconnection']);
      const nodeDown = yield* probe.expectMessage(isNodeDown, T);
      assert.equal(nodeDown, { type: 'nodedown', node: actor.node, reason: 'noconnection' });
      const failed = yield* asking.get();
      assert.instance(failed, AskFailed);
      assert.is((failed as AskFailed).reason, 'noconnection');
      assert.equal((yield* nodes.expectMessage(isNodeDown, T)).node, actor.node);
      assert.equal(node.nodes().map((n) => n.name), ['b', 'c']);
      // A message to it now is a dead letter, here.
      actor.send({ type: 'echo', text: 'late', replyTo: null as never });
      // A spawn on a node of that name waits for one, then fails.
      const started = performance.now();
      try {
        yield* spawnRemote(remoteNode('d', { timeout: 200 }), WORKER, 'x');
        assert.unreachable();
      } catch (error) {
        assert.instance(error, SpawnFailed);
        assert.equal([(error as SpawnFailed).reason, (error as SpawnFailed).message], ['noconnection', 'spawnRemote: "worker" did not start on d: noconnection']);
      }
      assert.ok(performance.now() - started >= 190);
    });
    assert.equal(reports.length, 1);
    assert.match(reports[0], /^hub: deadLetter: DeadLetter: dead letter #1: .* was sent to <RemoteRef worker-d: on d>, which exited with noconnection$/);
  });

  remote('a node started again under its name is a new node: its old references stay dead, remoteNode(name) reaches the new one', async () => {
    const first = await NodeProcess.start(server, 'e', CLUSTER, SLOW_DOWN_MS);
    const { reports } = await asNode(
      server,
      CLUSTER,
      function* () {
        const probe = new TestProbe<Seen>('probe');
        const old = yield* spawnRemote(remoteNode('e'), WORKER, 'old:');
        // Watched from now on: e's first incarnation is up already.
        const nodes = new TestProbe<Seen>('nodes');
        monitorNodes(nodes);
        monitor(probe, old);
        yield* call(first.kill());
        const killedAt = performance.now();
        const second = yield* call(NodeProcess.start(server, 'e', CLUSTER, SLOW_DOWN_MS));
        // Heard under a new incarnation: the old one is gone at once, before the detection time could find it down.
        const down = yield* probe.expectMessage(isDown, { timeout: SLOW_DOWN_MS });
        assert.is(down.reason, 'noconnection');
        assert.ok(performance.now() - killedAt < SLOW_DOWN_MS);
        assert.equal((yield* nodes.expectMessage(isNodeDown, T)).node, old.node);
        const up = yield* nodes.expectMessage(isNodeUp, T);
        assert.equal([up.node.name, up.node.incarnation], ['e', second.incarnation]);
        assert.is(old.dead, true);
        try {
          yield* ask(old, echo('stale'), T);
          assert.unreachable();
        } catch (error) {
          assert.is((error as AskFailed).reason, 'noconnection');
        }
        const fresh = yield* spawnRemote(remoteNode('e'), WORKER, 'new:');
        assert.is(fresh.node.incarnation, second.incarnation);
        assert.is(yield* runInThread(remoteNode(fresh.node), KEY), second.key);
        assert.is(yield* ask(fresh, echo('hi'), T), 'new:hi');
        yield* call(second.stop());
      },
      { downAfterMs: SLOW_DOWN_MS },
    );
    assert.equal(reports, []);
  });

  remote('a supervisor here restarts a remote child when its node dies, on the node started again under its name', async () => {
    const first = await NodeProcess.start(server, 'f', CLUSTER);
    let second: NodeProcess | undefined;
    const { reports } = await asNode(server, CLUSTER, function* () {
      const spec: ChildSpec<RemoteChild<WorkerMessage>> = { id: 'worker', start: () => remoteChild(remoteNode('f', { timeout: 20_000 }), WORKER, 'f:') };
      const sup = new Supervisor({ strategy: 'oneForOne', maxRestarts: 3, withinMs: 30_000, children: [spec] });
      sup.start();
      yield* sup.up(T);
      const child = sup.child(spec)!;
      assert.is(child.ref?.node.incarnation, first.incarnation);
      assert.is(yield* ask(child, echo('one'), T), 'f:one');
      yield* call(first.kill());
      // The child exits 'noconnection' once f is unheard; its restart waits for a node named f.
      second = yield* call(NodeProcess.start(server, 'f', CLUSTER));
      let again = sup.child(spec);
      for (let waited = 0; (again === undefined || again === child || again.ref === undefined) && waited < 20_000; waited += 20) {
        yield* sleep(20);
        again = sup.child(spec);
      }
      assert.ok(again !== undefined && again !== child && again.ref !== undefined, 'restarted');
      assert.is(again.ref!.node.incarnation, second.incarnation);
      assert.is(yield* ask(again, echo('two'), T), 'f:two');
      exit(sup, 'shutdown');
      yield* sup.join();
      assert.is(again.ref!.dead, true, 'its remote actor stopped with it');
    });
    await second?.stop();
    assert.equal(reports, []);
  });

  remote('the NATS server killed and restarted: a send meanwhile is a dead letter and ends the session, nothing waits; the nodes reconnect and reach each other again', async () => {
    const { reports } = await asNode(server, CLUSTER, function* (node) {
      const probe = new TestProbe<Seen>('probe');
      probe.trapExit = true;
      const before = yield* spawnRemote(remoteNode('b'), WORKER, 'before:');
      link(probe, before);
      monitor(probe, before);
      assert.is(yield* ask(before, echo('ready'), T), 'before:ready');
      const nodes = new TestProbe<Seen>('nodes');
      monitorNodes(nodes);

      yield* call(server.kill());
      for (let waited = 0; node.online && waited < 5000; waited += 10) yield* sleep(10);
      assert.is(node.online, false, 'the client saw the connection drop');
      before.send({ type: 'echo', text: 'lost', replyTo: null as never });
      // Dropped, not buffered: the session with b ends at once.
      assert.is((yield* probe.expectMessage(isExit, T)).reason, 'noconnection');
      assert.is((yield* probe.expectMessage(isDown, T)).reason, 'noconnection');
      assert.is(before.dead, true);
      const failed = spawn(function* () {
        try {
          return yield* ask(before, echo('too late'), T);
        } catch (error) {
          return (error as AskFailed).reason;
        }
      });
      assert.is(yield* failed.get({ timeout: 100 }), 'noconnection', 'an ask fails at once');

      yield* call(server.restart());
      // b is down since the dropped batch; it is up again once heard after the reconnect. (c is down too if it stayed
      // unheard for 600 ms meanwhile, and then up again: node events of c may come between.)
      let seen: Seen;
      do seen = yield* nodes.expectMessage((m: Seen) => m.type === 'nodeup' || m.type === 'nodedown', { timeout: 10_000 });
      while (!(seen.type === 'nodeup' && seen.node.name === 'b'));
      for (let waited = 0; node.nodes().length < 2 && waited < 5000; waited += 10) yield* sleep(10);
      assert.equal(node.nodes().map((n) => n.name), ['b', 'c']);
      const after = yield* spawnRemote(remoteNode('b'), WORKER, 'after:');
      assert.is(yield* ask(after, echo('hi'), T), 'after:hi');
      // The registry's watch goes on after the restart: a name b registers now is seen here.
      assert.is(yield* runInThread(remoteNode('b'), SERVE, 'after-restart'), 'b');
      for (let waited = 0; whereisGlobal('after-restart') === undefined && waited < 5000; waited += 10) yield* sleep(10);
      assert.is(yield* ask(whereisGlobal<WorkerMessage>(registryName('after-restart'))!, echo('named'), T), 'b:named');
    });
    assert.equal(reports.length, 1, reports.join('\n'));
    assert.match(reports[0], /^hub: deadLetter: DeadLetter: dead letter #1: .* was sent to <RemoteRef worker-before: on b>, which exited with noconnection$/);
  });
}

remote.run();
