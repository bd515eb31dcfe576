/**
 * Names across a cluster (registerGlobal, whereisGlobal...) on a real
 * nats-server's KV store: this process is node `runner`, nodes b, c and d
 * are processes started once for the suite; the tests that kill a node
 * start their own.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Hub, call, sleep, spawn, type Operation } from 'grove';
import { Actor, RegistryError, ask, registryName, type ActorRef, type ReplyTo } from 'grove/actors';
import {
  GlobalNameTaken, RemoteRef, registerGlobal, registeredGlobal, remoteNode, runInThread, unregisterGlobal, whereisGlobal,
} from 'grove/cluster';
import { CALL, CLAIM, NAMES, SERVE } from './fixtures/nats-protocol.js';
import type { WorkerMessage } from './fixtures/protocol.js';
import { NatsServer, NodeProcess, asNode, haveNatsServer } from './nats-support.js';

const T = { timeout: 5000 };
/** The detection time of the test where a takeover must happen before it could find the old node down. */
const SLOW_DOWN_MS = 10_000;

/** A local actor that answers echoes with `here:<text>`. */
class Here extends Actor<WorkerMessage> {
  receive(message: WorkerMessage): void {
    if (message.type === 'echo') message.replyTo.reply(`here:${message.text}`);
  }
}

/** Polls `check` every 10 ms until it is true, up to `ms` (then fails naming `what`). */
function* eventually(what: string, check: () => boolean, ms = 5000): Operation<void> {
  for (let waited = 0; !check(); waited += 10) {
    if (waited >= ms) throw new Error(`${what}: not within ${ms} ms`);
    yield* sleep(10);
  }
}

/** Polls a job on `node` until its answer passes `check`, up to 5 s; returns that answer. */
function* until<R>(node: string, job: Parameters<typeof runInThread>[1], args: unknown[], check: (answer: R) => boolean): Operation<R> {
  for (let waited = 0; ; waited += 20) {
    const answer = (yield* runInThread(remoteNode(node), job as never, ...(args as never[]))) as R;
    if (check(answer)) return answer;
    if (waited >= 5000) throw new Error(`${node}'s answer ${JSON.stringify(answer)} did not change within 5 s`);
    yield* sleep(20);
  }
}

const echo = (text: string) => (replyTo: ReplyTo<string>) => ({ type: 'echo' as const, text, replyTo });

