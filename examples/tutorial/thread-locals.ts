/**
 * The tutorial's "Thread Locals": a `local` whose properties belong to the
 * greenlet that sets them, then the tutorial's Flask-style request object —
 * each request handled in its own greenlet sees only its own request, even
 * while the handlers interleave. (The tutorial builds it with Werkzeug's
 * LocalProxy and a WSGI server; here a function reads the local, and the
 * requests are simulated.)
 */
import { joinAll, local, sleep, spawn, type Operation } from 'grove';
import { runIfMain, type Log } from '../support.js';

interface Request {
  remoteAddr: string;
}

export function* main(log: Log): Operation<void> {
  const stash = local<{ x?: number; y?: number }>();

  function f1(): void {
    stash.x = 1;
    log(String(stash.x));
  }

  function f2(): void {
    stash.y = 2;
    log(String(stash.y));
    // Python raises AttributeError here; in TypeScript the property is just absent.
    if (!('x' in stash)) log('x is not local to f2');
  }

  const g1 = spawn(f1);
  const g2 = spawn(f2);
  yield* joinAll([g1, g2]);

  // Session storage: each request's greenlet keeps its request in a local.
  const requests = local<{ request?: Request }>();
  const request = (): Request => {
    if (requests.request === undefined) throw new Error('no request is being handled in this greenlet');
    return requests.request;
  };

  /** Python's `with sessionmanager(environ):` */
  function* session<T>(environ: Request, body: () => Operation<T>): Operation<T> {
    requests.request = environ;
    try {
      return yield* body();
    } finally {
      requests.request = undefined;
    }
  }

  function* logic(): Operation<string> {
    yield* sleep(0); // the other request's handler runs here
    return 'Hello ' + request().remoteAddr;
  }

  function* application(environ: Request): Operation<void> {
    const body = yield* session(environ, logic);
    log(`200 OK: ${body}`);
  }

  yield* joinAll([spawn(application, { remoteAddr: '10.0.0.1' }), spawn(application, { remoteAddr: '10.0.0.2' })]);
}

runIfMain(import.meta.url, main);
