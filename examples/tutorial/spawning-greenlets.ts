/**
 * The tutorial's "Spawning Greenlets": `Greenlet.spawn`, `spawn`, a plain
 * function as a body, and a Greenlet subclass overriding `run()`.
 */
import { Greenlet, joinAll, sleep, spawn, type Operation } from 'grove';
import { runIfMain, type Log } from '../support.js';

export function* main(log: Log): Operation<void> {
  function* foo(message: string, n: number): Operation<void> {
    // Each greenlet gets its own message and n when it is created.
    yield* sleep(n * 1000);
    log(message);
  }
  const thread1 = Greenlet.spawn(foo, 'Hello', 1);
  const thread2 = spawn(foo, 'I live!', 2);
  const thread3 = spawn((x: number) => x + 1, 2);
  yield* joinAll([thread1, thread2, thread3]);
  log(`thread3 returned ${thread3.value}`);

  class MyGreenlet extends Greenlet<void> {
    constructor(
      private readonly message: string,
      private readonly n: number,
    ) {
      super();
    }
    protected override *run(): Operation<void> {
      log(this.message);
      yield* sleep(this.n * 1000);
    }
  }
  const g = new MyGreenlet('Hi there!', 3);
  g.start();
  yield* g.join();
}

runIfMain(import.meta.url, main);
