/**
 * examples/cluster: ping-pong and the work queue, over a real nats-server,
 * with their other processes started as the README says (the ping side and
 * the queue run here, in this process).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Hub } from 'grove';
import { ping } from '../../examples/cluster/ping-pong.js';
import { queue } from '../../examples/cluster/work-queue.js';
import { errorSink, recorder } from '../support.js';
import { NatsServer, ScriptProcess, haveNatsServer } from '../cluster/nats-support.js';

const examples = suite('examples/cluster');
if (haveNatsServer(examples, 'examples/cluster')) {
  let server: NatsServer;

  examples.before(async () => {
    server = await NatsServer.start();
  });

  examples.after(async () => {
    await server?.stop();
  });

  examples('ping-pong: the pong process registers "pong"; ping finds it, plays three rounds, asks the count and stops it', async () => {
    const pong = new ScriptProcess('examples/cluster/ping-pong.ts', ['pong'], { NATS_URL: server.url });
    await pong.printed(/^pong: registered/);
    const { lines, log } = recorder();
    const sink = errorSink();
    await new Hub({ onError: sink.onError }).run(() => ping(log, server.url));
    assert.equal(lines, [
      'ping: found "pong" on pong',
      'ping: pong 1',
      'ping: pong 2',
      'ping: pong 3',
      'ping: pong saw 3 pings; stopping it',
      'ping: pong went down (normal)',
      'ping: done',
    ]);
    assert.is(await pong.end(), 0);
    assert.equal(pong.lines(), [
      'pong: registered as "pong"; waiting for pings',
      'pong: ping 1 from ping on ping',
      'pong: ping 2 from ping on ping',
      'pong: ping 3 from ping on ping',
      'pong: stopped, and left the cluster',
    ]);
    assert.equal(sink.reports, []);
  });

  examples('work-queue: two worker processes share twelve jobs; one dies holding its fourth, which goes back in the queue', async () => {
    const env = { NATS_URL: server.url, DOWN_AFTER_MS: '600' };
    const w1 = new ScriptProcess('examples/cluster/work-queue.ts', ['worker', 'w1'], env);
    const w2 = new ScriptProcess('examples/cluster/work-queue.ts', ['worker', 'w2', '--crash-after', '3'], env);
    const { lines, log } = recorder();
    const sink = errorSink();
    process.env.DOWN_AFTER_MS = '600';
    try {
      await new Hub({ onError: sink.onError }).run(() => queue(log, 12, server.url));
    } finally {
      delete process.env.DOWN_AFTER_MS;
    }
    assert.equal([await w1.end(), await w2.end()], [0, null], 'w1 ends, w2 was killed');
    assert.equal(w1.lines(), ['worker: no more work after 9 jobs']);
    const held = /^worker: crashing, holding job (\d+)$/.exec(w2.stdout.trim())?.[1];
    assert.ok(held !== undefined, w2.stdout);
    assert.equal(lines.filter((line) => !line.endsWith('joined')).join('\n'), [
      'queue: 12 jobs, waiting for workers',
      `queue: w2 went down (noconnection) holding job ${held}: it goes back in the queue`,
      'queue: all 12 jobs done (w1 did 9, w2 did 3); the results add up to 450',
    ].join('\n'));
    assert.equal(lines.filter((line) => line.endsWith('joined')).sort(), ['queue: w1 joined', 'queue: w2 joined']);
    assert.equal(sink.reports, []);
  });
}

examples.run();
