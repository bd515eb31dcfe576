import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from 'grove';
import { Actor, ask, type ReplyTo } from 'grove/actors';
import { Supervisor } from 'grove/supervision';
import { ExploreFailure, FaultFailure, explore, exploreFaults, sequenceChart, simulate, type Trace } from 'grove/testing';
import { Echo, Sink, bumpTwice, echoTwice } from './protocols.js';

/** The y of an event's row, as the chart lays rows out (64 px of heads, then 28 px a row). */
const rowY = (row: number): number => 64 + 28 * (row + 1);

/** The drawn groups of one kind: their event index and inner markup. */
function groups(html: string, kind: string): { index: number; body: string }[] {
  const found: { index: number; body: string }[] = [];
  const pattern = new RegExp(`<g class="${kind}" data-index="(\\d+)">([\\s\\S]*?)</g>`, 'g');
  for (const match of html.matchAll(pattern)) found.push({ index: Number(match[1]), body: match[2] });
  return found;
}

function numbers(markup: string, attributes: string[]): number[] {
  return attributes.map((name) => Number(new RegExp(` ${name}="(-?[\\d.]+)"`).exec(markup)![1]));
}

const charts = suite('sequenceChart');

charts('one lifeline per greenlet, arrows from each send down to its receive, crosses at exits, times down the side', async () => {
  const { trace } = await simulate(echoTwice, { trace: true });
  const html = sequenceChart(trace);
  const lifelines = [...html.matchAll(/<line class="lifeline" data-greenlet="([^"]+)" x1="([\d.]+)" y1="([\d.]+)" x2="[\d.]+" y2="([\d.]+)"\/>/g)];
  assert.equal(
    lifelines.map((m) => m[1]),
    ['main', 'echo', 'sink'],
  );
  // From its spawn (main's at row 0, echo's at 1, sink's at 2) to its exit (rows 14, 15, 13).
  assert.equal(
    lifelines.map((m) => [Number(m[3]), Number(m[4])]),
    [
      [rowY(0), rowY(14)],
      [rowY(1), rowY(15)],
      [rowY(2), rowY(13)],
    ],
  );
  const [mainX, echoX, sinkX] = lifelines.map((m) => Number(m[2]));
  assert.ok(mainX < echoX && echoX < sinkX);

  const messages = groups(html, 'message');
  assert.equal(
    messages.map((m) => m.index),
    [3, 4, 7, 11],
  );
  // The first message leaves main at its send (row 3) and reaches echo at its receive (row 5); echo takes the second at row 8.
  const arrows = messages.map((m) => numbers(m.body, ['x1', 'y1', 'x2', 'y2']));
  assert.equal(arrows[0], [mainX, rowY(3), echoX - 4, rowY(5)]);
  assert.equal(arrows[1], [mainX, rowY(4), echoX - 4, rowY(8)]);
  assert.equal(arrows[2], [echoX, rowY(7), sinkX - 4, rowY(9)]);
  assert.match(messages[0].body, '<title>t=0 send main → echo { n: 1, to: &#60;sink&#62; }</title>');
  assert.match(messages[0].body, '>{ n: 1, to: &#60;sink&#62; }</text>');
  assert.is(groups(html, 'receive').length, 4);
  assert.equal(
    groups(html, 'exit').map((g) => g.index),
    [13, 14, 15],
  );
  assert.ok(groups(html, 'exit').every((g) => (g.body.match(/<line /g) ?? []).length === 2));
  assert.equal(
    groups(html, 'timer').map((g) => g.index),
    [6, 10],
  );
  assert.equal(
    [...html.matchAll(/<text class="time" [^>]*>([^<]+)<\/text>/g)].map((m) => m[1]),
    ['t=0', 't=10', 't=20'],
  );
  assert.match(html, '<title>grove trace: passed: [2, 6]</title>');
  assert.match(html, '<p>FIFO schedule; 16 events, 3 greenlets</p>');
});

