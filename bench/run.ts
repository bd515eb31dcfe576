/**
 * The benchmark runner (`npm run bench`, after `npm run build`).
 *
 * For each workload, for each repeat, for each system in round-robin order
 * (rotated every repeat, so machine drift hits all alike), it starts a fresh
 * `node --expose-gc bench/child.mjs <system> <workload>` — plain Node, no
 * tsx, grove loaded from dist/ — and reads the one JSON line it prints.
 * It reports per system the median, the min–max and the ratio to the
 * hand-written baseline, as an aligned text table on stdout, and writes
 * bench/results/latest.json and latest.md. It exits 1 if any measurement
 * failed its checks or crashed.
 *
 *   npm run bench -- --quick                 smoke check, under a minute
 *   npm run bench -- --only W1,W2 --repeats 3
 *   npm run bench -- --systems grove,baseline
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { WORKLOADS, type Workload } from './workloads.mjs';

/** Every system, in report order; the baseline first, since ratios are to it. */
const SYSTEMS = ['baseline', 'grove', 'callbacks', 'effect', 'effection', 'xstate', 'rxjs'] as const;
/** Systems this project owns: one that runs out of time has hung, which is a failure. */
const OWN = new Set<string>(['baseline', 'grove', 'callbacks']);

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));
const childScript = fileURLToPath(new URL('child.mjs', import.meta.url));

interface Options {
  repeats: number;
  quick: boolean;
  workloads: Workload[];
  systems: string[];
  timeoutSeconds: number;
}

type Status = 'ok' | 'n/a' | 'error' | 'timeout';

interface Measurement {
  system: string;
  workload: string;
  repeat: number;
  status: Status;
  value?: number;
  unit?: string;
  n?: number;
  seconds?: number;
  checks?: number;
  extra?: Record<string, number>;
  version?: string | null;
  reason?: string;
  error?: string;
  /** Seconds the whole child process took (warm-up included). */
  processSeconds?: number;
}

interface Summary {
  system: string;
  status: Status;
  median?: number;
  min?: number;
  max?: number;
  ratio?: number;
  runs: number;
  n?: number;
  checks: number;
  notes: string;
  reason?: string;
}

const USAGE = `usage: npm run bench -- [--quick] [--repeats N] [--only W1,W2,...] [--systems grove,baseline,...] [--timeout S]
  --quick      small sizes, 1 repeat: a smoke check in under a minute
  --repeats N  measurements per system and workload (default 5; 1 with --quick)
  --only       workloads: ${WORKLOADS.map((w) => w.id).join(', ')} (W2 includes W2mem; sup is every sup row; w7 is W7 and W7fan; w9 is W9, W9ask and W9ask100)
  --systems    systems: ${SYSTEMS.join(', ')}
  --timeout S  seconds one measurement may take (default 180; 30 with --quick)`;

