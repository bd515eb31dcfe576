/**
 * Joining and leaving a cluster: connectNode's options and failures, one
 * connection per process, close(), and a server without JetStream. Real
 * nats-servers, started and stopped by the test.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:net';
import { Hub, call, sleep } from 'grove';
import { Actor, RegistryError } from 'grove/actors';
import { ClusterNode, ConnectFailed, connectNode, registerGlobal, remoteNode, selfNode, sameNode, whereisGlobal } from 'grove/cluster';
import { NatsServer, haveNatsServer } from './nats-support.js';

/** A port nothing listens on (one the system gave and took back). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const options = suite('connectNode: options');

options('bad options are refused at the call, naming the option', () => {
  const bad: [unknown, RegExp][] = [
    [undefined, /^connectNode: options must be an object with a name, got undefined$/],
    [{}, /^connectNode: name must be letters, digits, '_' and '-', got undefined$/],
    [{ name: 'a.b' }, /^connectNode: name must be letters, digits, '_' and '-', got "a\.b"$/],
    [{ name: 'a', cluster: 'x y' }, /^connectNode: cluster must be letters, digits, '_' and '-', got "x y"$/],
    [{ name: 'a', servers: [] }, /^connectNode: servers must be a URL or a non-empty list of URLs, got an array$/],
    [{ name: 'a', heartbeatMs: 5 }, /^connectNode: heartbeatMs must be at least 10, got 5$/],
    [{ name: 'a', heartbeatMs: 1000, downAfterMs: 1500 }, /^connectNode: downAfterMs must be at least twice heartbeatMs \(2000\), got 1500$/],
    [{ name: 'a', downAfterMs: -1 }, /^connectNode: downAfterMs must be a non-negative number of ms, got -1$/],
    [{ name: 'a', registry: 'yes' }, /^connectNode: registry must be a boolean, got "yes"$/],
    [{ name: 'a', nats: 5 }, /^connectNode: nats must be an object of NATS connect options, got 5$/],
    [{ name: 'a', heartbeat: 100 }, /^connectNode: unknown option "heartbeat" \(options are name, servers, cluster, heartbeatMs, downAfterMs, registry, nats\)$/],
  ];
  for (const [given, message] of bad) assert.throws(() => connectNode(given as never), (error: Error) => message.test(error.message), JSON.stringify(given));
});

options('remoteNode checks its node and options', () => {
  assert.throws(() => remoteNode('a.b'), /remoteNode: node must be a node name or a NodeId, got "a\.b"/);
  assert.throws(() => remoteNode('a', { timeout: -5 }), /remoteNode: timeout must be a non-negative number of ms, got -5/);
  assert.throws(() => remoteNode('a', { timeoutMs: 5 } as never), /remoteNode: unknown option "timeoutMs" \(options are timeout\)/);
  assert.is(String(remoteNode({ name: 'b', incarnation: 7 })), '<RemoteNode b#7>');
});

options.run();

const joining = suite('joining and leaving a cluster');
if (haveNatsServer(joining, 'joining and leaving a cluster')) {
  let server: NatsServer;
  let plain: NatsServer;

  joining.before(async () => {
    [server, plain] = await Promise.all([NatsServer.start(), NatsServer.start({ jetstream: false })]);
  });

  joining.after(async () => {
    await Promise.all([server?.stop(), plain?.stop()]);
  });

  joining('a node joins under its name and a fresh incarnation, lists the nodes up, and leaves; one connection per process', async () => {
    const hub = new Hub();
    await hub.run(function* () {
      const node = yield* connectNode({ servers: server.url, name: 'solo', cluster: 'join', heartbeatMs: 50, downAfterMs: 300 });
      assert.instance(node, ClusterNode);
      assert.ok(sameNode(node.id, selfNode()), "this process's node is the cluster node");
      assert.equal([node.id.name, node.cluster, node.online, node.closed, String(node)], ['solo', 'join', true, false, '<ClusterNode solo in join>']);
      assert.equal(node.nodes(), []);
      try {
        yield* connectNode({ servers: server.url, name: 'again' });
        assert.unreachable();
      } catch (error) {
        assert.is((error as Error).message, 'connectNode: this process is node solo in cluster "join" already; close() it first');
      }
      yield* node.close();
      yield* node.close();
      assert.equal([node.online, node.closed, String(node)], [false, true, '<ClusterNode solo in join (closed)>']);
      // Joining again is a new node: a new incarnation.
      const next = yield* connectNode({ servers: server.url, name: 'solo', cluster: 'join', heartbeatMs: 50, downAfterMs: 300 });
      assert.is(next.id.name, 'solo');
      assert.is.not(next.id.incarnation, node.id.incarnation);
      yield* next.close();
    });
  });

  joining('a node whose server is gone closes at once, without waiting for it', async () => {
    const doomed = await NatsServer.start();
    try {
      await new Hub().run(function* () {
        const node = yield* connectNode({ servers: doomed.url, name: 'stranded', cluster: 'join', heartbeatMs: 50, downAfterMs: 300 });
        const here = new (class extends Actor<unknown> {
          receive(): void {}
        })().start();
        yield* registerGlobal('stranded', here);
        yield* call(doomed.kill());
        for (let waited = 0; node.online && waited < 5000; waited += 10) yield* sleep(10);
        assert.equal([node.online, node.closed, String(node)], [false, false, '<ClusterNode stranded in join (offline)>']);
        const started = performance.now();
        yield* node.close();
        assert.ok(performance.now() - started < 1000, `closed in ${(performance.now() - started).toFixed(0)} ms`);
        assert.is(node.closed, true);
        here.kill();
      });
    } finally {
      await doomed.stop();
    }
  });

  joining('a server that cannot be reached: ConnectFailed, with the cause', async () => {
    const port = await closedPort();
    await new Hub().run(function* () {
      try {
        yield* connectNode({ servers: `nats://127.0.0.1:${port}`, name: 'lonely' });
        assert.unreachable();
      } catch (error) {
        assert.instance(error, ConnectFailed);
        assert.match((error as Error).message, new RegExp(`^connectNode: cannot connect to NATS at nats://127\\.0\\.0\\.1:${port}: `));
        assert.instance((error as Error).cause, Error);
      }
    });
  });

  joining('a server without JetStream: ConnectFailed with the registry; without it, the node joins and the registry says it is off', async () => {
    await new Hub().run(function* () {
      try {
        yield* connectNode({ servers: plain.url, name: 'nojs' });
        assert.unreachable();
      } catch (error) {
        assert.instance(error, ConnectFailed);
        assert.match((error as Error).message, /^connectNode: the cluster registry needs JetStream on the NATS server \(nats-server -js\), or pass registry: false: /);
      }
      const node = yield* connectNode({ servers: plain.url, name: 'nojs', registry: false, heartbeatMs: 50, downAfterMs: 300 });
      assert.is(node.online, true);
      assert.throws(() => whereisGlobal('x'), (error: Error) => error instanceof RegistryError && /with registry: true/.test(error.message));
      yield* node.close();
    });
  });
}

joining.run();
