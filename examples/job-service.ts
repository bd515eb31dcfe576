/**
 * A small job service: the actor lifecycle in one program. HTTP requests
 * (`POST /jobs?n=7`) are handed with `ask` to a `Router`, a pool of
 * supervised worker actors; a poison job (`&poison=1`) crashes its worker,
 * which the pool's supervisor restarts; on SIGTERM the service stops taking
 * jobs, waits until every request has its answer, and only then stops the
 * pool (`stop({ drain: true })`) — so every request gets exactly one answer
 * and no job is lost.
 *
 * What it shows:
 * - `init()` (a worker opens its connection before its first job) and
 *   `up()` (the service starts serving once every worker is up);
 * - `terminate(reason)` (each worker says why it stops);
 * - a `Router` choosing the worker (round robin, skipping one that is
 *   down);
 * - a crash restarted by the router's supervisor, the jobs that were queued
 *   in the crashed worker becoming dead letters — reported by the hub, and
 *   their asks failing at once with `AskFailed`, so the handler sends them
 *   again through the router;
 * - draining: `stop({ drain: true })` handles what is queued, then stops.
 *
 * `main` (run directly, or in `npm start`) sends the service a batch of
 * jobs and a SIGTERM while they are in flight.
 */
import type { EventEmitter } from 'node:events';
import { AsyncResult, ExitSignal, joinAll, sleep, spawn, type Operation } from 'grove';
import { Actor, AskFailed, ask, type ExitMessage, type ReplyTo } from 'grove/actors';
import { Router } from 'grove/supervision';
import { HttpServer, type HttpRequest, type HttpResponse } from 'grove/server';
import { runIfMain, type Log } from './support.js';
import { request, urlOf } from './servers/http-client.js';

/** One job: square `n`, unless it is poison. */
export interface Job {
  readonly id: number;
  readonly n: number;
  readonly poison: boolean;
}

/** What a worker takes: a job to answer, or an exit signal from a link (it traps exits). */
export type WorkerMessage = { readonly type: 'job'; readonly job: Job; readonly replyTo: ReplyTo<number> } | ExitMessage;

/** What a poison job makes its worker throw: a crash its supervisor answers with a restart. */
export class PoisonJob extends Error {
  static {
    this.prototype.name = 'PoisonJob';
  }
  constructor(readonly jobId: number) {
    super(`job ${jobId} is poison`);
  }
}

/**
 * A worker. It traps exits, so when its supervisor stops it, it finishes the
 * job in hand first (OTP's rule for a gen_server); its `terminate` says why
 * it stopped.
 */
export class JobWorker extends Actor<WorkerMessage> {
  constructor(
    readonly slot: string,
    private readonly log: Log,
    private readonly workMs: number,
  ) {
    super({ name: slot, trapExit: true });
  }

  protected override *init(): Operation<void> {
    yield* sleep(5); // opening a connection, say: no job is taken before this returns
    this.log(`${this.slot} up`);
  }

  protected override *receive(message: WorkerMessage): Operation<void> {
    // A linked greenlet died: a worker ends with it, as one that does not trap exits would.
    if (message.type === 'EXIT') throw new ExitSignal(message.reason);
    const { job, replyTo } = message;
    if (job.poison) throw new PoisonJob(job.id);
    yield* sleep(this.workMs);
    replyTo.reply(job.n * job.n);
  }

  protected override terminate(reason: unknown): void {
    this.log(`${this.slot} stops: ${reason instanceof Error ? `crashed: ${reason.message}` : String(reason)}`);
  }
}

/** Options of `startJobService`. */
export interface JobServiceOptions {
  /** Where the service logs its workers' lives. */
  log: Log;
  /** How many workers (3). */
  workers?: number;
  /** How long a job takes, ms (20). */
  workMs?: number;
  /** The port on 127.0.0.1 (0: an ephemeral one). */
  port?: number;
}

/** A running job service. */
export interface JobService {
  readonly url: string;
  /** The pool of workers. */
  readonly pool: Router<WorkerMessage>;
  /** Jobs accepted so far (each has been, or will be, answered). */
  readonly accepted: () => number;
  /**
   * Stops the service without losing a job: new requests get 503; once
   * every request has its answer the server closes and the pool stops,
   * each worker handling what it still has first.
   */
  stop(): Operation<void>;
}

