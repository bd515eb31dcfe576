/**
 * grove as another project gets it: `npm pack` (whose `prepare` script
 * builds dist/) — run in a copy of the checkout, so that a test run never
 * rebuilds the checkout's own dist/ under a bench or a second run reading
 * it —, the tarball installed into a temporary project, every entry
 * point of package.json's `exports` loaded from an ES module and from
 * CommonJS, and TypeScript files checked against the installed declarations.
 *
 * The project installs with npm's nested layout, so grove's dependencies
 * (rxjs, immer) are grove's and not the project's, as under pnpm: a type that
 * can only be named through them fails there (TS2742). Only the npm registry
 * (or npm's cache) is used. The temporary folder is removed at the end.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const tsc = join(root, 'node_modules/typescript/bin/tsc');

/** The import specifiers of package.json's entry points: `grove`, `grove/actors`... */
function entryPoints(): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };
  return Object.keys(pkg.exports)
    .filter((key) => key !== './package.json')
    .map((key) => pkg.name + key.slice(1));
}

/** Runs a command; throws with its output if it fails, so a failing step says why. */
function sh(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', shell: process.platform === 'win32' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(dir, join(prefix, entry.name)) : [join(prefix, entry.name)],
  );
}

const entries = entryPoints();
let temp = '';
let project = '';

const installed = suite('grove installed from its packed tarball');

installed.before(() => {
  temp = mkdtempSync(join(tmpdir(), 'grove-package-'));
  project = join(temp, 'project');
  mkdirSync(project);
  // The copy shares the checkout's node_modules (the build's tools) and leaves out what a build remakes.
  const source = join(temp, 'grove');
  const leftOut = new Set(['node_modules', 'dist', '.git']);
  cpSync(root, source, { recursive: true, filter: (path) => !leftOut.has(relative(root, path).split(sep)[0]) });
  symlinkSync(join(root, 'node_modules'), join(source, 'node_modules'), 'dir');
  const packed = sh(npm, ['pack', '--json', '--pack-destination', temp], source);
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'grove-user', private: true }));
  sh(
    npm,
    ['install', join(temp, filename), '--install-strategy=nested', '--no-package-lock', '--no-audit', '--no-fund', '--prefer-offline'],
    project,
  );
});

installed.after(() => {
  if (temp !== '') rmSync(temp, { recursive: true, force: true });
});

installed('the package has the eight documented entry points, and any added since', () => {
  for (const entry of ['grove', 'grove/actors', 'grove/supervision', 'grove/testing', 'grove/server', 'grove/cluster', 'grove/observer', 'grove/zeromq']) {
    assert.ok(entries.includes(entry), entry);
  }
});

installed('every entry point loads from an ES module and from CommonJS, as one copy of the runtime', () => {
  writeFileSync(
    join(project, 'both.mjs'),
    `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const report = {};
for (const entry of ${JSON.stringify(entries)}) {
  const esm = await import(entry);
  const cjs = require(entry);
  const names = Object.keys(esm).filter((name) => name !== 'default');
  report[entry] = {
    names: names.length,
    sameNames: JSON.stringify(names.sort()) === JSON.stringify(Object.keys(cjs).sort()),
    sameObjects: names.every((name) => esm[name] === cjs[name]) && esm.default === cjs,
  };
}
console.log(JSON.stringify(report));
`,
  );
  const report = JSON.parse(sh(process.execPath, ['both.mjs'], project).stdout) as Record<
    string,
    { names: number; sameNames: boolean; sameObjects: boolean }
  >;
  assert.equal(Object.keys(report), entries);
  for (const [entry, { names, sameNames, sameObjects }] of Object.entries(report)) {
    assert.ok(names > 0, `${entry} exports nothing`);
    assert.ok(sameNames, `${entry}: the ES module and CommonJS entries export different names`);
    assert.ok(sameObjects, `${entry}: the ES module and CommonJS entries are two copies`);
  }
});

installed('a program that imports and requires grove has one hub: greenlets, errors and signals cross over', () => {
  writeFileSync(
    join(project, 'mixed.mjs'),
    `import { createRequire } from 'node:module';
import { run, sleep, getHub, getCurrent, GreenletExit, Greenlet } from 'grove';
const cjs = createRequire(import.meta.url)('grove');
const lines = [];
const value = await run(function* () {
  lines.push('same hub: ' + (cjs.getHub() === getHub()));
  const child = cjs.spawn(function* () {
    yield* sleep(5);
    return 'child done';
  });
  lines.push('a Greenlet: ' + (child instanceof Greenlet));
  lines.push('get: ' + (yield* child.get()));
  const victim = cjs.spawn(function* () {
    yield* cjs.sleep(1000);
  });
  yield* sleep(0);
  yield* victim.kill();
  lines.push('killed with GreenletExit: ' + (victim.value instanceof GreenletExit));
  lines.push('current: ' + (cjs.getCurrent() === getCurrent()));
  return 'main done';
});
console.log([...lines, value].join('\\n'));
`,
  );
  assert.is(
    sh(process.execPath, ['mixed.mjs'], project).stdout,
    ['same hub: true', 'a Greenlet: true', 'get: child done', 'killed with GreenletExit: true', 'current: true', 'main done', ''].join('\n'),
  );
});

