/**
 * The session rules of the NATS transport (cluster/session.ts), without a
 * server: a batch out of sequence ends the session on the side that sees
 * it, and the other side ends it when it sees the newer number; a
 * heartbeat that counts more batches than arrived ends it; older numbers
 * are ignored; two sides that move at once meet on one number.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DELIVER, DROP, RESTART_DELIVER, RESTART_DROP, Session } from '../../cluster/session.js';

const sessions = suite('Session');

/** Two nodes' sessions with each other, and a wire between them that can lose batches. */
function pair() {
  const a = new Session('b#2', 'b', 0);
  const b = new Session('a#1', 'a', 0);
  /** Sends a batch from `from` to `to`; what `to` does with it (or 'lost'). */
  const send = (from: Session, to: Session, lost = false) => {
    const number = from.number;
    const seq = from.nextSeq();
    return lost ? 'lost' : to.arrived(number, seq);
  };
  /** `from`'s heartbeat reaches `to`: true if `to` ended its session. */
  const beat = (from: Session, to: Session) => to.heartbeat(from.number, from.sent);
  return { a, b, send, beat };
}

sessions('batches in sequence are delivered; the heartbeat that counts them ends nothing', () => {
  const { a, b, send, beat } = pair();
  assert.equal([send(a, b), send(a, b), send(b, a)], [DELIVER, DELIVER, DELIVER]);
  assert.equal([beat(a, b), beat(b, a)], [false, false]);
  assert.equal([a.number, a.sent, a.received, b.number, b.sent, b.received], [1, 2, 1, 1, 1, 2]);
});

sessions('a batch after a lost one ends the session there; the sender ends it on the next batch or heartbeat it hears', () => {
  const { a, b, send, beat } = pair();
  send(a, b);
  assert.is(send(a, b, true), 'lost');
  assert.is(send(a, b), RESTART_DROP, 'the gap is seen: the session ends, this batch is dropped');
  assert.equal([b.number, b.sent, b.received], [2, 0, 0]);
  // a's batches of session 1 are now stale at b.
  assert.is(send(a, b), DROP);
  // b's next batch carries session 2: a ends its session 1 and delivers it as the first of 2.
  assert.is(send(b, a), RESTART_DELIVER);
  assert.equal([a.number, a.sent, a.received], [2, 0, 1]);
  assert.equal([send(a, b), send(b, a)], [DELIVER, DELIVER]);
  assert.equal([beat(a, b), beat(b, a)], [false, false]);
});

sessions("the last batch lost is found by the sender's heartbeat", () => {
  const { a, b, send, beat } = pair();
  send(a, b);
  send(a, b, true);
  assert.is(beat(a, b), true, 'a says it sent 2, 1 arrived');
  assert.equal([b.number, b.received], [2, 0]);
  // b's heartbeat now says session 2: a ends its session 1.
  assert.is(beat(b, a), true);
  assert.equal([a.number, a.sent], [2, 0]);
  assert.equal([beat(a, b), beat(b, a)], [false, false], 'both in session 2, nothing missing');
});

sessions('every batch lost before the other side knew of this one: its heartbeat still counts them', () => {
  const { a, b, send, beat } = pair();
  send(a, b, true);
  send(a, b, true);
  assert.is(beat(a, b), true);
  assert.is(b.number, 2);
});

sessions('a heartbeat of an older session is ignored', () => {
  const { a, b, send, beat } = pair();
  b.restart();
  b.restart();
  assert.is(beat(a, b), false);
  assert.is(send(a, b), DROP);
  assert.equal([b.number, b.received], [3, 0]);
});

sessions('two sides that end the session at once meet on the next number, each ending it once', () => {
  const { a, b, send, beat } = pair();
  a.restart();
  b.restart();
  assert.equal([send(a, b), send(b, a)], [DELIVER, DELIVER], 'session 2 on both sides: nothing more ends');
  assert.equal([beat(a, b), beat(b, a)], [false, false]);
  assert.equal([a.number, b.number], [2, 2]);
});

sessions('a session ended by one side while the other keeps sending converges: stale batches dropped, no endless restarts', () => {
  const { a, b, send, beat } = pair();
  send(a, b);
  b.restart();
  // a keeps sending in session 1 (it has not heard of 2): all dropped, b does not end session 2 for them.
  assert.equal([send(a, b), send(a, b), send(a, b)], [DROP, DROP, DROP]);
  assert.is(b.number, 2);
  assert.is(beat(a, b), false, "a's heartbeat of session 1 is stale at b");
  assert.is(beat(b, a), true, "b's heartbeat says 2: a ends 1");
  assert.equal([send(a, b), send(b, a), send(a, b)], [DELIVER, DELIVER, DELIVER]);
  assert.equal([a.number, b.number, beat(a, b), beat(b, a)], [2, 2, false, false]);
});

sessions('a node that never heard of the other ends nothing on its empty heartbeat entry', () => {
  const s = new Session('c#3', 'c', 0);
  assert.is(s.heartbeat(1, 0), false);
  assert.equal([s.number, s.sent, s.received, s.known, s.down, s.gone, s.heard], [1, 0, 0, false, false, false, 0]);
});

sessions.run();
