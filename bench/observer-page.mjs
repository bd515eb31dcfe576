/**
 * An open observer page for the benchmarks: a worker thread reads
 * grove/observer's event stream (`/events`) as a browser in another process
 * would, so the program under test pays only what the server side of an
 * open page costs (its lifecycle subscription, its updates every second).
 * `openPage(url)` resolves once the first snapshot has arrived.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { get } from 'node:http';

/** Opens the page's stream of `url` in a worker thread; resolves when the first snapshot came. */
export function openPage(url) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { url } });
  worker.unref();
  return new Promise((resolve, reject) => {
    worker.once('message', () => resolve(worker));
    worker.once('error', reject);
  });
}

if (!isMainThread) {
  get(`${workerData.url}events`, (response) => {
    let told = false;
    let seen = '';
    response.setEncoding('utf8');
    response.on('data', (chunk) => {
      if (told) return;
      seen += chunk;
      if (seen.includes('event: snapshot')) {
        told = true;
        parentPort.postMessage('open');
      }
    });
  });
}
