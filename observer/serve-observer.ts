/**
 * `serveObserver`: a live web page of a running program — Erlang's
 * observer for a grove hub. It serves the page (page.ts), a JSON snapshot
 * (`/snapshot`), a stream of updates (`/events`, Server-Sent Events) and
 * Prometheus metrics (`/metrics`), read-only, on 127.0.0.1 by default.
 *
 * It is served by `node:http` directly, not by grove/server's `HttpServer`,
 * so that watching changes nothing in what is watched:
 * - `HttpServer` runs a greenlet per request, and an open page holds a
 *   request (its event stream) for as long as it is open: that greenlet
 *   would sit in the very process table it reports, and every update would
 *   be a switch counted in the switches/s it shows.
 * - A listening `HttpServer` holds its hub (`hub.hold()`), since its
 *   clients may wake greenlets. The observer never wakes anyone; holding
 *   the hub would only keep a stuck `run()` main from getting `LoopExit`.
 * - Node calls the observer between the hub's turns, never inside one, so
 *   what it reads (greenletInfo, actorInfo, describe) is a consistent
 *   state, and it works on any hub, a virtual-clock one included.
 *
 * It costs nothing while no page is open: no subscription, no timer, only
 * an idle listening socket. The first open page subscribes to the hub's
 * `lifecycle$` (never to `events$`, whose per-switch events would slow
 * every switch) and starts the update timer; the subscription ends 30 s
 * after the last page closes, so that a page that reconnects meanwhile
 * misses nothing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Subscription } from 'rxjs';
import { Composite } from '../lib/internal/composite.js';
import { Hub, getHub } from '../lib/hub.js';
import { checkOptions, optionKeys, show } from '../lib/internal/validate.js';
import type { Operation } from '../lib/operation.js';
import { nextEvent } from '../server/internal/wakeup.js';
import { listenError } from '../server/base-server.js';
import { Access, hostPort, isLoopback, isUnspecified } from './internal/access.js';
import { BadQuery } from './internal/bad-query.js';
import { EventLog, changesTree, type LogEntry } from './event-log.js';
import { FigureReader, type HubFigures } from './hub-figures.js';
import { metricsText, METRICS_TYPE } from './metrics.js';
import { PAGE_HTML, PAGE_POLICY } from './page.js';
import { pageOf, parseTableQuery, processEntries, type Entry, type ProcessPage, type TableQuery } from './process-table.js';
import { PAGE_CHILDREN, supervisionTree, type SupervisorNode } from './tree.js';

/** Options of `serveObserver`. */
export interface ObserverOptions {
  /** The hub to watch; the calling greenlet's by default. */
  hub?: Hub;
  /** The address to listen on: `'127.0.0.1'` by default. Any address other machines reach needs a `token`. */
  host?: string;
  /** The TCP port; 0 (the default) lets the system pick one (see the observer's `port` and `url`). */
  port?: number;
  /**
   * A secret every request must carry, as `?token=` (the page's URL has it
   * and passes it on) or `Authorization: Bearer <token>`. Required for a
   * host other than a loopback address.
   */
  token?: string;
  /**
   * More `Host` header values to answer to (`'observer.internal:9000'`),
   * beside `127.0.0.1:<port>`, `localhost:<port>`, `[::1]:<port>` and the
   * bound address. Every other name is refused (DNS rebinding).
   */
  allowedHosts?: readonly string[];
  /**
   * Show what messages and actors hold: the next message of each mailbox,
   * each actor's own fields, the contents of dead letters. Off by default:
   * the page shows counts, names and states, never data.
   */
  showContents?: boolean;
  /** How often an open page is updated, in ms (default 1000; at least 50). */
  intervalMs?: number;
  /** How many log entries are kept for `/snapshot` and for a page that reconnects (default 500). */
  logSize?: number;
}

const OPTION_KEYS = optionKeys<ObserverOptions>({
  hub: true,
  host: true,
  port: true,
  token: true,
  allowedHosts: true,
  showContents: true,
  intervalMs: true,
  logSize: true,
});

/** A running observer, as `serveObserver` returns it. */
export interface Observer {
  /** The page's address: `http://127.0.0.1:<port>/` (with `?token=` when there is one). */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** The address it listens on. */
  readonly host: string;
  /** True once `close()` was called. */
  readonly closed: boolean;
  /**
   * Stops serving: open pages are disconnected, the listening socket is
   * closed, the subscription to the hub ends. Takes effect at once and
   * never blocks a greenlet; the promise resolves when the socket is
   * closed (`yield* call(observer.close())` waits for that). Closing
   * twice does nothing more.
   */
  close(): Promise<void>;
}

