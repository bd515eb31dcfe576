/**
 * What the hashing threads offer (examples/every-core/): shared by the
 * thread module and the main program, so both sides agree on the types.
 */
import type { ReplyTo } from 'grove/actors';
import { job, spawnable } from 'grove/cluster';

/** A hasher's messages: hash these texts `rounds` times each (sha256); a text `'poison'` crashes it. */
export type HashMessage = { type: 'hash'; texts: string[]; rounds: number; replyTo: ReplyTo<string[]> };

/** A hasher actor; its one argument names it. */
export const HASHER = spawnable<HashMessage, [label: string]>('hasher');
/** A job: the number of hex digits `0` at the start of each text's digest, summed. */
export const ZEROES = job<[texts: string[]], number>('zeroes');
