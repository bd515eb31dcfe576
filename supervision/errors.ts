/**
 * The errors of supervision. A misuse of a supervisor's API (an unknown
 * child, a running one, a duplicate id, a call its strategy does not
 * support) is a {@link SupervisorError}; a child that could not be started
 * is a {@link ChildStartFailed}, which is also what a supervisor whose own
 * start failed exits with.
 */
import { describeReason } from '../lib/errors.js';
import type { Greenlet } from '../lib/greenlet.js';

/** Base class of the errors a misused supervisor API throws. */
export class SupervisorError extends Error {
  static {
    this.prototype.name = 'SupervisorError';
  }
}

/**
 * A misuse about one child, which it names: the base of `UnknownChild`,
 * `ChildRunning` and `DuplicateChild`.
 */
abstract class ChildError<Id> extends SupervisorError {
  constructor(
    message: string,
    /** The child's id (for `UnknownChild` of a `simpleOneForOne` supervisor, the greenlet asked for). */
    readonly id: Id,
  ) {
    super(message);
  }
}

/** No child with this id (or, for `simpleOneForOne`, this greenlet) in the supervisor. */
export class UnknownChild extends ChildError<string | Greenlet<unknown>> {
  static {
    this.prototype.name = 'UnknownChild';
  }
}

/** `restartChild` or `deleteChild` of a child that is running or waiting to be restarted. */
export class ChildRunning extends ChildError<string> {
  static {
    this.prototype.name = 'ChildRunning';
  }
}

/** A child spec whose id is already taken in the supervisor (`id`: the id used twice). */
export class DuplicateChild extends ChildError<string> {
  static {
    this.prototype.name = 'DuplicateChild';
  }
}

/** A call the supervisor's strategy does not support (`deleteChild` and `restartChild` of `simpleOneForOne`...). */
export class WrongStrategy extends SupervisorError {
  static {
    this.prototype.name = 'WrongStrategy';
  }
}

/**
 * A child could not be started: its `start` threw or did not return a live
 * greenlet, or the greenlet exited (with a reason other than `'normal'`)
 * before it was up. `startChild` and `restartChild` throw it; a supervisor
 * whose initial start fails exits with it, after stopping the children it
 * had started.
 */
export class ChildStartFailed extends Error {
  static {
    this.prototype.name = 'ChildStartFailed';
  }
  /** Why: the error `start` threw, or the exit reason of the greenlet. */
  readonly reason: unknown;

  constructor(
    /** The supervisor, as `toString()` names it (`<Supervisor "top">`). */
    supervisor: string,
    /** The child's id. */
    readonly id: string,
    reason: unknown,
  ) {
    super(`${supervisor}: child ${JSON.stringify(id)} failed to start: ${describeReason(reason)}`, { cause: reason });
    this.reason = reason;
  }
}
