import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Timeout, joinAll, sleep, spawn, type Operation } from 'grove';
import { Socket, SocketClosed, openSocket, type SocketType } from 'grove/zeromq';
import { runServer } from '../server/support.js';
import { throwsExactly } from '../support.js';
import { thrownBy } from './support.js';

const socket = suite('zeromq/Socket');

/** Opens a socket of `bound` on a free port of 127.0.0.1 and one of `connected` to it; runs `body`; closes both. */
function* pair(bound: SocketType, connected: SocketType, body: (a: Socket, b: Socket) => Operation<void>): Operation<void> {
  const a = yield* openSocket(bound, { bind: 'tcp://127.0.0.1:*' });
  try {
    const b = yield* openSocket(connected, { connect: a.endpoint });
    try {
      yield* body(a, b);
    } finally {
      b.close();
    }
  } finally {
    a.close();
  }
}

const text = (frames: Buffer[]) => frames.map((frame) => frame.toString());

socket('a request and its reply, in order, with multipart messages whole', async () => {
  await runServer(() =>
    pair('reply', 'request', function* (rep, req) {
      assert.match(rep.endpoint, /^tcp:\/\/127\.0\.0\.1:\d+$/);
      assert.is(req.endpoint, rep.endpoint, 'a socket that only connects: the endpoint it connected to');
      assert.equal([rep.type, req.type], ['reply', 'request']);
      const got: string[][] = [];
      for (const message of ['one', ['two', 'parts'], Buffer.from('three')]) {
        yield* req.send(message);
        const request = yield* rep.receive();
        got.push(text(request));
        yield* rep.send(['re:', ...text(request)]);
        got.push(text(yield* req.receive()));
      }
      assert.equal(got, [['one'], ['re:', 'one'], ['two', 'parts'], ['re:', 'two', 'parts'], ['three'], ['re:', 'three']]);
    }),
  );
});

socket('the other greenlets run while one waits in receive', async () => {
  await runServer(() =>
    pair('pull', 'push', function* (pull, push) {
      const ticks: number[] = [];
      const ticker = spawn(function* () {
        for (let i = 0; ; i++) {
          ticks.push(i);
          yield* sleep(5);
        }
      });
      const sender = spawn(function* () {
        while (ticks.length < 4) yield* sleep(1); // bounded: the ticker ticks every 5 ms
        yield* push.send('after four ticks');
      });
      assert.equal(text(yield* pull.receive({ timeout: 5000 })), ['after four ticks']);
      assert.ok(ticks.length >= 4, `ticks: ${ticks.length}`);
      yield* ticker.kill();
      yield* sender.join();
    }),
  );
});

socket('receive: Timeout after { timeout } ms; the socket stays usable and the late message comes to the next receive', async () => {
  await runServer(() =>
    pair('pull', 'push', function* (pull, push) {
      const error = yield* thrownBy(pull.receive({ timeout: 20 }));
      assert.instance(error, Timeout);
      assert.is(error.message, '20 ms');
      const given = new Timeout(10);
      assert.is(yield* thrownBy(pull.receive({ timeout: given })), given, 'a Timeout given is raised itself');
      yield* push.send('late');
      yield* push.send('later');
      assert.equal(text(yield* pull.receive({ timeout: 5000 })), ['late']);
      assert.equal(text(yield* pull.receive({ timeout: 5000 })), ['later']);
      assert.not.ok(pull.closed);
    }),
  );
});

socket('a kill in receive loses no message: it comes to the next receive, from another greenlet', async () => {
  await runServer(() =>
    pair('pull', 'push', function* (pull, push) {
      const waiting = spawn(() => pull.receive());
      yield* sleep(10);
      yield* waiting.kill();
      yield* push.send('kept');
      assert.equal(text(yield* pull.receive({ timeout: 5000 })), ['kept']);
    }),
  );
});

