// The "Testing an actor protocol" example of README.md, verbatim: keep the two in step.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sleep, type Operation } from 'grove';
import { Actor, ask, type ReplyTo } from 'grove/actors';
import { TestProbe, explore, simulate } from 'grove/testing';

/** The protocol under test: a client asks a service, and retries every 30 s, 3 times at most. */
type Request = { type: 'fetch'; attempt: number; replyTo: ReplyTo<string> };

class Client extends Actor<'start'> {
  answer: string | undefined;
  constructor(private readonly service: Actor<Request>) {
    super({ name: 'client' });
  }
  protected *receive(): Operation<void> {
    for (let attempt = 1; attempt <= 3 && this.answer === undefined; attempt++) {
      try {
        this.answer = yield* ask(this.service, (replyTo: ReplyTo<string>) => ({ type: 'fetch', attempt, replyTo }), {
          timeout: 1000,
        });
      } catch {
        if (attempt < 3) yield* sleep(30_000); // back off, then try again
      }
    }
    this.answer ??= 'gave up';
    this.stop();
  }
}

test('the client retries after 30 s and takes the second answer', () =>
  simulate(function* () {
    const service = new TestProbe<Request>('service'); // stands in for the real service
    const client = new Client(service).start();
    client.send('start');

    yield* service.expectMessage((m) => m.attempt === 1); // unanswered: the ask times out after 1 s
    yield* service.expectNoMessage(30_000); // nothing during the backoff
    const retry = yield* service.expectMessage((m) => m.attempt === 2, { timeout: 2000 });
    retry.replyTo.reply('hello');

    yield* service.expectExit(client, 'normal');
    assert.is(client.answer, 'hello');
  }));

test('the client gives up after three unanswered attempts, 62 s later', () =>
  simulate(function* () {
    const service = new TestProbe<Request>('service');
    const client = new Client(service).start();
    client.send('start');
    assert.equal((yield* service.receiveN(3, { timeout: 70_000 })).map((m) => m.attempt), [1, 2, 3]);
    yield* service.expectExit(client, 'normal', { timeout: 2000 });
    assert.is(client.answer, 'gave up');
  }));

test('a fast answer wins under any interleaving, not just FIFO', () =>
  explore(
    function* () {
      const service = new TestProbe<Request>('service');
      const client = new Client(service).start();
      client.send('start');
      const request = yield* service.expectMessage((m) => m.attempt === 1);
      request.replyTo.reply('fast');
      yield* service.expectExit(client, 'normal');
      assert.is(client.answer, 'fast');
    },
    { seeds: 50 },
  ));

test.run();
