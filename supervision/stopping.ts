/**
 * OTP's shutdown protocol for one child, in two halves so a supervisor can
 * ask many children at once and then wait for them (simpleOneForOne), and
 * can resume a wait that a second signal interrupted: `signalStop` unlinks
 * the child and raises `ExitSignal('shutdown')` in it (or kills it plainly),
 * `awaitStop` waits for its death until the deadline and then kills it
 * plainly. The deadline lives in the child's record in the supervisor's
 * state (state.ts).
 */
import { ExitSignal, GreenletExit } from '../lib/errors.js';
import { Event } from '../lib/event.js';
import type { Greenlet } from '../lib/greenlet.js';
import type { Suspend } from '../lib/operation.js';
import { unlink } from '../actors/link.js';
import { Actor } from '../actors/actor.js';
import { STOP_GRACEFULLY } from '../actors/keys.js';
import type { ChildRecord } from './state.js';
import { HUB, KILL_WITH, RAW_LINK } from '../lib/internal/keys.js';

/**
 * Asks the running child of `record` to stop: unlinks it from `supervisor`
 * (its exit is awaited, not received as an EXIT), then raises
 * `ExitSignal('shutdown')` in it — after the message in hand, for an actor
 * that traps exits — or kills it plainly, when its shutdown
 * is `'brutal'` or `how` is `'plainly'`. Returns the deadline to record as
 * its `stopBy`, or undefined when it was asked already and that request
 * stands (a plain kill is never repeated; a pending ExitSignal is overtaken
 * only by one).
 */
export function signalStop(supervisor: Greenlet<unknown>, record: ChildRecord, how: 'protocol' | 'plainly', now: number): number | undefined {
  const child = record.greenlet!;
  const asked = record.stopBy;
  if (asked === -Infinity || (asked !== undefined && how !== 'plainly')) return undefined;
  unlink(supervisor, child);
  const shutdown = record.spec.shutdown;
  if (how === 'plainly' || shutdown === 'brutal') {
    child[KILL_WITH](new GreenletExit());
    return -Infinity;
  }
  // An actor that traps exits finishes the message in hand first (OTP's gen_server); any other is interrupted now.
  const signal = new ExitSignal('shutdown');
  if (child instanceof Actor) child[STOP_GRACEFULLY](signal);
  else child[KILL_WITH](signal);
  return shutdown === 'infinity' ? Infinity : now + shutdown;
}

/**
 * Waits for `child`'s death: for good when `stopBy` is ±Infinity (it was
 * killed plainly, or its shutdown is `'infinity'`), else until hub time
 * `stopBy`, after which it is killed plainly (`onKill` is told, to record
 * it) and waited for. Does not mark the child's failure as seen, so a
 * child that crashes while stopping is still reported by the hub.
 */
export function* awaitStop(child: Greenlet<unknown>, stopBy: number, onKill: () => void): Generator<Suspend, void, unknown> {
  if (child.dead) return;
  const died = deathOf(child);
  if (stopBy === Infinity || stopBy === -Infinity) {
    yield* died.wait();
    return;
  }
  if (yield* died.wait({ timeout: Math.max(0, stopBy - child[HUB]!.now()) })) return;
  child[KILL_WITH](new GreenletExit());
  onKill();
  yield* died.wait();
}

/** An Event set when `child` dies (unlike `join`, it leaves a failure to be reported). */
function deathOf(child: Greenlet<unknown>): Event {
  const died = new Event();
  child[RAW_LINK](() => died.set(), false);
  return died;
}
