import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExitSignal, exitReason, getHub, joinAll, sleep, spawn, type Operation } from 'grove';
import { Actor, AskFailed, ReplyTo, ask, link, monitor, register, whereis, type DownMessage } from 'grove/actors';
import { explore } from 'grove/testing';
import { main as pingPong } from '../../examples/ping-pong.js';
import { errorSink } from '../support.js';

/** Actor protocols under many seeded schedules (grove/testing's explore): what must hold in every interleaving. */
const seeded = suite('actors under any interleaving');

seeded('a crash propagates along a chain of links with the same reason', () =>
  explore(
    function* () {
      class Member extends Actor<string> {
        receive(message: string): void {
          if (message === 'crash') throw new ExitSignal('boom');
        }
      }
      const chain = [0, 1, 2, 3].map(() => new Member().start());
      for (let i = 0; i < 3; i++) link(chain[i], chain[i + 1]);
      chain[0].send('crash');
      yield* joinAll(chain);
      assert.equal(chain.map(exitReason), ['boom', 'boom', 'boom', 'boom']);
    },
    { seeds: 200 },
  ));

seeded('an ask racing the death of its target either gets the reply or AskFailed, never hangs; a request left queued is a dead letter', () => {
  const sink = errorSink();
  return explore(
    function* () {
      sink.reports.length = 0;
      class Flaky extends Actor<{ replyTo: ReplyTo<number> }> {
        *receive(message: { replyTo: ReplyTo<number> }): Operation<void> {
          yield* sleep(0);
          message.replyTo.reply(7);
        }
      }
      const target = new Flaky().start();
      const killer = spawn(function* () {
        yield* sleep(0);
        yield* sleep(0);
        target.kill();
      });
      const outcomes: string[] = [];
      for (let i = 0; i < 3; i++) {
        try {
          outcomes.push(String(yield* ask(target, (replyTo) => ({ replyTo }))));
        } catch (error) {
          if (!(error instanceof AskFailed)) throw error;
          outcomes.push(String(error.reason));
        }
      }
      // Replies while it lives, then the kill, then noproc: in that order, whatever the schedule.
      assert.match(outcomes.join(' '), /^(7( |$))*(killed( |$))?(noproc( |$))*$/);
      // The killer, and the target's death, may not have had their turn yet: PCT can hold them back past all three asks.
      yield* killer.join();
      yield* target.join();
      assert.is(exitReason(target), 'killed');
      // A request the kill found in the inbox (not the one in hand) is a dead letter, and its ask failed 'killed'.
      for (const report of sink.reports) {
        assert.match(report, /^Flaky-\d+: deadLetter: DeadLetter: dead letter #1: \{ replyTo: <ReplyTo Greenlet-\d+ <- Flaky-\d+> \} was still queued in <Flaky "Flaky-\d+">, which exited with killed$/);
      }
      assert.is(getHub().deadLetters, sink.reports.length);
      assert.ok(sink.reports.length <= 1);
      if (sink.reports.length === 1) assert.ok(outcomes.includes('killed'));
    },
    { seeds: 200, onError: sink.onError },
  );
});

seeded('a DOWN arrives exactly once; a name is free once its actor is dead', () => {
  const sink = errorSink();
  return explore(
    function* () {
      sink.reports.length = 0;
      const downs: DownMessage[] = [];
      class Watcher extends Actor<DownMessage> {
        receive(message: DownMessage): void {
          downs.push(message);
        }
      }
      class Worker extends Actor<string> {
        receive(): void {
          this.stop();
        }
      }
      const w = new Watcher().start();
      const worker = new Worker().start();
      register('worker', worker);
      monitor(w, worker);
      spawn(() => worker.send('go'));
      spawn(() => worker.kill());
      yield* worker.join();
      assert.is(whereis('worker'), undefined);
      yield* sleep(1);
      assert.is(downs.length, 1);
      assert.ok(['normal', 'killed'].includes(downs[0].reason as string));
      // 'go' is handled, or killed in the inbox (a dead letter), or sent after the death (a dead letter).
      assert.ok(sink.reports.length <= 1);
      for (const report of sink.reports) {
        assert.match(report, /^Worker-\d+: deadLetter: DeadLetter: dead letter #1: 'go' (was still queued in|was sent to) <Worker "Worker-\d+">, which exited with (killed|normal)$/);
      }
      w.stop();
    },
    { seeds: 200, onError: sink.onError },
  );
});

seeded('the ping-pong example prints the same lines under every schedule', async () => {
  const expected: string[] = [];
  await explore(
    function* () {
      const lines: string[] = [];
      yield* pingPong((line) => void lines.push(line));
      if (expected.length === 0) expected.push(...lines);
      assert.equal(lines, expected);
    },
    { seeds: 100 },
  );
});

seeded.run();
