import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { call, sleep, spawn } from 'grove';
import type { ObserverSnapshot } from 'grove/observer';
import { main } from '../../examples/observer.js';
import { recorder } from '../support.js';
import { fetchText, runObserved } from '../observer/support.js';

const example = suite('examples/observer');

example('serves the shop\'s page, whose tree has the gateways under payments; crashes are one line each and restarted', () =>
  runObserved(function* () {
    const { lines, log } = recorder();
    const watcher = spawn(function* () {
      while (!lines.some((line) => line.startsWith('grove observer: '))) yield* sleep(10);
      const url = lines.find((line) => line.startsWith('grove observer: '))!.slice('grove observer: '.length);
      const reply = yield* call(fetchText(`${url}snapshot`));
      return JSON.parse(reply.body) as ObserverSnapshot;
    });
    yield* main(log, { durationMs: 1500 });
    const snap = yield* watcher.get();
    assert.match(lines[0], /^grove observer: http:\/\/127\.0\.0\.1:\d+\/$/);
    const [shop] = snap.tree;
    assert.equal([shop.name, shop.children.map((c) => c.id)], ['shop', ['orders', 'payments', 'mailer']]);
    assert.equal(shop.children[1].supervisor?.children.map((c) => c.id), ['gateway-1', 'gateway-2']);
    const crashes = lines.filter((line) => line.startsWith('  crash: '));
    assert.ok(crashes.length >= 1, `at least one gateway crashed in 1.5 s: ${JSON.stringify(lines)}`);
    for (const line of crashes) assert.match(line, /^ {2}crash: gateway-[12] failed with UnreadableCard: order \d+: cannot read the card$/);
  }));

example.run();
