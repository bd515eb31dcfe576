/**
 * A supervision tree at work: a small log-analysis service whose parsers
 * crash on bad input, and whose reader fails once, and which still
 * accounts for every line it was given.
 *
 *     service (oneForOne)
 *     ├── ledger               records results, idempotently
 *     └── intake (restForOne)
 *         ├── reader           feeds the source's lines into the journal
 *         └── parsers (oneForOne)
 *             ├── parser-1     take a line, parse it, have the ledger
 *             └── parser-2     record it, then acknowledge it
 *
 * The journal stands for durable storage (a database, a log on disk): it
 * outlives every crash. A parser is done with a line only once the ledger
 * has recorded it; when the parser ends any other way (it crashed, or its
 * supervisor stopped it) its `finally` gives the line back — to be tried
 * again, or, after two crashes on it, set aside as bad input. So nothing is
 * lost, and the ledger's idempotence keeps a retried line from counting
 * twice.
 *
 * Crashes: a parser crashes on a line it cannot parse (its supervisor,
 * oneForOne, restarts just that parser); the reader fails once reading the
 * source (intake, restForOne, restarts it and the parsers started after
 * it). When the bad lines come back for their second try, the parsers
 * crash faster than their supervisor allows (3 restarts in 10 s): it gives
 * up, intake — past its own intensity — gives up too, and the service
 * restarts intake with a fresh subtree. The tree is printed after each
 * restart.
 */
import { Event, ExitSignal, Greenlet, Queue, getHub, sleep, type Operation, type Suspend } from 'grove';
import { Actor, AskFailed, ask, register, whereis, type ReplyTo } from 'grove/actors';
import { Supervisor, type ChildInfo, type ChildSpec } from 'grove/supervision';
import { runIfMain, type Log } from './support.js';

/** The source: one log line per entry, some of them malformed. */
export const SOURCE = [
  'INFO service started',
  'WARN disk 81% full',
  'INFO user alice logged in',
  '??? garbled',
  'ERROR payment 17 declined',
  'INFO user bob logged in',
  'WARN slow query 1200 ms',
  '',
  'INFO cache warmed',
  'ERROR payment 18 declined',
];

/** The reader fails (once) when it reaches this line of the source. */
const READ_ERROR_AT = 6;

const LEVELS = ['INFO', 'WARN', 'ERROR'] as const;
type Level = (typeof LEVELS)[number];

/** A line of work. */
interface Job {
  readonly id: number;
  readonly line: string;
  /** How many parsers crashed on it so far. */
  readonly crashes: number;
}

/** A line that is not `LEVEL message`. Thrown by `parse`: the parser crashes. */
class BadInput extends Error {
  static {
    this.prototype.name = 'BadInput';
  }
}

function parse(line: string): Level {
  const level = line.split(' ')[0];
  if (!(LEVELS as readonly string[]).includes(level)) throw new BadInput(`no log level in ${JSON.stringify(line)}`);
  return level as Level;
}

/** Durable storage: what is left to do, what is in hand, what was recorded. It survives every crash. */
class Journal {
  readonly pending = new Queue<Job>();
  readonly totals: Record<Level, number> = { INFO: 0, WARN: 0, ERROR: 0 };
  readonly recorded = new Set<number>();
  readonly rejected: Job[] = [];
  /** How many source lines the reader has queued. */
  offset = 0;
  readonly finished = new Event();

  constructor(private readonly log: Log) {}

  /** A parser ended while holding `job`: try it again, or set it aside after its second crash. */
  giveBack(job: Job, crashed: boolean): void {
    const back = { ...job, crashes: job.crashes + (crashed ? 1 : 0) };
    if (back.crashes >= 2) {
      this.rejected.push(back);
      this.log(`  journal: line ${job.id} set aside as bad input after ${back.crashes} crashes`);
      this.check();
    } else {
      this.log(`  journal: line ${job.id} goes back in the queue`);
      this.pending.putNowait(back);
    }
  }

  /** Every line is accounted for: recorded, or set aside. */
  check(): void {
    if (this.recorded.size + this.rejected.length === SOURCE.length) this.finished.set();
  }
}

