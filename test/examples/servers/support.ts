/**
 * Shared by the server tests: run a test body and check it left nothing
 * open (greenlets still alive, Node handles and timers keeping the process
 * alive), and a bounded wait for a condition that outside I/O makes true.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import * as assert from 'uvu/assert';
import { getHub, run, sleep, type Greenlet, type Operation } from 'grove';

/** What was alive before a test: its greenlets and Node's active resources. */
interface Snapshot {
  greenlets: Set<Greenlet<unknown>>;
  resources: string[];
}

function snapshot(): Snapshot {
  return { greenlets: new Set(getHub().greenlets()), resources: process.getActiveResourcesInfo() };
}

/**
 * What is alive now that was not at `before`: greenlets by name, Node
 * resources by type (`TCPSocketWrap`, `TCPServerWrap`, `Timeout`...; an
 * unref'd timer, like the hub's once no run() waits, keeps nothing alive and
 * is not listed). Gives Node a few turns first: a destroyed socket's handle
 * closes on the next one.
 */
async function leftOpen(before: Snapshot): Promise<string[]> {
  for (let turn = 0; turn < 3; turn++) await nextTurn();
  const left = getHub()
    .greenlets()
    .filter((g) => !before.greenlets.has(g))
    .map((g) => `greenlet ${g.name}`);
  const counts = new Map<string, number>();
  for (const r of before.resources) counts.set(r, (counts.get(r) ?? 0) + 1);
  for (const r of process.getActiveResourcesInfo()) {
    const n = counts.get(r) ?? 0;
    if (n > 0) counts.set(r, n - 1);
    else left.push(r);
  }
  return left;
}

/** Runs `body` on the program's hub (real clock), then asserts it left nothing open. */
export async function runClean<T>(body: () => Operation<T>): Promise<T> {
  const before = snapshot();
  const value = await run(body);
  assert.equal(await leftOpen(before), [], 'left open by the test');
  return value;
}

/** Waits (polling every ms) until `condition()` holds; throws after `ms` ms. */
export function* eventually(what: string, condition: () => boolean, ms = 500): Operation<void> {
  const deadline = getHub().now() + ms;
  while (!condition()) {
    if (getHub().now() > deadline) throw new Error(`still not true after ${ms} ms: ${what}`);
    yield* sleep(1);
  }
}
