/**
 * One measurement in a fresh process: `node --expose-gc bench/child.mjs
 * <system> <workload> [--quick]`. Loads only that system, warms it up,
 * runs the workload once for the record, verifies the work, and prints one
 * JSON line on stdout:
 *
 *   {"status":"ok","value":…,"unit":…,"n":…,"seconds":…,"checks":…,"extra":{…}}
 *   {"status":"n/a","reason":…}
 *   {"status":"error","error":…}          (exit code 1)
 *
 * Rate workloads with `calibrate` first grow a warm-up run until it lasts a
 * tenth of the time budget, then size the recorded run to fill the budget,
 * capped at the workload's N: fast systems all run the full N, a slow peer
 * runs fewer iterations instead of taking minutes. Rates stay comparable.
 */
import { Checks, NotApplicable, workload as findWorkload } from './workloads.mjs';

const [systemName, workloadId, ...flags] = process.argv.slice(2);
const quick = flags.includes('--quick');
/** Seconds one recorded rate run should last (at most; the workload's N caps it). */
const BUDGET = quick ? 0.15 : 1.5;
/** Seconds of warm-up runs, at least, before a rate run is sized and recorded. */
const WARM_UP = quick ? 0.1 : 1.0;

function emit(record, code) {
  process.stdout.write(JSON.stringify({ system: systemName, workload: workloadId, ...record }) + '\n', () => process.exit(code));
}

async function main() {
  const w = findWorkload(workloadId);
  let mod;
  try {
    mod = await import(`./systems/${systemName}.mjs`);
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(`systems/${systemName}.mjs`)) {
      throw new Error(`unknown system ${JSON.stringify(systemName)}`);
    }
    throw error;
  }
  const { system, workloads } = mod;
  const fn = workloads[workloadId];
  if (fn === undefined) {
    const reason = w.threads
      ? 'threads: measured for grove against the raw MessagePort / one-thread baseline only'
      : w.nats
        ? 'NATS: measured for grove against the raw NATS client only'
        : `no ${workloadId} implementation`;
    throw new NotApplicable(system.na?.[workloadId] ?? reason);
  }
  const base = quick ? w.quick : w.full;
  // Setting up what the workload runs on (a worker thread, say) is not part of its timing.
  await mod.setup?.[workloadId]?.(base);
  let checksPassed = 0;

  /** Runs the workload once with `params`, verifies it, returns the observations and the seconds it took. */
  async function once(params) {
    const checks = new Checks();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const obs = await fn(params);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    w.verify(params, obs, checks, system);
    checksPassed += checks.passed;
    return { obs, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  }

  let params = base;
  if (w.kind === 'rate' && w.calibrate) {
    // Grow a warm-up run until one lasts a tenth of the budget, and keep
    // warming until WARM_UP seconds were spent: a cold JIT would make a
    // system look slower than it is and size its recorded run too small.
    let n = quick ? 200 : 1000;
    let seconds = 0;
    let spent = 0;
    for (;;) {
      ({ seconds } = await once({ ...base, n }));
      spent += seconds;
      const longEnough = seconds >= BUDGET / 10 || n >= base.n / 10;
      if (longEnough && spent >= WARM_UP) break;
      if (!longEnough) {
        n = Math.min(Math.ceil(base.n / 10), n * 8);
        n += n % 2;
      }
    }
    let target = Math.min(base.n, Math.max(n, Math.round((n * BUDGET) / Math.max(seconds, 1e-6))));
    target -= target % 2;
    params = { ...base, n: target };
  } else {
    // Fixed shapes: repeat the warm-up shape (W5's is the full shape: a cold first
    // run is several times slower) until WARM_UP seconds were spent. Memory needs
    // only the code loaded, not a hot JIT: one small run.
    const warm = w.warmup === 'same' ? base : (w.warmup ?? { ...base, n: Math.max(2, Math.min(1000, Math.floor(base.n / 10))) });
    let spent = 0;
    for (let runs = 0; runs < 20 && spent < WARM_UP; runs++) {
      spent += (await once(warm)).seconds;
      if (w.kind === 'memory') break;
    }
  }

  const { obs, seconds, cpuSeconds } = await once(params);
  // CPU time over wall time: well under 100% means the process waited (for timers, or for a busy machine).
  const extra = { ...(obs.extra ?? {}), cpuPct: Math.round((100 * cpuSeconds) / seconds) };
  let value;
  if (w.kind === 'rate') value = (w.ops ? w.ops(params) : params.n) / seconds;
  else if (w.kind === 'memory') value = obs.bytes / params.n;
  else if (w.kind === 'perItem') value = (seconds * 1e6) / params.n;
  else {
    const ideal = obs.idealMs;
    value = obs.wallMs - ideal;
    extra.wallMs = round(obs.wallMs);
    extra.idealMs = ideal;
  }
  emit(
    {
      status: 'ok',
      value,
      unit: w.unit,
      n: w.ops ? w.ops(params) : (params.n ?? params.count),
      seconds: round(seconds),
      checks: checksPassed,
      extra,
      version: system.version ?? null,
    },
    0,
  );
}

function round(x) {
  return Math.round(x * 1000) / 1000;
}

main().catch((error) => {
  if (error instanceof NotApplicable) emit({ status: 'n/a', reason: error.message }, 0);
  else {
    console.error(error?.stack ?? String(error));
    emit({ status: 'error', error: `${error?.name ?? 'Error'}: ${error?.message ?? String(error)}` }, 1);
  }
});
