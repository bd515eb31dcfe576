/** The module each hashing thread runs (examples/every-core/hashing.ts starts them): what it offers. */
import { createHash } from 'node:crypto';
import { Actor } from 'grove/actors';
import { offer } from 'grove/cluster';
import { HASHER, ZEROES, type HashMessage } from './protocol.js';

function hash(text: string, rounds: number): string {
  let digest = text;
  for (let i = 0; i < rounds; i++) digest = createHash('sha256').update(digest).digest('hex');
  return digest;
}

class Hasher extends Actor<HashMessage> {
  receive({ texts, rounds, replyTo }: HashMessage): void {
    if (texts.includes('poison')) throw new Error('poisoned text');
    replyTo.reply(texts.map((text) => hash(text, rounds)));
  }
}

offer(HASHER, (label) => new Hasher({ name: `hasher-${label}` }));
offer(ZEROES, (texts) => texts.reduce((sum, text) => sum + (/^0*/.exec(hash(text, 1))?.[0].length ?? 0), 0));
