import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { Greenlet, sleep, spawn, type Operation } from 'grove';
import { Actor, ask, type ReplyTo } from 'grove/actors';
import { Supervisor } from 'grove/supervision';
import { FaultFailure, InjectedFault, TargetNotFound, exploreFaults, simulate, type FaultPlan } from 'grove/testing';
import { errorSink } from '../support.js';

/** `test/testing/faults.test.ts:<line>` of the first line of this file holding `text`: where a suspension point is reported. */
function siteOf(text: string): string {
  const lines = readFileSync(new URL(import.meta.url), 'utf8').split('\n');
  return `test/testing/faults.test.ts:${lines.findIndex((line) => line.includes(text)) + 1}`;
}

/**
 * A money transfer between two account actors, run by a coordinator under
 * a supervisor. The accounts apply each transfer id once, so asking again
 * is safe.
 */
type AccountMessage =
  | { type: 'withdraw' | 'deposit'; id: string; amount: number; replyTo: ReplyTo<boolean> }
  | { type: 'balance'; replyTo: ReplyTo<number> };

class Account extends Actor<AccountMessage> {
  private readonly applied = new Set<string>();
  constructor(
    name: string,
    private balance: number,
  ) {
    super({ name });
  }
  receive(m: AccountMessage): void {
    if (m.type === 'balance') {
      m.replyTo.reply(this.balance);
      return;
    }
    if (!this.applied.has(m.id)) {
      this.applied.add(m.id);
      this.balance += m.type === 'deposit' ? m.amount : -m.amount;
    }
    m.replyTo.reply(true);
  }
}

type Transfer = { type: 'transfer'; id: string; from: Account; to: Account; amount: number };

/** The bug: if it crashes after the withdrawal and before the deposit, the money is gone. */
class NaiveCoordinator extends Actor<Transfer> {
  constructor() {
    super({ name: 'coordinator' });
  }
  *receive(t: Transfer): Operation<void> {
    yield* ask(t.from, (replyTo: ReplyTo<boolean>) => ({ type: 'withdraw', id: t.id, amount: t.amount, replyTo }));
    yield* ask(t.to, (replyTo: ReplyTo<boolean>) => ({ type: 'deposit', id: t.id, amount: t.amount, replyTo }));
  }
}

/** The fix: a durable journal of transfers in flight, which a restarted coordinator does again (the accounts apply each id once). */
class JournalingCoordinator extends NaiveCoordinator {
  constructor(private readonly journal: Map<string, Transfer>) {
    super();
  }
  protected override init(): void {
    for (const t of this.journal.values()) this.send(t);
  }
  override *receive(t: Transfer): Operation<void> {
    this.journal.set(t.id, t);
    yield* super.receive(t);
    this.journal.delete(t.id);
  }
}

/** The test body: transfer 50 from alice to bob, let things settle, and check no money was lost or made. */
function bank(coordinator: (journal: Map<string, Transfer>) => Actor<Transfer>): () => Operation<void> {
  return function* bankBody() {
    const alice = new Account('alice', 100).start();
    const bob = new Account('bob', 100).start();
    const journal = new Map<string, Transfer>(); // survives restarts, like a database
    const sup = new Supervisor({ strategy: 'oneForOne', children: [{ id: 'coordinator', start: () => coordinator(journal) }] });
    yield* sup.start().up();
    const current = sup.whichChildren()[0].greenlet as Actor<Transfer>;
    current.send({ type: 'transfer', id: 't1', from: alice, to: bob, amount: 50 });
    yield* sleep(1000);
    const balances = [];
    for (const account of [alice, bob]) balances.push(yield* ask(account, (replyTo: ReplyTo<number>) => ({ type: 'balance', replyTo })));
    const total = balances[0] + balances[1];
    if (total !== 200) throw new Error(`money lost: alice ${balances[0]} + bob ${balances[1]} = ${total}`);
    yield* sup.kill();
  };
}

