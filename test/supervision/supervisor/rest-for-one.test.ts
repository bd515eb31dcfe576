import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExitSignal } from 'grove';
import { Supervisor } from 'grove/supervision';
import { advance, simulate } from 'grove/testing';
import { recorder } from '../../support.js';
import { childOf, running, workerSpec } from '../support.js';

const restForOne = suite('Supervisor: restForOne');

restForOne('a crash stops the children started after it, last first, then starts it and them in start order', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      const sup = new Supervisor({ strategy: 'restForOne', children: ['a', 'b', 'c', 'd'].map((id) => workerSpec(id, log)) }).start();
      yield* advance(0);
      const a = childOf(sup, 'a');
      childOf(sup, 'b').send('crash');
      yield* advance(0);
      assert.equal(lines.slice(4), ['stop b: b crashed', 'stop d: shutdown', 'stop c: shutdown', 'start b', 'start c', 'start d']);
      assert.is(childOf(sup, 'a'), a);
      assert.is(running(sup), 'a b c d');
      sup.kill({ exception: new ExitSignal('shutdown') });
    },
    { onError: () => {} },
  ));

restForOne('the last child restarts alone', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      const sup = new Supervisor({ strategy: 'restForOne', children: ['a', 'b', 'c'].map((id) => workerSpec(id, log)) }).start();
      yield* advance(0);
      childOf(sup, 'c').send('crash');
      yield* advance(0);
      assert.equal(lines.slice(3), ['stop c: c crashed', 'start c']);
      sup.kill({ exception: new ExitSignal('shutdown') });
    },
    { onError: () => {} },
  ));

restForOne('temporary children after it are stopped and forgotten; those before it are not touched', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      const sup = new Supervisor({
        strategy: 'restForOne',
        children: [workerSpec('x0', log, { restart: 'temporary' }), workerSpec('b', log), workerSpec('x1', log, { restart: 'temporary' }), workerSpec('t', log, { restart: 'transient' })],
      }).start();
      yield* advance(0);
      childOf(sup, 'b').send('crash');
      yield* advance(0);
      assert.equal(lines.slice(4), ['stop b: b crashed', 'stop t: shutdown', 'stop x1: shutdown', 'start b', 'start t']);
      assert.is(running(sup), 'x0 b t');
      sup.kill({ exception: new ExitSignal('shutdown') });
    },
    { onError: () => {} },
  ));

restForOne.run();
