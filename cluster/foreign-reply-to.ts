/**
 * A `ReplyTo` that came from another node: the asker waits there, so
 * `reply(value)` checks and encodes the value and queues a `REPLY` frame
 * for the asker's node, which hands it to the asker's own ReplyTo (a late
 * reply is discarded there, as a local one is). Passed on to a third node,
 * it travels as the asker's original token, so that node answers the
 * asker directly.
 */
import { ReplyTo } from '../actors/ask.js';
import type { ActorRef } from '../actors/ref.js';
import { encode } from './codec.js';
import { REPLY } from './frames.js';
import type { Peer } from './peer.js';

/** @internal the ReplyTo of an ask made on another node. */
export class ForeignReplyTo<R> extends ReplyTo<R> {
  private sent = false;

  constructor(
    target: ActorRef<never>,
    /** The asker's node. */
    readonly origin: Peer,
    /** The asker's ReplyTo, as its node registered it. */
    readonly replyId: number,
  ) {
    super(target);
  }

  /**
   * Answers the ask across: `value` must be plain data (`NotPlainData`
   * otherwise, and nothing is sent). Returns true when the reply was sent
   * (it is discarded over there if the ask is over by then), false if this
   * ReplyTo answered already or the asker's node is gone. Never blocks.
   */
  override reply(value: R): boolean {
    if (this.sent) return false;
    const [wire, holes] = encode('ReplyTo.reply', 'value', value, this.origin.node);
    this.sent = true;
    if (this.origin.down) return false;
    this.origin.push(REPLY, this.replyId, wire, holes);
    return true;
  }

  override toString(): string {
    return `<ReplyTo on ${this.origin.id.name} <- ${this.target.name}>`;
  }
}
