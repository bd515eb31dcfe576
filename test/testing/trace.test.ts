import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Queue, getHub, sleep, spawn, spawnLater, withTimeout, type Operation } from 'grove';
import { Actor, ask, link, monitor, type ReplyTo } from 'grove/actors';
import { Supervisor } from 'grove/supervision';
import { TracedFailure, sequenceChart, simulate, type Trace, type TraceEvent } from 'grove/testing';
import { errorSink } from '../support.js';
import { echoTwice } from './protocols.js';

/** Each event as one compact line: `t kind fields...`, in the order of the trace's own fields. */
function lines(trace: Trace): string[] {
  return trace.events.map((event: TraceEvent) => {
    const { at, kind, ...fields } = event;
    return `${at} ${kind} ${Object.values(fields).map((v) => (v === null ? '-' : String(v))).join(' | ')}`;
  });
}

const tracing = suite('simulate({ trace: true })');

tracing('records spawns, sends, receives, timer firings and exits, each at its virtual time', async () => {
  const { value, trace } = await simulate(echoTwice, { trace: true });
  assert.equal(value, [2, 6]);
  assert.equal(lines(trace), [
    '0 spawn main | -',
    '0 spawn echo | main',
    '0 spawn sink | main',
    '0 send main | echo | { n: 1, to: <sink> }',
    '0 send main | echo | { n: 5, to: <sink> }',
    '0 receive echo | { n: 1, to: <sink> }',
    '10 timer echo | sleep',
    '10 send echo | sink | { n: 2 }',
    '10 receive echo | { n: 5, to: <sink> }',
    '10 receive sink | { n: 2 }',
    '20 timer echo | sleep',
    '20 send echo | sink | { n: 6 }',
    '20 receive sink | { n: 6 }',
    '20 exit sink | normal',
    '20 exit main | normal',
    '20 exit echo | normal',
  ]);
  assert.equal(trace.outcome, { ok: true, value: '[2, 6]' });
  assert.equal(trace.schedule, {});
  assert.is(trace.format, 'grove-trace');
  assert.is(trace.version, 1);
});

tracing('records link and monitor signals (a trapped EXIT once, as a signal), the kill they cause, and dead letters', async () => {
  const sink = errorSink();
  const seen: unknown[] = [];
  class Worker extends Actor<string> {
    receive(m: string): void {
      if (m === 'crash') throw new Error('boom');
    }
  }
  class Watcher extends Actor<unknown> {
    receive(m: unknown): void {
      seen.push(m);
    }
  }
  const { trace } = await simulate(
    function* () {
      const worker = new Worker({ name: 'worker' }).start();
      const watcher = new Watcher({ name: 'watcher', trapExit: true }).start();
      const buddy = new Worker({ name: 'buddy' }).start();
      link(worker, watcher);
      link(worker, buddy);
      monitor(watcher, worker);
      worker.send('crash');
      yield* sleep(1);
      watcher.stop();
      worker.send('late');
    },
    { trace: true, onError: sink.onError },
  );
  assert.equal(sink.reports, [
    'worker: greenlet: Error: boom',
    `worker: deadLetter: DeadLetter: dead letter #1: 'late' was sent to <Worker "worker">, which exited with Error: boom`,
  ]);
  assert.is(seen.length, 2);
  assert.equal(lines(trace), [
    '0 spawn main | -',
    '0 spawn worker | main',
    '0 spawn watcher | main',
    '0 spawn buddy | main',
    '0 send main | worker | "crash"',
    '0 receive worker | "crash"',
    '0 exit worker | Error: boom',
    '0 signal worker | watcher | down | Error: boom',
    '0 signal worker | watcher | exit | Error: boom',
    '0 signal worker | buddy | exit | Error: boom',
    '0 receive watcher | { type: "DOWN", ref: <MonitorRef>, target: <worker>, reason: Error: boom }',
    '0 receive watcher | { type: "EXIT", from: <worker>, reason: Error: boom }',
    '0 exit buddy | Error: boom',
    '1 timer main | sleep',
    '1 deadLetter main | worker | "late" | sentAfterDeath',
    '1 exit main | normal',
    // stop() from main takes effect when the watcher next runs.
    '1 exit watcher | normal',
  ]);
});

