/**
 * What the NATS transport keeps about one other node: the session with it,
 * and whether it is heard. Kept apart from the transport so that its rules
 * are tested without a server (test/cluster/session.test.ts).
 *
 * NATS core delivers what one connection publishes in order, at most once,
 * but loses what is published while a connection is down, or before the
 * subscriber has subscribed again after a reconnect; a slow consumer is
 * cut off. A lost batch may hold a link, a monitor, an exit signal or a
 * DOWN: going on after it would leave a link that never fires. So every
 * loss ends the session, Erlang's nodedown on a broken connection:
 * everything across it fails with `'noconnection'` (the transport says
 * `nodeDown`, then `nodeUp`: a new session).
 *
 * Both sides number their sessions alike. Each batch carries the sender's
 * session number and its sequence number in that session; each heartbeat
 * carries, for every node the sender knows, its session number and how
 * many batches it has sent in it. A node finds a loss when a batch skips a
 * number, or a heartbeat counts more batches than arrived — a heartbeat
 * comes after the batches its sender published before it, as NATS keeps
 * one connection's order even across subjects. The side that finds the
 * loss moves to the next session number; the other side moves when it
 * sees that number, so both end the old session once, and a batch or
 * heartbeat of an older session is ignored. Two sides that move at the
 * same time meet on the same number.
 */

/** What the transport does with a batch that arrived: deliver it, drop it, or end the session. */
export const DELIVER = 0;
export const DROP = 1;
/** The session ended (its number is newer, or a batch was lost): nodeDown, nodeUp, then deliver this one. */
export const RESTART_DELIVER = 2;
/** A batch was lost: nodeDown, nodeUp; this one is dropped. */
export const RESTART_DROP = 3;

/** @internal the transport's state for one other node. */
export class Session {
  /** The current session's number: the same on both sides once they have exchanged anything. */
  number = 1;
  /** Batches sent in this session. */
  sent = 0;
  /** Batches received in this session. */
  received = 0;
  /** When it was last heard (a heartbeat or a batch), in ms of `performance.now()`. */
  heard: number;
  /** Heard at least once (not only expected because a reference named it). */
  known = false;
  /** Unheard for longer than the detection time: down until it is heard again. */
  down = false;
  /** Said goodbye, or a newer incarnation of it was heard: never up again. */
  gone = false;

  constructor(
    readonly key: string,
    /** Its node name (the key without the incarnation). */
    readonly name: string,
    now: number,
  ) {
    this.heard = now;
  }

  /** The sequence number of the next batch sent to it, in the current session. */
  nextSeq(): number {
    return ++this.sent;
  }

  /** Ends the current session: the next one starts, with nothing sent or received. */
  restart(): void {
    this.number++;
    this.sent = 0;
    this.received = 0;
  }

  /** The other side is in session `number`: if that is newer, it ended the one this side is in, which ends here too. True if so. */
  private join(number: number): boolean {
    if (number === this.number) return false;
    this.number = number;
    this.sent = 0;
    this.received = 0;
    return true;
  }

  /** A batch arrived with session `number` and sequence `seq`: what to do with it (the state moves on). */
  arrived(number: number, seq: number): number {
    if (number < this.number) return DROP;
    const restarted = this.join(number);
    if (seq === this.received + 1) {
      this.received = seq;
      return restarted ? RESTART_DELIVER : DELIVER;
    }
    // Batches before this one are lost: this session ends; the other side sees the next number.
    this.restart();
    return RESTART_DROP;
  }

  /**
   * Its heartbeat said it is in session `number` and has sent `sent`
   * batches to this node in it. True if the session ended (the number is
   * newer, or batches it sent did not arrive): the transport says nodeDown
   * and nodeUp.
   */
  heartbeat(number: number, sent: number): boolean {
    if (number < this.number) return false;
    const restarted = this.join(number);
    if (sent !== this.received) {
      this.restart();
      return true;
    }
    return restarted;
  }
}