installed('CommonJS alone: require() of every entry point runs a program', () => {
  writeFileSync(
    join(project, 'alone.cjs'),
    `const entries = ${JSON.stringify(entries)}.map((entry) => require(entry));
const { run, sleep } = entries[0];
run(function* () {
  yield* sleep(1);
  return entries.map((entry) => Object.keys(entry).length > 0).join(' ');
}).then((value) => console.log(value));
`,
  );
  assert.is(sh(process.execPath, ['alone.cjs'], project).stdout, `${entries.map(() => 'true').join(' ')}\n`);
});

installed('grove/cluster: a worker thread started from an ES module and from CommonJS runs on the installed build', () => {
  writeFileSync(
    join(project, 'thread.mjs'),
    `import { Actor } from 'grove/actors';
import { offer, spawnable, job, selfNode } from 'grove/cluster';
class Echo extends Actor {
  receive(message) {
    message.replyTo.reply(message.text + ' from ' + selfNode().name);
  }
}
offer(spawnable('echo'), () => new Echo());
offer(job('add'), (a, b) => a + b);
`,
  );
  const program = (load: string) => `${load}
run(function* () {
  const thread = yield* spawnThread(new URL('./thread.mjs', url), { name: 'installed' });
  const sum = yield* runInThread(thread, job('add'), 40, 2);
  const echo = yield* spawnRemote(thread, spawnable('echo'));
  const answer = yield* ask(echo, (replyTo) => ({ text: 'hello', replyTo }), { timeout: 5000 });
  yield* thread.stop();
  return [sum, answer, threads().length].join(' ');
}).then((value) => console.log(value));
`;
  writeFileSync(
    join(project, 'threads.mjs'),
    program(`import { run } from 'grove';
import { ask } from 'grove/actors';
import { spawnThread, spawnRemote, runInThread, threads, job, spawnable } from 'grove/cluster';
const url = import.meta.url;`),
  );
  writeFileSync(
    join(project, 'threads.cjs'),
    program(`const { run } = require('grove');
const { ask } = require('grove/actors');
const { spawnThread, spawnRemote, runInThread, threads, job, spawnable } = require('grove/cluster');
const url = require('node:url').pathToFileURL(__filename);`),
  );
  assert.is(sh(process.execPath, ['threads.mjs'], project).stdout, '42 hello from installed 0\n');
  assert.is(sh(process.execPath, ['threads.cjs'], project).stdout, '42 hello from installed 0\n');
});

installed('GROVE_TRACE_OPERATIONS=1 makes DroppedOperation show where the Operation was made', () => {
  writeFileSync(
    join(project, 'dropped.mjs'),
    `import { run, sleep } from 'grove';
try {
  await run(function* () {
    sleep(5);
    yield* sleep(1);
  });
} catch (error) {
  console.log(error.name + ': ' + error.message);
}
`,
  );
  const plain = 'DroppedOperation: sleep() was called without yield*: the Operation it returned never ran. Write `yield* sleep(...)`.';
  const { GROVE_TRACE_OPERATIONS: _, ...untraced } = process.env;
  assert.is(sh(process.execPath, ['dropped.mjs'], project, untraced).stdout, `${plain}\n`);
  const lines = sh(process.execPath, ['dropped.mjs'], project, { ...untraced, GROVE_TRACE_OPERATIONS: '1' }).stdout.split('\n');
  assert.equal(lines.slice(0, 2), [plain, 'sleep() was called']);
  assert.match(lines[2], /^ {4}at sleep \(.*node_modules\/grove\/dist\//);
  assert.match(lines[3], /dropped\.mjs:4:5\)?$/);
});

installed('the published declarations type-check, from an ES module and from CommonJS, with declaration: true', () => {
  const imports = entries.map((entry, i) => `import * as entry${i} from '${entry}';`).join('\n');
  const requires = entries.map((entry, i) => `import entry${i} = require('${entry}');`).join('\n');
  const everything = `export const everything = [${entries.map((_, i) => `entry${i}`).join(', ')}];`;
  writeFileSync(
    join(project, 'user.mts'),
    `${imports}
import { getHub, run, sleep, toObservable, Event, Lock, Queue, type Operation } from 'grove';
import { Supervisor } from 'grove/supervision';
${everything}

function* worker(ms: number): Operation<number> {
  yield* sleep(ms);
  return ms;
}
export const result: Promise<number> = run(worker, 5);

// Exported without annotations: their types must be nameable from here (no TS2742).
export const events = getHub().events$;
export const items = toObservable(new Queue<number>());
export const hub = getHub();
// Event's and Lock's bases (one unexported, with internal members only) need no name here either.
export const flag = new Event();
export const lock = new Lock();
export const tree = new Supervisor({ strategy: 'oneForOne', children: [] });

// A generator body that yields a value (the star forgotten) is refused.
// @ts-expect-error: yield, not yield*
void run(function* () {
  yield sleep(10);
});

// The runtime's machinery is not in the published types.
// @ts-expect-error: Hub.schedule is internal
hub.schedule;
// @ts-expect-error: Supervisor.gaveUp is internal
new Supervisor({ strategy: 'oneForOne', children: [] }).gaveUp;
`,
  );
  writeFileSync(
    join(project, 'user.cts'),
    `${requires}
${everything}
export const events = entry0.getHub().events$;
export const greenlet = entry0.spawn(() => 1);
`,
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'nodenext',
        target: 'es2022',
        lib: ['es2022'],
        strict: true,
        declaration: true,
        emitDeclarationOnly: true,
        outDir: 'types-out',
        // grove's own declaration files are checked too.
        skipLibCheck: false,
        types: ['node'],
        typeRoots: [join(root, 'node_modules/@types')],
      },
      files: ['user.mts', 'user.cts'],
    }),
  );
  const checked = spawnSync(process.execPath, [tsc, '-p', project], { cwd: project, encoding: 'utf8' });
  assert.is(checked.stdout + checked.stderr, '');
  assert.is(checked.status, 0);
  // What a user's own declarations say: grove's names, never a path into grove's dependencies.
  const declared = readFileSync(join(project, 'types-out/user.d.mts'), 'utf8');
  assert.match(declared, /export declare const events: entry0\.Observable<entry0\.HubEvent>;/);
  assert.not.match(declared, 'rxjs');
});

