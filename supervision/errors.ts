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

/** No child with this id (or, for `simpleOneForOne`, this greenlet) in the supervisor. */
export class UnknownChild extends SupervisorError {
  static {
    this.prototype.name = 'UnknownChild';
  }
  constructor(
    message: string,
    /** The id or greenlet asked for. */
    readonly id: string | Greenlet<unknown>,
  ) {
    super(message);
  }
}

/** `restartChild` or `deleteChild` of a child that is running or waiting to be restarted. */
export class ChildRunning extends SupervisorError {
  static {
    this.prototype.name = 'ChildRunning';
  }
  constructor(
    message: string,
    /** The child's id. */
    readonly id: string,
  ) {
    super(message);
  }
}

/** A child spec whose id is already taken in the supervisor. */
export class DuplicateChild extends SupervisorError {
  static {
    this.prototype.name = 'DuplicateChild';
  }
  constructor(
    message: string,
    /** The id used twice. */
    readonly id: string,
  ) {
    super(message);
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
