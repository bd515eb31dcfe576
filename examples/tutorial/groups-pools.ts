/**
 * The tutorial's "Groups and Pools": a Group that collects greenlets to be
 * joined together, a Group as a dispatcher (`map`, ordered `imap`,
 * `imapUnordered`), and a Pool(2) whose `map` runs at most two jobs at once.
 */
import { Group, Pool, getCurrent, sleep, spawn, type Operation } from 'grove';
import { runIfMain, type Log } from '../support.js';

/** Python's `range(n)`. */
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Prints a pair as the tutorial's Python prints a tuple: `('task', 0)`. */
const tuple = ([name, n]: [string, number]): string => `('${name}', ${n})`;

export function* main(log: Log): Operation<void> {
  // A Group is a collection of running greenlets managed together.
  function talk(msg: string): void {
    for (let i = 0; i < 3; i++) log(msg);
  }
  const g1 = spawn(talk, 'bar');
  const g2 = spawn(talk, 'foo');
  const g3 = spawn(talk, 'fizz');

  const group = new Group();
  group.add(g1);
  group.add(g2);
  yield* group.join();

  group.add(g3);
  yield* group.join();

  // It is also a dispatcher: map runs a function over items, one greenlet each.
  const dispatcher = new Group();
  function helloFrom(_n: number): void {
    log(`Size of group ${dispatcher.size}`);
    log(`Hello from Greenlet ${getCurrent().id}`);
  }
  yield* dispatcher.map(helloFrom, range(3));

  function* intensive(n: number): Operation<[string, number]> {
    yield* sleep((3 - n) * 1000);
    return ['task', n];
  }

  log('Ordered');
  const ogroup = new Group();
  const ordered = ogroup.imap(intensive, range(3));
  for (let r = yield* ordered.next(); !r.done; r = yield* ordered.next()) log(tuple(r.value));

  log('Unordered');
  const igroup = new Group();
  const unordered = igroup.imapUnordered(intensive, range(3));
  for (let r = yield* unordered.next(); !r.done; r = yield* unordered.next()) log(tuple(r.value));

  // A Pool limits how many of its greenlets run at once: the third job
  // starts when a slot frees, and by then the pool holds only itself.
  const pool = new Pool(2);
  function helloFromPool(_n: number): void {
    log(`Size of pool ${pool.size}`);
  }
  yield* pool.map(helloFromPool, range(3));
}

runIfMain(import.meta.url, main);
