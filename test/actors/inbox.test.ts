import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Empty, getHub, sleep, spawn, type Operation } from 'grove';
import { Actor } from 'grove/actors';
import { simulate } from 'grove/testing';
import { errorSink, recorder } from '../support.js';

type Message = { kind: 'job'; id: number } | { kind: 'urgent'; id: number } | { kind: 'go' };

const isUrgent = (m: Message): m is { kind: 'urgent'; id: number } => m.kind === 'urgent';

/** Waits for 'go', then handles urgent messages before the others. */
class Triage extends Actor<Message> {
  constructor(
    private readonly log: (line: string) => void,
    private readonly timeout?: number,
  ) {
    super({ name: 'triage' });
  }
  *receive(message: Message): Operation<void> {
    if (message.kind !== 'go') {
      this.log(`${message.kind} ${message.id}`);
      return;
    }
    for (;;) {
      let urgent: { kind: 'urgent'; id: number };
      try {
        urgent = yield* this.receiveMatching(isUrgent, { timeout: this.timeout });
      } catch (error) {
        if (!(error instanceof Empty)) throw error;
        this.log(`${(error as Error).message} at t=${getHub().now()}`);
        return;
      }
      this.log(`urgent ${urgent.id} first`);
    }
  }
  /** For tests: a selective receive called from elsewhere. */
  tryFrom(): Operation<Message> {
    return this.receiveMatching(() => true);
  }
}

const selective = suite('Actor.receiveMatching');

selective('takes the first matching message and leaves the others queued in their order', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const t = new Triage(log, 0);
    t.send({ kind: 'go' });
    t.send({ kind: 'job', id: 1 });
    t.send({ kind: 'urgent', id: 2 });
    t.send({ kind: 'job', id: 3 });
    t.send({ kind: 'urgent', id: 4 });
    t.send({ kind: 'job', id: 5 });
    t.start();
    yield* sleep(0);
    assert.equal(lines, [
      'urgent 2 first',
      'urgent 4 first',
      'Actor.receiveMatching: no queued message matches at t=0',
      'job 1',
      'job 3',
      'job 5',
    ]);
    t.stop();
  }));

selective('blocks until a matching message arrives; the others arriving meanwhile stay queued', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const { lines, log } = recorder();
      const t = new Triage(log).start();
      t.send({ kind: 'go' });
      yield* sleep(0);
      t.send({ kind: 'job', id: 1 });
      yield* sleep(5);
      t.send({ kind: 'job', id: 2 });
      yield* sleep(5);
      assert.equal(lines, []);
      assert.is(t.inbox.qsize(), 2);
      t.send({ kind: 'urgent', id: 3 });
      yield* sleep(0);
      assert.equal(lines, ['urgent 3 first']);
      assert.is(t.inbox.qsize(), 2);
      t.stop();
    },
    { onError: sink.onError },
  );
  // Stopped while it waited for another urgent message: the jobs it left queued are dead letters.
  assert.equal(sink.reports, [
    "triage: deadLetter: DeadLetter: dead letter #1: { kind: 'job', id: 1 } was still queued in <Triage \"triage\">, which exited with normal",
    "triage: deadLetter: DeadLetter: dead letter #2: { kind: 'job', id: 2 } was still queued in <Triage \"triage\">, which exited with normal",
  ]);
});

selective('with a timeout it throws Empty when nothing matches in time; the messages stay', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const t = new Triage(log, 50).start();
    t.send({ kind: 'go' });
    t.send({ kind: 'job', id: 1 });
    yield* sleep(20);
    t.send({ kind: 'urgent', id: 2 });
    yield* sleep(100);
    assert.equal(lines, [
      'urgent 2 first',
      'Actor.receiveMatching: no matching message within 50 ms at t=70',
      'job 1',
    ]);
    t.stop();
  }));

selective('a predicate that throws fails the call, and the actor; nothing is taken', async () => {
  const bad = new Error('bad predicate');
  const sink = errorSink();
  let actor: Actor<number> | undefined;
  await simulate(
    function* () {
      class Picky extends Actor<number> {
        *receive(): Operation<void> {
          yield* this.receiveMatching((n) => {
            if (n === 13) throw bad;
            return false;
          }, { timeout: 100 });
        }
      }
      actor = new Picky({ name: 'picky' }).start();
      actor.send(0);
      actor.send(12);
      yield* sleep(5);
      actor.send(13);
      yield* sleep(200);
    },
    { onError: sink.onError },
  );
  assert.is(actor!.exception, bad);
  // 12 and 13 were not taken: they were still queued when the actor died.
  assert.equal(sink.reports, [
    'picky: greenlet: Error: bad predicate',
    'picky: deadLetter: DeadLetter: dead letter #1: 12 was still queued in <Picky "picky">, which exited with Error: bad predicate',
    'picky: deadLetter: DeadLetter: dead letter #2: 13 was still queued in <Picky "picky">, which exited with Error: bad predicate',
  ]);
});

selective('killed while waiting: it takes nothing and its finally runs', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const { lines, log } = recorder();
      class Waiter extends Actor<number> {
        *receive(): Operation<void> {
          try {
            yield* this.receiveMatching((n) => n > 100);
          } finally {
            log('finally');
          }
        }
      }
      const w = new Waiter({ name: 'waiter' }).start();
      w.send(1);
      yield* sleep(0);
      yield* w.kill();
      w.send(500);
      assert.equal(lines, ['finally']);
      assert.is(w.inbox.qsize(), 0, 'a message to the dead actor is a dead letter');
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, ['waiter: deadLetter: DeadLetter: dead letter #1: 500 was sent to <Waiter "waiter">, which exited with killed']);
});

selective('only the actor itself may read its inbox selectively', () =>
  simulate(function* () {
    const t = new Triage(() => {});
    const other = spawn(() => t.tryFrom());
    yield* other.join();
    assert.match((other.exception as Error).message, /^Actor.receiveMatching: only triage reads its inbox selectively \(called from Greenlet-\d+\)$/);
  }));

selective('a receiveMatching without yield* is detected at the next blocking call', () =>
  simulate(function* () {
    const errors: string[] = [];
    class Careless extends Actor<number> {
      *receive(): Operation<void> {
        this.receiveMatching((n) => n > 1);
        try {
          yield* sleep(0);
        } catch (error) {
          errors.push(`${(error as Error).name}: ${(error as Error).message}`);
        }
      }
    }
    const c = new Careless().start();
    c.send(1);
    yield* sleep(0);
    yield* sleep(0);
    assert.equal(errors, [
      'DroppedOperation: Actor.receiveMatching() was called without yield*: the Operation it returned never ran. Write `yield* Actor.receiveMatching(...)`.',
    ]);
    c.stop();
  }));

selective.run();