socket('a kill in receive runs the greenlet finally: the socket closes, nothing is reported, nothing rejects unhandled', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    await runServer(function* () {
      const rep = yield* openSocket('reply', { bind: 'tcp://127.0.0.1:*' });
      const server = spawn(function* () {
        try {
          yield* rep.receive();
        } finally {
          rep.close();
        }
      });
      yield* sleep(10);
      assert.not.ok(rep.closed);
      yield* server.kill();
      assert.ok(rep.closed);
      assert.ok(server.successful(), 'killed with GreenletExit');
      yield* sleep(20); // the binding rejects the receive in flight: handled, not reported
    });
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  assert.equal(unhandled, []);
});

socket('close() while a greenlet waits in receive or send: it gets SocketClosed; calls after close throw it at once', async () => {
  await runServer(function* () {
    const pull = yield* openSocket('pull', { bind: 'tcp://127.0.0.1:*' });
    const push = yield* openSocket('push', { bind: 'tcp://127.0.0.1:*', linger: 0 }); // no peer: send waits
    const receiver = spawn(() => pull.receive());
    const sender = spawn(() => push.send('never sent'));
    yield* sleep(10);
    pull.close();
    push.close();
    push.close(); // a second close does nothing
    yield* joinAll([receiver, sender]);
    for (const [g, call] of [[receiver, 'Socket.receive'], [sender, 'Socket.send']] as const) {
      assert.instance(g.exception, SocketClosed);
      assert.is((g.exception as Error).message, `${call}: the socket was closed`);
    }
    const afterwards = yield* thrownBy(pull.receive());
    assert.instance(afterwards, SocketClosed);
    assert.is(afterwards.message, 'Socket.receive: the socket is closed');
    assert.is((yield* thrownBy(push.send('x'))).message, 'Socket.send: the socket is closed');
  });
});

socket('send: Timeout while no peer can take it; the message still goes, before the next one', async () => {
  await runServer(function* () {
    const push = yield* openSocket('push', { bind: 'tcp://127.0.0.1:*' });
    try {
      const error = yield* thrownBy(push.send('first', { timeout: 20 }));
      assert.instance(error, Timeout);
      const second = spawn(() => push.send('second', { timeout: 5000 }));
      yield* sleep(10);
      assert.not.ok(second.ready(), 'waits for the first to go');
      const pull = yield* openSocket('pull', { connect: push.endpoint });
      try {
        assert.equal(text(yield* pull.receive({ timeout: 5000 })), ['first']);
        assert.equal(text(yield* pull.receive({ timeout: 5000 })), ['second']);
        yield* second.get();
      } finally {
        pull.close();
      }
    } finally {
      push.close();
    }
  });
});

socket('one receiver and one sender at a time', async () => {
  await runServer(() =>
    pair('pair', 'pair', function* (a, b) {
      const first = spawn(() => a.receive());
      const sending = spawn(() => a.send('to b'));
      yield* sleep(10);
      const second = yield* thrownBy(a.receive());
      assert.is(second.message, 'Socket.receive: another greenlet is receiving on this socket');
      assert.equal(text(yield* b.receive({ timeout: 5000 })), ['to b'], 'a send while another greenlet receives');
      yield* sending.get();
      yield* b.send('to a');
      assert.equal(text(yield* first.get()), ['to a']);
    }),
  );
});

socket('bad arguments: the error names the call and the value', async () => {
  await runServer(() =>
    pair('push', 'pull', function* (push, pull) {
      throwsExactly(() => pull.receive({ timeout: -1 }), RangeError, 'Socket.receive: timeout must be a non-negative number of ms, got -1');
      throwsExactly(() => push.send('x', { timeout: -5 }), RangeError, 'Socket.send: timeout must be a non-negative number of ms, got -5');
      throwsExactly(() => pull.receive({ timout: 5 } as never), TypeError, 'Socket.receive: unknown option "timout" (options are timeout)');
      throwsExactly(() => push.receive(), TypeError, "Socket.receive: a 'push' socket cannot receive");
      throwsExactly(() => pull.send('x'), TypeError, "Socket.send: a 'pull' socket cannot send");
      for (const [message, shown] of [[42, '42'], [[], 'an array'], [['ok', 7], 'an array'], [null, 'null']] as const) {
        throwsExactly(
          () => push.send(message as never),
          TypeError,
          `Socket.send: message must be a string, a Uint8Array or a non-empty array of them, got ${shown}`,
        );
      }
    }),
  );
});