function parseArgs(argv: string[]): Options {
  let repeats: number | null = null;
  let quick = false;
  let only: string[] | null = null;
  let systems: string[] = [...SYSTEMS];
  let timeoutSeconds: number | null = null;
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) fail(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') quick = true;
    else if (arg === '--repeats') repeats = positiveInt(value(i++, arg), arg);
    else if (arg === '--timeout') timeoutSeconds = positiveInt(value(i++, arg), arg);
    else if (arg === '--only') only = list(value(i++, arg));
    else if (arg === '--systems') systems = list(value(i++, arg));
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown argument ${JSON.stringify(arg)}`);
  }
  for (const s of systems) {
    if (!(SYSTEMS as readonly string[]).includes(s)) fail(`unknown system ${JSON.stringify(s)}; known: ${SYSTEMS.join(', ')}`);
  }
  const lower = only?.map((x) => x.toLowerCase()) ?? null;
  const workloads = WORKLOADS.filter((w) => {
    if (lower === null) return true;
    const id = w.id.toLowerCase();
    return lower.includes(id) || (id.endsWith('mem') && lower.includes(id.slice(0, -3))) || (w.group !== undefined && lower.includes(w.group));
  });
  for (const x of lower ?? []) {
    if (!WORKLOADS.some((w) => w.id.toLowerCase() === x || w.group === x)) {
      fail(`unknown workload ${JSON.stringify(x)}; known: ${WORKLOADS.map((w) => w.id).join(', ')} (and the groups sup, w7, w9)`);
    }
  }
  return {
    repeats: repeats ?? (quick ? 1 : 5),
    quick,
    workloads,
    systems: SYSTEMS.filter((s) => systems.includes(s)),
    timeoutSeconds: timeoutSeconds ?? (quick ? 30 : 180),
  };
}

function fail(message: string): never {
  console.error(`bench: ${message}\n${USAGE}`);
  process.exit(2);
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) fail(`${flag} must be a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

/** Runs one measurement in a fresh plain-Node process. */
function measure(system: string, w: Workload, repeat: number, options: Options): Promise<Measurement> {
  const args = ['--expose-gc', childScript, system, w.id];
  if (options.quick) args.push('--quick');
  // The child must be plain Node: no tsx loader, no inherited NODE_OPTIONS.
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutSeconds * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const base = { system, workload: w.id, repeat, processSeconds: Math.round(performance.now() - t0) / 1000 };
      if (timedOut) {
        const what = `ran over ${options.timeoutSeconds} s`;
        resolve(OWN.has(system) ? { ...base, status: 'error', error: `${what} (hung?)` } : { ...base, status: 'timeout', reason: what });
        return;
      }
      const line = stdout
        .trim()
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('{'));
      let record: Partial<Measurement> | null = null;
      try {
        record = line === undefined ? null : (JSON.parse(line) as Partial<Measurement>);
      } catch {
        record = null;
      }
      if (record === null || (code !== 0 && record.status !== 'error')) {
        const tail = stderr.trim().split('\n').slice(-3).join(' | ');
        resolve({ ...base, status: 'error', error: `child exited with ${signal ?? code}${tail ? `: ${tail}` : ''}` });
        return;
      }
      resolve({ ...(record as Measurement), ...base });
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function summarize(w: Workload, systems: string[], results: Measurement[]): Summary[] {
  const baseRuns = results.filter((r) => r.system === 'baseline' && r.workload === w.id && r.status === 'ok');
  const baseP99s = baseRuns.map((r) => r.extra?.p99Ms).filter((x): x is number => typeof x === 'number');
  const baseP99 = baseP99s.length === 0 ? undefined : median(baseP99s);
  const summaries = systems.map((system): Summary => {
    const mine = results.filter((r) => r.system === system && r.workload === w.id);
    const ok = mine.filter((r) => r.status === 'ok');
    const bad = mine.find((r) => r.status === 'error') ?? mine.find((r) => r.status === 'timeout') ?? mine.find((r) => r.status === 'n/a');
    const checks = ok.reduce((sum, r) => sum + (r.checks ?? 0), 0);
    if (bad !== undefined && (bad.status === 'error' || ok.length === 0)) {
      return { system, status: bad.status, runs: mine.length, checks, notes: '', reason: bad.error ?? bad.reason ?? '' };
    }
    const values = ok.map((r) => r.value as number);
    return {
      system,
      status: 'ok',
      median: median(values),
      min: Math.min(...values),
      max: Math.max(...values),
      runs: ok.length,
      n: median(ok.map((r) => r.n ?? 0)),
      checks,
      notes: notes(w, ok, system === 'baseline' ? undefined : baseP99),
    };
  });
  const base = summaries.find((s) => s.system === 'baseline' && s.status === 'ok');
  for (const s of summaries) {
    if (s.status === 'ok' && base?.median !== undefined && base.median !== 0) s.ratio = (s.median as number) / base.median;
  }
  return summaries;
}

/**
 * The extra figures worth a glance: timer lateness, strict alternation,
 * W6's latency percentiles (p99 also as a ratio to the baseline's), and
 * CPU share (noise).
 */
function notes(w: Workload, ok: Measurement[], baseP99?: number): string {
  const extra = (key: string): number | undefined => {
    const xs = ok.map((r) => r.extra?.[key]).filter((x): x is number => typeof x === 'number');
    return xs.length === 0 ? undefined : median(xs);
  };
  const parts: string[] = [];
  const late = extra('meanLateMs');
  const maxLate = extra('maxLateMs');
  if (late !== undefined && maxLate !== undefined) parts.push(`late mean ${late.toFixed(1)} ms, max ${maxLate.toFixed(1)} ms`);
  const early = extra('earlyWakes');
  if (early !== undefined && early > 0) parts.push(`${early} woke early`);
  const violations = extra('alternationViolations');
  if (violations !== undefined && violations > 0) parts.push(`${violations} turns out of alternation`);
  const p99 = extra('p99Ms');
  const p50 = extra('p50Ms');
  if (p99 !== undefined && p50 !== undefined) {
    const ratio = baseP99 !== undefined && baseP99 > 0 ? ` (${(p99 / baseP99).toFixed(2)}× baseline)` : '';
    parts.push(`latency p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms${ratio}`);
  }
  const cpu = extra('cpuPct');
  if (cpu !== undefined && w.kind === 'rate' && cpu < 90) parts.push(`cpu ${Math.round(cpu)}%`);
  return parts.join('; ');
}

/** 17.1 M, 312 k, 1,862; bytes and ms as plain numbers. */
function formatValue(w: Workload, x: number): string {
  if (w.kind === 'memory') return `${Math.round(x).toLocaleString('en-US')}`;
  if (w.kind === 'overhead' || w.kind === 'perItem') return x.toFixed(1);
  if (x >= 1e6) return `${(x / 1e6).toFixed(x >= 1e7 ? 1 : 2)} M`;
  if (x >= 1e4) return `${(x / 1e3).toFixed(0)} k`;
  return Math.round(x).toLocaleString('en-US');
}

function direction(w: Workload): string {
  return w.kind === 'rate' ? 'higher is better' : 'lower is better';
}

function rows(w: Workload, summaries: Summary[]): string[][] {
  return summaries.map((s) => {
    if (s.status !== 'ok') {
      const label = s.status === 'timeout' ? 'too slow' : s.status === 'n/a' ? 'n/a' : 'ERROR';
      return [s.system, label, s.reason ?? ''];
    }
    return [
      s.system,
      formatValue(w, s.median as number),
      `${formatValue(w, s.min as number)} – ${formatValue(w, s.max as number)}`,
      s.ratio === undefined ? '—' : `${s.ratio.toFixed(2)}×`,
      (s.n ?? 0).toLocaleString('en-US'),
      `${s.runs}`,
      s.notes,
    ];
  });
}

const HEADER = ['system', 'median', 'min – max', '× baseline', 'n', 'runs', 'notes'];

function textTable(w: Workload, summaries: Summary[]): string {
  const body = rows(w, summaries);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...body.filter((r) => r.length > 3).map((r) => (r[i] ?? '').length)));
  const right = new Set([1, 2, 3, 4, 5]);
  const line = (cells: string[]): string => {
    if (cells.length === 3) return `  ${cells[0].padEnd(widths[0])}  ${cells[1].padStart(widths[1])}  ${cells[2]}`.trimEnd();
    return ('  ' + cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ')).trimEnd();
  };
  return [`${w.title} — ${w.unit}, ${direction(w)}`, line(HEADER), ...body.map(line)].join('\n');
}

