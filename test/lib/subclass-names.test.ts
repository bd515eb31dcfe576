import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Event, Greenlet, Queue, exitReason, sleep, spawn, type Operation } from 'grove';
import { Actor, ask, monitor, type DownMessage, type ReplyTo } from 'grove/actors';
import { simulate } from 'grove/testing';
import { recorder } from '../support.js';

// A subclass owns every name but the public API's: the runtime keeps its own
// machinery under symbol keys, so fields and methods a user would plausibly
// write (a list's `length`, `push` and `remove`, a job's `args`, a state
// machine's `step`) change nothing in how the greenlet runs.

const names = suite('subclass member names');

names('a Greenlet subclass with fields and methods named like list and scheduler internals runs, is joined and is linked', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    class Job extends Greenlet<number> {
      length = 3;
      head: string | null = 'h';
      tail: string | null = 't';
      args = ['a', 'b'];
      gen = 'not a generator';
      hub = 'not a hub';
      scheduled = 'yes';
      flags = -1;
      extras = 'none';
      result = 'not the result';
      w = 'w';
      push(item: string): void { log(`push ${item}`); }
      shift(): string { return 'shifted'; }
      remove(item: string): void { log(`remove ${item}`); }
      step(n: number): number { return n + 1; }
      wake(): void { log('wake called'); }
      interrupt(): void { log('interrupt called'); }
      observe(): void { log('observe called'); }
      finish(): void { log('finish called'); }
      begin(): void { log('begin called'); }
      runTask(): void { log('runTask called'); }
      addLink(): void { log('addLink called'); }
      protected override *run(): Operation<number> {
        yield* sleep(5);
        this.push('x');
        this.remove('y');
        return this.step(this.length) + this.args.length;
      }
    }
    const job = new Job();
    job.link((g) => log(`linked: ${g.value}`));
    job.start();
    assert.is(yield* job.get(), 6);
    yield* sleep(0);
    assert.equal(lines, ['push x', 'remove y', 'linked: 6']);
    assert.is(job.length, 3);
    assert.is(job.hub, 'not a hub');
  }),
);

names('an Actor subclass with such names receives in order, answers ask, is monitored and killed with its finally run', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    type Msg = { type: 'add'; item: string } | { type: 'count'; replyTo: ReplyTo<number> };
    class Bag extends Actor<Msg> {
      length = 0;
      items: string[] = [];
      relations = 'friends';
      deliver = 'by post';
      push(item: string): void {
        this.items.push(item);
        this.length++;
      }
      remove(): void { log('remove called'); }
      *receive(message: Msg): Operation<void> {
        if (message.type === 'add') this.push(message.item);
        else message.replyTo.reply(this.length);
      }
      protected override *run(): Operation<void> {
        try {
          yield* super.run();
        } finally {
          log(`finally with ${this.items.join(',')}`);
        }
      }
    }
    const bag = new Bag().start();
    const watcher = new (class extends Actor<DownMessage> {
      receive(down: DownMessage): void {
        log(`DOWN ${String(down.reason)}`);
      }
    })().start();
    monitor(watcher, bag);
    bag.send({ type: 'add', item: 'a' });
    bag.send({ type: 'add', item: 'b' });
    assert.is(yield* ask(bag, (replyTo) => ({ type: 'count', replyTo })), 2);
    yield* bag.kill();
    yield* sleep(0);
    assert.is(exitReason(bag), 'killed');
    assert.equal(lines, ['finally with a,b', 'DOWN killed']);
    assert.is(bag.relations, 'friends');
    watcher.stop();
  }),
);

names('a Queue subclass and an Event subclass with a `scheduled` field still hand out items and wake waiters', () =>
  simulate(function* () {
    class Tasks extends Queue<string> {
      scheduled = 'tomorrow';
      runTask(): string { return 'mine'; }
    }
    class Flag extends Event {
      scheduled = 'never';
      length = -1;
      head = 'h';
      notifyLinks(): void {}
    }
    const tasks = new Tasks();
    const flag = new Flag();
    const got: string[] = [];
    const getter = spawn(function* () {
      got.push(yield* tasks.get());
      yield* flag.wait();
      got.push('flag');
    });
    yield* sleep(1);
    tasks.putNowait('one');
    yield* sleep(1);
    flag.set();
    yield* getter.join();
    assert.equal(got, ['one', 'flag']);
    assert.is(tasks.runTask(), 'mine');
  }),
);

names.run();
