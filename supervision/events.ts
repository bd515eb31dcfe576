/**
 * Supervision's lifecycle events, added to the hub's `events$` and `lifecycle$` streams
 * (lib/hub.ts) by augmenting `HubEvents`. Like the hub's and the actors'
 * events they are built only while someone subscribes, and they name
 * their subject `greenlet` — here always the Supervisor; the child is
 * `child` (and `id`, its spec's id).
 */
import type { Greenlet } from '../lib/greenlet.js';
import type { Hub } from '../lib/hub.js';
import type { LifecycleEvent } from 'grove';
import type { Supervisor } from './supervisor.js';

declare module 'grove' {
  interface HubEvents {
    /** A child is up (started, restarted, or started by `startChild`/`restartChild`). */
    supervisorChildStart: { greenlet: Supervisor; id: string; child: Greenlet<unknown> };
    /** A child's `start` returned `'ignore'`: it was not started (see `ChildSpec.start`), and that is not a failure. */
    supervisorChildIgnored: { greenlet: Supervisor; id: string };
    /** A child could not be started: `reason` is what `start` threw or the exit reason of the greenlet. */
    supervisorChildStartFailed: { greenlet: Supervisor; id: string; reason: unknown };
    /** A child exited, on its own or stopped by the supervisor, with its exit reason. */
    supervisorChildExit: { greenlet: Supervisor; id: string; child: Greenlet<unknown>; reason: unknown };
    /**
     * The supervisor decided to restart a child: restart number `attempt` in
     * a row, due in `delayMs` ms (0 without backoff). The `supervisorChildStart`
     * of the new incarnation follows once it is up.
     */
    supervisorChildRestart: { greenlet: Supervisor; id: string; attempt: number; delayMs: number };
    /**
     * Restart intensity exceeded: more than `maxRestarts` restarts within
     * `withinMs` ms, the last one wanted for child `id`. The supervisor now
     * stops its children and exits with reason `'shutdown'`.
     */
    supervisorGiveUp: { greenlet: Supervisor; id: string; maxRestarts: number; withinMs: number };
    /**
     * A child supervisor gave up, so its failure reached this supervisor,
     * which now applies the child's restart type to the exit (`'shutdown'`).
     */
    supervisorEscalate: { greenlet: Supervisor; id: string; child: Supervisor; reason: unknown };
  }
}

/** @internal emits `event` on `hub` if anyone listens; `make` builds it only then. */
export function emitEvent(hub: Hub | null, make: () => LifecycleEvent): void {
  if (hub !== null && hub.listeners !== null) hub.emit(make());
}