installed('the published declarations hold no member marked @internal, nor any keyed by an internal symbol', () => {
  const dist = join(project, 'node_modules/grove/dist');
  const declarations = filesUnder(dist).filter((file) => file.endsWith('.d.cts'));
  assert.ok(declarations.length >= entries.length);
  const symbols: string[] = [];
  for (const file of declarations) {
    const text = readFileSync(join(dist, file), 'utf8');
    assert.not.match(text, '@internal', file);
    for (const [, name] of text.matchAll(/declare const (\w+): unique symbol/g)) symbols.push(name);
  }
  // The runtime keeps its machinery under symbol keys (lib/internal/keys.ts): a member keyed by one
  // that is left in the published types brings its symbol along. Only Suspend's opaque brand belongs.
  assert.equal(symbols, ['suspendBrand']);
});

// Last: the tests above run without zeromq installed, as most users' projects are.
installed('grove/zeromq without the zeromq package: it loads, and openSocket says to install it', () => {
  const program = (load: string) => `${load}
run(() => openSocket('request', { connect: 'tcp://127.0.0.1:5555' })).catch((error) => console.log(error.name + ': ' + error.message));
`;
  writeFileSync(join(project, 'no-zmq.mjs'), program(`import { run } from 'grove';\nimport { openSocket } from 'grove/zeromq';`));
  writeFileSync(join(project, 'no-zmq.cjs'), program(`const { run } = require('grove');\nconst { openSocket } = require('grove/zeromq');`));
  const expected = 'ZeroMQUnavailable: openSocket: the zeromq package is not installed: grove/zeromq needs it beside grove (npm install zeromq@6)\n';
  assert.is(sh(process.execPath, ['no-zmq.mjs'], project).stdout, expected);
  assert.is(sh(process.execPath, ['no-zmq.cjs'], project).stdout, expected);
});

installed('grove/zeromq with zeromq installed beside grove: a request and its reply, from an ES module and from CommonJS', () => {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
  const version = lock.packages['node_modules/zeromq'].version;
  sh(npm, ['install', `zeromq@${version}`, '--install-strategy=nested', '--no-package-lock', '--no-audit', '--no-fund', '--prefer-offline'], project);
  const program = (load: string) => `${load}
run(function* () {
  const rep = yield* openSocket('reply', { bind: 'tcp://127.0.0.1:*' });
  const req = yield* openSocket('request', { connect: rep.endpoint });
  try {
    yield* req.send('ping');
    const [request] = yield* rep.receive({ timeout: 5000 });
    yield* rep.send(request.toString() + ' pong');
    const [reply] = yield* req.receive({ timeout: 5000 });
    return reply.toString();
  } finally {
    req.close();
    rep.close();
  }
}).then((value) => console.log(value));
`;
  writeFileSync(join(project, 'zmq.mjs'), program(`import { run } from 'grove';\nimport { openSocket } from 'grove/zeromq';`));
  writeFileSync(join(project, 'zmq.cjs'), program(`const { run } = require('grove');\nconst { openSocket } = require('grove/zeromq');`));
  assert.is(sh(process.execPath, ['zmq.mjs'], project).stdout, 'ping pong\n');
  assert.is(sh(process.execPath, ['zmq.cjs'], project).stdout, 'ping pong\n');
});

installed.run();
