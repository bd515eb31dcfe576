import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EventEmitter } from 'node:events';
import { getHub, joinAll, sleep, spawn, type ErrorContext } from 'grove';
import { main, postJob, startJobService } from '../../examples/job-service.js';
import { errorSink, recorder } from '../support.js';
import { runClean } from '../server/support.js';

const example = suite('examples/job-service');

/** Runs `body` with the program hub's error reports captured. */
async function capturing<T>(body: (sink: ReturnType<typeof errorSink>) => Promise<T>): Promise<T> {
  const sink = errorSink();
  const hub = getHub();
  const before = hub.onError;
  hub.onError = (error: unknown, context: ErrorContext) => sink.onError(error, context);
  try {
    return await body(sink);
  } finally {
    hub.onError = before;
  }
}

example('main: eight jobs and a SIGTERM while they are in flight: each answered once, the poison one with 500', () =>
  capturing(async (sink) => {
    const { lines, log } = recorder();
    await runClean(() => main(log, new EventEmitter()));
    assert.equal(lines.filter((l) => l.startsWith('job ')), [
      'job 1: 200 1',
      'job 2: 200 4',
      'job 3: 200 9',
      'job 4: 500 "job 4 is poison"',
      'job 5: 200 25',
      'job 6: 200 36',
      'job 7: 200 49',
      'job 8: 200 64',
    ]);
    assert.equal(lines.slice(0, 5), ['w1 up', 'w2 up', 'w3 up', 'serving POST /jobs on 127.0.0.1', 'SIGTERM: draining']);
    assert.is(lines.at(-1), 'stopped: every job answered');
    assert.ok(lines.includes('w1 stops: crashed: job 4 is poison'), lines.join('\n'));
    // The crash is reported once; any job it left queued is a dead letter (and was retried elsewhere).
    assert.equal(sink.reports.filter((r) => r.includes(': greenlet: ')), ['w1: greenlet: PoisonJob: job 4 is poison']);
    for (const report of sink.reports.filter((r) => !r.includes(': greenlet: '))) {
      assert.match(report, /^w\d: deadLetter: DeadLetter: dead letter #\d+: \{ type: 'job', job: \{ id: \d+, n: \d+, poison: false \}/);
    }
  }));

example('60 jobs in flight (every ninth poison), then SIGTERM: each gets exactly one right answer', () =>
  capturing(async (sink) => {
    const { log } = recorder();
    await runClean(function* () {
      const service = yield* startJobService({ log, workers: 4, workMs: 3 });
      const requests = 60;
      const clients = Array.from({ length: requests }, (_, i) => spawn(postJob, service.url, i, i % 9 === 4));
      // Every request is in the service (most queued in workers' inboxes) before the signal.
      for (let waited = 0; service.accepted() < requests && waited < 5000; waited++) yield* sleep(1);
      assert.is(service.accepted(), requests);
      const stopping = spawn(() => service.stop());
      yield* joinAll(clients);
      yield* stopping.join();
      assert.equal(
        clients.map((c, i) => `${i}: ${c.value!.status} ${JSON.stringify(c.value!.body.result ?? c.value!.body.error)}`),
        clients.map((c, i) => (i % 9 === 4 ? `${i}: 500 "job ${String(c.value!.body.id)} is poison"` : `${i}: 200 ${i * i}`)),
      );
      // Each job its own id: taken once, answered once.
      assert.equal(
        clients.map((c) => c.value!.body.id).sort((a, b) => (a as number) - (b as number)),
        Array.from({ length: requests }, (_, i) => i + 1),
      );
      assert.ok(service.pool.dead);
    });
    const crashes = sink.reports.filter((r) => r.includes(': greenlet: '));
    assert.is(crashes.length, 7);
    assert.ok(crashes.every((r) => /^w\d: greenlet: PoisonJob: job \d+ is poison$/.test(r)), crashes.join('\n'));
  }));

example('a request that comes while the service drains gets 503; the job in hand is still answered', () =>
  capturing(async (sink) => {
    const { lines, log } = recorder();
    await runClean(function* () {
      const service = yield* startJobService({ log, workers: 1, workMs: 200 });
      const first = spawn(postJob, service.url, 3);
      for (let waited = 0; service.accepted() < 1 && waited < 2000; waited++) yield* sleep(1);
      const stopping = spawn(() => service.stop());
      const late = yield* postJob(service.url, 4);
      assert.equal([late.status, late.body], [503, { error: 'shutting down' }]);
      yield* first.join();
      assert.equal([first.value!.status, first.value!.body], [200, { id: 1, result: 9 }]);
      yield* stopping.join();
    });
    assert.equal(lines, ['w1 up', 'w1 stops: normal']);
    assert.equal(sink.reports, []);
  }));

example.run();
