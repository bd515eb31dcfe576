/**
 * grove/actors: Erlang-style actors on grove's greenlets. An `Actor` is a
 * greenlet with an inbox; `link`/`exit` spread exits, `monitor` reports
 * them, `ask` is request/reply, the registry names actors, and every
 * message is frozen on send (`configureActors` can turn that off).
 */
export { Actor, MailboxFull, type ActorOptions, type ReceiveOptions } from './actor.js';
export { configureActors, type ActorSettings } from './config.js';
export { link, unlink, exit } from './link.js';
export type { ExitMessage } from './signal.js';
export { monitor, demonitor, MonitorRef, type DownMessage, type DemonitorOptions, type Receiver } from './monitor.js';
export { ask, ReplyTo, AskFailed, type AskOptions, type ReplyType } from './ask.js';
export { register, unregister, whereis, registered, send, RegistryError } from './registry.js';
export type { MessagePredicate } from './inbox.js';
import './events.js';
