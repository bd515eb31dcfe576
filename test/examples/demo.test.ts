import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const demo = suite('examples/demo (npm start)');

demo('runs every section and exits 0', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const child = spawnSync(process.execPath, ['--conditions=grove-source', '--import', 'tsx', 'examples/demo.ts'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.is(child.status, 0, child.stderr);
  const titles = child.stdout.split('\n').filter((line) => line.startsWith('== '));
  assert.equal(titles, [
    '== Synchronous & Asynchronous Execution ==',
    '== Determinism ==',
    '== Spawning Greenlets ==',
    '== Greenlet State ==',
    '== Timeouts ==',
    '== Events ==',
    '== Queues ==',
    '== Groups and Pools ==',
    '== Locks and Semaphores ==',
    '== Thread Locals ==',
    '== Actors: ping-pong ==',
    '== Actors: a pipeline with backpressure ==',
    '== Supervision: a three-level tree restarting crashed workers ==',
    '== Program Shutdown (a SIGTERM, simulated 2.5 s in) ==',
    '== Monkeypatching: real I/O awaited with call() ==',
    '== Subprocess: a child process beside a ticking greenlet ==',
    '== ZeroMQ: request/reply between two greenlets beside a ticking one ==',
    '== Servers: telnet echo, a greenlet per connection in a Pool ==',
    '== Servers: WSGI-style hello, a greenlet per request ==',
    '== Servers: streaming a chunked response ==',
    '== Servers: long polling ==',
    '== Websockets: points pushed to each page every 500 ms ==',
    '== Servers: the minichat ==',
    '== Actors: a job service (init, up, a crash restarted, dead letters, a drain on SIGTERM) ==',
  ]);
  // A line from each part: the virtual-clock tour, the shutdown, a child process, ZeroMQ, a server.
  for (const line of [
    'Thread 3 timed out',
    'runForever: killed; its finally block ran',
    'child exited with code 0',
    'Switched to Client for 9 (got Hello)',
    'server closed',
    'the client left: its greenlet on the server ended (GreenletExit)',
    '  (hub report, greenlet) PoisonJob: job 4 is poison',
    'stopped: every job answered',
  ]) {
    assert.ok(child.stdout.includes(line), `missing ${JSON.stringify(line)} in:\n${child.stdout}`);
  }
  assert.is(child.stderr, '');
});

demo.run();
