/**
 * Shared by the observer's tests: a plain HTTP client (node:http, so a test
 * can send any Host header or method), a reader of Server-Sent Events, and
 * a small supervision tree whose workers crash on demand.
 */
import { request, type IncomingHttpHeaders } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import * as assert from 'uvu/assert';
import { Hub, type Operation } from 'grove';
import { Actor } from 'grove/actors';
import { Supervisor } from 'grove/supervision';
import { errorSink } from '../support.js';

/** A response, its body read whole. */
export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** GETs (or `method`s) `url` with `headers`; resolves with the whole response. */
export function fetchText(url: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** One Server-Sent Event as received. */
export interface SseEvent {
  id: string | null;
  event: string;
  data: string;
}

/** An open `/events` stream: the events received so far, and a wait for the next one of a type. */
export class SseReader {
  readonly events: SseEvent[] = [];
  /** What came before the first event (the `retry:` field). */
  preamble = '';
  private buffer = '';
  private waiters: { type: string; after: number; resolve: (e: SseEvent) => void; reject: (e: Error) => void }[] = [];
  private closeStream: () => void = () => {};
  status = 0;

  static open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const reader = new SseReader();
    return new Promise((resolve, reject) => {
      const req = request(url, { headers, agent: false }, (res) => {
        reader.status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => reader.feed(chunk));
        res.on('error', () => {});
        resolve(reader);
      });
      reader.closeStream = () => req.destroy();
      req.on('error', reject);
      req.end();
    });
  }

  /** The next event of `type` received after the `after`-th event (default: after all seen so far); fails after `ms`. */
  next(type: string, after = this.events.length, ms = 5000): Promise<SseEvent> {
    const found = this.events.slice(after).find((e) => e.event === type);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = { type, after, resolve, reject };
      this.waiters.push(waiter);
      setTimeout(() => {
        if (!this.waiters.includes(waiter)) return;
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no ${type} event within ${ms} ms; got ${this.events.map((e) => e.event).join(', ')}`));
      }, ms).unref();
    });
  }

  close(): void {
    this.closeStream();
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    for (let end = this.buffer.indexOf('\n\n'); end >= 0; end = this.buffer.indexOf('\n\n')) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const fields = new Map<string, string>();
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        fields.set(line.slice(0, colon), line.slice(colon + 1).replace(/^ /, ''));
      }
      if (!fields.has('event')) {
        this.preamble += block + '\n';
        continue;
      }
      const event = { id: fields.get('id') ?? null, event: fields.get('event')!, data: fields.get('data') ?? '' };
      this.events.push(event);
      const index = this.events.length - 1;
      for (const waiter of [...this.waiters]) {
        if (waiter.type === event.event && index >= waiter.after) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    }
  }
}

/** A worker that crashes on `'crash'` and otherwise just takes its messages. */
export class Worker extends Actor<string> {
  *receive(message: string): Operation<void> {
    if (message === 'crash') throw new Error(`${this.name} told to crash`);
  }
}

/** A root supervisor `app` (oneForOne) over `worker-1` and `worker-2`. */
export function appTree(): Supervisor {
  return new Supervisor({
    name: 'app',
    strategy: 'oneForOne',
    maxRestarts: 10,
    withinMs: 1000,
    children: [
      { id: 'worker-1', start: () => new Worker({ name: 'worker-1' }) },
      { id: 'worker-2', start: () => new Worker({ name: 'worker-2', mailbox: 100 }) },
    ],
  });
}

/**
 * Runs `body` as the main greenlet of a fresh real-clock hub, whose reports
 * must match `expectedReports` in order (`"<name>: <where>: <Error>: <message>"`);
 * then checks the test left nothing open: no live greenlet on the hub, no
 * Node handle (server, socket, timer) that was not there before.
 */
export async function runObserved<T>(body: () => Operation<T>, expectedReports: RegExp[] = []): Promise<T> {
  const sink = errorSink();
  const hub = new Hub({ onError: sink.onError });
  const before = process.getActiveResourcesInfo();
  const value = await hub.run(body);
  for (let turn = 0; turn < 3; turn++) await nextTurn();
  assert.equal(hub.greenlets().map((g) => g.name), [], 'greenlets left alive');
  const counts = new Map<string, number>();
  for (const r of before) counts.set(r, (counts.get(r) ?? 0) + 1);
  const left: string[] = [];
  for (const r of process.getActiveResourcesInfo()) {
    const n = counts.get(r) ?? 0;
    if (n > 0) counts.set(r, n - 1);
    else left.push(r);
  }
  assert.equal(left, [], 'Node resources left open');
  assert.is(sink.reports.length, expectedReports.length, `the hub reported: ${JSON.stringify(sink.reports)}`);
  sink.reports.forEach((report, i) => assert.match(report, expectedReports[i]));
  return value;
}
