/**
 * What the tests of grove/cluster over NATS share: a `nats-server` they
 * start themselves (127.0.0.1, an ephemeral port, JetStream in a temporary
 * folder) and stop by PID; node processes (fixtures/nats-node.ts) they
 * start, kill and stop by PID; this process joined as a node, on a fresh
 * hub that records its reports; and the rule for a missing nats-server
 * (skipped locally, saying how to install it; a failure under `CI=true`,
 * since .ci/run installs it). Every wait is bounded.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';
import type { Test } from 'uvu';
import { Hub, getCurrent, killAll, type Operation } from 'grove';
import { connectNode, type ClusterNode } from 'grove/cluster';
import { errorSink } from '../support.js';

/** The server the tests start (`GROVE_NATS_SERVER` names another executable). */
export const NATS_SERVER = process.env.GROVE_NATS_SERVER ?? 'nats-server';
/** How to get it. */
export const INSTALL = 'apt-get install -y nats-server (as root), or set GROVE_NATS_SERVER to a nats-server executable';
/** The tests' detection times: a heartbeat every 100 ms, down after 600 ms unheard. */
export const HEARTBEAT_MS = 100;
export const DOWN_AFTER_MS = 600;

const root = fileURLToPath(new URL('../..', import.meta.url));
const NODE = fileURLToPath(new URL('./fixtures/nats-node.ts', import.meta.url));

/** Every process the tests started and that has not exited: killed if this process ends first. */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts `command`, tracked; it leaves the set when it exits. */
function start(command: string, args: string[], stdio: ('pipe' | 'ignore')[]): ChildProcess {
  const child = spawn(command, args, { cwd: root, stdio });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Resolves when `child` has exited (at once if it has). */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Waits for `promise`, failing after `ms` with `what`. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Kills `child` with `signal` and waits (bounded) for it to exit. */
async function killed(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  child.kill(signal);
  await within(5000, `process ${child.pid} to exit on ${signal}`, exited(child));
}

/**
 * True when nats-server is there. Otherwise registers, on `suite`, the
 * skipped test (locally) or the failing one (under CI) named `what`, and
 * returns false: the caller then registers nothing else.
 */
export function haveNatsServer(suite: Test, what: string): boolean {
  if (spawnSync(NATS_SERVER, ['--version'], { stdio: 'ignore' }).status === 0) return true;
  if (process.env.CI === 'true') {
    suite(`nats-server is installed (${NATS_SERVER})`, () => {
      assert.unreachable(`no ${NATS_SERVER}: ${INSTALL}`);
    });
  } else {
    suite.skip(`${what} (skipped: no ${NATS_SERVER}; ${INSTALL})`, () => {});
    console.log(`\n  ${what}: skipped, no ${NATS_SERVER}. To run it: ${INSTALL}.`);
  }
  return false;
}

/** A nats-server the test started: on 127.0.0.1, its port chosen by the system, JetStream in a temporary folder. */
export class NatsServer {
  private process: ChildProcess | null = null;
  port = -1;
  private readonly store: string;

  private constructor(private readonly jetstream: boolean) {
    this.store = mkdtempSync(join(tmpdir(), 'grove-nats-'));
  }

  /** Starts one (with JetStream unless told otherwise) and waits for it to listen. */
  static async start(options: { jetstream?: boolean } = {}): Promise<NatsServer> {
    const server = new NatsServer(options.jetstream ?? true);
    await server.launch();
    return server;
  }

  /** Its client URL. */
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Its PID while it runs. */
  get pid(): number | undefined {
    return this.process?.pid;
  }

  private async launch(): Promise<void> {
    const args = ['-a', '127.0.0.1', '-p', String(this.port)];
    if (this.jetstream) args.push('-js', '-sd', this.store);
    const child = (this.process = start(NATS_SERVER, args, ['ignore', 'ignore', 'pipe']));
    let log = '';
    this.port = await within(
      10_000,
      `${NATS_SERVER} to listen`,
      new Promise<number>((resolve, reject) => {
        child.stderr!.on('data', (chunk: Buffer) => {
          log += String(chunk);
          const found = /Listening for client connections on 127\.0\.0\.1:(\d+)/.exec(log);
          if (found !== null) resolve(Number(found[1]));
        });
        child.once('exit', (code) => reject(new Error(`${NATS_SERVER} exited with ${code}:\n${log}`)));
      }),
    );
    // Its log is not needed once it listens; reading on keeps its pipe from filling.
    child.stderr!.resume();
  }

  /** Kills it (`kill -9`) and waits for it to exit. */
  async kill(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (child !== null) await killed(child, 'SIGKILL');
  }

  /** Starts it again on the same port, with the same store. */
  async restart(): Promise<void> {
    await this.launch();
  }

  /** Stops it and removes its store. */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (child !== null) await killed(child, 'SIGTERM');
    rmSync(this.store, { recursive: true, force: true });
  }
}

