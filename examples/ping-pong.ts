/**
 * The tutorial's "Actors" section: a Pinger and a Ponger send each other
 * messages through their inboxes. The tutorial's pair runs forever; here
 * the Pinger counts the exchanges and, after the last, stops the Ponger and
 * itself, so `joinAll` returns and both exit with reason 'normal'.
 */
import { exitReason, joinAll, sleep, type Operation } from 'grove';
import { Actor } from 'grove/actors';
import { runIfMain, type Log } from './support.js';

class Pinger extends Actor<string> {
  /** Set before the first message arrives. */
  pong: Actor<string> | null = null;
  private exchanges = 0;

  constructor(
    private readonly log: Log,
    private readonly rounds: number,
  ) {
    super({ name: 'ping' });
  }

  *receive(message: string): Operation<void> {
    this.log(message);
    if (message === 'pong' && ++this.exchanges === this.rounds) {
      this.log(`ping: ${this.exchanges} exchanges, stopping`);
      this.pong!.stop(); // from outside: pong ends at once, where it waits for its next message
      this.stop(); // from inside: ping ends after this message
      return;
    }
    this.pong!.send('ping');
    yield* sleep(0);
  }
}

class Ponger extends Actor<string> {
  constructor(
    private readonly log: Log,
    private readonly ping: Actor<string>,
  ) {
    super({ name: 'pong' });
  }

  *receive(message: string): Operation<void> {
    this.log(message);
    this.ping.send('pong');
    yield* sleep(0);
  }
}

export function* main(log: Log, rounds = 3): Operation<void> {
  const ping = new Pinger(log, rounds);
  const pong = new Ponger(log, ping);
  ping.pong = pong;
  ping.start();
  pong.start();
  ping.send('start');
  yield* joinAll([ping, pong]);
  log(`${ping.name} exited ${String(exitReason(ping))}, ${pong.name} exited ${String(exitReason(pong))}`);
}

runIfMain(import.meta.url, main);