/** What the ledger is asked. */
interface RecordRequest {
  readonly job: number;
  readonly level: Level;
  readonly replyTo: ReplyTo<boolean>;
}

/** Records a parsed line in the journal, once per line however often it is sent. */
class Ledger extends Actor<RecordRequest> {
  constructor(private readonly journal: Journal) {
    super({ name: 'ledger' });
  }

  protected override *run(): Generator<Suspend, void, unknown> {
    register('ledger', this);
    yield* super.run();
  }

  protected override receive({ job, level, replyTo }: RecordRequest): void {
    const journal = this.journal;
    if (!journal.recorded.has(job)) {
      journal.recorded.add(job);
      journal.totals[level]++;
    }
    replyTo.reply(true);
    journal.check();
  }
}

/** Queues a source line every 30 ms, from where the journal says it got to; fails once at READ_ERROR_AT. */
function reader(journal: Journal, log: Log, failure: { done: boolean }): () => Operation<void> {
  return function* () {
    while (journal.offset < SOURCE.length) {
      yield* sleep(30);
      if (journal.offset === READ_ERROR_AT && !failure.done) {
        failure.done = true;
        log(`  reader: read error at line ${journal.offset + 1}`);
        throw new Error('disk read error');
      }
      const id = ++journal.offset;
      journal.pending.putNowait({ id, line: SOURCE[id - 1], crashes: 0 });
    }
    // Done: a transient child that ends normally is not restarted.
  };
}

/** Takes jobs, parses them (100 ms each), has the ledger record them, then acknowledges them. */
function parser(name: string, journal: Journal, log: Log): () => Operation<void> {
  return function* () {
    for (;;) {
      const job = yield* journal.pending.get();
      let outcome: 'done' | 'crashed' | 'stopped' = 'crashed';
      try {
        yield* sleep(100);
        const level = parse(job.line);
        const ledger = whereis('ledger') as Ledger | undefined;
        if (ledger === undefined) throw new Error('no ledger');
        yield* ask(ledger, (replyTo) => ({ job: job.id, level, replyTo }));
        log(`  ${name}: line ${job.id} ${level}`);
        outcome = 'done';
      } catch (error) {
        // Stopped by its supervisor: not the line's fault.
        if (error instanceof ExitSignal) outcome = 'stopped';
        throw error;
      } finally {
        if (outcome !== 'done') journal.giveBack(job, outcome === 'crashed');
      }
    }
  };
}

/** A greenlet running `body`, named (crash reports and the hub's events name it). */
function named(name: string, body: () => Operation<void>): Greenlet<void> {
  const greenlet = new Greenlet(body);
  greenlet.name = name;
  return greenlet;
}

/**
 * The tree, as the supervisors answer `whichChildrenInTurn()`: each answers
 * after the exits already queued in its inbox, so a child that has just
 * crashed shows restarted, not dead. A supervisor that ended between two
 * reads (a subtree being replaced) answers with AskFailed: drawn as gone.
 */
function* drawTree(root: Supervisor, strategies: Map<string, string>, starts: Map<string, number>): Operation<string[]> {
  const lines = [`${root.name} (${strategies.get(root.name)})`];
  function* walk(sup: Supervisor, indent: string): Operation<void> {
    let children: readonly ChildInfo[];
    try {
      children = yield* sup.whichChildrenInTurn();
    } catch (error) {
      if (!(error instanceof AskFailed)) throw error;
      lines.push(`${indent}└── (${sup.name} has ended)`);
      return;
    }
    for (const [i, child] of children.entries()) {
      const last = i === children.length - 1;
      const count = starts.get(`${sup.name}/${child.id}`) ?? 0;
      const state = child.greenlet === undefined ? ' (not running)' : '';
      const strategy = child.greenlet instanceof Supervisor ? ` (${strategies.get(child.greenlet.name)})` : '';
      const restarts = count > 1 ? ` [started ${count} times]` : '';
      lines.push(`${indent}${last ? '└── ' : '├── '}${child.id}${strategy}${state}${restarts}`);
      if (child.greenlet instanceof Supervisor) yield* walk(child.greenlet, indent + (last ? '    ' : '│   '));
    }
  }
  yield* walk(root, '');
  return lines;
}

