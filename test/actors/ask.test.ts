import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DroppedOperation, ExitSignal, NotInGreenlet, Timeout, getHub, sleep, spawn, type Operation } from 'grove';
import { Actor, AskFailed, MailboxFull, ReplyTo, exit, ask } from 'grove/actors';
import { TestProbe, simulate } from 'grove/testing';
import { errorSink } from '../support.js';

type CounterMessage =
  | { type: 'add'; n: number }
  | { type: 'get'; replyTo: ReplyTo<number> }
  | { type: 'slowGet'; ms: number; replyTo: ReplyTo<number> }
  | { type: 'crash'; replyTo: ReplyTo<number> }
  | { type: 'ignore'; replyTo: ReplyTo<number> };

class Counter extends Actor<CounterMessage> {
  count = 0;
  /** Replies that were sent too late, and what reply() said. */
  readonly lateReplies: boolean[] = [];
  *receive(message: CounterMessage): Operation<void> {
    switch (message.type) {
      case 'add':
        this.count += message.n;
        break;
      case 'get':
        message.replyTo.reply(this.count);
        break;
      case 'slowGet':
        yield* sleep(message.ms);
        this.lateReplies.push(message.replyTo.reply(this.count));
        break;
      case 'crash':
        throw new ExitSignal('crashed');
      case 'ignore':
        break;
    }
  }
}

const asking = suite('ask');

asking('returns the value the target replies; reply() says it was delivered', () =>
  simulate(function* () {
    const counter = new Counter({ name: 'counter' }).start();
    counter.send({ type: 'add', n: 2 });
    counter.send({ type: 'add', n: 3 });
    const n = yield* ask(counter, (replyTo) => ({ type: 'get', replyTo }));
    assert.is(n, 5);
    const replies: boolean[] = [];
    class Echo extends Actor<{ text: string; replyTo: ReplyTo<string> }> {
      receive(message: { text: string; replyTo: ReplyTo<string> }): void {
        replies.push(message.replyTo.reply(message.text.toUpperCase()));
        replies.push(message.replyTo.reply('again'));
      }
    }
    const echo = new Echo().start();
    const text: string = yield* ask(echo, (replyTo) => ({ text: 'hi', replyTo }));
    assert.is(text, 'HI');
    assert.equal(replies, [true, false], 'a second reply is discarded');
    counter.stop();
    echo.stop();
  }));

asking('the reply is deep-frozen, as messages are', () =>
  simulate(function* () {
    class Lister extends Actor<{ replyTo: ReplyTo<{ items: number[] }> }> {
      receive(message: { replyTo: ReplyTo<{ items: number[] }> }): void {
        message.replyTo.reply({ items: [1, 2] });
      }
    }
    const lister = new Lister().start();
    const reply = yield* ask(lister, (replyTo) => ({ replyTo }));
    assert.equal(reply.items, [1, 2]);
    assert.throws(() => reply.items.push(3), TypeError);
    lister.stop();
  }));

asking('an ask to an actor that dies before replying fails at once with AskFailed carrying the exit reason', () =>
  simulate(function* () {
    const counter = new Counter({ name: 'counter' }).start();
    const started = getHub().now();
    let error: unknown;
    try {
      yield* ask(counter, (replyTo) => ({ type: 'crash', replyTo }), { timeout: 1000 });
    } catch (e) {
      error = e;
    }
    assert.instance(error, AskFailed);
    assert.is((error as AskFailed).name, 'AskFailed');
    assert.is((error as AskFailed).reason, 'crashed');
    assert.is((error as AskFailed).target, counter);
    assert.is((error as AskFailed).message, 'ask: <Counter "counter"> exited with crashed before replying');
    assert.is(getHub().now(), started, 'not after the timeout: at once');
  }));

