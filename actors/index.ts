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
 * An actor's life is OTP's: `init()` (it is up when that returns; `yield*
 * actor.up()` waits for it), one message at a time in `receive`, then
 * `terminate(reason)`. Its own code has Akka's tools: `this.timers` (keyed
 * single and periodic messages to itself) and a bounded stash
 * (`this.stash(message)`, `this.unstashAll()`). A message that will never be handled is a dead
 * letter: counted on the hub, and the first few reported.
 *
 * Exit reasons are Erlang's: `'normal'` (returned, or `stop()`), `'killed'`
 * (`kill()`), an `ExitSignal`'s reason, or the error thrown; links pass
 * them on unchanged, and `exitReason(greenlet)` (from `grove`) reads them.
 */
export { Actor, MailboxFull, StartFailed, type ActorOptions, type ReceiveOptions, type StopOptions, type UpOptions } from './actor.js';
export { actorInfo, type ActorInfo } from './actor-info.js';
export { configureActors, type ActorSettings } from './config.js';
export { DeadLetter, type DeadLetterKind } from './dead-letter.js';
export type { ActorRef, RegistryName } from './ref.js';
export { link, unlink, exit } from './link.js';
export type { ExitMessage } from './signal.js';
export { monitor, demonitor, MonitorRef, type DownMessage, type DemonitorOptions, type Receiver } from './monitor.js';
export { ask, ReplyTo, AskFailed, type AskOptions, type ReplyType, type AskMessage } from './ask.js';
export { register, unregister, whereis, registered, send, registryName, RegistryError } from './registry.js';
export type { MessagePredicate } from './inbox.js';
export { ActorTimers, type TimerKey, type PeriodicTimerOptions } from './timers.js';
export { StashOverflow } from './stash.js';
import './events.js';
