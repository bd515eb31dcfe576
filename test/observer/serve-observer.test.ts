import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Event, Hub, LoopExit, call, getCurrent, getHub, sleep, spawn, type Operation } from 'grove';
import { Actor } from 'grove/actors';
import { Supervisor } from 'grove/supervision';
import { serveObserver, type Observer, type ObserverSnapshot, type LogEntry, type SupervisorNode } from 'grove/observer';
import { SseReader, Worker, appTree, fetchText, runObserved } from './support.js';

/** The page's JSON, parsed. */
function* snapshotOf(observer: Observer, query = ''): Operation<ObserverSnapshot> {
  const reply = yield* call(fetchText(`${observer.url}snapshot${query}`));
  assert.is(reply.status, 200, reply.body);
  assert.is(reply.headers['content-type'], 'application/json; charset=utf-8');
  return JSON.parse(reply.body) as ObserverSnapshot;
}

const crashReport = (name: string) => new RegExp(`^${name}: greenlet: Error: ${name} told to crash$`);

const snapshot = suite('grove/observer: /snapshot');

snapshot('the hub figures, the supervision tree, every process and the log, as JSON', () =>
  runObserved(function* () {
    getCurrent().name = 'main';
    const app = appTree().start();
    yield* app.up();
    const [w1, w2] = app.whichChildren().map((c) => c.greenlet!);
    const observer = yield* serveObserver();
    try {
      const snap = yield* snapshotOf(observer);
      assert.equal(Object.keys(snap), ['hub', 'tree', 'processes', 'log']);
      assert.is(snap.hub.clock, 'real');
      assert.equal(
        [snap.hub.greenlets, snap.hub.actors, snap.hub.supervisors, snap.hub.mailboxTotal, snap.hub.restarts, snap.hub.deadLetters],
        [4, 3, 1, 0, 0, 0],
      );
      assert.equal(snap.hub.byStatus, { unstarted: 0, ready: 0, running: 0, blocked: 4, sleeping: 0, dead: 0 });
      assert.equal(snap.tree, [
        {
          id: app.id,
          name: 'app',
          strategy: 'oneForOne',
          maxRestarts: 10,
          withinMs: 1000,
          childCount: 2,
          hidden: { running: 0, restarting: 0, backingOff: 0, stopped: 0 },
          children: [
            { id: 'worker-1', type: 'worker', restart: 'permanent', status: 'running', restartAt: null, restarts: 0, greenlet: w1.id, name: 'worker-1', supervisor: null },
            { id: 'worker-2', type: 'worker', restart: 'permanent', status: 'running', restartAt: null, restarts: 0, greenlet: w2.id, name: 'worker-2', supervisor: null },
          ],
        },
      ] satisfies SupervisorNode[]);
      const { rows, ...page } = snap.processes;
      assert.equal(page, { sort: 'id', order: 'asc', offset: 0, limit: null as unknown as number, total: 4 }, 'limit: all (Infinity, sent as null)');
      assert.equal(rows.map((r) => [r.name, r.kind, r.className, r.status]), [
        ['main', 'greenlet', 'Greenlet', 'blocked'],
        ['app', 'supervisor', 'Supervisor', 'blocked'],
        ['worker-1', 'actor', 'Worker', 'blocked'],
        ['worker-2', 'actor', 'Worker', 'blocked'],
      ]);
      assert.equal(rows[0].blockedOn, { label: 'call', target: 'a promise', deadline: null });
      assert.equal(rows[3], {
        id: w2.id,
        name: 'worker-2',
        className: 'Worker',
        status: 'blocked',
        blockedOn: { label: 'Inbox.get', target: 'its inbox', deadline: null },
        spawnedBy: app.id,
        runs: 1,
        kind: 'actor',
        mailbox: 0,
        mailboxBound: 100,
        handled: 0,
        registeredName: null,
        links: [app.id],
        monitors: [],
        monitoredBy: [],
      });
      assert.equal(rows[0].mailbox, null, 'a plain greenlet has no mailbox');
      assert.equal(snap.log, [], 'no page was open: nothing was listened to');
    } finally {
      yield* call(observer.close());
      app.stop();
      yield* app.join();
    }
  }));