asking('an ask to an actor killed while handling it fails with its reason, the error itself when it crashed', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const counter = new Counter({ name: 'counter' }).start();
      spawn(function* () {
        yield* sleep(5);
        counter.kill();
      });
      let error: unknown;
      try {
        yield* ask(counter, (replyTo) => ({ type: 'slowGet', ms: 100, replyTo }));
      } catch (e) {
        error = e;
      }
      assert.is((error as AskFailed).reason, 'killed');
      assert.is(getHub().now(), 5);
      const boom = new Error('boom');
      class Crasher extends Actor<{ replyTo: ReplyTo<number> }> {
        receive(): void {
          throw boom;
        }
      }
      try {
        yield* ask(new Crasher({ name: 'crasher' }).start(), (replyTo) => ({ replyTo }));
      } catch (e) {
        error = e;
      }
      assert.is((error as AskFailed).reason, boom);
      assert.is((error as AskFailed).message, 'ask: <Crasher "crasher"> exited with Error: boom before replying');
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, ['crasher: greenlet: Error: boom']);
});

asking("an ask to a dead actor fails at once with reason 'noproc', sending nothing", () =>
  simulate(function* () {
    const counter = new Counter({ name: 'counter' }).start();
    counter.stop();
    let made = 0;
    let error: unknown;
    try {
      yield* ask(counter, (replyTo) => {
        made++;
        return { type: 'get', replyTo };
      });
    } catch (e) {
      error = e;
    }
    assert.instance(error, AskFailed);
    assert.is((error as AskFailed).reason, 'noproc');
    assert.is((error as AskFailed).message, 'ask: <Counter "counter"> is not alive (noproc)');
    assert.is(made, 0);
  }));

asking('times out with Timeout; the late reply is discarded and never reaches the next ask', () =>
  simulate(function* () {
    const counter = new Counter({ name: 'counter' }).start();
    counter.send({ type: 'add', n: 1 });
    let error: unknown;
    try {
      yield* ask(counter, (replyTo) => ({ type: 'slowGet', ms: 50, replyTo }), { timeout: 10 });
    } catch (e) {
      error = e;
    }
    assert.instance(error, Timeout);
    assert.is((error as Timeout).message, '10 ms');
    assert.is(getHub().now(), 10);
    counter.send({ type: 'add', n: 1 });
    // Asked while the slow reply is still to come: gets its own answer, not the late one.
    const n = yield* ask(counter, (replyTo) => ({ type: 'get', replyTo }));
    assert.is(n, 2);
    assert.is(getHub().now(), 50);
    assert.equal(counter.lateReplies, [false], 'reply() said the late value was discarded');
    counter.stop();
  }));

asking('a Timeout given as timeout is raised itself; an unanswered ask waits for it', () =>
  simulate(function* () {
    const counter = new Counter().start();
    const timeout = new Timeout(30);
    let error: unknown;
    try {
      yield* ask(counter, (replyTo) => ({ type: 'ignore', replyTo }), { timeout });
    } catch (e) {
      error = e;
    }
    assert.is(error, timeout);
    assert.is(getHub().now(), 30);
    counter.stop();
  }));

asking('the asker killed while waiting: its reply is discarded', () =>
  simulate(function* () {
    const counter = new Counter().start();
    const asker = spawn(function* () {
      return yield* ask(counter, (replyTo) => ({ type: 'slowGet', ms: 20, replyTo }));
    });
    yield* sleep(5);
    yield* asker.kill();
    yield* sleep(30);
    assert.equal(counter.lateReplies, [false]);
    counter.stop();
  }));

asking('a full inbox fails the ask at once with MailboxFull; a throwing make fails it too', () =>
  simulate(function* () {
    const counter = new Counter({ mailbox: 1 }).start();
    counter.send({ type: 'add', n: 1 });
    let error: unknown;
    try {
      yield* ask(counter, (replyTo) => ({ type: 'get', replyTo }));
    } catch (e) {
      error = e;
    }
    assert.instance(error, MailboxFull);
    const oops = new Error('oops');
    try {
      yield* ask(counter, () => {
        throw oops;
      });
    } catch (e) {
      error = e;
    }
    assert.is(error, oops);
    yield* sleep(0); // it takes the queued message, which frees the inbox
    assert.is(yield* ask(counter, (replyTo) => ({ type: 'get', replyTo })), 1);
    counter.stop();
  }));

