/**
 * grove: gevent's model in TypeScript. The runtime (hub, greenlets,
 * timeouts) and gevent's data structures. Actors are in `grove/actors`,
 * supervisors in `grove/supervision`, test helpers in `grove/testing`.
 */
export type { Operation, Suspend, PlainResult } from './operation.js';
export { Interrupt, GreenletExit, ExitSignal, ShutdownReason, isShutdown, LoopExit, DroppedOperation, NotInGreenlet } from './errors.js';
export {
  Hub,
  getHub,
  run,
  defaultErrorHandler,
  type Clock,
  type HubOptions,
  type ScheduleStrategy,
  type HubHold,
  type HubEvent,
  type HubEvents,
  type HubTraceEvents,
  type LifecycleEvent,
  type ErrorHandler,
  type ErrorContext,
} from './hub.js';
export {
  Greenlet,
  spawn,
  spawnLater,
  getCurrent,
  exitReason,
  type Body,
  type ExceptionOption,
  type JoinOptions,
  type GetOptions,
  type KillOptions,
} from './greenlet.js';
export { greenletInfo, type GreenletInfo, type GreenletStatus, type BlockedOn } from './greenlet-info.js';
export { sleep } from './sleep.js';
export { configure, type Settings } from './config.js';
export { HubBlocked, type BlockingDefaults } from './blocking.js';
export { call, type Awaitable, type CallOptions } from './call.js';
export { Timeout, withTimeout, type TimeoutOptions, type WithTimeoutOptions } from './timeout.js';
export { joinAll, killAll, wait, shutdown, type JoinAllOptions, type WaitOptions, type KillAllOptions, type Waitable } from './join.js';
export {
  BaseGroup,
  Group,
  Pool,
  PoolFull,
  type GroupJoinOptions,
  type GroupKillOptions,
  type MapOptions,
  type PoolAddOptions,
  type WaitAvailableOptions,
} from './pool.js';
export { IMap, type IMapNextOptions } from './imap.js';
export { Event, AsyncResult, type EventWaitOptions } from './event.js';
export { Semaphore, BoundedSemaphore, Lock, RLock, ReleaseError, type AcquireOptions, type ScopeBody } from './lock.js';
export { local } from './local.js';
export { Queue, LifoQueue, Empty, Full, QueueShutDown, type QueueWaitOptions, type ShutdownOptions } from './queue.js';
export { PriorityQueue, type Comparator, type PriorityQueueOptions } from './priority-queue.js';
export { JoinableQueue } from './joinable-queue.js';
export { Channel } from './channel.js';
export { toObservable, fromObservable } from './queue-bridges.js';
// rxjs's Observable, the type of `hub.events$` and of `toObservable()`, re-exported: a
// user's declarations (`declaration: true`) then name it through grove, even where rxjs
// is grove's dependency and not theirs (nested installs, pnpm) and could not be named.
// A value export, not a type-only one, so that `import { Observable } from 'grove'`
// means the same to TypeScript and at run time.
export { Observable } from 'rxjs';
export type { TimeoutOption } from './internal/validate.js';
