import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { produce } from 'immer';
import { Full, GreenletExit, exitReason, getCurrent, getHub, sleep, type HubEvent, type Operation } from 'grove';
import { Actor, MailboxFull, configureActors, monitor } from 'grove/actors';
import { TestProbe, simulate } from 'grove/testing';
import { errorSink, recorder } from '../support.js';

/** An actor that logs what it receives, with a plain receive. */
class Logger extends Actor<string> {
  constructor(
    private readonly log: (line: string) => void,
    name?: string,
  ) {
    super({ name });
  }
  receive(message: string): void {
    this.log(`${this.name} got ${message}`);
  }
}

const basics = suite('Actor');

basics('handles its messages one at a time, in the order sent', () =>
  simulate(function* () {
    const probe = new TestProbe<string>('log');
    class Slow extends Actor<number> {
      *receive(n: number): Operation<void> {
        probe.send(`start ${n}`);
        yield* sleep(10);
        probe.send(`end ${n}`);
      }
    }
    const slow = new Slow().start();
    slow.send(1);
    slow.send(2);
    slow.send(3);
    assert.equal(yield* probe.receiveN(6, { timeout: 100 }), ['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
    assert.equal(probe.history.map((a) => a.at), [0, 10, 10, 20, 20, 30], 'each starts when the one before ends');
    yield* probe.expectNoMessage(1000);
    slow.stop();
  }));

basics('a message forwarded after 5 s of virtual time arrives then, not before, and takes no real time', async () => {
  const started = performance.now();
  await simulate(function* () {
    class Delayer extends Actor<{ text: string; after: number }> {
      constructor(private readonly to: Actor<string>) {
        super({ name: 'delayer' });
      }
      *receive(message: { text: string; after: number }): Operation<void> {
        yield* sleep(message.after);
        this.to.send(message.text);
      }
    }
    const probe = new TestProbe<string>('client');
    const delayer = new Delayer(probe).start();
    delayer.send({ text: 'hello', after: 5000 });
    delayer.send({ text: 'world', after: 1000 });
    yield* probe.expectNoMessage(4999);
    assert.is(yield* probe.expectMessage('hello', { timeout: 10_000 }), 'hello');
    assert.is(getHub().now(), 5000);
    yield* probe.expectMessage('world', { timeout: 2000 });
    assert.equal(probe.history, [
      { message: 'hello', at: 5000 },
      { message: 'world', at: 6000 },
    ]);
    yield* probe.expectNoMessage(60_000);
    delayer.stop();
  });
  assert.ok(performance.now() - started < 1000, 'a minute of virtual time, in no real time');
});

basics('a plain receive runs without switching; its sends queue behind', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const a = new Logger(log, 'a').start();
    const b = new Logger(log, 'b').start();
    a.send('1');
    b.send('1');
    a.send('2');
    log('sent');
    yield* sleep(0);
    assert.equal(lines, ['sent', 'a got 1', 'a got 2', 'b got 1']);
    a.stop();
    b.stop();
  }));

basics('send never blocks or switches; messages sent before start wait in the inbox', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const a = new Logger(log, 'a');
    a.send('early');
    assert.is(a.inbox.qsize(), 1);
    a.start();
    a.send('later');
    assert.equal(lines, []);
    yield* sleep(0);
    assert.equal(lines, ['a got early', 'a got later']);
    a.stop();
  }));

basics('a readable name: the one given, or "<Class>-<id>"', () =>
  simulate(function* () {
    const named = new Logger(() => {}, 'printer');
    const unnamed = new Logger(() => {});
    assert.is(named.name, 'printer');
    assert.is(String(named), '<Logger "printer">');
    assert.is(unnamed.name, `Logger-${unnamed.id}`);
  }));

basics('a full bounded mailbox throws MailboxFull naming the actor; the message is not sent', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    class Small extends Actor<string> {
      receive(message: string): void {
        log(`got ${message}`);
      }
    }
    const small = new Small({ name: 'small', mailbox: 2 }).start();
    small.send('1');
    small.send('2');
    let error: unknown;
    try {
      small.send('3');
    } catch (e) {
      error = e;
    }
    assert.instance(error, MailboxFull);
    assert.instance(error, Full, 'a MailboxFull is a Full');
    assert.is((error as Error).name, 'MailboxFull');
    assert.is((error as Error).message, 'Actor.send: the inbox of <Small "small"> is full (mailbox 2); the message was not sent');
    yield* sleep(0);
    assert.equal(lines, ['got 1', 'got 2']);
    small.send('4');
    yield* sleep(0);
    assert.equal(lines, ['got 1', 'got 2', 'got 4']);
    small.stop();
  }));

