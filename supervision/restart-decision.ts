/**
 * Whether a child that exited is to be restarted: its restart type
 * against its exit reason (OTP's `do_restart`). Pure; the supervisor asks
 * it for every exit it did not cause itself.
 */
import { isShutdown } from '../lib/errors.js';
import type { RestartType } from './child-spec.js';

/**
 * True when an exit with `reason` is one a `'transient'` child is not
 * restarted after: `'normal'` (it returned, or was stopped), `'shutdown'`
 * (it was told to stop, or it is a supervisor that gave up) and a
 * `ShutdownReason` (`'shutdown'` with information, OTP's `{shutdown, Term}`).
 */
export function isNormalExit(reason: unknown): boolean {
  return reason === 'normal' || isShutdown(reason);
}

/**
 * `'permanent'`: always restarted. `'transient'`: restarted unless the
 * exit was normal (see {@link isNormalExit}); `'killed'` and every error
 * count as abnormal. `'temporary'`: never.
 */
export function wantsRestart(restart: RestartType, reason: unknown): boolean {
  switch (restart) {
    case 'permanent':
      return true;
    case 'transient':
      return !isNormalExit(reason);
    case 'temporary':
      return false;
  }
}
