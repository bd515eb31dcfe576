import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExitSignal, exitReason } from 'grove';
import { Supervisor } from 'grove/supervision';
import { advance, explore, simulate } from 'grove/testing';
import { recorder } from '../../support.js';
import { childOf, running, supervisionLog, workerSpec } from '../support.js';

const oneForAll = suite('Supervisor: oneForAll');

oneForAll('a crash stops every other child, last started first, then starts them all in start order', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      const events = supervisionLog();
      const sup = new Supervisor({
        name: 'top',
        strategy: 'oneForAll',
        children: ['a', 'b', 'c', 'd'].map((id) => workerSpec(id, log)),
      }).start();
      yield* advance(0);
      childOf(sup, 'b').send('crash');
      yield* advance(0);
      assert.equal(lines.slice(4), [
        'stop b: b crashed',
        'stop d: shutdown',
        'stop c: shutdown',
        'stop a: shutdown',
        'start a',
        'start b',
        'start c',
        'start d',
      ]);
      assert.equal(events.lines.slice(4), [
        'top: exit b: b crashed',
        'top: restart b #1 in 0 ms',
        'top: exit d: shutdown',
        'top: exit c: shutdown',
        'top: exit a: shutdown',
        'top: up a',
        'top: up b',
        'top: up c',
        'top: up d',
      ]);
      sup.kill({ exception: new ExitSignal('shutdown') });
    },
    { onError: () => {} },
  ));

oneForAll('temporary siblings are stopped and forgotten; transient ones are restarted with the rest', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      const sup = new Supervisor({
        strategy: 'oneForAll',
        children: [workerSpec('t', log, { restart: 'transient' }), workerSpec('x', log, { restart: 'temporary' }), workerSpec('p', log)],
      }).start();
      yield* advance(0);
      childOf(sup, 'p').send('crash');
      yield* advance(0);
      assert.equal(lines.slice(3), ['stop p: p crashed', 'stop x: shutdown', 'stop t: shutdown', 'start t', 'start p']);
      assert.is(running(sup), 't p');
      sup.kill({ exception: new ExitSignal('shutdown') });
    },
    { onError: () => {} },
  ));

oneForAll('an exit that is not restarted (transient, normal) restarts nobody', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const sup = new Supervisor({
      strategy: 'oneForAll',
      children: [workerSpec('a', log), workerSpec('t', log, { restart: 'transient' }), workerSpec('c', log)],
    }).start();
    yield* advance(0);
    const [a, c] = [childOf(sup, 'a'), childOf(sup, 'c')];
    childOf(sup, 't').send('return');
    yield* advance(0);
    assert.equal(lines.slice(3), ['stop t: normal']);
    assert.is(running(sup), 'a -t c');
    assert.is(childOf(sup, 'a'), a);
    assert.is(childOf(sup, 'c'), c);
    sup.kill({ exception: new ExitSignal('shutdown') });
  }));

oneForAll('a temporary child that crashes restarts nobody', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      const sup = new Supervisor({ strategy: 'oneForAll', children: [workerSpec('a', log), workerSpec('x', log, { restart: 'temporary' })] }).start();
      yield* advance(0);
      childOf(sup, 'x').send('crash');
      yield* advance(0);
      assert.equal(lines.slice(2), ['stop x: x crashed']);
      assert.is(running(sup), 'a');
      sup.kill({ exception: new ExitSignal('shutdown') });
    },
    { onError: () => {} },
  ));

oneForAll('every kept spec is started again, also one that was stopped (OTP restarts them all)', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      const sup = new Supervisor({
        strategy: 'oneForAll',
        children: [workerSpec('a', log), workerSpec('t', log, { restart: 'transient' }), workerSpec('c', log)],
      }).start();
      yield* advance(0);
      childOf(sup, 't').send('return');
      yield* advance(0);
      childOf(sup, 'c').send('crash');
      yield* advance(0);
      assert.equal(lines.slice(3), ['stop t: normal', 'stop c: c crashed', 'stop a: shutdown', 'start a', 'start t', 'start c']);
      assert.is(running(sup), 'a t c');
      sup.kill({ exception: new ExitSignal('shutdown') });
    },
    { onError: () => {} },
  ));

oneForAll('under any interleaving, a crash restarts the group once and leaves every child running', () =>
  explore(
    function* () {
      const { lines, log } = recorder();
      const sup = new Supervisor({ strategy: 'oneForAll', children: ['a', 'b', 'c'].map((id) => workerSpec(id, log)) }).start();
      yield* advance(0);
      childOf(sup, 'b').send('crash');
      yield* advance(0);
      assert.is(running(sup), 'a b c');
      assert.equal(lines.filter((l) => l.startsWith('start')).length, 6);
      assert.equal(lines.slice(3, 6), ['stop b: b crashed', 'stop c: shutdown', 'stop a: shutdown']);
      sup.kill({ exception: new ExitSignal('shutdown') });
      yield* sup.join();
      assert.is(exitReason(sup), 'shutdown');
    },
    { seeds: 50, onError: () => {} },
  ));

oneForAll.run();