snapshot('sorted and paged by the query; a bad query is answered 400', () =>
  runObserved(function* () {
    getCurrent().name = 'main';
    const gate = new Event();
    class Slow extends Actor<number> {
      *receive(): Operation<void> {
        yield* gate.wait();
      }
    }
    const actors = [3, 0, 5, 1].map((n, i) => {
      const actor = new Slow({ name: `slow-${i}` }).start();
      for (let k = 0; k <= n; k++) actor.send(k); // one in hand, n queued
      return actor;
    });
    yield* sleep(0);
    const observer = yield* serveObserver();
    try {
      const byMailbox = yield* snapshotOf(observer, '?sort=mailbox&limit=2');
      assert.equal([byMailbox.processes.sort, byMailbox.processes.order, byMailbox.processes.total], ['mailbox', 'desc', 5]);
      assert.equal(byMailbox.processes.rows.map((r) => [r.name, r.mailbox]), [['slow-2', 5], ['slow-0', 3]]);
      const second = yield* snapshotOf(observer, '?sort=mailbox&limit=2&offset=2');
      assert.equal(second.processes.rows.map((r) => [r.name, r.mailbox]), [['slow-3', 1], ['slow-1', 0]]);
      const last = yield* snapshotOf(observer, '?sort=mailbox&limit=2&offset=4');
      assert.equal(last.processes.rows.map((r) => [r.name, r.mailbox]), [['main', null]], 'plain greenlets sort below every actor');
      const ascending = yield* snapshotOf(observer, '?sort=mailbox&order=asc&limit=3');
      assert.equal(ascending.processes.rows.map((r) => r.name), ['main', 'slow-1', 'slow-3']);
      for (const [query, message] of [
        ['?sort=colour', 'sort must be one of id, name, kind, status, mailbox, handled, runs, got "colour"'],
        ['?order=up', 'order must be asc or desc, got "up"'],
        ['?limit=-1', 'limit must be an integer from 0 to 500, got "-1"'],
        ['?offset=x', 'offset must be an integer from 0 to 9007199254740991, got "x"'],
      ]) {
        const reply = yield* call(fetchText(`${observer.url}snapshot${query}`));
        assert.equal([reply.status, reply.body], [400, `${message}\n`], query);
      }
    } finally {
      yield* call(observer.close());
      gate.set();
      for (const actor of actors) actor.stop({ drain: true });
      for (const actor of actors) yield* actor.join();
    }
  }));

snapshot.run();

const events = suite('grove/observer: /events (Server-Sent Events)');

events('a page gets the retry delay, the tree and a snapshot at once, then a snapshot every intervalMs', () =>
  runObserved(function* () {
    const app = appTree().start();
    yield* app.up();
    const observer = yield* serveObserver({ intervalMs: 100 });
    const page = yield* call(SseReader.open(`${observer.url}events?sort=handled&limit=2`));
    try {
      assert.is(page.status, 200);
      const first = yield* call(page.next('snapshot', 0));
      assert.is(page.preamble, 'retry: 1000\n');
      assert.equal(page.events.slice(0, 2).map((e) => e.event), ['tree', 'snapshot'], 'the tree, then the snapshot: the first events');
      assert.is(page.events[1], first);
      const data = JSON.parse(first.data) as Omit<ObserverSnapshot, 'log' | 'tree'>;
      assert.equal(Object.keys(data), ['hub', 'processes']);
      assert.equal([data.processes.sort, data.processes.order, data.processes.limit, data.processes.rows.length, data.processes.total], ['handled', 'desc', 2, 2, 4]);
      assert.is((JSON.parse(page.events[0].data) as SupervisorNode[])[0].name, 'app');
      app.child('worker-2', Worker)!.send('one');
      app.child('worker-2', Worker)!.send('two');
      const update = yield* call(page.next('snapshot'));
      const rows = (JSON.parse(update.data) as Omit<ObserverSnapshot, 'log'>).processes.rows;
      assert.equal(rows.map((r) => [r.name, r.handled]), [['worker-2', 2], ['app', 0]]);
    } finally {
      page.close();
      yield* call(observer.close());
      app.stop();
      yield* app.join();
    }
  }));

