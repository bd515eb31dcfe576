/**
 * grove/actors: Erlang-style actors on grove's greenlets. An `Actor` is a
 * greenlet with an inbox; `link`/`exit` spread exits, `monitor` reports
 * them, `ask` is request/reply, the registry names actors, and every
 * message is frozen on send (`configureActors` can turn that off).
 *
 * ```ts
 * class Counter extends Actor<{ type: 'add'; n: number } | { type: 'get'; replyTo: ReplyTo<number> }> {
 *   private count = 0;
 *   receive(m: { type: 'add'; n: number } | { type: 'get'; replyTo: ReplyTo<number> }) {
 *     if (m.type === 'add') this.count += m.n;
 *     else m.replyTo.reply(this.count);
 *   }
 * }
 * const counter = new Counter({ name: 'counter' }).start();
 * counter.send({ type: 'add', n: 2 });                               // never blocks
 * const n = yield* ask(counter, (replyTo) => ({ type: 'get', replyTo }), { timeout: 1000 });
 * ```
 *
 * Exit reasons are Erlang's: `'normal'` (returned, or `stop()`), `'killed'`
 * (`kill()`), an `ExitSignal`'s reason, or the error thrown; links pass
 * them on unchanged, and `exitReason(greenlet)` (from `grove`) reads them.
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