charts('a reply to an ask is a dashed arrow back to the asker, at the row of the reply', async () => {
  class Oracle extends Actor<{ replyTo: ReplyTo<number> }> {
    receive(m: { replyTo: ReplyTo<number> }): void {
      m.replyTo.reply(42);
    }
  }
  const { trace } = await simulate(
    function* () {
      yield* ask(new Oracle({ name: 'oracle' }).start(), (replyTo: ReplyTo<number>) => ({ replyTo }));
    },
    { trace: true },
  );
  const html = sequenceChart(trace);
  const replies = groups(html, 'reply');
  assert.equal(
    replies.map((r) => r.index),
    [4],
  );
  const heads = [...html.matchAll(/<line class="lifeline" data-greenlet="[^"]+" x1="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.equal(numbers(replies[0].body, ['x1', 'y1', 'x2', 'y2']), [heads[1], rowY(4), heads[0] + 4, rowY(4)]);
  assert.match(replies[0].body, '<title>t=0 reply oracle → main 42</title>');
});

charts('is self-contained, and escapes what the run put in it', async () => {
  const { trace } = await simulate(
    function* () {
      const echo = new Echo({ name: '<b>"echo"</b>' }).start();
      const sink = new Sink({ name: 'sink & co' }).start();
      echo.send({ n: 1, to: sink });
      yield* sleep(20);
      throw new Error('<script>alert(1)</script>');
    },
    { trace: true, seed: 2, strategy: 'pct' },
  ).catch((failure: { trace: Trace }) => failure);
  const html = sequenceChart(trace);
  assert.not.match(html, /<script|\bsrc=|href=|@import|url\(http/);
  assert.match(html, 'data-greenlet="&#60;b&#62;&#34;echo&#34;&#60;/b&#62;"');
  assert.match(html, '>sink &#38; co</text>');
  assert.match(html, '<p class="failed">The body failed: Error: &#60;script&#62;alert(1)&#60;/script&#62;</p>');
  assert.match(html, '<p>seed 2, pct;');
  assert.ok(html.startsWith('<!doctype html>\n<html lang="en">'));
  assert.ok(html.endsWith('</svg>\n</body>\n</html>\n'));
});

charts.run();

const writing = suite('traceDir');

writing('a failing explore writes its chart and trace there, and its message gives the path', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'grove-charts-'));
  try {
    let failure: ExploreFailure | undefined;
    try {
      await explore(bumpTwice, { traceDir: join(dir, 'nested') });
    } catch (error) {
      failure = error as ExploreFailure;
    }
    assert.ok(failure !== undefined);
    const chart = join(dir, 'nested', `explore-bumpTwice-seed-${failure.seed}.html`);
    assert.is(failure.chart, chart);
    assert.ok(failure.message.endsWith(`\n\tmessage sequence chart: ${chart}`), failure.message);
    assert.is(await readFile(chart, 'utf8'), sequenceChart(failure.trace));
    assert.equal(JSON.parse(await readFile(chart.replace(/\.html$/, '.trace.json'), 'utf8')), failure.trace);
    assert.equal((await readdir(join(dir, 'nested'))).sort(), [`explore-bumpTwice-seed-${failure.seed}.html`, `explore-bumpTwice-seed-${failure.seed}.trace.json`]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

writing('a failing exploreFaults writes the chart of the faulty run: the fault and the restart drawn', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'grove-charts-'));
  class Worker extends Actor<string> {
    receive(): void {}
  }
  try {
    let failure: FaultFailure | undefined;
    try {
      await exploreFaults(
        function* supervised() {
          let starts = 0;
          const sup = new Supervisor({
            strategy: 'oneForOne',
            children: [{ id: 'w', start: () => (starts++, new Worker({ name: 'worker' })) }],
          });
          sup.name = 'sup';
          yield* sup.start().up();
          yield* sleep(1);
          yield* sup.kill();
          if (starts !== 1) throw new Error(`the worker was started ${starts} times`);
        },
        { targets: 'worker', traceDir: dir, onError: () => {} },
      );
    } catch (error) {
      failure = error as FaultFailure;
    }
    assert.ok(failure !== undefined);
    assert.is(failure.chart, join(dir, 'faults-supervised-worker-1-point-1-crash.html'));
    const html = await readFile(failure.chart!, 'utf8');
    assert.is(html, sequenceChart(failure.trace));
    assert.match(html, 'The body failed: Error: the worker was started 2 times');
    assert.match(html, 'fault: crash of &#34;worker&#34; #1 at point 1');
    assert.is(groups(html, 'fault').length, 1);
    assert.match(groups(html, 'fault')[0].body, '<title>t=0 fault crash in worker at its suspension point 1 (Inbox.get)</title>');
    assert.equal(
      groups(html, 'restart').map((g) => /<text [^>]*>([^<]+)</.exec(g.body)![1]),
      ['restart w #1'],
    );
    // The first worker's lifeline ends at its crash; the restarted one starts below.
    const exit = groups(html, 'exit').find((g) => g.body.includes('exit worker (InjectedFault'));
    const spawn2 = groups(html, 'spawn').find((g) => g.body.includes('spawn worker#2'));
    assert.ok(exit !== undefined && spawn2 !== undefined && exit.index < spawn2.index);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

writing('traceDir must be a path', async () => {
  try {
    await explore(() => 1, { traceDir: 7 as never });
    assert.unreachable('accepted');
  } catch (error) {
    assert.instance(error, TypeError);
    assert.is((error as Error).message, 'explore: traceDir must be a folder\'s path, got 7');
  }
});

writing.run();
