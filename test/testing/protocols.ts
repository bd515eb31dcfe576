/** Small protocols the grove/testing tests run: races to find, and message flows to trace and draw. */
import { AsyncResult, Queue, joinAll, sleep, spawn, type Operation } from 'grove';
import { Actor } from 'grove/actors';

/**
 * A deliberately racy protocol: a store greenlet serves get/set requests
 * from a queue; two clients each read the counter and write it back plus
 * one, without a lock; the second first yields `head` times. Returns the
 * count: 2, or 1 when an update was lost. In FIFO order the race shows only
 * with no head start.
 */
export function* racyCounter(head: number): Operation<number> {
  type Request = { kind: 'get'; reply: AsyncResult<number> } | { kind: 'set'; value: number; reply: AsyncResult<number> };
  const requests = new Queue<Request>();
  let counter = 0;
  const store = spawn(function* () {
    for (;;) {
      const request = yield* requests.get();
      if (request.kind === 'set') counter = request.value;
      request.reply.set(counter);
    }
  });
  function* ask(request: Request): Operation<number> {
    requests.putNowait(request);
    return yield* request.reply.get();
  }
  function* client(yields: number): Operation<void> {
    for (let i = 0; i < yields; i++) yield* sleep(0);
    const value = yield* ask({ kind: 'get', reply: new AsyncResult() });
    yield* ask({ kind: 'set', value: value + 1, reply: new AsyncResult() });
  }
  yield* joinAll([spawn(client, 0), spawn(client, head)]);
  store.kill();
  return counter;
}

/** `racyCounter(head)` as a test body: fails with `lost update: counter is 1, expected 2`. */
export function lostUpdate(head: number): () => Operation<void> {
  return function* () {
    const count = yield* racyCounter(head);
    if (count !== 2) throw new Error(`lost update: counter is ${count}, expected 2`);
  };
}

/** Two greenlets bump a shared counter with a yield between read and write: FIFO order already loses an update. */
export function* bumpTwice(): Operation<void> {
  let counter = 0;
  const bump = function* (): Operation<void> {
    const value = counter;
    yield* sleep(0);
    counter = value + 1;
  };
  const gs = [spawn(bump), spawn(bump)];
  for (const g of gs) yield* g.join();
  if (counter !== 2) throw new Error('lost update');
}

export type EchoRequest = { n: number; to: Actor<{ n: number }> };

/** Answers `{ n, to }` with `{ n: n + 1 }` to `to`, 10 ms later. */
export class Echo extends Actor<EchoRequest> {
  *receive(m: EchoRequest): Operation<void> {
    yield* sleep(10);
    m.to.send({ n: m.n + 1 });
  }
}

/** Keeps what it receives; stops after two. */
export class Sink extends Actor<{ n: number }> {
  readonly got: number[] = [];
  receive(m: { n: number }): void {
    this.got.push(m.n);
    if (this.got.length === 2) this.stop();
  }
}

/** An echo and a sink named so; two requests; returns what the sink got: `[2, 6]`. */
export function* echoTwice(): Operation<number[]> {
  const echo = new Echo({ name: 'echo' }).start();
  const sink = new Sink({ name: 'sink' }).start();
  echo.send({ n: 1, to: sink });
  echo.send({ n: 5, to: sink });
  yield* sink.join();
  echo.stop();
  return sink.got;
}
