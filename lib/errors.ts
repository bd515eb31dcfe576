/**
 * Errors that cross the whole runtime. Errors that belong to one primitive
 * (`Empty` and `Full` for queues, `Timeout`) live beside it.
 *
 * JavaScript has no `BaseException`, so a bare `catch (e)` also catches the
 * runtime's control signals. They all extend {@link Interrupt}: a `catch`
 * that is not meant for them rethrows them —
 * `catch (e) { if (e instanceof Interrupt) throw e; ... }`.
 */

/**
 * Base class of the control signals the runtime raises inside a greenlet at
 * the point where it is blocked: {@link GreenletExit} (a kill), `Timeout`
 * and {@link ExitSignal} (an Erlang exit signal). Catch it only to rethrow it.
 */
export class Interrupt extends Error {
  static {
    this.prototype.name = 'Interrupt';
  }
}

/**
 * Raised in a greenlet by `kill()`. A greenlet that ends with it (or a
 * subclass) counts as successful, its `value` is the instance, and it is
 * never reported as an error — gevent's rule.
 */
export class GreenletExit extends Interrupt {
  static {
    this.prototype.name = 'GreenletExit';
  }
}

/**
 * @internal A `GreenletExit` that ends its greenlet with exit reason
 * `'normal'` rather than `'killed'`: how an actor's `stop()` (and Erlang's
 * `exit(self, 'normal')`) ends it from wherever it is blocked. Not exported
 * from `grove`; the actor layer raises it.
 */
export class NormalExit extends GreenletExit {
  static {
    this.prototype.name = 'NormalExit';
  }
}

/** @internal True for a plain kill: a `GreenletExit` that is not a `NormalExit` (exit reason `'killed'`). */
export function isPlainKill(error: unknown): boolean {
  return error instanceof GreenletExit && !(error instanceof NormalExit);
}

/**
 * @internal The exit reason a greenlet ending with `error` has (see
 * `exitReason`): `'normal'` for a NormalExit, `'killed'` for any other
 * GreenletExit, an ExitSignal's reason, or the error itself.
 */
export function reasonOf(error: unknown): unknown {
  if (error instanceof GreenletExit) return error instanceof NormalExit ? 'normal' : 'killed';
  return error instanceof ExitSignal ? error.reason : error;
}

/**
 * An Erlang exit signal: a greenlet that throws one, or is killed with one,
 * exits with its {@link ExitSignal.reason} (so `'boom'` passes unchanged along
 * a chain of links, and a child stopped by its supervisor exits with
 * `'shutdown'`). It is a failure, but never reported as a crash: the crash
 * that caused it was reported where it happened.
 */
export class ExitSignal extends Interrupt {
  static {
    this.prototype.name = 'ExitSignal';
  }
  /** The exit reason carried: `'normal'`, `'shutdown'` (or a {@link ShutdownReason}), `'killed'`, a string or an error. */
  readonly reason: unknown;
  constructor(reason: unknown) {
    super(`exit: ${describeReason(reason)}`);
    this.reason = reason;
  }
}

/**
 * The exit reason `'shutdown'` with information attached (OTP's
 * `{shutdown, Term}`): an orderly stop that says why, or with what —
 * `new ExitSignal(new ShutdownReason({ drained: 12 }))`, or
 * `exit(target, new ShutdownReason('config reloaded'))`. Everything that
 * gives `'shutdown'` a meaning treats it as `'shutdown'`: a supervisor does
 * not restart a `'transient'` child that exits with it, and, like any exit
 * signal, it is never reported as a crash. Links and monitors pass it on
 * unchanged, as they pass `'shutdown'`: a linked greenlet that does not
 * trap exits ends with it; a DOWN or EXIT message carries it. Test for
 * both forms with {@link isShutdown}. Frozen; `info` is kept as given.
 */
export class ShutdownReason {
  constructor(
    /** What the stop carries: why, or with what. */
    readonly info: unknown,
  ) {
    Object.freeze(this);
  }

  /** `shutdown (<info>)`, as exit reasons are written in messages. */
  toString(): string {
    return `shutdown (${describeReason(this.info)})`;
  }
}

/** True for the exit reasons that mean an orderly stop: `'shutdown'` and any {@link ShutdownReason}. */
export function isShutdown(reason: unknown): boolean {
  return reason === 'shutdown' || reason instanceof ShutdownReason;
}

/**
 * Raised in the greenlet that `run()` waits for when it is blocked and
 * nothing can ever wake it: nothing ready, no timers, no pending promises.
 * Other blocked greenlets stay as they are and can still be woken later.
 */
export class LoopExit extends Error {
  static {
    this.prototype.name = 'LoopExit';
  }
  constructor(detail?: string) {
    super('This operation would block forever' + (detail ? `\n\t${detail}` : ''));
  }
}

/**
 * A blocking call whose Operation was never used with `yield*`: the call
 * returned an Operation that nobody ran, so it silently did nothing. Thrown
 * at the next blocking call the greenlet makes, or fails the greenlet when
 * it ends with the Operation still unused.
 */
export class DroppedOperation extends Error {
  static {
    this.prototype.name = 'DroppedOperation';
  }
}

/** A blocking call made outside any greenlet. */
export class NotInGreenlet extends Error {
  static {
    this.prototype.name = 'NotInGreenlet';
  }
  constructor(call: string) {
    super(`${call} must be called inside a greenlet: start one with run(function* () { ... }) or spawn()`);
  }
}

/** A short readable form of an exit reason, for messages. */
export function describeReason(reason: unknown): string {
  if (typeof reason === 'string') return reason;
  if (reason instanceof Error) return `${reason.name}: ${reason.message}`;
  if (reason instanceof ShutdownReason) return reason.toString();
  try {
    return JSON.stringify(reason) ?? String(reason);
  } catch {
    return String(reason);
  }
}
