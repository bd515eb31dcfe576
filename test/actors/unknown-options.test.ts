/**
 * Regression (issue 11, item 12): the actor layer, the supervisor's calls
 * and grove/testing refuse an options key they do not know, naming it and
 * the valid keys, instead of ignoring it.
 */
import { suite } from 'uvu';
import { Actor, ask, configureActors, demonitor, monitor } from 'grove/actors';
import { Supervisor } from 'grove/supervision';
import { TestProbe, explore, simulate } from 'grove/testing';
import { throwsExactly } from '../support.js';

const test = suite('unknown option keys (actors, supervision, testing)');

function unknown(call: string, key: string, valid: string): string {
  return `${call}: unknown option ${JSON.stringify(key)} (options are ${valid})`;
}

class Echo extends Actor<string> {
  receive(): void {}
}

class Selective extends Actor<string> {
  receive(): void {}
  tryReceive(): unknown {
    return this.receiveMatching(() => true, { timout: 5 } as never);
  }
}

test('actors: new Actor, receiveMatching, ask, demonitor, configureActors', () =>
  simulate(function* () {
    throwsExactly(() => new Echo({ mailBox: 5 } as never), TypeError, unknown('new Actor', 'mailBox', 'name, mailbox, trapExit, stashCapacity'));
    const echo = new Echo().start();
    throwsExactly(() => ask(echo as never, (() => 'x') as never, { timout: 5 } as never), TypeError, unknown('ask', 'timout', 'timeout'));
    throwsExactly(() => echo.up({ timout: 5 } as never), TypeError, unknown('Actor.up', 'timout', 'timeout'));
    throwsExactly(() => echo.stop({ drian: true } as never), TypeError, unknown('Actor.stop', 'drian', 'drain'));
    const probe = new TestProbe('watcher');
    const ref = monitor(probe, echo);
    throwsExactly(() => demonitor(ref, { flsh: true } as never), TypeError, unknown('demonitor', 'flsh', 'flush'));
    throwsExactly(() => configureActors({ freeze: false } as never), TypeError, unknown('configureActors', 'freeze', 'freezeMessages, logDeadLetters'));
    throwsExactly(() => probe.expectMessage('x', { timout: 5 } as never), TypeError, unknown('TestProbe.expectMessage', 'timout', 'timeout'));
    echo.kill();
    probe.kill();
  }));

test('receiveMatching refuses a misspelt key when the actor calls it', () =>
  simulate(function* () {
    class Self extends Selective {
      override *run() {
        throwsExactly(() => this.tryReceive(), TypeError, unknown('Actor.receiveMatching', 'timout', 'timeout'));
      }
    }
    yield* new Self().start().get();
  }));

test('supervision: terminateChild, restartChild', () =>
  simulate(function* () {
    const sup = new Supervisor({ children: [] }).start();
    throwsExactly(() => sup.terminateChild('a', { timout: 5 } as never), TypeError, unknown('Supervisor.terminateChild', 'timout', 'timeout'));
    throwsExactly(() => sup.restartChild('a', { timout: 5 } as never), TypeError, unknown('Supervisor.restartChild', 'timout', 'timeout'));
    sup.kill();
  }));

test('testing: simulate and explore', () => {
  throwsExactly(() => simulate(() => 1, { sed: 1 } as never), TypeError, unknown('simulate', 'sed', 'seed, strategy, depth, steps, fault, trace, onError'));
  // explore is async: it rejects rather than throws.
  return explore(() => 1, { seed: 1 } as never).then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => throwsExactly(() => {
      throw error;
    }, TypeError, unknown('explore', 'seed', 'seeds, strategy, depth, steps, traceDir, onError')),
  );
});

test.run();
