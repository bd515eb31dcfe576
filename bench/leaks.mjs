/**
 * Leak loops (issue 11): long loops that must leave nothing behind, run
 * against the built bundle like the benchmarks. Not part of the unit suite:
 * they take seconds and measure memory.
 *
 *   npm run build && node --expose-gc bench/leaks.mjs [loop ...] [--cycles N]
 *   GROVE_BENCH_DIST=/path/to/other/dist node --expose-gc bench/leaks.mjs
 *
 * Each loop prints what it ran and what stayed behind once it was over:
 * the heap retained (after forced GCs) per cycle, and the loop's own
 * evidence (late replies accepted, signals not aborted, the hub's count of
 * pending waits, time for a stuck main to get LoopExit).
 *
 * - `ask-kill`: an ask with `{ timeout: 1 }` whose asker is killed after the
 *   timeout fired, before it resumed (a killer's timer due at the same
 *   instant, started first, so it runs first). Each ask's ReplyTo must be
 *   let go: before the fix the target kept every one (~1.7 KB each) and a
 *   late `reply()` returned true.
 * - `call-kill`: the same race for `call(fn, { timeout: 1 })` on a promise
 *   that never settles: each call's AbortSignal must be aborted and the
 *   hub's count of pending waits must come back to 0 (before the fix a
 *   stuck `run()` main then hung instead of getting LoopExit).
 * - `burst`: 20 actors each get a burst of messages, drain them, and sit
 *   idle; and the hub runs a burst of greenlets at once. The idle heap must
 *   come back near where it was: queue buffers shrink when mostly empty.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = process.env.GROVE_BENCH_DIST
  ? pathToFileURL(resolve(process.env.GROVE_BENCH_DIST) + '/')
  : new URL('../dist/', import.meta.url);
if (!existsSync(new URL('index.js', dist))) {
  throw new Error(`leaks: ${fileURLToPath(dist)}index.js is missing; run \`npm run build\` first`);
}
if (typeof globalThis.gc !== 'function') throw new Error('leaks: run with node --expose-gc');
const grove = await import(new URL('index.js', dist).href);
const { Actor, ask } = await import(new URL('actors.js', dist).href);
const { Hub, LoopExit, Event, call, spawn, sleep, joinAll } = grove;

const args = process.argv.slice(2);
const cyclesAt = args.indexOf('--cycles');
const cyclesArg = cyclesAt >= 0 ? Number(args[cyclesAt + 1]) : undefined;
const names = args.filter((a, i) => !a.startsWith('--') && (cyclesAt < 0 || i !== cyclesAt + 1));

function settledHeap() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  return process.memoryUsage().heapUsed;
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Runs `count` cycles as rounds of `width` concurrent cycles; `cycle(i)` is a generator function. */
function* rounds(count, width, cycle) {
  for (let done = 0; done < count; done += width) {
    const n = Math.min(width, count - done);
    const gs = [];
    for (let i = 0; i < n; i++) gs.push(spawn(cycle, done + i));
    yield* joinAll(gs);
  }
}

/** How long a main blocked on an Event nobody sets takes to get LoopExit on `hub` (ms), or 'hangs' after 2 s. */
async function loopExitDelay(hub) {
  const started = performance.now();
  const outcome = hub.run(function* () {
    yield* new Event().wait();
  });
  let timer;
  const limit = new Promise((resolve) => {
    timer = setTimeout(() => resolve('hangs'), 2000);
  });
  const result = await Promise.race([outcome.then(() => 'returned', (e) => (e instanceof LoopExit ? 'LoopExit' : String(e))), limit]);
  clearTimeout(timer);
  return result === 'LoopExit' ? `LoopExit after ${(performance.now() - started).toFixed(0)} ms` : result;
}