const naive = bank(() => new NaiveCoordinator());
const journaling = bank((journal) => new JournalingCoordinator(journal));

const faults = suite('exploreFaults');

faults('both protocols keep the money when nothing crashes', async () => {
  await simulate(naive);
  await simulate(journaling);
});

faults('catches the coordinator crashing between withdrawal and deposit, and names target, point and fault', async () => {
  const sink = errorSink();
  try {
    await exploreFaults(naive, { targets: 'coordinator', onError: sink.onError });
    assert.unreachable('the lost money was not found');
  } catch (error) {
    assert.instance(error, FaultFailure);
    const failure = error as FaultFailure;
    assert.is(failure.target, 'coordinator');
    // Point 1: idle in its inbox before the transfer (harmless). Point 2: waiting for alice's reply.
    const withdrawal = siteOf("type: 'withdraw', id: t.id");
    assert.equal(failure.point, { label: 'ask', site: withdrawal, index: 2, of: 4 });
    assert.equal(failure.fault, { target: 'coordinator', nth: 1, point: 2, inject: 'crash' });
    assert.is(failure.passed, 1);
    assert.is(failure.seed, undefined);
    assert.instance(failure.cause, Error);
    assert.is((failure.cause as Error).message, 'money lost: alice 50 + bob 100 = 150');
    assert.is(
      failure.message,
      `exploreFaults: a crash of "coordinator" at its suspension point 2 of 4 (ask, called at ${withdrawal}) fails: ` +
        'Error: money lost: alice 50 + bob 100 = 150\n' +
        "\treplay it with simulate(body, { fault: { target: 'coordinator', nth: 1, point: 2, inject: 'crash' } })",
    );
    // The trace shows the crash, the restart, and the outcome.
    const kinds = failure.trace.events.map((e) => e.kind);
    assert.ok(kinds.includes('fault') && kinds.includes('restart'));
    assert.equal(failure.trace.outcome, { ok: false, error: 'Error: money lost: alice 50 + bob 100 = 150' });
  }
  // The run that crashed the coordinator idle in its inbox (point 1, harmless) sent the transfer to it dead.
  assert.equal(sink.reports, [
    "coordinator: deadLetter: DeadLetter: dead letter #1: { type: 'transfer', id: 't1', from: <Account \"alice\">, to: <Account \"bob\">, amount: 50 } " +
      'was sent to <NaiveCoordinator "coordinator">, which exited with InjectedFault: injected crash in coordinator at its suspension point 1 (Inbox.get)',
  ]);
});

faults('simulate replays the failure with { fault: failure.fault }', async () => {
  const fault: FaultPlan = { target: 'coordinator', nth: 1, point: 2, inject: 'crash' };
  for (let i = 0; i < 2; i++) {
    try {
      await simulate(naive, { fault });
      assert.unreachable('replay passed');
    } catch (error) {
      assert.is((error as Error).message, 'money lost: alice 50 + bob 100 = 150');
    }
  }
});

faults('the journaling coordinator survives a crash, a kill or an exit signal at every one of its suspension points', async () => {
  const reports: string[] = [];
  const report = await exploreFaults(journaling, {
    targets: 'coordinator',
    faults: ['crash', 'kill', { exit: 'shutdown' }],
    onError: (error) => void reports.push((error as Error).message),
  });
  // One run to find its 4 points (idle in its inbox, the two asks, idle again), then one run per point and fault.
  assert.equal(report, { runs: 1 + 4 * 3, injected: 4 * 3 });
  // Faulted at its first point (idle, before the transfer), the coordinator the body holds is dead when the
  // transfer is sent: a dead letter each time (a crash's restart is a new greenlet), and no money moved.
  assert.equal(reports, [
    "dead letter #1: { type: 'transfer', id: 't1', from: <Account \"alice\">, to: <Account \"bob\">, amount: 50 } was sent to <JournalingCoordinator \"coordinator\">, which exited with InjectedFault: injected crash in coordinator at its suspension point 1 (Inbox.get)",
    "dead letter #1: { type: 'transfer', id: 't1', from: <Account \"alice\">, to: <Account \"bob\">, amount: 50 } was sent to <JournalingCoordinator \"coordinator\">, which exited with killed",
    "dead letter #1: { type: 'transfer', id: 't1', from: <Account \"alice\">, to: <Account \"bob\">, amount: 50 } was sent to <JournalingCoordinator \"coordinator\">, which exited with shutdown",
  ]);
});

