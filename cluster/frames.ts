/**
 * The frames nodes exchange: what `send`, `link`, `monitor`, `ask`, `exit`,
 * `spawnRemote` and `runInThread` become on the wire. A batch is one flat
 * array of frames, each an opcode followed by a fixed number of fields
 * (`ARITY`), so a turn's frames for one node go as one array with no
 * object per frame. Every field is plain data: ids are numbers, values
 * are in the codec's wire form (codec.ts), reasons in `encodeReason`'s.
 *
 * Ids: an actor (any greenlet) is known by its greenlet `id` on its own
 * node; watch, reply, request and job ids are drawn by the node that
 * makes them, and are only meaningful between the two nodes involved.
 */

/** `SEND toId wire holes`: a message for actor `toId`. */
export const SEND = 0;
/** `LINK fromId fromName toId`: the sender's greenlet `fromId` linked itself to `toId` (`EXIT 'noproc'` back if gone). */
export const LINK = 1;
/** `UNLINK fromId toId`. */
export const UNLINK = 2;
/** `EXIT fromId fromName toId reason linked`: a linked greenlet exited (linked 1), or `exit/2` (linked 0; fromId 0: no sender). */
export const EXIT = 3;
/** `WATCH watchId toId`: report `toId`'s death as `DOWN watchId` (a monitor, or a pending ask). */
export const WATCH = 4;
/** `UNWATCH watchId toId`. */
export const UNWATCH = 5;
/** `DOWN watchId reason`: the watched actor exited (`'noproc'`: it was not there). */
export const DOWN = 6;
/** `REPLY replyId wire holes`: the answer for the ReplyTo the receiver registered as `replyId`. */
export const REPLY = 7;
/** `SPAWN requestId kind wire holes parentId parentName`: start an offered actor (args in wire form), linked to the parent if any. */
export const SPAWN = 8;
/** `SPAWNED requestId actorId name reason`: it is up (`actorId`), or failed to start (`actorId` 0, `reason`). */
export const SPAWNED = 9;
/** `JOB jobId kind wire holes`: run an offered job with these args. */
export const JOB = 10;
/** `JOB_DONE jobId ok wire holes`: its result (ok 1) or its error as a reason (ok 0, in `wire`). */
export const JOB_DONE = 11;
/** `JOB_CANCEL jobId`: the caller gave up; kill the job. */
export const JOB_CANCEL = 12;

/** Fields per frame, the opcode included, by opcode. */
export const ARITY: readonly number[] = [4, 4, 3, 6, 3, 3, 3, 4, 7, 5, 5, 5, 2];