const names = suite('names across the cluster (NATS KV)');
if (haveNatsServer(names, 'names across the cluster (NATS KV)')) {
  let server: NatsServer;
  let nodes: NodeProcess[] = [];
  const CLUSTER = 'names';

  names.before(async () => {
    server = await NatsServer.start();
    nodes = await Promise.all(['b', 'c', 'd'].map((name) => NodeProcess.start(server, name, CLUSTER)));
  });

  names.after(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await server?.stop();
  });

  names('a name registered here is found on every node, and freed when its actor exits', async () => {
    const { reports } = await asNode(server, CLUSTER, function* () {
      const here = new Here({ name: 'here' }).start();
      yield* registerGlobal('reg-here', here);
      assert.is(whereisGlobal('reg-here'), here, 'on its own node, the actor itself');
      assert.ok(registeredGlobal().includes('reg-here'));
      // b finds it in its copy of the registry, and reaches it by name.
      yield* until<string[]>('b', NAMES, [], (list) => list.includes('reg-here'));
      assert.is(yield* runInThread(remoteNode('b'), CALL, 'reg-here', 'from b'), 'here:from b');
      // Registering it again under the same name is nothing; another actor is refused.
      yield* registerGlobal('reg-here', here);
      try {
        yield* registerGlobal('reg-here', new Here().start());
        assert.unreachable();
      } catch (error) {
        assert.instance(error, GlobalNameTaken);
        assert.instance(error, RegistryError);
        assert.is((error as GlobalNameTaken).holder, here);
        assert.is((error as Error).message, 'registerGlobal: the name "reg-here" is taken by <Here "here">');
      }
      here.kill();
      yield* here.join();
      assert.is(whereisGlobal('reg-here'), undefined, 'freed here at once');
      yield* until<string[]>('b', NAMES, [], (list) => !list.includes('reg-here'));
      assert.is(yield* runInThread(remoteNode('b'), CALL, 'reg-here', 'x'), 'none');
    });
    assert.equal(reports, []);
  });

  names("a name registered on another node: whereisGlobal gives its RemoteRef; GlobalNameTaken names the holder; only the holder's node frees it", async () => {
    const { reports } = await asNode(server, CLUSTER, function* () {
      assert.is(yield* runInThread(remoteNode('c'), SERVE, 'svc-c'), 'c');
      const Service = registryName<WorkerMessage>('svc-c');
      yield* eventually('svc-c seen here', () => whereisGlobal(Service) !== undefined);
      const service = whereisGlobal(Service)!;
      assert.instance(service, RemoteRef);
      assert.is(yield* ask(service, echo('hi'), T), 'c:hi');
      assert.is(whereisGlobal(Service), service, 'one RemoteRef per actor');
      try {
        yield* registerGlobal(Service, new Here().start());
        assert.unreachable();
      } catch (error) {
        assert.instance(error, GlobalNameTaken);
        assert.is((error as GlobalNameTaken).holder, service);
        assert.is((error as GlobalNameTaken).globalName, 'svc-c');
      }
      assert.is(yield* unregisterGlobal(Service), false, "not this node's to free");
      const mine = new Here().start();
      yield* registerGlobal('odd name/é.*', mine);
      assert.is(whereisGlobal('odd name/é.*'), mine, 'any string is a name');
      yield* until<string[]>('d', NAMES, [], (list) => list.includes('odd name/é.*'));
      assert.is(yield* unregisterGlobal('odd name/é.*'), true);
      assert.is(yield* unregisterGlobal('odd name/é.*'), false);
      assert.is(whereisGlobal('odd name/é.*'), undefined);
      assert.is(mine.dead, false, 'unregistering does not touch the actor');
    });
    assert.equal(reports, []);
  });

  names('concurrent registration of one name has exactly one winner', async () => {
    const { reports } = await asNode(server, CLUSTER, function* () {
      for (let round = 1; round <= 5; round++) {
        const name = `contested-${round}`;
        const here = new Here({ name: `here-${round}` }).start();
        const claims = [
          ...['b', 'c', 'd'].map((node) => spawn(function* () {
            return `${node}:${yield* runInThread(remoteNode(node), CLAIM, name)}`;
          })),
          spawn(function* () {
            try {
              yield* registerGlobal(name, here);
              return 'runner:won';
            } catch (error) {
              return `runner:${(error as Error).name}`;
            }
          }),
        ];
        const outcomes: string[] = [];
        for (const claim of claims) outcomes.push(yield* claim.get());
        const winners = outcomes.filter((o) => o.endsWith(':won'));
        assert.is(winners.length, 1, outcomes.join(', '));
        assert.equal(outcomes.filter((o) => !o.endsWith(':won')).map((o) => o.split(':')[1]), ['GlobalNameTaken', 'GlobalNameTaken', 'GlobalNameTaken']);
        const winner = winners[0].split(':')[0];
        yield* eventually(`${name} seen here`, () => whereisGlobal(name) !== undefined);
        const holder = whereisGlobal(name)!;
        assert.is(winner === 'runner' ? holder === here : (holder as RemoteRef<never>).node.name === winner, true, `${name} is ${winner}'s`);
      }
    });
    assert.equal(reports, []);
  });

  names("a node's names are freed when it is killed (within the detection time) and when it leaves", async () => {
    const [g, h] = await Promise.all([NodeProcess.start(server, 'g', CLUSTER), NodeProcess.start(server, 'h', CLUSTER)]);
    const { reports } = await asNode(server, CLUSTER, function* () {
      yield* runInThread(remoteNode('g'), SERVE, 'svc-g');
      yield* runInThread(remoteNode('h'), SERVE, 'svc-h');
      yield* eventually('both seen here', () => whereisGlobal('svc-g') !== undefined && whereisGlobal('svc-h') !== undefined);
      yield* call(g.kill());
      yield* eventually('svc-g freed here', () => whereisGlobal('svc-g') === undefined, 3000);
      yield* until<string[]>('b', NAMES, [], (list) => !list.includes('svc-g'));
      // Free in the store too: it can be taken.
      const here = new Here().start();
      yield* registerGlobal('svc-g', here);
      assert.is(whereisGlobal('svc-g'), here);
      yield* call(h.stop());
      yield* eventually('svc-h freed here', () => whereisGlobal('svc-h') === undefined, 2000);
      yield* until<string[]>('c', NAMES, [], (list) => !list.includes('svc-h'));
      assert.ok(!registeredGlobal().includes('svc-h'));
    });
    assert.equal(reports, []);
  });

  names('a node started again under its name takes its names over at once, without waiting for the old one to be found down', async () => {
    const first = await NodeProcess.start(server, 'j', 'takeover', SLOW_DOWN_MS);
    let second: NodeProcess | undefined;
    const { reports } = await asNode(
      server,
      'takeover',
      function* () {
        yield* runInThread(remoteNode('j'), SERVE, 'svc-j');
        yield* eventually('svc-j seen here', () => whereisGlobal('svc-j') !== undefined);
        yield* call(first.kill());
        const killedAt = performance.now();
        second = yield* call(NodeProcess.start(server, 'j', 'takeover', SLOW_DOWN_MS));
        assert.is(yield* runInThread(remoteNode('j'), SERVE, 'svc-j'), 'j', 'not GlobalNameTaken');
        yield* eventually('svc-j on the new j', () => (whereisGlobal('svc-j') as RemoteRef<never> | undefined)?.node.incarnation === second!.incarnation);
        assert.ok(performance.now() - killedAt < SLOW_DOWN_MS, 'before the old j could be found down');
        assert.is(yield* ask(whereisGlobal<WorkerMessage>(registryName('svc-j'))!, echo('again'), T), 'j:again');
      },
      { downAfterMs: SLOW_DOWN_MS },
    );
    await second?.stop();
    assert.equal(reports, []);
  });

  names('bad arguments are refused at the call; without a cluster, the registry says so', async () => {
    const hub = new Hub();
    await hub.run(function* () {
      const here = new Here().start();
      assert.throws(() => registerGlobal('', here), /registerGlobal: name must be a non-empty string or a registryName\(\), got ""/);
      assert.throws(() => registerGlobal('x', { name: 'fake', dead: false, send() {} } as ActorRef<unknown>), /registerGlobal: actor must be a local Actor \(a node registers its own actors\), got an object/);
      assert.throws(() => whereisGlobal(42 as never), /whereisGlobal: name must be a non-empty string or a registryName\(\), got 42/);
      assert.throws(() => whereisGlobal('x'), (error: Error) => error instanceof RegistryError && error.message === 'whereisGlobal: this process is in no cluster with a registry (connectNode first, with registry: true)');
      assert.throws(() => registeredGlobal(), /registeredGlobal: this process is in no cluster/);
      try {
        yield* registerGlobal('x', here);
        assert.unreachable();
      } catch (error) {
        assert.instance(error, RegistryError);
        assert.is((error as Error).message, 'registerGlobal: this process is in no cluster with a registry (connectNode first, with registry: true)');
      }
      here.kill();
    });
    const { reports } = await asNode(server, CLUSTER, function* () {
      const dead = new Here({ name: 'gone' }).start();
      dead.kill();
      yield* dead.join();
      try {
        yield* registerGlobal('dead', dead);
        assert.unreachable();
      } catch (error) {
        assert.instance(error, RegistryError);
        assert.is((error as Error).message, 'registerGlobal: <Here "gone"> is dead (noproc); cannot register it as "dead"');
      }
    });
    assert.equal(reports, []);
  });
}

names.run();