faults('an injected crash throws InjectedFault where the target is blocked; the hub does not report it', async () => {
  const reports: unknown[] = [];
  const seen: unknown[] = [];
  await simulate(
    function* () {
      const g = spawn(function* () {
        try {
          yield* sleep(10);
          yield* sleep(10);
        } catch (error) {
          seen.push(error);
          throw error;
        }
      });
      g.name = 'sleeper';
      yield* g.join();
      seen.push(g.exception);
    },
    { fault: { target: 'sleeper', nth: 1, point: 2, inject: 'crash' }, onError: (e) => void reports.push(e) },
  );
  assert.is(seen.length, 2);
  assert.instance(seen[0], InjectedFault);
  assert.is(seen[1], seen[0]);
  assert.is((seen[0] as Error).message, 'injected crash in sleeper at its suspension point 2 (sleep)');
  assert.equal(reports, []);
});

faults('targets by predicate: each greenlet it matches is a target of its own, in the order they first block', async () => {
  const blocked: string[] = [];
  const report = await exploreFaults(
    function* () {
      const workers = ['w1', 'w2'].map((name) => {
        const g = spawn(function* () {
          yield* sleep(1);
          blocked.push(name);
        });
        g.name = name;
        return g;
      });
      for (const w of workers) yield* w.join();
    },
    { targets: (g: Greenlet<unknown>) => g.name.startsWith('w'), faults: ['kill'] },
  );
  assert.equal(report, { runs: 3, injected: 2 });
});

/** A writer copies each value to two replicas; unless `atomic`, it yields between the two writes. */
function replicas(atomic: boolean): () => Operation<void> {
  return function* replicasBody() {
    const copies = [0, 0];
    const writer = spawn(function* () {
      for (let value = 1; value <= 2; value++) {
        yield* sleep(0);
        copies[0] = value;
        if (!atomic) yield* sleep(0);
        copies[1] = value;
      }
    });
    writer.name = 'writer';
    spawn(function* () {
      yield* sleep(0);
      yield* sleep(0);
    });
    yield* writer.join();
    if (copies[0] !== copies[1]) throw new Error(`replicas differ: ${copies.join(' ≠ ')}`);
  };
}

faults('with seeds, every fault runs under each seed’s schedule, and the failure names the seed', async () => {
  try {
    await exploreFaults(replicas(false), { targets: ['writer'], seeds: [3, 4] });
    assert.unreachable('not found');
  } catch (error) {
    const failure = error as FaultFailure;
    assert.is(failure.seed, 3);
    assert.equal(failure.fault, { target: 'writer', nth: 1, point: 2, inject: 'crash' });
    assert.equal(failure.replay, { seed: 3, strategy: 'pct', depth: 2, steps: 100, fault: failure.fault });
    assert.is(
      failure.message.split('\n')[0],
      `exploreFaults: a crash of "writer" at its suspension point 2 of 4 (sleep, called at ${siteOf('if (!atomic) yield* sleep(0);')}) under seed 3 fails: Error: replicas differ: 1 ≠ 0`,
    );
    try {
      await simulate(replicas(false), failure.replay);
      assert.unreachable('replay passed');
    } catch (again) {
      assert.is((again as Error).message, 'replicas differ: 1 ≠ 0');
    }
  }
  // Two points (before each value), under three schedules: 3 runs to count, 6 with a crash.
  assert.equal(await exploreFaults(replicas(true), { targets: 'writer', seeds: 3 }), { runs: 3 + 6, injected: 6 });
});

