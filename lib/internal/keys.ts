/**
 * Symbol keys of the runtime's internal members. Greenlet, Actor, Queue and
 * the lists they are made of keep their machinery under these keys, not
 * under plain names, so a subclass's own fields and methods (`length`,
 * `args`, `push`, `remove`, `step`...) can never overwrite it. This module
 * imports nothing: class bodies evaluate these keys while modules load.
 */

// Task: what the hub's ready queue holds.
export const SCHEDULED: unique symbol = Symbol('grove.scheduled');
export const RUN_TASK: unique symbol = Symbol('grove.runTask');

// LinkList: an intrusive list of links and waiters.
export const HEAD: unique symbol = Symbol('grove.head');
export const TAIL: unique symbol = Symbol('grove.tail');
export const SIZE: unique symbol = Symbol('grove.size');
export const PUSH: unique symbol = Symbol('grove.push');
export const UNSHIFT: unique symbol = Symbol('grove.unshift');
export const SHIFT: unique symbol = Symbol('grove.shift');
export const REMOVE: unique symbol = Symbol('grove.remove');

// Linkable: what can be waited on and linked to.
export const HOME: unique symbol = Symbol('grove.home');
export const NOTE_HOME: unique symbol = Symbol('grove.noteHome');
export const ADD_LINK: unique symbol = Symbol('grove.addLink');
export const ADD_WAITER: unique symbol = Symbol('grove.addWaiter');
export const REMOVE_CALLBACK: unique symbol = Symbol('grove.removeCallback');
export const SCHEDULE_NOTIFY: unique symbol = Symbol('grove.scheduleNotify');
export const NOTIFY_LINKS: unique symbol = Symbol('grove.notifyLinks');
export const NOTIFY_HUB: unique symbol = Symbol('grove.notifyHub');
export const REPORT_LINK_ERROR: unique symbol = Symbol('grove.reportLinkError');

// Greenlet.
export const HUB: unique symbol = Symbol('grove.hub');
export const GEN: unique symbol = Symbol('grove.gen');
export const WAITING_ON: unique symbol = Symbol('grove.waitingOn');
export const WAIT: unique symbol = Symbol('grove.wait');
export const PENDING_ERROR: unique symbol = Symbol('grove.pendingError');
export const PREV_LIVE: unique symbol = Symbol('grove.prevLive');
export const NEXT_LIVE: unique symbol = Symbol('grove.nextLive');
export const FLAGS: unique symbol = Symbol('grove.flags');
export const RESULT: unique symbol = Symbol('grove.result');
export const EXTRAS: unique symbol = Symbol('grove.extras');
export const START_ON: unique symbol = Symbol('grove.startOn');
export const CHECK_STARTABLE: unique symbol = Symbol('grove.checkStartable');
export const ENTER: unique symbol = Symbol('grove.enter');
export const WAKE: unique symbol = Symbol('grove.wake');
export const STEP: unique symbol = Symbol('grove.step');
export const BEGIN: unique symbol = Symbol('grove.begin');
export const INTERRUPT: unique symbol = Symbol('grove.interrupt');
export const RAISE_TIMEOUT: unique symbol = Symbol('grove.raiseTimeout');
export const WITHDRAW: unique symbol = Symbol('grove.withdraw');
export const DIE: unique symbol = Symbol('grove.die');
export const SETTLE: unique symbol = Symbol('grove.settle');
export const FAIL: unique symbol = Symbol('grove.fail');
export const FINISH: unique symbol = Symbol('grove.finish');
export const WAIT_STATE: unique symbol = Symbol('grove.waitState');
export const EXTRA: unique symbol = Symbol('grove.extra');
export const LOCAL_STORE: unique symbol = Symbol('grove.localStore');
export const OBSERVE: unique symbol = Symbol('grove.observe');
export const KILL_WITH: unique symbol = Symbol('grove.killWith');
export const RAW_LINK: unique symbol = Symbol('grove.rawLink');

// Greenlet: being up (its start phase over), and its parent.
export const MARK_UP: unique symbol = Symbol('grove.markUp');
export const IS_UP: unique symbol = Symbol('grove.isUp');
export const FIRST_SUSPEND: unique symbol = Symbol('grove.firstSuspend');
export const AWAIT_UP: unique symbol = Symbol('grove.awaitUp');
export const PARENT: unique symbol = Symbol('grove.parent');
export const STOP_FOR_SHUTDOWN: unique symbol = Symbol('grove.stopForShutdown');

// grove/testing's fault injection.
export const RAISE_ON_SUSPEND: unique symbol = Symbol('grove.raiseOnSuspend');

// Greenlet: what the observer reads (lib/greenlet-info.ts).
export const RUNS: unique symbol = Symbol('grove.runs');
export const SPAWNER: unique symbol = Symbol('grove.spawner');
export const START_DUE: unique symbol = Symbol('grove.startDue');

// Greenlet: its async context, and the step the hub runs in it (async-context.ts, blocking.ts).
export const CONTEXT: unique symbol = Symbol('grove.context');
export const RESUME: unique symbol = Symbol('grove.resume');
export const JOINER: unique symbol = Symbol('grove.joiner');
