import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getHub, sleep, type Operation } from 'grove';
import { Actor, StashOverflow, ask, type ReplyTo } from 'grove/actors';
import { simulate, advance } from 'grove/testing';
import { errorSink } from '../support.js';

type Message = { type: 'job'; n: number } | { type: 'open' } | { type: 'close' } | { type: 'count'; replyTo: ReplyTo<number> };

/**
 * The stash's classic use: jobs that arrive while the gate is closed are
 * stashed, and put back in front of the inbox, in order, when it opens.
 */
class Gate extends Actor<Message> {
  readonly done: string[] = [];
  private open = false;
  constructor(options?: { stashCapacity?: number; name?: string }) {
    super({ name: 'gate', ...options });
  }
  protected *receive(message: Message): Operation<void> {
    switch (message.type) {
      case 'open':
        this.open = true;
        this.done.push(`opened, ${this.unstashAll()} back`);
        return;
      case 'close':
        this.open = false;
        return;
      case 'count':
        message.replyTo.reply(this.stashSize);
        return;
      case 'job':
        if (!this.open) this.stash(message);
        else {
          yield* sleep(1);
          this.done.push(`job ${message.n}`);
        }
    }
  }
}

const stash = suite('Actor stash');

stash('unstashAll puts the stashed messages back in front of the inbox, in order, ahead of newer ones', () =>
  simulate(function* () {
    const gate = new Gate().start();
    for (const n of [1, 2, 3]) gate.send({ type: 'job', n });
    gate.send({ type: 'open' });
    gate.send({ type: 'job', n: 4 });
    yield* advance(100);
    assert.equal(gate.done, ['opened, 3 back', 'job 1', 'job 2', 'job 3', 'job 4']);
    gate.stop();
  }));

stash('stashSize counts what is set aside; unstashAll empties the stash', () =>
  simulate(function* () {
    const gate = new Gate().start();
    gate.send({ type: 'job', n: 1 });
    gate.send({ type: 'job', n: 2 });
    assert.is(yield* ask(gate, (replyTo) => ({ type: 'count', replyTo })), 2);
    gate.send({ type: 'open' });
    assert.is(yield* ask(gate, (replyTo) => ({ type: 'count', replyTo })), 0);
    yield* advance(10);
    assert.equal(gate.done, ['opened, 2 back', 'job 1', 'job 2']);
    gate.stop();
  }));

stash('unstashAll with nothing stashed returns 0 and changes nothing', () =>
  simulate(function* () {
    const gate = new Gate().start();
    gate.send({ type: 'open' });
    gate.send({ type: 'job', n: 1 });
    yield* advance(10);
    assert.equal(gate.done, ['opened, 0 back', 'job 1']);
    gate.stop();
  }));

stash('past its capacity stash throws StashOverflow; uncaught, it ends the actor', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const gate = new Gate({ stashCapacity: 2 }).start();
      for (const n of [1, 2, 3]) gate.send({ type: 'job', n });
      yield* gate.join();
      const error = gate.exception as StashOverflow;
      assert.instance(error, StashOverflow);
      assert.is(error.name, 'StashOverflow');
      assert.is(error.capacity, 2);
      assert.is(error.message, 'Actor.stash: the stash of <Gate "gate"> is full (stashCapacity 2); the message was not stashed');
    },
    { onError: sink.onError },
  );
  // The two stashed jobs are dead letters: the actor died with them set aside.
  assert.equal(sink.reports, [
    'gate: deadLetter: DeadLetter: dead letter #1: { type: \'job\', n: 1 } was still queued in <Gate "gate">, which exited with StashOverflow: Actor.stash: the stash of <Gate "gate"> is full (stashCapacity 2); the message was not stashed',
    'gate: deadLetter: DeadLetter: dead letter #2: { type: \'job\', n: 2 } was still queued in <Gate "gate">, which exited with StashOverflow: Actor.stash: the stash of <Gate "gate"> is full (stashCapacity 2); the message was not stashed',
  ]);
});

stash('the default capacity is 1000', async () => {
  await simulate(function* () {
    const gate = new Gate().start();
    for (let n = 1; n <= 1000; n++) gate.send({ type: 'job', n });
    yield* advance(0);
    assert.is(yield* ask(gate, (replyTo) => ({ type: 'count', replyTo })), 1000);
    gate.send({ type: 'job', n: 1001 });
    yield* gate.join();
    assert.instance(gate.exception, StashOverflow);
    assert.is((gate.exception as StashOverflow).capacity, 1000);
  }, { onError: () => {} });
});

stash('messages still stashed when the actor stops are dead letters, before those still queued', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const gate = new Gate({ name: 'g' }).start();
      gate.send({ type: 'job', n: 1 });
      yield* advance(0);
      gate.send({ type: 'job', n: 2 });
      gate.stop();
      yield* gate.join();
      assert.is(getHub().deadLetters, 2);
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, [
    'g: deadLetter: DeadLetter: dead letter #1: { type: \'job\', n: 1 } was still queued in <Gate "g">, which exited with normal',
    'g: deadLetter: DeadLetter: dead letter #2: { type: \'job\', n: 2 } was still queued in <Gate "g">, which exited with normal',
  ]);
});

stash('selective receive finds an unstashed message where unstashAll put it', async () => {
  const sink = errorSink();
  await simulate(function* () {
    const log: string[] = [];
    class Picky extends Actor<Message> {
      protected *receive(message: Message): Operation<void> {
        if (message.type === 'job') this.stash(message);
        else if (message.type === 'open') {
          this.unstashAll();
          const second = yield* this.receiveMatching((m): m is Message => m.type === 'job' && m.n === 2);
          log.push(`picked ${JSON.stringify(second)}`);
        }
      }
    }
    const picky = new Picky({ name: 'Picky-1' }).start();
    picky.send({ type: 'job', n: 1 });
    picky.send({ type: 'job', n: 2 });
    picky.send({ type: 'open' });
    yield* advance(0);
    assert.equal(log, ['picked {"type":"job","n":2}']);
    picky.stop();
  }, { onError: sink.onError });
  assert.equal(sink.reports, [
    'Picky-1: deadLetter: DeadLetter: dead letter #1: { type: \'job\', n: 1 } was still queued in <Picky "Picky-1">, which exited with normal',
  ]);
});

stash('stashCapacity is checked at construction', () => {
  class Plain extends Actor<string> {
    protected receive(): void {}
  }
  for (const [value, shown] of [[0, '0'], [1.5, '1.5'], [-3, '-3'], ['10', '"10"'], [Infinity, 'Infinity']] as const) {
    assert.throws(
      () => new Plain({ stashCapacity: value as number }),
      (error: Error) => error instanceof RangeError && error.message === `new Actor: stashCapacity must be a positive integer (or omitted: 1000), got ${shown}`,
    );
  }
});

stash.run();
