/**
 * A work queue across three processes (or machines) over NATS. The queue
 * process registers its actor as `jobs`; each worker process finds it by
 * name and asks it for a job at a time, does it, and sends the result
 * back. The queue monitors every worker that takes a job: a worker whose
 * process dies holding one (here `--crash-after 3`, an abrupt exit like
 * `kill -9`) is down for the queue once its heartbeats have stopped for
 * the detection time, with reason 'noconnection', and its job goes back
 * in the queue for the others. A worker that asks when the queue is empty
 * but jobs are still out waits for the answer: one may come back. The
 * queue ends when every job is done and every worker has been told there
 * is no more work (or is down).
 *
 * Run it (a nats-server with JetStream on this machine: `nats-server -js`),
 * in three terminals:
 *
 *   node --import tsx --conditions=grove-source examples/cluster/work-queue.ts worker w1
 *   node --import tsx --conditions=grove-source examples/cluster/work-queue.ts worker w2 --crash-after 3
 *   node --import tsx --conditions=grove-source examples/cluster/work-queue.ts queue
 *
 * `NATS_URL=nats://host:4222` joins a server elsewhere; `DOWN_AFTER_MS`
 * sets the detection time (5000 ms by default).
 */
import { sleep, type Operation } from 'grove';
import { Actor, ask, monitor, type ActorRef, type DownMessage, type ReplyTo } from 'grove/actors';
import { RemoteRef, connectNode, registerGlobal } from 'grove/cluster';
import { runIfMain, type Log } from '../support.js';
import { JOBS, SERVERS, digitSumOfCube, findGlobal, timing, type Job, type QueueMessage } from './protocol.js';

/** A worker's name for the log: its node's. */
const nameOf = (ref: ActorRef<never>): string => (ref instanceof RemoteRef ? ref.node.name : ref.name);

class JobQueue extends Actor<QueueMessage | DownMessage> {
  private readonly pending: Job[];
  private readonly total: number;
  private readonly results = new Map<number, number>();
  /** The job each worker holds, by worker. */
  private readonly holding = new Map<ActorRef<never>, Job>();
  /** Workers that have not yet been told there is no more work (nor gone down). */
  private readonly active = new Set<ActorRef<never>>();
  /** Workers waiting for a job while the queue is empty but jobs are out. */
  private readonly waiting: { worker: ActorRef<never>; replyTo: ReplyTo<Job | null> }[] = [];
  private readonly done = new Map<string, number>();

  constructor(
    private readonly log: Log,
    jobs: number,
  ) {
    super({ name: 'jobs' });
    this.pending = Array.from({ length: jobs }, (_, i) => ({ id: i + 1, n: 1000 + 37 * i }));
    this.total = jobs;
  }

  receive(message: QueueMessage | DownMessage): void {
    switch (message.type) {
      case 'take': {
        const worker = message.worker;
        if (!this.active.has(worker) && !this.done.has(nameOf(worker))) {
          this.active.add(worker);
          this.done.set(nameOf(worker), 0);
          monitor(this, worker);
          this.log(`queue: ${nameOf(worker)} joined`);
        }
        this.waiting.push({ worker, replyTo: message.replyTo });
        break;
      }
      case 'done':
        this.holding.delete(message.worker);
        this.results.set(message.job.id, message.result);
        this.done.set(nameOf(message.worker), this.done.get(nameOf(message.worker))! + 1);
        break;
      case 'DOWN': {
        const worker = message.target as ActorRef<never>;
        if (!this.active.delete(worker)) break;
        const asking = this.waiting.findIndex((w) => w.worker === worker);
        if (asking >= 0) this.waiting.splice(asking, 1);
        const job = this.holding.get(worker);
        this.holding.delete(worker);
        if (job !== undefined) this.pending.unshift(job);
        this.log(`queue: ${nameOf(worker)} went down (${String(message.reason)})${job === undefined ? '' : ` holding job ${job.id}: it goes back in the queue`}`);
        break;
      }
    }
    this.answer();
    if (this.results.size === this.total && this.active.size === 0) this.stop();
  }

  /** Gives the waiting workers jobs while there are some; once all are done, tells them there is no more work. */
  private answer(): void {
    while (this.waiting.length > 0 && (this.pending.length > 0 || this.results.size === this.total)) {
      const { worker, replyTo } = this.waiting.shift()!;
      const job = this.pending.shift() ?? null;
      if (job === null) this.active.delete(worker);
      else this.holding.set(worker, job);
      replyTo.reply(job);
    }
  }

  /** What was done, by whom. */
  summary(): string {
    const by = [...this.done].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, count]) => `${name} did ${count}`);
    const sum = [...this.results.values()].reduce((a, b) => a + b, 0);
    return `queue: all ${this.results.size} jobs done (${by.join(', ')}); the results add up to ${sum}`;
  }
}

class Worker extends Actor<'next'> {
  private count = 0;

  constructor(
    private readonly log: Log,
    private readonly queue: ActorRef<QueueMessage>,
    private readonly crashAfter: number,
  ) {
    super({ name: 'worker' });
  }

  protected override init(): void {
    this.send('next');
  }

  *receive(): Operation<void> {
    const job = yield* ask(this.queue, (replyTo: ReplyTo<Job | null>) => ({ type: 'take', worker: this, replyTo }), { timeout: 30_000 });
    if (job === null) {
      this.log(`worker: no more work after ${this.count} jobs`);
      this.stop();
      return;
    }
    if (this.count === this.crashAfter) {
      this.log(`worker: crashing, holding job ${job.id}`);
      process.kill(process.pid, 'SIGKILL');
    }
    yield* sleep(50);
    this.queue.send({ type: 'done', worker: this, job, result: digitSumOfCube(job.n) });
    this.count++;
    this.send('next');
  }
}

/** The queue process: registers `jobs` with `jobs` jobs in it, and ends when they are done. */
export function* queue(log: Log, jobs = 12, servers = SERVERS): Operation<void> {
  const node = yield* connectNode({ name: 'queue', servers, cluster: 'examples', ...timing() });
  const actor = new JobQueue(log, jobs).start();
  yield* registerGlobal(JOBS, actor);
  log(`queue: ${jobs} jobs, waiting for workers`);
  yield* actor.join();
  log(actor.summary());
  yield* node.close();
}

/** A worker process named `name`: finds `jobs` (waiting up to 30 s), works until there is no more (or crashes after `crashAfter` jobs). */
export function* worker(log: Log, name: string, crashAfter = Infinity, servers = SERVERS): Operation<void> {
  const node = yield* connectNode({ name, servers, cluster: 'examples', ...timing() });
  const jobs = yield* findGlobal(JOBS, name);
  yield* new Worker(log, jobs, crashAfter).start().join();
  yield* node.close();
}

runIfMain(import.meta.url, (log) => {
  const [role, name] = process.argv.slice(2);
  const crash = process.argv.indexOf('--crash-after');
  if (role === 'worker') return worker(log, name ?? 'w1', crash > 0 ? Number(process.argv[crash + 1]) : Infinity);
  return queue(log);
});
