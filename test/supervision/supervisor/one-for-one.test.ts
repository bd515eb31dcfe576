import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExitSignal } from 'grove';
import { Supervisor } from 'grove/supervision';
import { advance, simulate } from 'grove/testing';
import { recorder } from '../../support.js';
import { childOf, running, supervisionLog, workerSpec } from '../support.js';

const oneForOne = suite('Supervisor: oneForOne');

oneForOne('restarts only the child that exited, in its place; the others keep running, untouched', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      const events = supervisionLog();
      const sup = new Supervisor({ name: 'top', children: [workerSpec('a', log), workerSpec('b', log), workerSpec('c', log)] }).start();
      yield* advance(0);
      const [a, c] = [childOf(sup, 'a'), childOf(sup, 'c')];
      childOf(sup, 'b').send('crash');
      yield* advance(0);
      assert.equal(lines, ['start a', 'start b', 'start c', 'stop b: b crashed', 'start b']);
      assert.equal(sup.whichChildren().map((child) => child.id), ['a', 'b', 'c']);
      assert.is(childOf(sup, 'a'), a);
      assert.is(childOf(sup, 'c'), c);
      assert.equal(events.lines.slice(3), ['top: exit b: b crashed', 'top: restart b #1 in 0 ms', 'top: up b']);
      sup.kill({ exception: new ExitSignal('shutdown') });
    },
    { onError: () => {} },
  ));

oneForOne('children that die at the same instant are restarted in the order they died', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      const sup = new Supervisor({ maxRestarts: 5, children: [workerSpec('a', log), workerSpec('b', log), workerSpec('c', log)] }).start();
      yield* advance(0);
      childOf(sup, 'c').send('crash');
      childOf(sup, 'a').send('crash');
      yield* advance(0);
      assert.equal(lines.slice(3), ['stop c: c crashed', 'stop a: a crashed', 'start c', 'start a']);
      assert.is(running(sup), 'a b c');
      sup.kill({ exception: new ExitSignal('shutdown') });
    },
    { onError: () => {} },
  ));

oneForOne('on shutdown it stops its children one at a time, last started first', () =>
  simulate(
    function* () {
      const { lines, log } = recorder();
      const sup = new Supervisor({ maxRestarts: 5, children: [workerSpec('a', log), workerSpec('b', log), workerSpec('c', log)] }).start();
      yield* advance(0);
      childOf(sup, 'a').send('crash');
      yield* advance(0);
      // The restarted a keeps its place: it is still stopped last.
      sup.kill({ exception: new ExitSignal('shutdown') });
      yield* sup.join();
      assert.equal(lines.slice(5), ['stop c: shutdown', 'stop b: shutdown', 'stop a: shutdown']);
    },
    { onError: () => {} },
  ));

oneForOne.run();