events('crashes and restarts are logged as they happen, with ids; the tree follows at once', () =>
  runObserved(
    function* () {
      const app = appTree().start();
      yield* app.up();
      // A long interval: what arrives comes from the events, not from a periodic update.
      const observer = yield* serveObserver({ intervalMs: 60_000 });
      const page = yield* call(SseReader.open(`${observer.url}events`));
      try {
        yield* call(page.next('snapshot', 0));
        const worker1 = app.child('worker-1', Worker)!;
        worker1.send('crash');
        const crash = yield* call(page.next('log'));
        const restart = yield* call(page.next('log', page.events.indexOf(crash) + 1));
        const crashEntry = JSON.parse(crash.data) as LogEntry;
        const restartEntry = JSON.parse(restart.data) as LogEntry;
        assert.equal([crash.id, crashEntry.id, crashEntry.kind, crashEntry.greenlet, crashEntry.child], ['1', 1, 'crash', worker1.id, null]);
        assert.is(crashEntry.text, `worker-1 #${worker1.id} crashed: Error: worker-1 told to crash`);
        assert.equal([restart.id, restartEntry.kind, restartEntry.greenlet, restartEntry.child], ['2', 'restart', app.id, 'worker-1']);
        assert.is(restartEntry.text, `app #${app.id} restarts worker-1 (restart 1 in a row)`);
        const tree = JSON.parse((yield* call(page.next('tree', page.events.indexOf(crash) + 1))).data) as SupervisorNode[];
        const child = tree[0].children[0];
        assert.equal([child.id, child.status, child.restarts], ['worker-1', 'running', 1]);
        assert.is(child.greenlet, app.child('worker-1', Worker)!.id, 'the new incarnation');
        assert.ok(child.greenlet !== worker1.id);
      } finally {
        page.close();
        yield* call(observer.close());
        app.stop();
        yield* app.join();
      }
    },
    [crashReport('worker-1')],
  ));

events('Last-Event-ID catches a page up from the ring; what fell out of the ring is announced as a gap', () =>
  runObserved(
    function* () {
      const app = appTree().start();
      yield* app.up();
      const observer = yield* serveObserver({ intervalMs: 60_000, logSize: 3 });
      const watcher = yield* call(SseReader.open(`${observer.url}events`));
      try {
        yield* call(watcher.next('snapshot', 0));
        for (const id of ['worker-1', 'worker-2']) {
          const seen = watcher.events.length;
          app.child(id, Worker)!.send('crash');
          yield* call(watcher.next('log', seen));
          yield* call(watcher.next('log', seen + 1));
          yield* call(watcher.next('tree', seen));
        }
        assert.equal(watcher.events.filter((e) => e.event === 'log').map((e) => e.id), ['1', '2', '3', '4']);

        const back = yield* call(SseReader.open(`${observer.url}events`, { 'Last-Event-ID': '2' }));
        yield* call(back.next('snapshot', 0));
        assert.equal(back.events.map((e) => [e.event, e.id]), [['log', '3'], ['log', '4'], ['tree', null], ['snapshot', null]], 'what it missed, then the state');
        back.close();

        const late = yield* call(SseReader.open(`${observer.url}events?since=0`));
        yield* call(late.next('snapshot', 0));
        assert.equal(late.events.map((e) => [e.event, e.id]), [['gap', null], ['log', '2'], ['log', '3'], ['log', '4'], ['tree', null], ['snapshot', null]]);
        assert.equal(JSON.parse(late.events[0].data), { missed: 1 });
        late.close();

        const fresh = yield* call(SseReader.open(`${observer.url}events`));
        yield* call(fresh.next('snapshot', 0));
        assert.equal(fresh.events.map((e) => e.event), ['log', 'log', 'log', 'tree', 'snapshot'], 'a new page gets the ring');
        fresh.close();
      } finally {
        watcher.close();
        yield* call(observer.close());
        app.stop();
        yield* app.join();
      }
    },
    [crashReport('worker-1'), crashReport('worker-2')],
  ));

events('a supervisor with many children shows 20 on the page, the restarted ones among them, and counts the rest', () =>
  runObserved(
    function* () {
      const pool = new Supervisor({ name: 'pool', strategy: 'simpleOneForOne', maxRestarts: 5, children: [{ id: 'w', start: () => new Worker({ name: 'pooled' }) }] }).start();
      yield* pool.up();
      const workers: Worker[] = [];
      for (let i = 0; i < 30; i++) workers.push((yield* pool.startChild([])) as Worker);
      const observer = yield* serveObserver({ intervalMs: 60_000 });
      const page = yield* call(SseReader.open(`${observer.url}events`));
      try {
        yield* call(page.next('snapshot', 0));
        workers[25].send('crash');
        const crash = yield* call(page.next('log'));
        const [node] = JSON.parse((yield* call(page.next('tree', page.events.indexOf(crash) + 1))).data) as SupervisorNode[];
        assert.equal([node.childCount, node.children.length, node.hidden], [30, 20, { running: 10, restarting: 0, backingOff: 0, stopped: 0 }]);
        assert.equal(node.children.map((c) => c.restarts).filter((n) => n > 0), [1], 'the restarted child is shown');
        const restarted = node.children.findIndex((c) => c.restarts === 1);
        assert.is(restarted, 19, 'in start order: the first 19, then the restarted one (25th)');
        const full = yield* snapshotOf(observer);
        assert.equal([full.tree[0].children.length, full.tree[0].hidden.running], [30, 0], '/snapshot has every child');
      } finally {
        page.close();
        yield* call(observer.close());
        pool.stop();
        yield* pool.join();
      }
    },
    [/^pooled: greenlet: Error: pooled told to crash$/],
  ));

