import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getCurrent, sleep, spawn, type Greenlet, type Operation } from 'grove';
import { Actor, actorInfo, link, monitor, demonitor, register, unregister, ask, type DownMessage, type ExitMessage, type ReplyTo } from 'grove/actors';
import { simulate } from 'grove/testing';

/** Takes numbers; `'block'` makes it wait 10 ms on that message. DOWN and EXIT messages are ignored. */
class Worker extends Actor<number | 'block' | DownMessage | ExitMessage> {
  *receive(message: number | 'block' | DownMessage | ExitMessage): Operation<void> {
    if (message === 'block') yield* sleep(10);
  }
}

const info = suite('actorInfo');

info('mailbox length and bound, and the messages taken, as they change', () =>
  simulate(function* () {
    const w = new Worker({ mailbox: 5 }).start();
    assert.equal([actorInfo(w).mailbox, actorInfo(w).mailboxBound, actorInfo(w).handled], [0, 5, 0]);
    w.send('block');
    w.send(1);
    w.send(2);
    assert.equal([actorInfo(w).mailbox, actorInfo(w).handled], [3, 0], 'sent, not yet taken');
    yield* sleep(0);
    assert.equal([actorInfo(w).mailbox, actorInfo(w).handled], [2, 1], "the one in hand is taken; it blocks on it");
    yield* sleep(10);
    yield* sleep(0);
    assert.equal([actorInfo(w).mailbox, actorInfo(w).handled], [0, 3]);
    assert.is(actorInfo(new Worker()).mailboxBound, Infinity, 'unbounded');
    w.stop();
  }));

info('a selective receive counts as taking a message', () =>
  simulate(function* () {
    class Picky extends Actor<string> {
      *receive(): Operation<void> {
        yield* this.receiveMatching((m) => m === 'wanted');
      }
    }
    const p = new Picky().start();
    p.send('first');
    p.send('other');
    p.send('wanted');
    yield* sleep(0);
    assert.equal([actorInfo(p).mailbox, actorInfo(p).handled], [0, 3], "'first' and then 'other' by the loop, 'wanted' by the selective receive");
    p.stop();
  }));

info('the registered name, while it is registered', () =>
  simulate(function* () {
    const w = new Worker().start();
    assert.is(actorInfo(w).registeredName, null);
    register('worker', w);
    assert.is(actorInfo(w).registeredName, 'worker');
    unregister('worker');
    assert.is(actorInfo(w).registeredName, null);
    w.stop();
    yield* sleep(0);
  }));

info('links and monitors by id, both ways; asks are not monitors; all gone with the death', () =>
  simulate(function* () {
    const a = new Worker({ trapExit: true }).start();
    const b = new Worker({ trapExit: true }).start();
    const plain = spawn(function* () {
      yield* sleep(1000);
    });
    link(a, b);
    link(a, plain);
    const ref1 = monitor(a, b);
    monitor(a, plain);
    monitor(b, a);
    assert.equal(actorInfo(a).links, [b.id, plain.id]);
    assert.equal(actorInfo(b).links, [a.id]);
    assert.equal(actorInfo(a).monitors, [b.id, plain.id]);
    assert.equal(actorInfo(a).monitoredBy, [b.id]);
    assert.equal(actorInfo(b).monitoredBy, [a.id]);
    assert.is(actorInfo(a).trapExit, true);
    demonitor(ref1);
    assert.equal(actorInfo(a).monitors, [plain.id]);
    assert.equal(actorInfo(b).monitoredBy, []);

    class Server extends Actor<{ replyTo: ReplyTo<number> }> {
      *receive(): Operation<void> {
        yield* sleep(1000);
      }
    }
    const server = new Server().start();
    const asker = spawn(() => ask(server, (replyTo: ReplyTo<number>) => ({ replyTo })));
    yield* sleep(0);
    assert.equal(actorInfo(server).monitoredBy, [], 'a pending ask watches the server but is not a monitor');

    a.stop();
    yield* a.join();
    yield* sleep(0);
    assert.equal([actorInfo(a).links, actorInfo(a).monitors, actorInfo(a).monitoredBy], [[], [], []]);
    assert.equal(actorInfo(b).links, []);
    asker.kill();
    plain.kill();
    b.stop();
    server.stop();
  }));

info('actorInfo refuses a plain greenlet, naming the call', () =>
  simulate(function* () {
    const g: Greenlet<unknown> = getCurrent();
    assert.throws(() => actorInfo(g as unknown as Actor<unknown>), (e: unknown) => e instanceof TypeError && e.message === 'actorInfo: expected an Actor, got a Greenlet');
    yield* sleep(0);
  }));

info.run();