/**
 * Publishes `marker` every 5 ms until `sub` receives it (at most 400 times): ZeroMQ's slow joiner drops what is
 * published before a subscription has reached the publisher, and a filter travels in order with the others.
 */
function* synced(pub: Socket, sub: Socket, marker: string): Operation<void> {
  const seen = spawn(function* () {
    while (text(yield* sub.receive())[0] !== marker);
  });
  try {
    for (let i = 0; i < 400 && !seen.dead; i++) {
      yield* pub.send(marker);
      yield* sleep(5);
    }
    yield* seen.join({ timeout: 1000 });
    assert.ok(seen.successful(), `${marker} arrived`);
  } finally {
    seen.kill();
  }
}

/** Receives until `last` (inclusive), leaving out the markers `synced` published more than once. */
function* receivedUntil(sub: Socket, last: string): Operation<string[][]> {
  const got: string[][] = [];
  for (let frames = text(yield* sub.receive({ timeout: 2000 })); ; frames = text(yield* sub.receive({ timeout: 2000 }))) {
    if (!frames[0].endsWith('.sync')) got.push(frames);
    if (frames[0] === last) return got;
  }
}

socket('publish/subscribe: a subscriber gets what its prefixes match, in order, and stops at unsubscribe', async () => {
  await runServer(function* () {
    const pub = yield* openSocket('publish', { bind: 'tcp://127.0.0.1:*' });
    const sub = yield* openSocket('subscribe', { connect: pub.endpoint, subscribe: 'weather.' });
    try {
      yield* synced(pub, sub, 'weather.sync');
      for (const message of ['sports.1', 'weather.1', ['weather.2', 'two frames'], 'news.1', 'weather.3']) yield* pub.send(message);
      assert.equal(yield* receivedUntil(sub, 'weather.3'), [['weather.1'], ['weather.2', 'two frames'], ['weather.3']]);

      sub.subscribe('sports.', new TextEncoder().encode('news.'));
      yield* synced(pub, sub, 'sports.sync');
      sub.unsubscribe('weather.');
      yield* synced(pub, sub, 'news.sync');
      for (const message of ['weather.4', 'sports.2', 'news.2']) yield* pub.send(message);
      assert.equal(yield* receivedUntil(sub, 'news.2'), [['sports.2'], ['news.2']]);
    } finally {
      sub.close();
      pub.close();
    }
  });
});

socket('publish/subscribe: what each side cannot do, and filters on a closed socket', async () => {
  await runServer(function* () {
    const pub = yield* openSocket('publish', { bind: 'tcp://127.0.0.1:*' });
    const sub = yield* openSocket('subscribe', { connect: pub.endpoint });
    try {
      throwsExactly(() => pub.receive(), TypeError, "Socket.receive: a 'publish' socket cannot receive");
      throwsExactly(() => sub.send('x'), TypeError, "Socket.send: a 'subscribe' socket cannot send");
      throwsExactly(() => pub.subscribe('x'), TypeError, "Socket.subscribe: only a 'subscribe' socket has filters, this one is 'publish'");
      throwsExactly(() => sub.subscribe(), TypeError, "Socket.subscribe: give one or more prefixes, each a string or a Uint8Array ('' for every message), got an array");
      throwsExactly(() => sub.unsubscribe(7 as never), TypeError, "Socket.unsubscribe: give one or more prefixes, each a string or a Uint8Array ('' for every message), got an array");
      // Without a filter, a subscriber receives nothing.
      yield* pub.send('anything');
      assert.instance(yield* thrownBy(sub.receive({ timeout: 50 })), Timeout);
    } finally {
      sub.close();
      pub.close();
    }
    throwsExactly(() => sub.subscribe(''), SocketClosed, 'Socket.subscribe: the socket is closed');
  });
});

socket.run();