events.run();

const metrics = suite('grove/observer: /metrics');

/** Parses Prometheus's text format strictly: every sample's metric has a HELP and a TYPE before it. */
function parseMetrics(text: string): Map<string, number> {
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples = new Map<string, number>();
  assert.ok(text.endsWith('\n'), 'ends with a newline');
  for (const line of text.slice(0, -1).split('\n')) {
    let match = /^# HELP ([a-z_]+) .+$/.exec(line);
    if (match !== null) {
      helps.add(match[1]);
      continue;
    }
    match = /^# TYPE ([a-z_]+) (gauge|counter)$/.exec(line);
    if (match !== null) {
      types.set(match[1], match[2]);
      continue;
    }
    match = /^([a-z_]+)(\{[a-z]+="[a-z]+"\})? (-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/.exec(line);
    assert.ok(match !== null, `not a sample line: ${JSON.stringify(line)}`);
    const [, name, labels = '', value] = match!;
    assert.ok(types.has(name) && helps.has(name), `${name} has a HELP and a TYPE before its samples`);
    if (types.get(name) === 'counter') assert.ok(name.endsWith('_total'), `counter ${name} ends in _total`);
    samples.set(name + labels, Number(value));
  }
  return samples;
}

metrics('the figures in Prometheus text format, which parses; restarts and dead letters counted', () =>
  runObserved(
    function* () {
      const app = appTree().start();
      yield* app.up();
      const observer = yield* serveObserver();
      try {
        const reply = yield* call(fetchText(`${observer.url}metrics`));
        assert.is(reply.status, 200);
        assert.is(reply.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
        const before = parseMetrics(reply.body);
        assert.equal(
          ['grove_greenlets{status="blocked"}', 'grove_actors', 'grove_supervisors', 'grove_mailbox_messages', 'grove_restarts_total', 'grove_dead_letters_total'].map(
            (name) => before.get(name),
          ),
          [4, 3, 1, 0, 0, 0],
        );
        const worker = app.child('worker-1', Worker)!;
        worker.send('crash');
        worker.send('lost');
        while (!worker.dead) yield* sleep(1); // not join(): a joined greenlet's crash is not reported
        yield* sleep(0);
        const after = parseMetrics((yield* call(fetchText(`${observer.url}metrics`))).body);
        assert.equal([after.get('grove_restarts_total'), after.get('grove_dead_letters_total')], [1, 1]);
        assert.ok(after.get('grove_messages_total')! >= before.get('grove_messages_total')! + 2);
        assert.ok(after.get('grove_switches_total')! > before.get('grove_switches_total')!);
      } finally {
        yield* call(observer.close());
        app.stop();
        yield* app.join();
      }
    },
    [crashReport('worker-1'), /^worker-1: deadLetter: DeadLetter: dead letter #1: 'lost' was still queued in <Worker "worker-1">, which exited with Error: worker-1 told to crash$/],
  ));

metrics.run();

const security = suite('grove/observer: security');

security('read-only: every method but GET is 405, with Allow: GET', () =>
  runObserved(function* () {
    const observer = yield* serveObserver();
    try {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']) {
        const reply = yield* call(fetchText(`${observer.url}snapshot`, { method }));
        assert.equal([reply.status, reply.headers.allow], [405, 'GET'], method);
      }
    } finally {
      yield* call(observer.close());
    }
  }));

security('a Host that is not a name of the observer is refused (DNS rebinding); localhost and allowedHosts are fine', () =>
  runObserved(function* () {
    const observer = yield* serveObserver({ allowedHosts: ['observer.test:8080'] });
    try {
      const at = (host: string) => call(fetchText(`${observer.url}snapshot`, { headers: { host } }));
      const evil = yield* at(`evil.example:${observer.port}`);
      assert.equal([evil.status, evil.body], [403, `Host "evil.example:${observer.port}" is not a name of this observer (DNS rebinding?); allowedHosts adds names\n`]);
      assert.is((yield* at('127.0.0.1:1')).status, 403, 'another port is another origin');
      assert.is((yield* call(fetchText(`${observer.url}`, { headers: { host: 'evil.example' } }))).status, 403, 'the page too');
      for (const host of [`127.0.0.1:${observer.port}`, `localhost:${observer.port}`, `LOCALHOST:${observer.port}`, 'observer.test:8080']) {
        assert.is((yield* at(host)).status, 200, host);
      }
    } finally {
      yield* call(observer.close());
    }
  }));

security('no CORS; cross-site data requests are refused; the page has a strict Content-Security-Policy', () =>
  runObserved(function* () {
    const observer = yield* serveObserver();
    try {
      const data = yield* call(fetchText(`${observer.url}snapshot`, { headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } }));
      assert.is(data.status, 403);
      assert.is(data.headers['access-control-allow-origin'], undefined);
      const page = yield* call(fetchText(observer.url, { headers: { 'sec-fetch-site': 'cross-site' } }));
      assert.is(page.status, 200, 'a link to the page from elsewhere still opens it');
      assert.is(page.headers['content-type'], 'text/html; charset=utf-8');
      assert.is(page.headers['access-control-allow-origin'], undefined);
      assert.match(String(page.headers['content-security-policy']), /^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'; style-src 'sha256-[A-Za-z0-9+/=]+'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'$/);
      assert.equal([page.headers['x-content-type-options'], page.headers['cache-control'], page.headers['referrer-policy']], ['nosniff', 'no-store', 'no-referrer']);
      assert.is((yield* call(fetchText(`${observer.url}nothing`))).status, 404);
    } finally {
      yield* call(observer.close());
    }
  }));

security('a token, when given, is needed by every request: ?token= or a Bearer header', () =>
  runObserved(function* () {
    const observer = yield* serveObserver({ token: 's3cr3t' });
    try {
      assert.match(observer.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=s3cr3t$/);
      const base = `http://127.0.0.1:${observer.port}/`;
      const without = yield* call(fetchText(`${base}snapshot`));
      assert.equal([without.status, without.body], [401, 'a token is needed: ?token=...\n']);
      assert.is((yield* call(fetchText(`${base}snapshot?token=wrong`))).status, 401);
      assert.is((yield* call(fetchText(`${base}?token=s3cr3t`))).status, 200);
      assert.is((yield* call(fetchText(`${base}snapshot?token=s3cr3t`))).status, 200);
      assert.is((yield* call(fetchText(`${base}metrics`, { headers: { authorization: 'Bearer s3cr3t' } }))).status, 200);
    } finally {
      yield* call(observer.close());
    }
  }));

security('message contents and actor state are shown only with showContents', () =>
  runObserved(
    function* () {
      const gate = new Event();
      class Holder extends Actor<string> {
        count = 7;
        *receive(): Operation<void> {
          yield* gate.wait();
        }
      }
      const holder = new Holder({ name: 'holder' }).start();
      holder.send('in hand');
      holder.send('secret');
      yield* sleep(0);
      const hidden = yield* serveObserver();
      const shown = yield* serveObserver({ showContents: true });
      const pages = [yield* call(SseReader.open(`${hidden.url}events`)), yield* call(SseReader.open(`${shown.url}events`))];
      try {
        const row = (snap: ObserverSnapshot) => snap.processes.rows.find((r) => r.name === 'holder')!;
        const plain = row(yield* snapshotOf(hidden));
        assert.equal([plain.mailbox, 'nextMessage' in plain, 'state' in plain], [1, false, false]);
        const full = row(yield* snapshotOf(shown));
        assert.equal([full.nextMessage, full.state], ["'secret'", '{ count: 7 }']);
        for (const page of pages) yield* call(page.next('snapshot', 0));
        holder.stop(); // 'secret' is still queued: a dead letter
        const texts: string[] = [];
        for (const page of pages) {
          const entry = JSON.parse((yield* call(page.next('log'))).data) as LogEntry;
          texts.push(entry.text);
        }
        assert.equal(texts, [
          `dead letter: a message was still queued in holder #${holder.id}, which exited with normal`,
          `dead letter: 'secret' was still queued in holder #${holder.id}, which exited with normal`,
        ]);
      } finally {
        for (const page of pages) page.close();
        yield* call(hidden.close());
        yield* call(shown.close());
        gate.set();
      }
    },
    [/^holder: deadLetter: DeadLetter: dead letter #1: 'secret' was still queued/],
  ));

security("bad options fail at the call, naming the option; another machine's address needs a token", () =>
  runObserved(function* () {
    const cases: [unknown, string][] = [
      [{ prot: 1 }, 'serveObserver: unknown option "prot" (options are hub, host, port, token, allowedHosts, showContents, intervalMs, logSize)'],
      [{ port: 70000 }, 'serveObserver: port must be an integer from 0 to 65535, got 70000'],
      [{ host: '0.0.0.0' }, 'serveObserver: host "0.0.0.0" is reachable from other machines: give a token (options.token)'],
      [{ host: '192.168.1.10' }, 'serveObserver: host "192.168.1.10" is reachable from other machines: give a token (options.token)'],
      [{ token: '' }, 'serveObserver: token must be a non-empty string, got ""'],
      [{ intervalMs: 10 }, 'serveObserver: intervalMs must be a number of ms, at least 50, got 10'],
      [{ logSize: 0 }, 'serveObserver: logSize must be a positive integer, got 0'],
      [{ hub: {} }, 'serveObserver: hub must be a Hub, got an object'],
      [{ allowedHosts: 'x' }, `serveObserver: allowedHosts must be an array of 'host:port' strings, got "x"`],
      [{ showContents: 'yes' }, 'serveObserver: showContents must be a boolean, got "yes"'],
    ];
    for (const [options, message] of cases) {
      assert.throws(() => serveObserver(options as never), (e: unknown) => e instanceof Error && e.message === message, message);
    }
    yield* sleep(0);
  }));

security.run();

const cost = suite('grove/observer: what watching costs');

cost('no page open: no subscription, no greenlet; an open page listens to lifecycle$ only, and runs no greenlet either', () =>
  runObserved(function* () {
    const hub = getHub();
    const app = appTree().start();
    yield* app.up();
    const greenlets = hub.greenlets();
    const observer = yield* serveObserver({ intervalMs: 50 });
    try {
      yield* call(fetchText(`${observer.url}snapshot`));
      yield* call(fetchText(`${observer.url}metrics`));
      assert.equal([hub.listeners, hub.tracers], [null, null], 'serving and answering, but nobody watching');
      const page = yield* call(SseReader.open(`${observer.url}events`));
      yield* call(page.next('snapshot', 0));
      yield* call(page.next('snapshot'));
      assert.ok(hub.listeners !== null && hub.listeners.size === 1, 'one lifecycle$ subscriber');
      assert.is(hub.tracers, null, 'no events$ subscriber: switches and messages build no event');
      assert.equal(hub.greenlets(), greenlets, 'no greenlet was started for the requests or the page');
      page.close();
    } finally {
      yield* call(observer.close());
      assert.is(hub.listeners, null, 'closing ends the subscription');
      app.stop();
      yield* app.join();
    }
  }));

cost('it takes no hold on the hub: a main blocked for ever still gets LoopExit while the observer serves', async () => {
  const hub = new Hub();
  let observer: Observer | undefined;
  let page: SseReader | undefined;
  try {
    await hub.run(function* () {
      observer = yield* serveObserver();
      page = yield* call(SseReader.open(`${observer.url}events`));
      yield* call(page.next('snapshot', 0));
      spawn(function* () {
        yield* sleep(20);
      });
      yield* new Event().wait();
    });
    assert.unreachable('run() should have failed with LoopExit');
  } catch (error) {
    assert.instance(error, LoopExit);
  } finally {
    page?.close();
    await observer?.close();
  }
});

cost('it keeps serving after the greenlet that started it ended, until close()', async () => {
  const hub = new Hub();
  const observer = await hub.run(() => serveObserver());
  try {
    const reply = await fetchText(`${observer.url}snapshot`);
    assert.is(reply.status, 200);
    assert.is((JSON.parse(reply.body) as ObserverSnapshot).hub.greenlets, 0);
  } finally {
    await observer.close();
  }
  assert.is(observer.closed, true);
  await observer.close();
});

cost.run();
