// The "Crashes at any moment, deep races, traces" example of README.md, verbatim: keep the two in step.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sleep, type Operation } from 'grove';
import { Actor, DeadLetter, ask, type ReplyTo } from 'grove/actors';
import { Supervisor } from 'grove/supervision';
import { FaultFailure, exploreFaults, replay, simulate } from 'grove/testing';

type Transfer = { id: string; amount: number };
type AccountMessage = { op: 'add'; id: string; amount: number; replyTo: ReplyTo<void> } | { op: 'balance'; replyTo: ReplyTo<number> };

/** An account applies each transfer id once, so a request sent again is harmless. */
class Account extends Actor<AccountMessage> {
  private readonly applied = new Set<string>();
  constructor(name: string, private balance: number) {
    super({ name });
  }
  receive(m: AccountMessage): void {
    if (m.op === 'balance') return void m.replyTo.reply(this.balance);
    if (!this.applied.has(m.id)) {
      this.applied.add(m.id);
      this.balance += m.amount;
    }
    m.replyTo.reply();
  }
}

/** Moves money between two accounts. With a journal (durable storage), a restarted teller finishes what a crash cut short. */
class Teller extends Actor<Transfer> {
  constructor(private readonly from: Account, private readonly to: Account, private readonly journal?: Map<string, Transfer>) {
    super({ name: 'teller' });
  }
  protected override init(): void {
    for (const t of this.journal?.values() ?? []) this.send(t); // unfinished: do it again (each id applies once)
  }
  *receive(t: Transfer): Operation<void> {
    this.journal?.set(t.id, t);
    yield* ask(this.from, (replyTo: ReplyTo<void>) => ({ op: 'add', id: t.id, amount: -t.amount, replyTo }));
    yield* ask(this.to, (replyTo: ReplyTo<void>) => ({ op: 'add', id: t.id, amount: t.amount, replyTo }));
    this.journal?.delete(t.id);
  }
}

/** A crash can leave a transfer unsent or unread: the hub reports those dead letters through onError. */
const deadLetters: unknown[] = [];
const onError = (error: unknown) => void deadLetters.push(error);

/** The test body: a supervised teller moves 50 from alice to bob; whatever happens, no money is lost or made. */
function bank(journaling: boolean): () => Operation<void> {
  return function* () {
    const alice = new Account('alice', 100).start();
    const bob = new Account('bob', 100).start();
    const journal = journaling ? new Map<string, Transfer>() : undefined;
    const sup = new Supervisor({ strategy: 'oneForOne', children: [{ id: 'teller', start: () => new Teller(alice, bob, journal) }] });
    yield* sup.start().up();
    (sup.whichChildren()[0].greenlet as Teller).send({ id: 't1', amount: 50 });
    yield* sleep(1000);
    let total = 0;
    for (const account of [alice, bob]) total += yield* ask(account, (replyTo: ReplyTo<number>) => ({ op: 'balance', replyTo }));
    assert.is(total, 200, 'money lost or made');
    yield* sup.kill();
  };
}

test('a teller crashing between its two steps loses money: exploreFaults finds the moment', async () => {
  try {
    await exploreFaults(bank(false), { targets: 'teller', onError });
    assert.unreachable('no crash lost money');
  } catch (error) {
    assert.instance(error, FaultFailure);
    const failure = error as FaultFailure;
    // Its 2nd suspension point: waiting for alice to confirm the withdrawal (the 1st: idle, before the transfer).
    assert.equal([failure.target, failure.point?.index, failure.point?.label], ['teller', 2, 'ask']);
    assert.equal(failure.fault, { target: 'teller', nth: 1, point: 2, inject: 'crash' });
    // The failing run, again: as many times as it takes to understand it.
    const again = await simulate(bank(false), { fault: failure.fault, onError }).catch((e: Error) => e);
    assert.match(String(again), 'money lost or made');
  }
});

test('with a journal, the transfer survives a crash, a kill or an exit signal at any of its points', async () => {
  const report = await exploreFaults(bank(true), { targets: 'teller', faults: ['crash', 'kill', { exit: 'shutdown' }], onError });
  assert.is(report.injected, 12); // 4 points × 3 faults, each one run
});

test('under any schedule too: every fault, under 20 PCT schedules', async () => {
  await exploreFaults(bank(true), { targets: 'teller', seeds: 20, onError });
});

test('a trace of a run, kept as JSON, replays event for event', async () => {
  const { trace } = await simulate(bank(true), { trace: true });
  const saved = JSON.stringify(trace); // a file in the repository, say
  await replay(bank(true), JSON.parse(saved)); // rejects at the first event that differs
  assert.ok(trace.events.some((e) => e.kind === 'send' && e.from === 'teller' && e.to === 'alice'));
});

test('what the crashes left behind, the hub reported: dead letters, and nothing else', () => {
  assert.ok(deadLetters.length > 0 && deadLetters.every((e) => e instanceof DeadLetter));
});

test.run();