tracing('records a message still queued when its actor dies as a dead letter', async () => {
  class Slow extends Actor<string> {
    *receive(): Operation<void> {
      yield* sleep(10);
    }
  }
  const reports: string[] = [];
  const { trace } = await simulate(
    function* () {
      const slow = new Slow({ name: 'slow' }).start();
      slow.send('a');
      slow.send('b');
      yield* sleep(1);
      yield* slow.kill();
    },
    { trace: true, onError: (error) => void reports.push(String(error)) },
  );
  assert.equal(reports, [`DeadLetter: dead letter #1: 'b' was still queued in <Slow "slow">, which exited with killed`]);
  assert.equal(
    lines(trace).filter((line) => / (deadLetter|exit) /.test(line)),
    ['1 exit slow | killed', '1 deadLetter - | slow | "b" | queuedAtDeath', '1 exit main | normal'],
  );
  const chart = sequenceChart(trace);
  assert.not.match(chart, '(runtime)');
  assert.match(chart, /<g class="dead-letter" data-index="\d+"><title>t=1 dead letter &#34;b&#34;, still queued when slow exited<\/title>\n<text [^>]*>dead letter &#34;b&#34;<\/text>/);
});

tracing('records the reply to an ask, from the replier to the asker; a late reply is not one', async () => {
  type Question = { q: string; replyTo: ReplyTo<number> };
  class Oracle extends Actor<Question> {
    *receive(m: Question): Operation<void> {
      if (m.q === 'slow') yield* sleep(50);
      m.replyTo.reply(42);
    }
  }
  const { trace } = await simulate(
    function* () {
      const oracle = new Oracle({ name: 'oracle' }).start();
      assert.is(yield* ask(oracle, (replyTo: ReplyTo<number>) => ({ q: 'now', replyTo })), 42);
      try {
        yield* ask(oracle, (replyTo: ReplyTo<number>) => ({ q: 'slow', replyTo }), { timeout: 10 });
      } catch {
        // Timeout: the reply at t=50 comes too late and is discarded.
      }
      yield* sleep(100);
    },
    { trace: true },
  );
  assert.equal(lines(trace), [
    '0 spawn main | -',
    '0 spawn oracle | main',
    '0 send main | oracle | { q: "now", replyTo: <ReplyTo> }',
    '0 receive oracle | { q: "now", replyTo: <ReplyTo> }',
    '0 reply oracle | main | 42',
    '0 send main | oracle | { q: "slow", replyTo: <ReplyTo> }',
    '0 receive oracle | { q: "slow", replyTo: <ReplyTo> }',
    '10 timer main | ask',
    '50 timer oracle | sleep',
    '110 timer main | sleep',
    '110 exit main | normal',
  ]);
});

tracing('records the timers of sleep, of a { timeout }, of a Timeout and of startLater', async () => {
  const { trace } = await simulate(
    function* () {
      const q = new Queue<number>();
      spawnLater(5, () => 1);
      yield* withTimeout(3, () => sleep(10), { timeoutValue: null });
      try {
        yield* q.get({ timeout: 1 });
      } catch {
        // Empty, after 1 ms
      }
      yield* sleep(2);
    },
    { trace: true },
  );
  assert.equal(lines(trace), [
    '0 spawn main | -',
    '0 spawn Greenlet#1 | main',
    '3 timer main | Timeout',
    '4 timer main | Queue.get',
    '5 timer Greenlet#1 | startLater',
    '5 exit Greenlet#1 | normal',
    '6 timer main | sleep',
    '6 exit main | normal',
  ]);
});

tracing('records a supervisor restarting a crashed child', async () => {
  class Fragile extends Actor<string> {
    receive(): void {
      throw new Error('fragile');
    }
  }
  let first: Fragile | undefined;
  const { trace } = await simulate(
    function* () {
      const sup = new Supervisor({
        strategy: 'oneForOne',
        children: [{ id: 'fragile', start: () => (first === undefined ? (first = new Fragile({ name: 'fragile' })) : new Fragile({ name: 'fragile' })) }],
      });
      sup.name = 'sup';
      sup.start();
      yield* sleep(1);
      first!.send('x');
      yield* sleep(1);
      yield* sup.kill();
    },
    { trace: true, onError: () => {} },
  );
  const kinds = trace.events.filter((e) => e.kind === 'restart' || e.kind === 'exit' || (e.kind === 'spawn' && e.greenlet.startsWith('fragile')));
  assert.equal(
    kinds.map((e) => `${e.at} ${describe(e)}`),
    [
      '0 spawn fragile',
      '1 exit fragile Error: fragile',
      '1 restart sup fragile 1',
      '1 spawn fragile#2',
      // A killed supervisor's linked children get its exit signal, as in OTP.
      '2 exit fragile#2 killed',
      '2 exit sup killed',
      '2 exit main normal',
    ],
  );
});

function describe(e: TraceEvent): string {
  if (e.kind === 'restart') return `restart ${e.supervisor} ${e.child} ${e.attempt}`;
  if (e.kind === 'exit') return `exit ${e.greenlet} ${e.reason}`;
  if (e.kind === 'spawn') return `spawn ${e.greenlet}`;
  return e.kind;
}

tracing('names greenlets the same way in every run: given names, else class and order; main; repeats numbered', async () => {
  class Worker extends Actor<unknown> {
    receive(): void {}
  }
  const { trace } = await simulate(
    function* () {
      const a = new Worker({ name: 'w' }).start();
      const b = new Worker({ name: 'w' }).start();
      const c = new Worker().start();
      const g = spawn(() => 0);
      a.send({ peer: b, list: [c, g], when: new Date(0), nested: { deep: { deeper: { deepest: 1 } } } });
      yield* sleep(0);
      for (const w of [a, b, c]) w.stop();
    },
    { trace: true },
  );
  assert.equal(
    trace.events.filter((e) => e.kind === 'spawn').map((e) => (e as { greenlet: string }).greenlet),
    ['main', 'w', 'w#2', 'Worker#1', 'Greenlet#1'],
  );
  const send = trace.events.find((e) => e.kind === 'send') as { message: string };
  assert.is(send.message, '{ peer: <w#2>, list: [<Worker#1>, <Greenlet#1>], when: <Date>, nested: { deep: { deeper: {…} } } }');
});

tracing('a trace is JSON: it survives stringify and parse unchanged', async () => {
  const { trace } = await simulate(echoTwice, { trace: true, seed: 4, strategy: 'pct' });
  assert.equal(JSON.parse(JSON.stringify(trace)), trace);
  assert.equal(trace.schedule, { seed: 4, strategy: 'pct' });
});

tracing('a failing body rejects with a TracedFailure: the error as cause, the trace of the run', async () => {
  const boom = new Error('boom');
  try {
    await simulate(
      function* () {
        yield* sleep(5);
        throw boom;
      },
      { trace: true },
    );
    assert.unreachable('resolved');
  } catch (error) {
    assert.instance(error, TracedFailure);
    const failure = error as TracedFailure;
    assert.is(failure.cause, boom);
    assert.is(failure.message, 'simulate: the body failed: Error: boom');
    assert.equal(lines(failure.trace), ['0 spawn main | -', '5 timer main | sleep', '5 exit main | Error: boom']);
    assert.equal(failure.trace.outcome, { ok: false, error: 'Error: boom' });
  }
});

tracing('without trace: true nobody listens to the hub: an untraced run builds no events', async () => {
  assert.is(await simulate(() => getHub().listeners), null);
  assert.is(await simulate(echoTwice).then((got) => got.length), 2);
});

tracing('bad trace option: a TypeError naming it', async () => {
  try {
    await simulate(() => 1, { trace: 'yes' as never });
    assert.unreachable('accepted');
  } catch (error) {
    assert.instance(error, TypeError);
    assert.is((error as Error).message, 'simulate: trace must be a boolean, got "yes"');
  }
});

tracing.run();