/**
 * What `/snapshot` answers. An open page receives the same parts as events:
 * `snapshot` (`hub` and `processes`, every `intervalMs`), `tree` (on
 * connecting and after each supervision change; at most 20 children per
 * supervisor, the rest counted) and `log` (each entry as it happens).
 */
export interface ObserverSnapshot {
  readonly hub: HubFigures;
  readonly tree: readonly SupervisorNode[];
  readonly processes: ProcessPage;
  /** The log entries kept (filled only while a page is open, and 30 s after), oldest first. */
  readonly log: readonly LogEntry[];
}

/** How long the log keeps listening after the last page closed (ms): a page that reconnects meanwhile misses nothing. */
const LINGER_MS = 30_000;
/** How soon a supervision change reaches open pages (ms): changes closer than this are sent together. */
const TREE_DELAY_MS = 20;

/**
 * Serves the observer of `hub` (see {@link ObserverOptions}) and returns
 * once it listens. Blocks the calling greenlet until then; throws
 * `ListenError` (grove/server) if it cannot listen, and a TypeError or
 * RangeError for a bad option, at the call. A kill while it waits for the
 * socket closes it. The observer takes no `hub.hold()` and runs no
 * greenlet: it never keeps a stuck `run()` from getting `LoopExit`, and
 * keeps serving after the greenlet that started it has ended, until
 * `close()`.
 */
export function serveObserver(options?: ObserverOptions): Operation<Observer> {
  const config = checkConfig(options);
  const hub = options?.hub ?? getHub();
  return new Composite('serveObserver', () => new ObserverServer(hub, config).listen());
}

interface Config {
  readonly host: string;
  readonly port: number;
  readonly token: string | null;
  readonly allowedHosts: readonly string[];
  readonly showContents: boolean;
  readonly intervalMs: number;
  readonly logSize: number;
}

function checkConfig(options: ObserverOptions | undefined): Config {
  const call = 'serveObserver';
  checkOptions(call, options, OPTION_KEYS);
  const o = options ?? {};
  if (o.hub !== undefined && !(o.hub instanceof Hub)) throw new TypeError(`${call}: hub must be a Hub, got ${show(o.hub)}`);
  const host = o.host ?? '127.0.0.1';
  if (typeof host !== 'string' || /[\s/]/.test(host)) throw new TypeError(`${call}: host must be an address or host name, got ${show(host)}`);
  const port = o.port ?? 0;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`${call}: port must be an integer from 0 to 65535, got ${show(port)}`);
  }
  const token = o.token ?? null;
  if (token !== null && (typeof token !== 'string' || token === '')) throw new TypeError(`${call}: token must be a non-empty string, got ${show(token)}`);
  if (token === null && !isLoopback(host)) {
    throw new TypeError(`${call}: host ${JSON.stringify(host)} is reachable from other machines: give a token (options.token)`);
  }
  const allowedHosts = o.allowedHosts ?? [];
  if (!Array.isArray(allowedHosts) || !allowedHosts.every((h) => typeof h === 'string' && h !== '')) {
    throw new TypeError(`${call}: allowedHosts must be an array of 'host:port' strings, got ${show(allowedHosts)}`);
  }
  const showContents = o.showContents ?? false;
  if (typeof showContents !== 'boolean') throw new TypeError(`${call}: showContents must be a boolean, got ${show(showContents)}`);
  const intervalMs = o.intervalMs ?? 1000;
  if (typeof intervalMs !== 'number' || !(intervalMs >= 50) || intervalMs === Infinity) {
    throw new RangeError(`${call}: intervalMs must be a number of ms, at least 50, got ${show(intervalMs)}`);
  }
  const logSize = o.logSize ?? 500;
  if (typeof logSize !== 'number' || !Number.isInteger(logSize) || logSize < 1) {
    throw new RangeError(`${call}: logSize must be a positive integer, got ${show(logSize)}`);
  }
  return { host, port, token, allowedHosts, showContents, intervalMs, logSize };
}

/** One open page: its response, and the page of the table it shows. */
interface Stream {
  readonly response: ServerResponse;
  readonly query: TableQuery;
}