basics('validates its options eagerly, naming the field', () =>
  simulate(function* () {
    class A extends Actor<number> {
      receive(): void {}
    }
    assert.throws(() => new A({ mailbox: 0 }), /new Actor: mailbox must be a positive integer \(or omitted: unbounded\), got 0/);
    assert.throws(() => new A({ mailbox: 1.5 }), /new Actor: mailbox must be a positive integer \(or omitted: unbounded\), got 1.5/);
    assert.throws(() => new A(5 as never), /new Actor: options must be an object, got 5/);
    assert.throws(() => new A({ trapExit: 'yes' as never }), /Actor.trapExit must be a boolean, got "yes"/);
    assert.throws(() => new A({ name: 7 as never }), /^new Actor: name must be a string, got 7$/);
    assert.is(new A({ mailbox: Infinity }).inbox.maxsize, Infinity);
    assert.is(new A().inbox.maxsize, Infinity);
  }));

basics('an error thrown in receive ends the actor with that error as its exit reason, reported once', async () => {
  const sink = errorSink();
  const boom = new Error('boom');
  await simulate(
    function* () {
      class Fragile extends Actor<string> {
        receive(message: string): void {
          if (message === 'crash') throw boom;
        }
      }
      const a = new Fragile({ name: 'fragile' }).start();
      a.send('fine');
      a.send('crash');
      a.send('never handled');
      yield* sleep(0);
      assert.ok(a.dead);
      assert.is(a.exception, boom);
      assert.is(exitReason(a), boom);
      assert.is(a.inbox.qsize(), 0, 'what was still queued is a dead letter');
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, [
    'fragile: greenlet: Error: boom',
    'fragile: deadLetter: DeadLetter: dead letter #1: \'never handled\' was still queued in <Fragile "fragile">, which exited with Error: boom',
  ]);
});

basics('a receive that returns a value that is not an Operation fails the actor with a clear TypeError', () =>
  simulate(function* () {
    class Async extends Actor<string> {
      receive(): Operation<void> {
        return Promise.resolve() as unknown as Operation<void>;
      }
    }
    const a = new Async({ name: 'async' }).start();
    a.send('x');
    yield* a.join();
    assert.instance(a.exception, TypeError);
    assert.is(
      (a.exception as Error).message,
      'async.receive returned a Promise: write it as a generator method (*receive) when it blocks, or a plain method returning nothing',
    );
  }));

basics.run();

const stopping = suite('Actor.stop');

stopping('stop() in receive ends the loop after that message; the rest are dead letters; reason "normal"', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const { lines, log } = recorder();
      class Once extends Actor<string> {
        *receive(message: string): Operation<void> {
          log(`got ${message}`);
          this.stop();
          yield* sleep(5);
          log(`still finishing ${message}`);
        }
      }
      const a = new Once({ name: 'once' }).start();
      a.send('1');
      a.send('2');
      yield* a.join();
      assert.equal(lines, ['got 1', 'still finishing 1']);
      assert.is(exitReason(a), 'normal');
      assert.ok(a.successful());
      assert.is(a.value, undefined);
      assert.is(getHub().deadLetters, 1);
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, ['once: deadLetter: DeadLetter: dead letter #1: \'2\' was still queued in <Once "once">, which exited with normal']);
});

stopping('stop() from outside ends it at once where it is blocked: its finally runs; reason "normal"', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const { lines, log } = recorder();
      class Sleeper extends Actor<string> {
        *receive(message: string): Operation<void> {
          try {
            log(`got ${message}`);
            yield* sleep(1000);
            log('woke');
          } finally {
            log('finally');
          }
        }
      }
      const a = new Sleeper({ name: 'sleeper' }).start();
      a.send('1');
      a.send('2');
      yield* sleep(10);
      a.stop();
      log('stopped');
      yield* a.join();
      assert.equal(lines, ['got 1', 'stopped', 'finally']);
      assert.is(exitReason(a), 'normal');
      assert.ok(a.successful());
      assert.is(getHub().now(), 10);
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, ['sleeper: deadLetter: DeadLetter: dead letter #1: \'2\' was still queued in <Sleeper "sleeper">, which exited with normal']);
});