/** A node process of the tests (fixtures/nats-node.ts). */
export class NodeProcess {
  /** Its node key, `<name>#<incarnation>`, once it is up. */
  key = '';
  /** What it wrote on stderr (its hub's reports). */
  stderr = '';

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {}

  /** Starts node `name` in `cluster` on `server` and waits until it is up. */
  static async start(server: NatsServer, name: string, cluster: string, downAfterMs = DOWN_AFTER_MS): Promise<NodeProcess> {
    const child = start(
      process.execPath,
      ['--import', 'tsx', '--conditions=grove-source', NODE, server.url, name, cluster, String(HEARTBEAT_MS), String(downAfterMs)],
      ['pipe', 'pipe', 'pipe'],
    );
    const node = new NodeProcess(name, child);
    child.stderr!.on('data', (chunk: Buffer) => (node.stderr += String(chunk)));
    let out = '';
    node.key = await within(
      30_000,
      `node ${name} to come up`,
      new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (chunk: Buffer) => {
          out += String(chunk);
          const found = /^up (\S+)$/m.exec(out);
          if (found !== null) resolve(found[1]);
        });
        child.once('exit', (code) => reject(new Error(`node ${name} exited with ${code}:\n${node.stderr}`)));
      }),
    );
    child.stdout!.resume();
    return node;
  }

  /** Its PID. */
  get pid(): number {
    return this.child.pid!;
  }

  /** Its incarnation. */
  get incarnation(): number {
    return Number(this.key.slice(this.key.lastIndexOf('#') + 1));
  }

  /** `kill -9`: it ends at once, saying nothing. Waits for it to exit. */
  async kill(): Promise<void> {
    await killed(this.child, 'SIGKILL');
  }

  /** Ends its stdin: it leaves the cluster (goodbye) and exits. Waits (bounded) for it. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin!.end();
    try {
      await within(10_000, `node ${this.name} to stop`, exited(this.child));
    } catch (error) {
      this.child.kill('SIGKILL');
      throw error;
    }
  }
}

/** A process running one of the examples (or any script under tsx): its output, and its end. */
export class ScriptProcess {
  stdout = '';
  stderr = '';
  /** Resolves with its exit code (null if a signal ended it) once it has exited. */
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  /** Starts `script` (a path from the repository's root) with `args`, under tsx, with `env` added to this process's. */
  constructor(script: string, args: string[], env: Record<string, string>) {
    this.child = spawn(process.execPath, ['--import', 'tsx', '--conditions=grove-source', script, ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    children.add(this.child);
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => {
      children.delete(this.child);
      resolve(code);
    }));
    this.child.stdout!.on('data', (chunk: Buffer) => (this.stdout += String(chunk)));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += String(chunk)));
  }

  /** Its lines of output so far. */
  lines(): string[] {
    return this.stdout.split('\n').filter((line) => line !== '');
  }

  /** Resolves once it has printed a line matching `pattern` (fails after `ms`, or if it exits first). */
  async printed(pattern: RegExp, ms = 30_000): Promise<void> {
    await within(ms, `${pattern} in the output of a script (so far: ${JSON.stringify(this.stdout)}; stderr: ${JSON.stringify(this.stderr)})`, new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (this.lines().some((line) => pattern.test(line))) resolve();
      };
      this.child.stdout!.on('data', check);
      void this.exited.then(() => {
        check();
        reject(new Error(`the script exited first`));
      });
      check();
    }));
  }

  /** Waits (bounded) for its exit; returns its code. */
  async end(ms = 30_000): Promise<number | null> {
    try {
      return await within(ms, 'a script to exit', this.exited);
    } catch (error) {
      this.child.kill('SIGKILL');
      throw error;
    }
  }
}

/** What `asNode` gives back: the body's value and what this process's hub reported. */
export interface NodeOutcome<T> {
  value: T;
  reports: string[];
}

/**
 * Runs `body` on a fresh hub that records its reports, with this process
 * joined to `cluster` on `server` as node `name` (the tests' detection
 * times unless `downAfterMs` says otherwise); closes the node and kills
 * what the body left running afterwards.
 */
export async function asNode<T>(
  server: NatsServer,
  cluster: string,
  body: (node: ClusterNode) => Operation<T>,
  options: { name?: string; downAfterMs?: number } = {},
): Promise<NodeOutcome<T>> {
  const sink = errorSink();
  const hub = new Hub({ onError: sink.onError });
  let value: T | undefined;
  await hub.run(function* () {
    const node = yield* connectNode({
      servers: server.url,
      name: options.name ?? 'runner',
      cluster,
      heartbeatMs: HEARTBEAT_MS,
      downAfterMs: options.downAfterMs ?? DOWN_AFTER_MS,
    });
    try {
      value = yield* body(node);
    } finally {
      yield* killAll(hub.greenlets().filter((g) => g !== getCurrent()));
      yield* node.close();
    }
  });
  return { value: value as T, reports: sink.reports };
}