class ObserverServer implements Observer {
  url = '';
  port = 0;
  closed = false;
  private readonly node: Server;
  private readonly log: EventLog;
  private readonly figures: FigureReader;
  private access: Access | null = null;
  private readonly streams = new Set<Stream>();
  private subscription: Subscription | null = null;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private treeTimer: ReturnType<typeof setTimeout> | null = null;
  private lingerTimer: ReturnType<typeof setTimeout> | null = null;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly hub: Hub,
    private readonly config: Config,
  ) {
    this.node = createServer((request, response) => this.handle(request, response));
    this.log = new EventLog(hub, config.logSize, config.showContents);
    this.figures = new FigureReader(hub);
  }

  get host(): string {
    return this.config.host;
  }

  *listen(): Generator<never, Observer, unknown> {
    const { host, port, token, allowedHosts } = this.config;
    let listening = false;
    try {
      this.node.listen({ host, port });
      try {
        yield* nextEvent(this.node, 'listening') as Generator<never, void, unknown>;
      } catch (error) {
        throw listenError('serveObserver', { host, port }, error as NodeJS.ErrnoException);
      }
      listening = true;
    } finally {
      if (!listening) {
        this.closed = true;
        this.node.close();
      }
    }
    const address = this.node.address();
    this.port = typeof address === 'object' && address !== null ? address.port : port;
    this.access = new Access(host, this.port, allowedHosts, token);
    const shown = isUnspecified(host) ? '127.0.0.1' : host;
    this.url = `http://${hostPort(shown, this.port)}/${token === null ? '' : `?token=${encodeURIComponent(token)}`}`;
    // A socket error after listening (too many files open...) must not crash the program; it is reported.
    this.node.on('error', (error) => this.hub.report(error, { where: 'greenlet' }));
    return this;
  }

  close(): Promise<void> {
    if (this.closing !== null) return this.closing;
    this.closed = true;
    for (const stream of this.streams) stream.response.end();
    this.streams.clear();
    this.stopUpdates();
    this.unlisten();
    this.closing = new Promise<void>((resolve) => {
      if (!this.node.listening) return resolve();
      this.node.close(() => resolve());
      this.node.closeAllConnections();
    });
    return this.closing;
  }

  // ---- requests ------------------------------------------------------------

  private handle(request: IncomingMessage, response: ServerResponse): void {
    response.setHeader('cache-control', 'no-store');
    response.setHeader('x-content-type-options', 'nosniff');
    response.setHeader('referrer-policy', 'no-referrer');
    if (request.method !== 'GET') return plain(response, 405, 'the observer is read-only: GET only', { allow: 'GET' });
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://observer');
    } catch {
      return plain(response, 400, 'bad request target');
    }
    const route = url.pathname;
    const refusal = this.access!.check(request, url, route !== '/');
    if (refusal !== null) return plain(response, refusal.status, refusal.text);
    try {
      switch (route) {
        case '/':
          response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': PAGE_POLICY });
          response.end(PAGE_HTML);
          return;
        case '/snapshot':
          return this.sendSnapshot(url, response);
        case '/metrics':
          response.writeHead(200, { 'content-type': METRICS_TYPE });
          response.end(metricsText(this.figures.read(processEntries(this.hub))));
          return;
        case '/events':
          return this.openStream(request, url, response);
        default:
          return plain(response, 404, `no such page: ${route} (there are /, /snapshot, /events and /metrics)`);
      }
    } catch (error) {
      if (error instanceof BadQuery) return plain(response, 400, error.message);
      this.hub.report(error, { where: 'greenlet' });
      if (!response.headersSent) plain(response, 500, 'the observer failed; the hub reported why');
      else response.destroy();
    }
  }

  private sendSnapshot(url: URL, response: ServerResponse): void {
    const query = parseTableQuery(url.searchParams, true);
    const entries = processEntries(this.hub);
    const snapshot: ObserverSnapshot = {
      hub: this.figures.read(entries),
      tree: supervisionTree(this.hub),
      processes: pageOf(entries, query, this.config.showContents),
      log: this.log.all(),
    };
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    response.end(JSON.stringify(snapshot, jsonLimit));
  }

  // ---- the event stream ----------------------------------------------------

  private openStream(request: IncomingMessage, url: URL, response: ServerResponse): void {
    const query = parseTableQuery(url.searchParams, false);
    const since = lastEventId(request, url);
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    // Reconnect quickly: the browser's default wait is 3 s.
    response.write('retry: 1000\n\n');
    const stream: Stream = { response, query };
    this.listenToHub();
    const { entries, missed } = this.log.since(since ?? 0);
    if (since !== null && missed > 0) send(response, 'gap', { missed });
    for (const entry of entries) send(response, 'log', entry, entry.id);
    send(response, 'tree', supervisionTree(this.hub, PAGE_CHILDREN));
    const table = processEntries(this.hub);
    this.sendUpdate(stream, table, this.figures.read(table));
    this.streams.add(stream);
    this.startUpdates();
    request.on('close', () => {
      this.streams.delete(stream);
      if (this.streams.size === 0) this.stopUpdates();
    });
  }

  private sendUpdate(stream: Stream, entries: Entry[], hub: HubFigures): void {
    send(stream.response, 'snapshot', { hub, processes: pageOf(entries, stream.query, this.config.showContents) });
  }

  /**
   * Every `intervalMs`: the figures and each page's rows, the greenlets read
   * once for all pages. A page that has not read the last update yet skips
   * this one. The tree is not resent: it changes only with supervision
   * events, which send it.
   */
  private tick(): void {
    const open = [...this.streams].filter((stream) => !stream.response.writableNeedDrain);
    if (open.length === 0) return;
    const entries = processEntries(this.hub);
    const figures = this.figures.read(entries);
    // Each page sorts its own copy; the last may sort the original.
    open.forEach((stream, i) => this.sendUpdate(stream, i === open.length - 1 ? entries : entries.slice(), figures));
  }

  private startUpdates(): void {
    if (this.lingerTimer !== null) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = null;
    }
    if (this.ticker === null) {
      this.ticker = setInterval(() => this.tick(), this.config.intervalMs);
      this.ticker.unref();
    }
  }

  /** The last page closed: no more updates; the log listens a while longer for a page that comes back. */
  private stopUpdates(): void {
    if (this.ticker !== null) clearInterval(this.ticker);
    this.ticker = null;
    if (this.treeTimer !== null) clearTimeout(this.treeTimer);
    this.treeTimer = null;
    if (this.closed || this.subscription === null || this.lingerTimer !== null) return;
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = null;
      if (this.streams.size === 0) this.unlisten();
    }, LINGER_MS);
    this.lingerTimer.unref();
  }

  // ---- the hub's lifecycle -------------------------------------------------

  private listenToHub(): void {
    if (this.subscription !== null) return;
    this.subscription = this.hub.lifecycle$.subscribe((event) => {
      const entry = this.log.record(event);
      if (entry !== null) for (const stream of this.streams) send(stream.response, 'log', entry, entry.id);
      // Read the tree outside the hub's turn (a supervisor is mid-change now), soon, once for a burst of changes.
      if (changesTree(event) && this.streams.size > 0 && this.treeTimer === null) {
        this.treeTimer = setTimeout(() => this.sendTree(), TREE_DELAY_MS);
        this.treeTimer.unref();
      }
    });
  }

  private sendTree(): void {
    this.treeTimer = null;
    if (this.streams.size === 0) return;
    const tree = supervisionTree(this.hub, PAGE_CHILDREN);
    for (const stream of this.streams) send(stream.response, 'tree', tree);
  }

  private unlisten(): void {
    if (this.lingerTimer !== null) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    this.subscription?.unsubscribe();
    this.subscription = null;
  }
}

/** One Server-Sent Event: its type, its data as one JSON line, and an id for log entries. */
function send(response: ServerResponse, event: string, data: unknown, id?: number): void {
  response.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data, jsonLimit)}\n\n`);
}

/** JSON has no Infinity: an unbounded figure is sent as null. */
function jsonLimit(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

/** The id of the last log entry the page has: `Last-Event-ID` (the browser's reconnect), or `?since=` (the page's own). */
function lastEventId(request: IncomingMessage, url: URL): number | null {
  const header = request.headers['last-event-id'];
  const text = typeof header === 'string' ? header : url.searchParams.get('since');
  if (text === null) return null;
  const id = Number(text);
  if (text === '' || !Number.isInteger(id) || id < 0) throw new BadQuery(`the last event id must be a non-negative integer, got ${JSON.stringify(text)}`);
  return id;
}

function plain(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  response.end(`${text}\n`);
}