type Get = { type: 'get'; replyTo: ReplyTo<number> };

asking('a probe as the target sees the request; its reply 5 s later ends the ask at that virtual time', () =>
  simulate(function* () {
    const server = new TestProbe<Get>('server');
    const asker = spawn(function* () {
      return yield* ask(server, (replyTo) => ({ type: 'get', replyTo }), { timeout: 10_000 });
    });
    const request = yield* server.expectMessage((m) => m.type === 'get');
    assert.is(request.replyTo.target, server);
    yield* sleep(5000);
    assert.not.ok(asker.dead, 'still waiting for the reply');
    assert.ok(request.replyTo.reply(42));
    yield* asker.join();
    assert.is(asker.value, 42);
    assert.is(getHub().now(), 5000);
    assert.not.ok(request.replyTo.reply(43), 'a second reply is discarded');
    yield* server.expectNoMessage(1000);
  }));

asking('a probe that never answers: the ask times out at exactly its timeout, and a reply after that is refused', () =>
  simulate(function* () {
    const server = new TestProbe<Get>('server');
    const asker = spawn(function* () {
      try {
        yield* ask(server, (replyTo) => ({ type: 'get', replyTo }), { timeout: 1500 });
        return 'answered';
      } catch (error) {
        return `${(error as Error).name} at t=${getHub().now()}`;
      }
    });
    const request = yield* server.expectMessage((m) => m.type === 'get');
    yield* server.expectNoMessage(3000); // the ask does not retry
    assert.is(asker.value, 'Timeout at t=1500');
    assert.not.ok(request.replyTo.reply(1));
  }));

/** Asks the counter for a reply that takes `ms`, and forwards the answer, or the error, to `to`. */
class Forwarder extends Actor<number> {
  constructor(
    private readonly counter: Counter,
    private readonly to: Actor<number | string>,
  ) {
    super({ name: 'forwarder' });
  }
  *receive(ms: number): Operation<void> {
    try {
      this.to.send(yield* ask(this.counter, (replyTo) => ({ type: 'slowGet', ms, replyTo }), { timeout: 10_000 }));
    } catch (error) {
      this.to.send(`${(error as Error).name}: ${(error as Error).message}`);
    }
  }
}

asking('a reply forwarded to a probe arrives when the slow target answers, 5 s later, within a 10 s expectation', () =>
  simulate(function* () {
    const client = new TestProbe<number | string>('client');
    const counter = new Counter({ name: 'counter' }).start();
    const forwarder = new Forwarder(counter, client).start();
    counter.send({ type: 'add', n: 7 });
    forwarder.send(5000);
    yield* client.expectNoMessage(4999);
    assert.is(yield* client.expectMessage(7, { timeout: 10_000 }), 7);
    assert.is(getHub().now(), 5000);
    assert.equal(counter.lateReplies, [true]);
    yield* client.expectNoMessage(20_000);
    assert.equal(client.history, [{ message: 7, at: 5000 }]);
    counter.stop();
    forwarder.stop();
  }));

asking('an ask whose target is killed mid-way fails then, not at its timeout: the probe sees AskFailed at that time', () =>
  simulate(function* () {
    const client = new TestProbe<number | string>('client');
    const counter = new Counter({ name: 'counter' }).start();
    const forwarder = new Forwarder(counter, client).start();
    forwarder.send(5000);
    yield* sleep(2000);
    exit(counter, 'shutdown');
    yield* client.expectMessage('AskFailed: ask: <Counter "counter"> exited with shutdown before replying', { timeout: 100 });
    assert.is(getHub().now(), 2000);
    yield* client.expectNoMessage(20_000);
    assert.not.ok(forwarder.dead, 'a failed ask is an error to catch, not a signal');
    forwarder.stop();
  }));