/** Starts the workers, waits until they are up, then serves `POST /jobs?n=<int>[&poison=1]`. */
export function* startJobService(options: JobServiceOptions): Operation<JobService> {
  const { log, workers = 3, workMs = 20, port = 0 } = options;
  const pool = new Router<WorkerMessage>({
    name: 'jobs',
    workers,
    worker: (slot) => new JobWorker(`w${slot + 1}`, log, workMs),
    strategy: 'roundRobin',
    maxRestarts: 10,
    withinMs: 1000,
    shutdown: 1000,
  }).start();
  yield* pool.up();

  let draining = false;
  let lastId = 0;

  /**
   * Runs a job. When the worker it went to dies with the job still queued
   * (a poison job ahead of it), the ask fails at once and the job is sent
   * again, to the next worker the router picks; a few times at most.
   */
  function* runJob(job: Job): Operation<number | undefined> {
    for (let attempt = 1; attempt <= 10; attempt++) {
      try {
        return yield* ask(pool, (replyTo) => ({ type: 'job', job, replyTo }), { timeout: 5000 });
      } catch (error) {
        if (!(error instanceof AskFailed)) throw error;
        // This job crashed its worker: it is the poison. Any other death: send it again.
        if (error.reason instanceof PoisonJob && error.reason.jobId === job.id) throw error.reason;
      }
    }
    return undefined;
  }

  function* handle(request: HttpRequest, response: HttpResponse): Operation<void> {
    const answer = (status: number, body: object): void => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.method !== 'POST' || request.path !== '/jobs') return answer(404, { error: 'POST /jobs?n=<integer>' });
    const n = Number(request.query.get('n'));
    if (!Number.isInteger(n)) return answer(400, { error: 'n must be an integer' });
    if (draining) return answer(503, { error: 'shutting down' });
    const job: Job = { id: ++lastId, n, poison: request.query.get('poison') === '1' };
    try {
      const result = yield* runJob(job);
      if (result === undefined) answer(503, { id: job.id, error: 'shutting down' });
      else answer(200, { id: job.id, result });
    } catch (error) {
      if (!(error instanceof PoisonJob)) throw error;
      answer(500, { id: job.id, error: error.message });
    }
  }

  const server = new HttpServer({ host: '127.0.0.1', port }, handle);
  yield* server.start();
  return {
    url: urlOf(server),
    pool,
    accepted: () => lastId,
    *stop(): Operation<void> {
      draining = true;
      // Every request answered (a job retried after a crash runs on the restarted worker), then the pool drains.
      yield* server.pool.join();
      yield* server.stop();
      pool.stop({ drain: true });
      yield* pool.join();
    },
  };
}

/** One client request: `POST /jobs?n=...`; the answer's status and JSON body. */
export function* postJob(url: string, n: number, poison = false): Operation<{ status: number; body: Record<string, unknown> }> {
  const reply = yield* request(`${url}/jobs?n=${n}${poison ? '&poison=1' : ''}`, { method: 'POST' });
  return { status: reply.status, body: JSON.parse(reply.body) as Record<string, unknown> };
}

/**
 * Sends eight jobs at once (job 4 is poison), then SIGTERM while they are in
 * flight — a real one to this process, or an `emit` on `signals` when
 * given — and prints each answer once the service has stopped.
 */
export function* main(log: Log, signals: EventEmitter = process): Operation<void> {
  const service = yield* startJobService({ log });
  log('serving POST /jobs on 127.0.0.1');
  const stopped = new AsyncResult<string>();
  const onSignal = (name: string): void => stopped.set(name);
  for (const name of ['SIGINT', 'SIGTERM']) signals.once(name, onSignal);
  try {
    const clients = Array.from({ length: 8 }, (_, i) => spawn(postJob, service.url, i + 1, i + 1 === 4));
    // Wait (bounded) until the service has taken all eight, then signal while they are in flight.
    for (let waited = 0; service.accepted() < 8 && waited < 2000; waited++) yield* sleep(1);
    if (signals === process) process.kill(process.pid, 'SIGTERM');
    else signals.emit('SIGTERM', 'SIGTERM');
    log(`${yield* stopped.get()}: draining`);
    yield* service.stop();
    yield* joinAll(clients);
    for (const client of clients) {
      const { status, body } = client.value!;
      log(`job ${String(body.id)}: ${status} ${JSON.stringify(body.result ?? body.error)}`);
    }
    log('stopped: every job answered');
  } finally {
    for (const name of ['SIGINT', 'SIGTERM']) signals.off(name, onSignal);
  }
}

runIfMain(import.meta.url, (log) => main(log));
