/**
 * grove/observer: a live web page of a running program, as Erlang's
 * `observer` is for a node. `yield* serveObserver({ port: 0 })` serves, on
 * 127.0.0.1, the supervision tree (restarts flash as they happen), a
 * process table like observer's (status, blocked on, mailbox, messages
 * handled, runs; sorted and paged on the server), a log of crashes,
 * restarts, give-ups and dead letters, and the hub's figures, pushed to
 * the page with Server-Sent Events; `/snapshot` as JSON and `/metrics` in
 * Prometheus's text format. Read-only, `Host`-checked, no CORS; a
 * non-loopback address needs a token. It takes no hold on the hub and
 * runs no greenlet, and costs nothing while no page is open.
 *
 * The runtime facts it shows are public: `greenletInfo` (grove),
 * `actorInfo` (grove/actors), `Supervisor.describe()` and
 * `rootSupervisors` (grove/supervision), `hub.lifecycle$`.
 */
export { serveObserver, type Observer, type ObserverOptions, type ObserverSnapshot } from './serve-observer.js';
export type { ProcessRow, ProcessPage, ProcessKind, SortKey, TableQuery } from './process-table.js';
export type { SupervisorNode, ChildNode } from './tree.js';
export type { LogEntry, LogKind } from './event-log.js';
export type { HubFigures } from './hub-figures.js';
