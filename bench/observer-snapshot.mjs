/**
 * What grove/observer costs on a large system, from the built bundle:
 * 10,000 actors idle on their inboxes (every tenth with 5 messages queued),
 * under one supervisor each hundred, and the time and size of
 *
 * - `/snapshot` (every process, the tree, the log: what a tool fetches),
 * - `/snapshot?sort=mailbox&limit=50` (one page of the table: what an open
 *   page receives every second, sorted on the server),
 * - `/metrics`.
 *
 * Prints one line per request: median and min of 9 fetches, and the bytes;
 * then the size of what an open page receives: the `tree` event (at most 20
 * children per supervisor) and each `snapshot` event (figures and 50 rows).
 *
 *     npm run build && node --expose-gc bench/observer-snapshot.mjs [count]
 */
import { get } from 'node:http';

const dist = new URL('../dist/', import.meta.url);
const { run, call, sleep } = await import(new URL('index.js', dist).href);
const { Actor } = await import(new URL('actors.js', dist).href);
const { Supervisor } = await import(new URL('supervision.js', dist).href);
const { serveObserver } = await import(new URL('observer.js', dist).href);

const count = Number(process.argv[2] ?? 10_000);

class Idle extends Actor {
  *receive() {
    yield* sleep(3_600_000);
  }
}

function fetchBody(url) {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      let bytes = 0;
      response.on('data', (chunk) => (bytes += chunk.length));
      response.on('end', () => resolve(bytes));
    }).on('error', reject);
  });
}

/** The sizes of the first `tree` and `snapshot` events of a page's stream. */
function pageEvents(url) {
  return new Promise((resolve, reject) => {
    const request = get(url, (response) => {
      let text = '';
      const sizes = {};
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        text += chunk;
        for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const type = /^event: (\w+)$/m.exec(block)?.[1];
          if (type !== undefined && sizes[type] === undefined) sizes[type] = Buffer.byteLength(block);
        }
        if (sizes.tree !== undefined && sizes.snapshot !== undefined) {
          request.destroy();
          resolve(sizes);
        }
      });
    });
    request.on('error', reject);
  });
}

await run(function* () {
  const supervisors = [];
  for (let s = 0; s < count / 100; s++) {
    const children = Array.from({ length: 100 }, (_, i) => ({ id: `idle-${s}-${i}`, start: () => new Idle() }));
    supervisors.push(new Supervisor({ name: `sup-${s}`, children }).start());
  }
  for (const sup of supervisors) yield* sup.up();
  let n = 0;
  for (const sup of supervisors) {
    for (const child of sup.whichChildren()) {
      if (n++ % 10 === 0) for (let m = 0; m < 6; m++) child.greenlet.send(m); // one in hand, 5 queued
    }
  }
  yield* sleep(0);
  const observer = yield* serveObserver();
  console.log(`${count} actors under ${supervisors.length} supervisors (live greenlets: ${n + supervisors.length + 1})`);
  for (const path of ['snapshot', 'snapshot?sort=mailbox&limit=50', 'metrics']) {
    const times = [];
    let bytes = 0;
    for (let i = 0; i < 9; i++) {
      const start = performance.now();
      bytes = yield* call(fetchBody(`${observer.url}${path}`));
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    console.log(`/${path.padEnd(30)} median ${times[4].toFixed(1).padStart(6)} ms  min ${times[0].toFixed(1).padStart(6)} ms  ${(bytes / 1024).toFixed(0).padStart(6)} KiB`);
  }
  const sizes = yield* call(pageEvents(`${observer.url}events?sort=mailbox&limit=50`));
  console.log(`an open page: tree event ${(sizes.tree / 1024).toFixed(0)} KiB, snapshot event ${(sizes.snapshot / 1024).toFixed(0)} KiB`);
  yield* call(observer.close());
  for (const sup of supervisors) sup.kill();
});
process.exit(0);
