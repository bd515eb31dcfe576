import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sleep } from 'grove';
import { Actor, RegistryError, register, registered, send, unregister, whereis } from 'grove/actors';
import { simulate } from 'grove/testing';
import { recorder } from '../support.js';

class Logger extends Actor<string> {
  constructor(
    private readonly log: (line: string) => void,
    name: string,
  ) {
    super({ name });
  }
  receive(message: string): void {
    this.log(`${this.name} got ${message}`);
    if (message === 'quit') this.stop();
  }
}

function thrown(fn: () => void): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

const registry = suite('registry');

registry('register, whereis, send by name, unregister', () =>
  simulate(function* () {
    const { lines, log } = recorder();
    const db = new Logger(log, 'db-1').start();
    assert.is(whereis('db'), undefined);
    register('db', db);
    assert.is(whereis('db'), db);
    send('db', 'by name');
    send(db, 'by actor');
    yield* sleep(0);
    assert.equal(lines, ['db-1 got by name', 'db-1 got by actor']);
    assert.equal(registered(), ['db']);
    assert.ok(unregister('db'));
    assert.not.ok(unregister('db'));
    assert.is(whereis('db'), undefined);
    register('db', db);
    assert.is(whereis('db'), db, 'free to register again');
    db.stop();
  }));

registry('a name frees itself when its actor exits, at once', () =>
  simulate(function* () {
    const { log } = recorder();
    const first = new Logger(log, 'first').start();
    register('service', first);
    first.send('quit');
    yield* first.join();
    assert.is(whereis('service'), undefined, 'free as soon as the actor is dead');
    assert.equal(registered(), []);
    const second = new Logger(log, 'second').start();
    register('service', second);
    yield* sleep(0);
    assert.is(whereis('service'), second, "the first actor's death link does not free the new holder's name");
    second.stop();
    yield* second.join();
    yield* sleep(0);
    assert.is(whereis('service'), undefined);
  }));

registry('registering a taken name is a RegistryError naming the holder', () =>
  simulate(function* () {
    const { log } = recorder();
    const a = new Logger(log, 'a').start();
    const b = new Logger(log, 'b').start();
    register('x', a);
    register('x', a); // the same actor again: nothing to do
    const error = thrown(() => register('x', b));
    assert.instance(error, RegistryError);
    assert.is(error.name, 'RegistryError');
    assert.is(error.message, 'register: the name "x" is taken by <Logger "a">');
    assert.is(whereis('x'), a);
    a.stop();
    b.stop();
  }));

registry('registering a dead actor, or one already registered under another name, is a RegistryError', () =>
  simulate(function* () {
    const { log } = recorder();
    const a = new Logger(log, 'a').start();
    register('first', a);
    assert.is(thrown(() => register('second', a)).message, 'register: <Logger "a"> is already registered as "first"');
    a.stop();
    const error = thrown(() => register('third', a));
    assert.instance(error, RegistryError);
    assert.is(error.message, 'register: <Logger "a"> is dead (noproc); cannot register it as "third"');
  }));

registry('sending to an unregistered name is a RegistryError; names must be non-empty strings', () =>
  simulate(function* () {
    const error = thrown(() => send('nobody', 'hello'));
    assert.instance(error, RegistryError);
    assert.is(error.message, 'send: no actor is registered as "nobody"');
    assert.throws(() => register('', new Logger(() => {}, 'x')), /register: name must be a non-empty string or a registryName\(\), got ""/);
    assert.throws(() => whereis(3 as never), /whereis: name must be a non-empty string or a registryName\(\), got 3/);
    assert.throws(() => register('y', {} as never), /register: actor must be an Actor, got an object/);
    assert.throws(() => send({} as never, 'x'), /send: target must be an Actor or a registered name, got an object/);
  }));

registry('each hub has its own registry', async () => {
  let inFirst: Actor<unknown> | undefined;
  const first = simulate(function* () {
    const a = new Logger(() => {}, 'a').start();
    register('shared', a);
    yield* sleep(10);
    inFirst = whereis('shared');
    a.stop();
  });
  const second = simulate(function* () {
    yield* sleep(5);
    assert.is(whereis('shared'), undefined, 'not visible from another hub');
    const b = new Logger(() => {}, 'b').start();
    register('shared', b);
    b.stop();
  });
  await Promise.all([first, second]);
  assert.is(inFirst?.name, 'a');
});

registry.run();