const LOOPS = {
  async 'ask-kill'(cycles = 100_000) {
    class Holder extends Actor {
      last = null;
      receive(message) {
        this.last = message.replyTo; // never answered in time; answered late below
      }
    }
    const hub = new Hub({ clock: 'virtual', onError() {} });
    let holder;
    let lateAccepted = 0;
    const before = settledHeap();
    await hub.run(function* () {
      holder = new Holder().start();
      yield* rounds(cycles, 1000, function* () {
        // The killer's timer is started first, so at the shared instant it runs before the asker resumes.
        let asker;
        const killer = spawn(function* () {
          yield* sleep(1);
          asker.kill();
        });
        asker = spawn(() => ask(holder, (replyTo) => ({ replyTo }), { timeout: 1 }));
        yield* joinAll([killer, asker]);
      });
      yield* sleep(1);
      if (holder.last !== null && holder.last.reply('late')) lateAccepted++;
    });
    const after = settledHeap();
    holder.kill();
    return {
      cycles,
      'retained/cycle': kb((after - before) / cycles),
      'retained total': mb(after - before),
      'late reply accepted': lateAccepted,
    };
  },

  async 'call-kill'(cycles = 20_000) {
    // A real clock: on a virtual one the pending promises pace time anyway.
    const hub = new Hub({ onError() {} });
    const signals = [];
    const before = settledHeap();
    await hub.run(function* () {
      yield* rounds(cycles, 1000, function* () {
        let caller;
        const killer = spawn(function* () {
          yield* sleep(1);
          caller.kill();
        });
        caller = spawn(() =>
          call(
            (signal) => {
              if (signals.length < 1000) signals.push(signal);
              return new Promise(() => {});
            },
            { timeout: 1 },
          ),
        );
        yield* joinAll([killer, caller]);
      });
    });
    const after = settledHeap();
    return {
      cycles,
      'retained/cycle': kb((after - before) / cycles),
      'signals not aborted (of the first 1000)': signals.filter((s) => !s.aborted).length,
      'hub pending waits after': hub.externals,
      'stuck main then': await loopExitDelay(hub),
    };
  },

  async burst(cycles = 100_000) {
    class Sink extends Actor {
      count = 0;
      receive() {
        this.count++;
      }
    }
    const hub = new Hub({ clock: 'virtual', onError() {} });
    const actors = [];
    const figures = { 'messages per actor': cycles };
    await hub.run(function* () {
      for (let i = 0; i < 20; i++) actors.push(new Sink().start());
      yield* sleep(1);
      const idle = settledHeap();
      figures['20 idle actors, before'] = mb(idle);
      for (const actor of actors) for (let i = 0; i < cycles; i++) actor.send(i);
      yield* sleep(1);
      const after = settledHeap();
      figures['after each got a burst and drained it'] = mb(after);
      figures['retained per idle actor'] = kb((after - idle) / actors.length);
    });
    figures.received = actors.reduce((n, a) => n + a.count, 0);
    // The hub's ready queue: a burst of greenlets all ready at once, then the hub goes idle.
    const before = settledHeap();
    await hub.run(function* () {
      const gs = [];
      for (let i = 0; i < cycles * 5; i++) gs.push(spawn(() => i));
      yield* joinAll(gs);
    });
    await new Promise((resolve) => setImmediate(resolve));
    const after = settledHeap();
    figures[`hub idle after ${cycles * 5} greenlets ran at once`] = `${mb(after)} (before ${mb(before)})`;
    for (const actor of actors) actor.kill();
    return figures;
  },
};

const chosen = names.length > 0 ? names : Object.keys(LOOPS);
console.log(`leaks: grove from ${fileURLToPath(dist)}`);
for (const name of chosen) {
  const loop = LOOPS[name];
  if (loop === undefined) throw new Error(`leaks: unknown loop ${JSON.stringify(name)} (loops: ${Object.keys(LOOPS).join(', ')})`);
  const started = performance.now();
  const figures = await loop(cyclesArg);
  console.log(`\n${name} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  for (const [key, value] of Object.entries(figures)) console.log(`  ${key}: ${value}`);
}
