import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sleep } from 'grove';
import { Actor, ask, register, registryName, send, whereis, type ActorRef, type ReplyTo } from 'grove/actors';
import { simulate } from 'grove/testing';

type JobMessage = { type: 'job'; n: number; replyTo: ReplyTo<number> } | { type: 'reset' };

class Jobs extends Actor<JobMessage> {
  total = 0;
  receive(message: JobMessage): void {
    if (message.type === 'reset') this.total = 0;
    else message.replyTo.reply((this.total += message.n));
  }
}

const JOBS = registryName<JobMessage>('jobs');

const typed = suite('typed references');

typed('a registryName types register, whereis and send; plain string names keep working', () =>
  simulate(function* () {
    const jobs = new Jobs({ name: 'jobs' }).start();
    register(JOBS, jobs);
    const found = whereis(JOBS);
    assert.is(found, jobs);
    assert.is(whereis('jobs'), jobs);
    // Typed: the actor found takes JobMessage.
    const answer: number = yield* ask(found!, (replyTo) => ({ type: 'job', n: 5, replyTo }));
    assert.is(answer, 5);
    send(JOBS, { type: 'reset' });
    yield* sleep(0);
    assert.is(jobs.total, 0);
    assert.is(JOBS.name, 'jobs');
    assert.ok(Object.isFrozen(JOBS));
    assert.throws(() => registryName(''), /registryName: name must be a non-empty string or a registryName\(\), got ""/);
    // Type-level checks, never called.
    const misuse = () => {
      // @ts-expect-error not a JobMessage
      send(JOBS, { type: 'nope' });
      class Other extends Actor<string> {
        receive(): void {}
      }
      // @ts-expect-error an actor of strings cannot take the name of a JobMessage actor
      register(JOBS, new Other());
    };
    void misuse;
    jobs.stop();
  }));

typed('ask builds only messages that carry a replyTo; an Actor is an ActorRef, contravariant in its messages', () =>
  simulate(function* () {
    const jobs = new Jobs().start();
    const ref: ActorRef<JobMessage> = jobs;
    const narrow: ActorRef<{ type: 'reset' }> = jobs; // an actor of A | B can stand for a ref of A
    narrow.send({ type: 'reset' });
    assert.is(yield* ask(ref, (replyTo) => ({ type: 'job', n: 2, replyTo })), 2);
    const misuse = () => {
      // @ts-expect-error 'reset' has no replyTo: that ask could never be answered
      return ask(jobs, () => ({ type: 'reset' as const }));
    };
    void misuse;
    jobs.stop();
  }));

typed.run();