stopping('stop() of an actor idle on its inbox; stop() of a dead actor does nothing', () =>
  simulate(function* () {
    const a = new Logger(() => {}).start();
    yield* sleep(0);
    a.stop();
    yield* a.join();
    assert.is(exitReason(a), 'normal');
    a.stop();
    assert.is(exitReason(a), 'normal');
  }));

stopping('stop() before the actor ran: it never runs, and exits "normal"; its messages are dead letters', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const { lines, log } = recorder();
      const a = new Logger(log, 'logger').start();
      a.send('x');
      a.stop();
      assert.ok(a.dead);
      assert.is(exitReason(a), 'normal');
      yield* sleep(0);
      assert.equal(lines, []);
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, ['logger: deadLetter: DeadLetter: dead letter #1: \'x\' was still queued in <Logger "logger">, which exited with normal']);
});

stopping('a run() override: code before super.run() runs at start, code after it on stop, finally always', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    class Service extends Actor<string> {
      protected override *run(): Operation<void> {
        log('init');
        try {
          yield* super.run();
          log('terminate normal');
        } finally {
          log('cleanup');
        }
      }
      receive(message: string): void {
        log(`got ${message}`);
        if (message === 'quit') this.stop();
      }
    }
    const inside = new Service().start();
    inside.send('a');
    inside.send('quit');
    yield* inside.join();
    const outside = new Service().start();
    yield* sleep(0);
    outside.stop();
    yield* outside.join();
    assert.equal(lines, ['init', 'got a', 'got quit', 'terminate normal', 'cleanup', 'init', 'terminate normal', 'cleanup']);
    assert.is(exitReason(inside), 'normal');
    assert.is(exitReason(outside), 'normal');
  }));

stopping('a catch around super.run() sees what ends the actor otherwise (Erlang terminate/2)', async () => {
  const seen: string[] = [];
  const sink = errorSink();
  await simulate(
    function* () {
      class Service extends Actor<string> {
        protected override *run(): Operation<void> {
          try {
            yield* super.run();
          } catch (error) {
            seen.push(`${this.name} terminating: ${(error as Error).name}: ${(error as Error).message}`);
            throw error;
          }
        }
        receive(message: string): void {
          if (message === 'crash') throw new Error('bad message');
        }
      }
      const crashed = new Service({ name: 'crashed' }).start();
      const killed = new Service({ name: 'killed' }).start();
      crashed.send('crash');
      yield* sleep(0);
      yield* killed.kill();
      assert.is((exitReason(crashed) as Error).message, 'bad message');
      assert.is(exitReason(killed), 'killed');
    },
    { onError: sink.onError },
  );
  assert.equal(seen, ['crashed terminating: Error: bad message', 'killed terminating: GreenletExit: ']);
  assert.equal(sink.reports, ['crashed: greenlet: Error: bad message']);
});

stopping('a message sent to a dead actor is a dead letter: counted, reported, never handled', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const { lines, log } = recorder();
      const a = new Logger(log, 'logger').start();
      a.stop();
      a.send('lost');
      assert.is(a.inbox.qsize(), 0);
      yield* sleep(0);
      assert.equal(lines, []);
      assert.is(getHub().deadLetters, 1);
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, ['logger: deadLetter: DeadLetter: dead letter #1: \'lost\' was sent to <Logger "logger">, which exited with normal']);
});

stopping.run();

const killing = suite('Actor kill');

killing('an actor killed while blocked in receive runs its finally and exits "killed"', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    class Worker extends Actor<string> {
      *receive(message: string): Operation<void> {
        log(`working on ${message}`);
        try {
          yield* sleep(1000);
          log('finished');
        } finally {
          log(`finally of ${message}`);
        }
      }
    }
    const w = new Worker().start();
    w.send('job');
    yield* sleep(10);
    yield* w.kill();
    assert.equal(lines, ['working on job', 'finally of job']);
    assert.is(exitReason(w), 'killed');
    assert.ok(w.successful(), "gevent's rule: a GreenletExit is a success");
    assert.instance(w.value, GreenletExit);
  }));

killing('an actor killed while idle on its inbox exits "killed"; its run() finally runs', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    class Idle extends Actor<string> {
      protected override *run(): Operation<void> {
        try {
          yield* super.run();
        } finally {
          log('finally');
        }
      }
      receive(): void {}
    }
    const a = new Idle().start();
    yield* sleep(0);
    yield* a.kill();
    assert.equal(lines, ['finally']);
    assert.is(exitReason(a), 'killed');
  }));

