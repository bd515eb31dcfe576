/**
 * grove/supervision: Erlang/OTP supervision trees on grove's actors. A
 * `Supervisor` starts its children from child specs, restarts them by its
 * strategy (`oneForOne`, `oneForAll`, `restForOne`, `simpleOneForOne`) and
 * their restart types, gives up past its restart intensity, and stops them
 * in reverse start order; restarts can back off as in Akka. Its children
 * can be read at once (`whichChildren`) or in its turn, as OTP's calls are
 * (`whichChildrenInTurn`). Starting, stopping or restarting one child costs
 * the same however many it has. Its lifecycle events are on the hub's
 * `events$` stream. (The shutdown convention, `ShutdownReason`, is in
 * `grove`: links and monitors know it too.) A `Router` puts a pool of
 * supervised workers behind one actor reference.
 */
export {
  Supervisor,
  rootSupervisors,
  type ChildInfo,
  type ChildCounts,
  type SupervisorCallOptions,
  type TemplateArgs,
  type TemplateChild,
  type Started,
} from './supervisor.js';
export { restartTotal, type SupervisorDescription, type ChildDescription, type ChildStatusName } from './description.js';
export type { ChildSpec, RestartType, Shutdown, ChildType } from './child-spec.js';
export type { SupervisorOptions, Strategy, Backoff } from './options.js';
export { SupervisorError, UnknownChild, ChildRunning, DuplicateChild, WrongStrategy, ChildStartFailed } from './errors.js';
export type { SupervisorMessage, CallOutcome, SupervisorRequest } from './calls.js';
export { Router, type RouterOptions, type ResizeOptions } from './router.js';
export { consistentHash, type RoutingStrategy, type ConsistentHash, type HashKey } from './routing.js';
import './events.js';
