/**
 * The observer's page in a real browser: Debian's Chromium driven by
 * playwright-core. A supervision tree runs on a real-clock hub; the page
 * must show a worker's restart within a second of the crash (the child's
 * `data-restarts`), follow a growing inbox in the process table's mailbox
 * column once sorted by it, and log the crash. A screenshot is saved in
 * the test's temporary folder (kept, and copied to
 * `$GROVE_OBSERVER_SCREENSHOT` when that is set: how the README's picture
 * is made).
 *
 * Without Chromium the test is skipped, saying how to install it — except
 * under `CI=true`, where a missing browser is a failure (.ci/run installs
 * it). `GROVE_CHROMIUM` names another executable.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { Event, call, getCurrent, sleep, type Operation } from 'grove';
import { Actor } from 'grove/actors';
import { serveObserver, type Observer } from 'grove/observer';
import { Worker, appTree, runObserved } from './support.js';
import { FLAGS, executable, haveBrowser } from '../browser.js';

/** Waits in the calling greenlet for the page to show `selector`; returns how long that took (ms). */
function* shown(page: Page, selector: string, timeout: number): Operation<number> {
  const start = performance.now();
  yield* call(page.waitForSelector(selector, { timeout, state: 'attached' }));
  return performance.now() - start;
}

const browser = suite('grove/observer in Chromium');

if (haveBrowser(browser, "grove/observer's page in a real browser")) {
  browser('the page shows a restart within a second, follows a growing mailbox, and logs the crash', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'grove-observer-'));
    const profile = join(folder, 'profile');
    let context: BrowserContext | undefined;
    try {
      await runObserved(
        function* () {
          getCurrent().name = 'main';
          const app = appTree().start();
          yield* app.up();
          const gate = new Event();
          class Backlog extends Actor<number> {
            *receive(): Operation<void> {
              yield* gate.wait(); // holds the first message: the rest pile up
            }
          }
          const backlog = new Backlog({ name: 'backlog' }).start();
          backlog.send(-1);
          yield* sleep(0); // the first message in hand: from now on, what is sent stays queued
          let observer: Observer | undefined;
          try {
            observer = yield* serveObserver({ intervalMs: 200 });
            context = yield* call(chromium.launchPersistentContext(profile, { executablePath: executable, headless: true, args: FLAGS }));
            const page = context.pages()[0] ?? (yield* call(context.newPage()));
            yield* call(page.setViewportSize({ width: 1280, height: 800 }));
            yield* call(page.goto(observer.url));
            yield* shown(page, '#state[data-state="open"]', 5000);
            yield* shown(page, '[data-child="worker-1"][data-restarts="0"][data-status="running"]', 5000);

            // A crash: the tree shows the restart (and flashes it) within a second.
            app.child('worker-1', Worker)!.send('crash');
            const restartMs = yield* shown(page, '[data-child="worker-1"][data-restarts="1"][data-status="running"]', 1000);
            assert.ok(restartMs < 1000, `the restart showed after ${Math.round(restartMs)} ms`);
            assert.ok((yield* call(page.$('[data-child="worker-1"] > .child[data-flash]'))) !== null, 'the restarted child flashes');
            const newId = app.child('worker-1')!.id;
            yield* shown(page, `[data-child="worker-1"][data-greenlet="${newId}"]`, 1000);
            const crashLine = yield* call(page.textContent('#log-list li[data-log-kind="crash"]'));
            assert.match(crashLine ?? '', /worker-1 #\d+ crashed: Error: worker-1 told to crash/);
            assert.ok((yield* call(page.$('#log-list li[data-log-kind="restart"]'))) !== null, 'the restart is logged');

            // Sorted by mailbox, the backlog comes first and its count follows the inbox.
            yield* call(page.click('th[data-col="mailbox"]'));
            yield* shown(page, 'th[data-col="mailbox"][data-sorted="desc"]', 2000);
            const mailboxOf = `tr[data-pid="${backlog.id}"] td[data-col="mailbox"]`;
            for (const total of [5, 20, 60]) {
              while (backlog.inbox.qsize() < total) backlog.send(backlog.inbox.qsize());
              yield* shown(page, `${mailboxOf}[data-value="${total}"]`, 2000);
            }
            const firstRow = yield* call(page.getAttribute('tbody tr:first-child', 'data-pid'));
            assert.is(firstRow, String(backlog.id), 'the fullest mailbox sorts first');
            assert.is(yield* call(page.textContent('#f-restarts')), '1');

            const screenshot = join(folder, 'observer.png');
            yield* call(page.screenshot({ path: screenshot, fullPage: true }));
            assert.equal([...readFileSync(screenshot).subarray(1, 4)], [...Buffer.from('PNG')], 'a PNG was saved');
            const keep = process.env.GROVE_OBSERVER_SCREENSHOT;
            if (keep !== undefined && keep !== '') copyFileSync(screenshot, keep);
          } finally {
            if (context !== undefined) yield* call(context.close());
            context = undefined;
            if (observer !== undefined) yield* call(observer.close());
            gate.set();
            backlog.stop({ drain: true });
            yield* backlog.join();
            app.stop();
            yield* app.join();
          }
        },
        [/^worker-1: greenlet: Error: worker-1 told to crash$/],
      );
    } finally {
      await context?.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
}

browser.run();