killing.run();

const frozen = suite('Actor frozen messages');

interface Order {
  id: number;
  items: { sku: string; qty: number }[];
}

frozen('mutating a received message throws, at any depth', () =>
  simulate(function* () {
    const errors: string[] = [];
    class Mutator extends Actor<Order> {
      receive(order: Order): void {
        for (const mutate of [
          () => (order.id = 2),
          () => order.items.push({ sku: 'x', qty: 1 }),
          () => (order.items[0].qty = 99),
        ]) {
          try {
            mutate();
          } catch (error) {
            errors.push((error as Error).name);
          }
        }
      }
    }
    const a = new Mutator().start();
    a.send({ id: 1, items: [{ sku: 'apple', qty: 3 }] });
    yield* sleep(0);
    assert.equal(errors, ['TypeError', 'TypeError', 'TypeError']);
    a.stop();
  }));

frozen("the sender's object is frozen too: sender and receiver share nothing mutable", () =>
  simulate(function* () {
    const a = new (class extends Actor<Order> {
      receive(): void {}
    })().start();
    const order: Order = { id: 1, items: [{ sku: 'apple', qty: 3 }] };
    a.send(order);
    assert.ok(Object.isFrozen(order));
    assert.ok(Object.isFrozen(order.items[0]));
    assert.throws(() => {
      order.items[0].qty = 4;
    }, TypeError);
    yield* sleep(0);
    a.stop();
  }));

frozen('class instances pass as they are (immer freezes plain objects, arrays, Maps and Sets)', () =>
  simulate(function* () {
    class Box {
      value = 1;
    }
    const a = new (class extends Actor<{ box: Box; list: Map<string, number> }> {
      receive(): void {}
    })().start();
    const message = { box: new Box(), list: new Map([['a', 1]]) };
    a.send(message);
    assert.not.ok(Object.isFrozen(message.box));
    assert.throws(() => message.list.set('b', 2));
    yield* sleep(0);
    a.stop();
  }));

frozen('configureActors({ freezeMessages: false }) passes messages unfrozen; it returns the settings before', () =>
  simulate(function* () {
    const received: Order[] = [];
    const a = new (class extends Actor<Order> {
      receive(order: Order): void {
        received.push(order);
      }
    })().start();
    const before = configureActors({ freezeMessages: false });
    try {
      assert.equal(before, { freezeMessages: true, logDeadLetters: 10 });
      const order: Order = { id: 1, items: [] };
      a.send(order);
      yield* sleep(0);
      assert.is(received[0], order, 'the very object, not a copy');
      assert.not.ok(Object.isFrozen(order));
    } finally {
      assert.equal(configureActors(before), { freezeMessages: false, logDeadLetters: 10 });
    }
    a.send({ id: 2, items: [] });
    yield* sleep(0);
    assert.ok(Object.isFrozen(received[1]));
    a.stop();
  }));

frozen('configureActors validates its options', () => {
  assert.throws(() => configureActors({ freezeMessages: 'no' as never }), /configureActors: freezeMessages must be a boolean, got "no"/);
  assert.throws(() => configureActors(null as never), /configureActors: options must be an object, got null/);
});

frozen('actor state kept with immer recipes: each message makes a new state, old snapshots never change', () =>
  simulate(function* () {
    interface Cart {
      readonly lines: readonly { readonly sku: string; readonly qty: number }[];
    }
    type CartMessage = { type: 'add'; sku: string } | { type: 'remove'; sku: string };
    const snapshots: Cart[] = [];
    class CartActor extends Actor<CartMessage> {
      state: Cart = { lines: [] };
      receive(message: CartMessage): void {
        this.state = produce(this.state, (draft) => {
          const line = draft.lines.find((l) => l.sku === message.sku);
          if (message.type === 'add') {
            if (line) line.qty++;
            else draft.lines.push({ sku: message.sku, qty: 1 });
          } else if (line) draft.lines.splice(draft.lines.indexOf(line), 1);
        });
        snapshots.push(this.state);
      }
    }
    const cart = new CartActor().start();
    cart.send({ type: 'add', sku: 'apple' });
    cart.send({ type: 'add', sku: 'pear' });
    cart.send({ type: 'add', sku: 'apple' });
    cart.send({ type: 'remove', sku: 'pear' });
    yield* sleep(0);
    assert.equal(
      snapshots.map((s) => s.lines.map((l) => `${l.sku}×${l.qty}`).join(' ')),
      ['apple×1', 'apple×1 pear×1', 'apple×2 pear×1', 'apple×2'],
    );
    assert.ok(Object.isFrozen(cart.state), 'produce freezes what it returns');
    assert.is(snapshots[1].lines[0], snapshots[0].lines[0], 'structural sharing: the unchanged line is the same object');
    cart.stop();
  }));