faults('the body failing without any fault is a failure of its own', async () => {
  try {
    await exploreFaults(
      function* () {
        const g = spawn(() => sleep(1));
        g.name = 'target';
        yield* g.join();
        throw new Error('always');
      },
      { targets: 'target' },
    );
    assert.unreachable('passed');
  } catch (error) {
    const failure = error as FaultFailure;
    assert.instance(failure, FaultFailure);
    assert.is(failure.fault, undefined);
    assert.is(failure.message, 'exploreFaults: the body fails with no fault injected: Error: always\n\treplay it with simulate(body, {})');
  }
});

faults('a target that never runs: TargetNotFound naming it', async () => {
  for (const [targets, message] of [
    ['coordinater', 'exploreFaults: targets ("coordinater") never ran: no greenlet it matches blocked in the body'],
    [['coordinator', function isAccount(g: Greenlet<unknown>) { return g.name === 'carol'; }], 'exploreFaults: targets[1] (the predicate isAccount) never ran: no greenlet it matches blocked in the body'],
  ] as const) {
    try {
      await exploreFaults(naive, { targets: targets as never });
      assert.unreachable(message);
    } catch (error) {
      assert.instance(error, TargetNotFound);
      assert.is((error as Error).message, message);
    }
  }
});

faults('bad input: typed errors naming the option and the value', async () => {
  for (const [options, type, message] of [
    [undefined, TypeError, 'exploreFaults: options must be an object with targets, got undefined'],
    [{ targets: 3 }, TypeError, 'exploreFaults: targets must be a greenlet name or a predicate on greenlets, got 3'],
    [{ targets: [] }, TypeError, 'exploreFaults: targets must name at least one greenlet, got an empty list'],
    [{ targets: ['a', ''] }, TypeError, 'exploreFaults: targets[1] must be a greenlet name or a predicate on greenlets, got ""'],
    [{ targets: 'a', faults: ['boom'] }, TypeError, `exploreFaults: faults[0] must be 'crash', 'kill' or { exit: reason }, got "boom"`],
    [{ targets: 'a', faults: [] }, TypeError, 'exploreFaults: faults must be a non-empty list, got an array'],
    [{ targets: 'a', seeds: 0 }, RangeError, 'exploreFaults: seeds must be a positive integer or a list of integers, got 0'],
    [{ targets: 'a', depth: 2 }, TypeError, 'exploreFaults: depth chooses how seeds draw schedules; give seeds too'],
    [{ targets: 'a', seeds: 2, depth: 0 }, RangeError, 'exploreFaults: depth must be a positive integer, got 0'],
    [{ targets: 'a', target: 'b' }, TypeError, 'exploreFaults: unknown option "target" (options are targets, faults, seeds, strategy, depth, steps, traceDir, onError)'],
  ] as const) {
    try {
      await exploreFaults(naive, options as never);
      assert.unreachable(message);
    } catch (error) {
      assert.instance(error, type);
      assert.is((error as Error).message, message);
    }
  }
  for (const [fault, message] of [
    [{ target: 'a', nth: 0, point: 1, inject: 'crash' }, 'simulate: fault.nth must be a positive integer, got 0'],
    [{ target: 'a', nth: 1, point: 1, inject: 'explode' }, `simulate: fault.inject must be 'crash', 'kill' or { exit: reason }, got "explode"`],
    ['coordinator', 'simulate: fault must be { target, nth, point, inject } (a FaultFailure\'s .fault), got "coordinator"'],
  ] as const) {
    try {
      await simulate(naive, { fault: fault as never });
      assert.unreachable(message);
    } catch (error) {
      assert.is((error as Error).message, message);
    }
  }
});

faults.run();
