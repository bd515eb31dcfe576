/**
 * A worker thread's start (thread.ts runs it as the thread's first
 * module, then calls `bootThread`): names the thread's node as its parent
 * chose, connects it to the parent's port, sends what its hub reports to
 * the parent (so a crash in a thread is reported where the thread was
 * started), loads the thread's module and says READY. Its hub runs
 * without the blocking detector (lib/blocking.ts): blocking work is what
 * a thread is for. A STOP from the
 * parent stops every greenlet as `shutdown()` does, flushes what they
 * sent, and ends the thread.
 *
 * Built as its own entry (dist/cluster-boot.cjs), so a thread loads the
 * same runtime as the module it runs: one node, one set of offers.
 */
import { parentPort } from 'node:worker_threads';
import { getHub } from '../lib/hub.js';
import { configure } from '../lib/config.js';
import { shutdown } from '../lib/join.js';
import { encodeReason } from './codec.js';
import { initLocalNode } from './local-node.js';
import type { NodeId } from './node-id.js';
import { READY, REPORT, STOP, threadTransport } from './thread-transport.js';

/** What thread.ts gives a thread. */
interface ThreadData {
  id: NodeId;
  parent: string;
  module: string;
}

/** @internal runs in a new worker thread, before anything else of grove. */
export async function bootThread(data: ThreadData): Promise<void> {
  const port = parentPort!;
  const node = initLocalNode(Object.freeze({ ...data.id }));
  const transport = threadTransport(node);
  transport.setParent(port);
  // Long steps are what a thread is for (a CPU-bound job, offloaded): its hub has no blocking detector.
  configure({ maxBlockingMs: { real: null } });
  const hub = getHub();
  hub.onError = (error, context) => {
    port.postMessage([REPORT, context.where, encodeReason(error, node), context.greenlet?.name ?? null]);
  };
  port.on('message', (message: unknown[]) => {
    if (message[0] === STOP) stop(message[1] as number);
    else transport.fromParent(message);
  });
  await import(data.module);
  port.postMessage([READY]);

  function stop(timeout: number): void {
    void hub
      .run(function* () {
        yield* shutdown({ timeout });
      })
      .finally(() => {
        // What the dying actors sent (EXITs, DOWNs, last messages) goes before the thread ends.
        for (const peer of node.peers.values()) peer.flush();
        process.exit(0);
      });
  }
}