function markdownTable(w: Workload, summaries: Summary[]): string {
  const body = rows(w, summaries).map((r) => (r.length === 3 ? [r[0], `${r[1]}: ${r[2]}`, '', '', '', '', ''] : r));
  const esc = (c: string): string => c.replace(/\|/g, '\\|');
  return [
    `### ${w.title}`,
    '',
    `${w.unit}, ${direction(w)}`,
    '',
    `| ${HEADER.join(' | ')} |`,
    `|${HEADER.map((_, i) => ([1, 2, 3, 4, 5].includes(i) ? '---:' : '---')).join('|')}|`,
    ...body.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function environment(options: Options): Record<string, string | number> {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpu: `${cpus.length} × ${cpus[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    commit: gitCommit(),
    mode: options.quick ? 'quick' : 'full',
    repeats: options.repeats,
  };
}

/** Warns when dist/ is older than the sources it is built from (the bench measures dist/). */
function checkDist(): void {
  const dist = `${root}dist/index.js`;
  if (!existsSync(dist)) {
    console.error('bench: dist/index.js is missing: run `npm run build` (npm run bench does); grove will be reported as an error');
    return;
  }
  const built = statSync(dist).mtimeMs;
  let newest = 0;
  for (const dir of ['lib', 'lib/internal', 'actors', 'supervision']) {
    const path = `${root}${dir}`;
    if (!existsSync(path)) continue;
    for (const file of readdirSync(path)) if (file.endsWith('.ts')) newest = Math.max(newest, statSync(`${path}/${file}`).mtimeMs);
  }
  if (newest > built) console.error('bench: warning: dist/ is older than lib/, actors/ or supervision/; run `npm run build` to measure the current sources');
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  checkDist();
  const env = environment(options);
  const started = performance.now();
  console.log(
    `grove bench — ${env.mode}, ${options.repeats} repeat${options.repeats === 1 ? '' : 's'}; node ${env.node}, ${env.platform}, ${env.cpu}, ${env.memoryGiB} GiB; commit ${env.commit}\n`,
  );
  const results: Measurement[] = [];
  const sections: { w: Workload; summaries: Summary[] }[] = [];
  for (const w of options.workloads) {
    const skip = new Set<string>();
    for (let repeat = 0; repeat < options.repeats; repeat++) {
      // Rotate the starting system each repeat, so no system always runs first or last.
      const order = options.systems.map((_, i) => options.systems[(i + repeat) % options.systems.length]);
      const progress: string[] = [];
      for (const system of order) {
        if (skip.has(system)) continue;
        const r = await measure(system, w, repeat, options);
        results.push(r);
        if (r.status === 'n/a' || r.status === 'timeout' || r.status === 'error') skip.add(system);
        progress.push(`${system} ${r.status === 'ok' ? formatValue(w, r.value as number) : r.status}`);
      }
      process.stderr.write(`  ${w.id} ${repeat + 1}/${options.repeats}: ${progress.join(', ')}\n`);
    }
    const summaries = summarize(w, options.systems, results);
    sections.push({ w, summaries });
    console.log(textTable(w, summaries) + '\n');
  }

  const failures = results.filter((r) => r.status === 'error');
  const seconds = Math.round((performance.now() - started) / 1000);
  console.log(`${results.length} measurements in ${seconds} s; ${failures.length} failed.`);
  for (const f of failures) console.log(`  FAILED ${f.system} ${f.workload} (repeat ${f.repeat + 1}): ${f.error}`);

  const outDir = `${here}results`;
  mkdirSync(outDir, { recursive: true });
  const versions = Object.fromEntries(
    options.systems.map((s) => [s, results.find((r) => r.system === s && typeof r.version === 'string')?.version ?? null]),
  );
  writeFileSync(
    `${outDir}/latest.json`,
    JSON.stringify({ environment: env, versions, seconds, summaries: Object.fromEntries(sections.map((s) => [s.w.id, s.summaries])), results }, null, 2) + '\n',
  );
  const md = [
    '# grove benchmark results',
    '',
    `${env.date} — ${env.mode}, ${options.repeats} repeat(s); node ${env.node}, ${env.platform}, ${env.cpu}, ${env.memoryGiB} GiB; commit ${env.commit}.`,
    `Versions: ${Object.entries(versions)
      .filter(([, v]) => v !== null)
      .map(([s, v]) => `${s} ${v}`)
      .join(', ')}. Medians over the repeats; "× baseline" is the median over the hand-written scheduler's.`,
    '',
    ...sections.flatMap((s) => [markdownTable(s.w, s.summaries), '']),
  ].join('\n');
  writeFileSync(`${outDir}/latest.md`, md);
  console.log(`Wrote bench/results/latest.json and latest.md.`);
  process.exitCode = failures.length > 0 ? 1 : 0;
}

await main();
