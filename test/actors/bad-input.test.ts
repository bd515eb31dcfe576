/**
 * Regressions (issue 11, item 12): bad input that was silent or unclear in
 * the actor layer and grove/testing. Each is refused at the call with an
 * error that names the call and the value.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NotInGreenlet, QueueShutDown, sleep, spawn } from 'grove';
import { Actor, exit } from 'grove/actors';
import { TestProbe, simulate } from 'grove/testing';
import { throwsExactly } from '../support.js';

const bad = suite('bad input in actors/ and testing/');

class Quiet extends Actor<string> {
  receive(): void {}
}

bad('exit(g, undefined) is refused: undefined is what exitReason() says of a live greenlet', () =>
  simulate(function* () {
    const g = spawn(() => sleep(100));
    throwsExactly(() => exit(g, undefined), TypeError, "exit: reason must be given ('normal', 'kill', 'shutdown', a string, an error...), got undefined");
    assert.not.ok(g.dead);
    g.kill();
  }));

bad('new Actor names itself in its errors: a bad name; a plain-JS subclass without receive, at construction', () =>
  simulate(function* () {
    throwsExactly(() => new Quiet({ name: 5 as never }), TypeError, 'new Actor: name must be a string, got 5');
    const NoReceive = class Mute extends (Actor as unknown as new () => object) {};
    throwsExactly(() => new NoReceive(), TypeError, 'new Actor: Mute has no receive(message) method');
  }));

bad('send after inbox.shutdown() names Actor.send and the actor, not the inbox\'s putNowait', () =>
  simulate(function* () {
    const actor = new Quiet({ name: 'closed' });
    actor.inbox.shutdown();
    throwsExactly(() => actor.send('x'), QueueShutDown, 'Actor.send: the inbox of <Quiet "closed"> is shut down');
  }));

bad('new TestProbe() outside a greenlet is refused (it would start on the program\'s real-clock hub)', () => {
  throwsExactly(
    () => new TestProbe('outside'),
    NotInGreenlet,
    'new TestProbe() must be called inside a greenlet: start one with run(function* () { ... }) or spawn()',
  );
});

bad('simulate names itself for a bad seed (it said new Hub)', () => {
  throwsExactly(() => simulate(() => 1, { seed: 1.5 }), TypeError, 'simulate: seed must be an integer, got 1.5');
});

bad.run();
