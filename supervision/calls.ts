/**
 * The calls a supervisor answers (`startChild`, `terminateChild`,
 * `restartChild`, and the in-turn reads `whichChildrenInTurn`,
 * `countChildrenInTurn`), as the messages they are: like OTP's, they run
 * in the supervisor's own greenlet, one at a time and in turn with the
 * exits of its children, so a call never races a restart and a read sees
 * every exit queued before it handled. The caller `ask`s
 * (actors/ask.ts) and turns a refusal into a typed error here, in its own
 * greenlet, so the error's stack shows the call.
 */
import type { Greenlet } from '../lib/greenlet.js';
import type { ReplyTo } from '../actors/ask.js';
import type { ExitMessage } from '../actors/signal.js';
import type { ChildSpec } from './child-spec.js';
import type { ChildCounts, ChildInfo } from './supervisor.js';
import { ChildRunning, ChildStartFailed, DuplicateChild, UnknownChild } from './errors.js';

/** How a call ended: with the child (undefined for `terminateChild`, and for a start that returned `'ignore'`), or refused. */
export type CallOutcome =
  | { readonly ok: true; readonly child: Greenlet<unknown> | undefined }
  | { readonly ok: false; readonly refusal: 'unknown' | 'running' | 'restarting' | 'duplicate' | 'present' }
  | { readonly ok: false; readonly refusal: 'startFailed'; readonly reason: unknown };

/**
 * A call to a supervisor (part of `SupervisorMessage`). Not for sending by
 * hand: use the supervisor's methods.
 */
export type SupervisorRequest =
  | {
      readonly type: 'startChild';
      readonly spec: Required<ChildSpec>;
      /** The spec's start, or the template's bound to the dynamic child's arguments (a closure, so they are not frozen). */
      readonly launch: () => unknown;
      readonly replyTo: ReplyTo<CallOutcome>;
    }
  | { readonly type: 'terminateChild'; readonly target: string | Greenlet<unknown>; readonly replyTo: ReplyTo<CallOutcome> }
  | { readonly type: 'restartChild'; readonly id: string; readonly replyTo: ReplyTo<CallOutcome> }
  | { readonly type: 'whichChildren'; readonly replyTo: ReplyTo<readonly ChildInfo[]> }
  | { readonly type: 'countChildren'; readonly replyTo: ReplyTo<ChildCounts> };

/** What a supervisor's inbox holds: its children's exits, and calls made through its methods. */
export type SupervisorMessage = ExitMessage | SupervisorRequest;

function name(subject: string | Greenlet<unknown>): string {
  return typeof subject === 'string' ? `child ${JSON.stringify(subject)}` : String(subject);
}

/** The error for a refused call `label` about `subject` (an id or a greenlet) made to `supervisor`. */
export function refusalError(
  label: string,
  supervisor: Greenlet<unknown>,
  subject: string | Greenlet<unknown>,
  outcome: Exclude<CallOutcome, { ok: true }>,
): Error {
  const id = typeof subject === 'string' ? subject : '';
  switch (outcome.refusal) {
    case 'unknown':
      return typeof subject === 'string'
        ? new UnknownChild(`${label}: no child ${JSON.stringify(subject)} in ${supervisor}`, subject)
        : new UnknownChild(`${label}: ${subject} is not a child of ${supervisor}`, subject);
    case 'running':
      return new ChildRunning(`${label}: ${name(subject)} of ${supervisor} is running`, id);
    case 'restarting':
      return new ChildRunning(`${label}: ${name(subject)} of ${supervisor} is waiting to be restarted`, id);
    case 'duplicate':
      return new DuplicateChild(`${label}: ${supervisor} already has a child ${JSON.stringify(id)}, running`, id);
    case 'present':
      return new DuplicateChild(
        `${label}: ${supervisor} already has a child ${JSON.stringify(id)}, stopped (restartChild starts it; deleteChild removes it)`,
        id,
      );
    case 'startFailed':
      return new ChildStartFailed(String(supervisor), id, outcome.reason);
  }
}