/** Runs the service over SOURCE until every line is accounted for, printing what happens; then stops it. */
export function* main(log: Log): Operation<void> {
  const hub = getHub();
  const journal = new Journal(log);
  const readFailure = { done: false };
  const strategies = new Map([
    ['service', 'oneForOne'],
    ['intake', 'restForOne'],
    ['parsers', 'oneForOne'],
  ]);
  const starts = new Map<string, number>();

  const parsers: ChildSpec = {
    id: 'parsers',
    type: 'supervisor',
    start: () =>
      new Supervisor({
        name: 'parsers',
        maxRestarts: 3,
        withinMs: 10_000,
        children: ['parser-1', 'parser-2'].map((id) => ({ id, start: () => named(id, parser(id, journal, log)) })),
      }),
  };
  const intake: ChildSpec = {
    id: 'intake',
    type: 'supervisor',
    start: () =>
      new Supervisor({
        name: 'intake',
        strategy: 'restForOne',
        children: [{ id: 'reader', restart: 'transient', start: () => named('reader', reader(journal, log, readFailure)) }, parsers],
      }),
  };
  const service = new Supervisor({ name: 'service', children: [{ id: 'ledger', start: () => new Ledger(journal) }, intake] });

  // Crash reports, short (the hub prints them with a stack by default).
  const previousOnError = hub.onError;
  hub.onError = (error, context) => log(`  crash: ${context.greenlet?.name ?? 'hub'} failed with ${(error as Error).name}: ${(error as Error).message}`);
  // Restarts as they happen, and the tree once each has played out.
  const redraw = new Event();
  const subscription = hub.events$.subscribe((event) => {
    if (event.type === 'supervisorChildStart') {
      const key = `${event.greenlet.name}/${event.id}`;
      starts.set(key, (starts.get(key) ?? 0) + 1);
    } else if (event.type === 'supervisorChildRestart') {
      const how = strategies.get(event.greenlet.name) === 'restForOne' ? ' and the children after it' : '';
      log(`${event.greenlet.name} restarts ${event.id}${how} (${strategies.get(event.greenlet.name)})`);
      redraw.set();
    } else if (event.type === 'supervisorGiveUp') {
      const restarts = `${event.maxRestarts} restart${event.maxRestarts === 1 ? '' : 's'}`;
      log(`${event.greenlet.name} gives up: more than ${restarts} in ${event.withinMs} ms; it stops its children and exits 'shutdown'`);
    } else if (event.type === 'supervisorEscalate') {
      log(`${event.greenlet.name} sees ${event.id} exit 'shutdown': the failure escalates`);
    }
  });
  const drawer = named('drawer', function* () {
    for (;;) {
      yield* redraw.wait();
      // One drawing per burst: a failure that escalates is several restarts in a row.
      yield* sleep(5);
      redraw.clear();
      for (const line of yield* drawTree(service, strategies, starts)) log(line);
    }
  }).start();

  try {
    service.start();
    yield* service.up(); // every child of every level is up (OTP's start_link)
    for (const line of yield* drawTree(service, strategies, starts)) log(line);
    yield* journal.finished.wait();
    yield* sleep(10);
    log(`done: ${journal.recorded.size} lines recorded, ${journal.rejected.length} set aside, none lost`);
    log(`totals: ${LEVELS.map((level) => `${level} ${journal.totals[level]}`).join(', ')}`);
    log(`set aside: ${journal.rejected.map((job) => `line ${job.id} ${JSON.stringify(job.line)}`).join(', ')}`);
    const stopped: string[] = [];
    const stops = hub.events$.subscribe((event) => {
      if (event.type === 'supervisorChildExit') stopped.push(event.id);
    });
    service.kill({ exception: new ExitSignal('shutdown') });
    yield* service.join();
    stops.unsubscribe();
    log(`shutdown, last started first: ${stopped.join(', ')}`);
  } finally {
    yield* drawer.kill();
    subscription.unsubscribe();
    hub.onError = previousOnError;
  }
}

runIfMain(import.meta.url, main);