frozen.run();

const events = suite('Actor events');

events('actorSpawn, actorMessage (with sender), actorDeadLetter (why, and the exit reason) and actorExit (with reason) on events$', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      const seen: string[] = [];
      const subscription = getHub().events$.subscribe((event: HubEvent) => {
        switch (event.type) {
          case 'actorSpawn':
            seen.push(`spawn ${event.greenlet.name}`);
            break;
          case 'actorMessage':
            seen.push(`message ${String(event.message)} to ${event.greenlet.name} from ${event.from?.name ?? 'hub'}`);
            break;
          case 'actorDeadLetter':
            seen.push(`dead letter ${String(event.message)} to ${event.greenlet.name} (${event.kind}, ${String(event.reason)}) from ${event.from?.name ?? 'hub'}`);
            break;
          case 'actorExit':
            seen.push(`exit ${event.greenlet.name} ${String(event.reason)}`);
            break;
          case 'exit':
            if (event.greenlet instanceof Actor) seen.push(`greenlet exit ${event.greenlet.name}`);
            break;
        }
      });
      getCurrent().name = 'main';
      const a = new Logger(() => {}, 'a').start();
      a.send('hello');
      yield* sleep(0);
      a.stop();
      yield* a.join();
      a.send('late');
      const b = new Logger(() => {}, 'b');
      b.startLater(5);
      yield* sleep(5);
      yield* b.kill();
      subscription.unsubscribe();
      assert.equal(seen, [
        'spawn a',
        'message hello to a from main',
        'greenlet exit a',
        'exit a normal',
        'dead letter late to a (sentAfterDeath, normal) from main',
        'spawn b',
        'greenlet exit b',
        'exit b killed',
      ]);
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, ['a: deadLetter: DeadLetter: dead letter #1: \'late\' was sent to <Logger "a">, which exited with normal']);
});

events('lifecycle$ has the actor events but actorMessage, which only events$ carries', () =>
  simulate(function* () {
    const hub = getHub();
    const seen: string[] = [];
    const subscription = hub.lifecycle$.subscribe((event) => {
      if (event.type.startsWith('actor')) seen.push(`${event.type} ${event.type === 'error' ? '' : event.greenlet.name}`);
    });
    const a = new Logger(() => {}, 'a').start();
    a.send('hello');
    yield* sleep(0);
    a.stop();
    yield* a.join();
    subscription.unsubscribe();
    assert.equal(seen, ['actorSpawn a', 'actorExit a']);
  }));

events("hub.messages counts every message put in an inbox, subscribed or not: sent, and the runtime's EXIT and DOWN", () =>
  simulate(function* () {
    const hub = getHub();
    const before = hub.messages;
    const a = new Logger(() => {}, 'a').start();
    a.send('one');
    a.send('two');
    assert.is(hub.messages - before, 2);
    const probe = new TestProbe<unknown>('probe');
    monitor(probe, a);
    yield* sleep(0);
    a.stop();
    yield* probe.expectMessage((m) => (m as { type?: string }).type === 'DOWN');
    assert.is(hub.messages - before, 3);
  }));

events('no events are built while nobody subscribes; dead letters are still counted and reported', async () => {
  const sink = errorSink();
  await simulate(
    function* () {
      assert.is(getHub().listeners, null);
      const a = new Logger(() => {}, 'logger').start();
      a.send('x');
      a.stop();
      a.send('y');
      assert.is(getHub().listeners, null);
      assert.is(getHub().deadLetters, 2);
    },
    { onError: sink.onError },
  );
  assert.equal(sink.reports, [
    'logger: deadLetter: DeadLetter: dead letter #1: \'x\' was still queued in <Logger "logger">, which exited with normal',
    'logger: deadLetter: DeadLetter: dead letter #2: \'y\' was sent to <Logger "logger">, which exited with normal',
  ]);
});

events.run();
