/**
 * Regressions (issue 11, items 1 and 3) for `ask`, under seeded
 * interleavings: a reply that `reply()` accepted is the ask's answer even if
 * a Timeout fires before the asker resumes; and a kill that lands after the
 * ask's numeric timeout fired, before the asker resumed, still ends the ask
 * (its ReplyTo is let go: a late reply is refused).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GreenletExit, Timeout, joinAll, sleep, spawn, withTimeout, type Operation } from 'grove';
import { Actor, ask, type ReplyTo } from 'grove/actors';
import { explore } from 'grove/testing';

type Request = { type: 'busy' } | { type: 'ping'; replyTo: ReplyTo<string> };

/** Replies to each ping at once, and records what `reply()` returned. */
class Server extends Actor<Request> {
  readonly accepted: boolean[] = [];
  *receive(message: Request): Operation<void> {
    if (message.type === 'busy') yield* sleep(0);
    else this.accepted.push(message.replyTo.reply('pong'));
  }
}

const FORMS: [string, (server: Server) => Operation<string | undefined>][] = [
  ['{ timeout: new Timeout(0) }', (server) => ask(server, (replyTo) => ({ type: 'ping', replyTo }), { timeout: new Timeout(0) })],
  ['withTimeout(0, ...)', (server) => withTimeout(0, () => ask(server, (replyTo) => ({ type: 'ping', replyTo })))],
  ['new Timeout(0).scope(...)', (server) => new Timeout(0).scope(() => ask(server, (replyTo) => ({ type: 'ping', replyTo })))],
];

const races = suite('ask races');

races('a reply reply() accepted is the answer, even if a Timeout fires before the asker resumes (3 forms x 300 seeds)', () =>
  explore(
    function* () {
      for (const [form, askIt] of FORMS) {
        const server = new Server().start();
        // Busy for one turn, so that it may take the ping in the same turn as the asker sends it.
        server.send({ type: 'busy' });
        let answer: string | undefined;
        const asker = spawn(function* () {
          yield* sleep(0);
          try {
            answer = yield* askIt(server);
          } catch (error) {
            if (!(error instanceof Timeout)) throw error;
          }
          yield* sleep(5); // a Timeout raised late would surface here
        });
        yield* joinAll([asker], { raiseError: true });
        yield* sleep(1);
        const accepted = server.accepted[0] ?? false;
        assert.is(answer === 'pong', accepted, `${form}: reply() returned ${accepted} but the ask ${answer === undefined ? 'failed' : `got ${answer}`}`);
        server.kill();
      }
    },
    { seeds: 300 },
  ));

races('a kill landing after the numeric timeout fired, before the asker resumed, still ends the ask: a late reply is refused (300 seeds)', () =>
  explore(
    function* () {
      let pending: ReplyTo<string> | null = null;
      class Holder extends Actor<{ replyTo: ReplyTo<string> }> {
        receive(message: { replyTo: ReplyTo<string> }): void {
          pending = message.replyTo; // answered late, by the test
        }
      }
      const holder = new Holder().start();
      const asker = spawn(function* () {
        return yield* ask(holder, (replyTo) => ({ replyTo }), { timeout: 10 });
      });
      // Due at the same instant as the ask's timeout: the seed decides which fires first, and which greenlet runs first.
      const killer = spawn(function* () {
        yield* sleep(10);
        asker.kill();
      });
      yield* joinAll([asker, killer]);
      const outcome: unknown = asker.exception ?? asker.value;
      assert.ok(outcome instanceof Timeout || outcome instanceof GreenletExit, String(outcome));
      const replyTo = pending as ReplyTo<string> | null;
      assert.ok(replyTo !== null);
      assert.is(replyTo.reply('late'), false, 'a reply after the ask ended is refused');
      holder.kill();
    },
    { seeds: 300 },
  ));

races.run();