asking('ask without yield* is detected; outside a greenlet it is NotInGreenlet', async () => {
  const counter = new Counter();
  assert.throws(
    () => ask(counter, (replyTo) => ({ type: 'get', replyTo })),
    (e: Error) => e instanceof NotInGreenlet && e.message.startsWith('ask() must be called inside a greenlet'),
  );
  await simulate(function* () {
    counter.start();
    ask(counter, (replyTo) => ({ type: 'get', replyTo }));
    let error: unknown;
    try {
      yield* sleep(0);
    } catch (e) {
      error = e;
    }
    assert.instance(error, DroppedOperation);
    assert.match((error as Error).message, /^ask\(\) was called without yield\*/);
    counter.stop();
  });
});

asking('a reply given just before the target crashes still arrives (the reply comes before the DOWN)', async () => {
  await simulate(
    function* () {
      class LastWords extends Actor<{ replyTo: ReplyTo<string> }> {
        receive(message: { replyTo: ReplyTo<string> }): void {
          message.replyTo.reply('bye');
          throw new Error('crash after replying');
        }
      }
      const target = new LastWords().start();
      assert.is(yield* ask(target, (replyTo) => ({ replyTo })), 'bye');
      yield* target.join();
    },
    { onError: () => {} },
  );
});

asking('an actor asking itself is an error at once, not a deadlock', () =>
  simulate(function* () {
    class Narcissus extends Actor<{ replyTo: ReplyTo<number> } | 'go'> {
      *receive(message: { replyTo: ReplyTo<number> } | 'go'): Operation<void> {
        if (message === 'go') yield* ask(this, (replyTo: ReplyTo<number>) => ({ replyTo }));
      }
    }
    const n = new Narcissus({ name: 'narcissus' }).start();
    n.send('go');
    yield* n.join();
    assert.is(
      (n.exception as Error).message,
      'ask: <Narcissus "narcissus"> cannot ask itself: it would wait for a reply only it can give',
    );
  }));

asking('validates its arguments', () =>
  simulate(function* () {
    const counter = new Counter().start();
    assert.throws(() => ask({} as never, () => 1), /ask: target must be an Actor, got an object/);
    assert.throws(() => ask(counter, 5 as never), /ask: make must be a function, got 5/);
    assert.throws(() => ask(counter, (replyTo) => ({ type: 'get', replyTo }), { timeout: -1 }), /ask: timeout must be a non-negative number of ms, got -1/);
  }));

asking('the reply type comes from the message type, or from the replyTo annotation', () =>
  simulate(function* () {
    class Named extends Actor<{ type: 'name'; replyTo: ReplyTo<string> } | { type: 'age'; replyTo: ReplyTo<number> }> {
      receive(message: { type: 'name'; replyTo: ReplyTo<string> } | { type: 'age'; replyTo: ReplyTo<number> }): void {
        if (message.type === 'name') message.replyTo.reply('grove');
        else message.replyTo.reply(1);
      }
    }
    const counter = new Counter().start();
    const named = new Named().start();
    const n: number = yield* ask(counter, (replyTo) => ({ type: 'get', replyTo }));
    const name: string = yield* ask(named, (replyTo: ReplyTo<string>) => ({ type: 'name', replyTo }));
    const age: number = yield* ask(named, (replyTo: ReplyTo<number>) => ({ type: 'age', replyTo }));
    assert.equal([n, name, age], [0, 'grove', 1]);
    // @ts-expect-error a message the target does not take
    const wrong = () => ask(counter, (replyTo) => ({ type: 'bogus', replyTo }));
    void wrong;
    counter.stop();
    named.stop();
  }));

asking.run();
