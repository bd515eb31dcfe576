/**
 * What crosses from one node to another: plain data, checked at `send`
 * with a typed error (`NotPlainData`) instead of being mangled on the way,
 * and actor references and `ReplyTo`s, which travel as references.
 *
 * Plain data is what every transport carries the same way (a thread's
 * structured clone, JSON or msgpack between machines): `null`,
 * `undefined`, booleans, numbers, strings, arrays and plain objects (whose
 * prototype is `Object.prototype` or null) of them, without cycles. A class
 * instance (a Date, a Map, an Error, your own class), a function, a symbol
 * or a bigint is refused, as a cycle is; a shared sub-object arrives as two
 * copies (nothing can tell: messages are frozen).
 *
 * The wire form of a value is `[wire, holes]`: the value itself when it
 * holds no reference (the transport copies it), or a copy of the path to
 * each reference with `null` in its place, plus one hole per reference —
 * its path and its token. Tokens say where the actor (or the asker) lives,
 * so a reference can be passed on to a third node. Exit reasons and job
 * errors that are not plain data travel as `RemoteError`s.
 */
import { describeReason } from '../lib/errors.js';
import { Greenlet } from '../lib/greenlet.js';
import { Actor } from '../actors/actor.js';
import { ReplyTo } from '../actors/ask.js';
import { remoteOf, type ActorRef } from '../actors/ref.js';
import { parseNodeKey, type NodeId } from './node-id.js';

/**
 * Thrown at `send` (and `ask`, `spawnRemote`, `runInThread`, a job's result,
 * a remote `reply`) when a value bound for another thread or machine is not
 * plain data. Nothing was sent. `path` says where in the value the problem
 * is: `'message'`, `'message.items[2]'`.
 */
export class NotPlainData extends TypeError {
  static {
    this.prototype.name = 'NotPlainData';
  }
  /** Where in the value: `'message'` for the value itself, `'message.items[2]'`. */
  readonly path: string;
  constructor(call: string, path: string, what: string) {
    super(
      `${call}: ${path} is ${what}: only plain data goes to another thread or machine ` +
        '(null, undefined, booleans, numbers, strings, arrays and plain objects of them, actor refs and ReplyTos)',
    );
    this.path = path;
  }
}

/**
 * An error thrown on another node, as it arrives here: an exit reason, a
 * job's failure, a crash reported by a thread. Its message is the original
 * `<name>: <message>`; `remoteName`, `remoteMessage` and `node` keep the
 * parts, and its stack is the original one.
 */
export class RemoteError extends Error {
  static {
    this.prototype.name = 'RemoteError';
  }
  /** The original error's name (`TypeError`, your class's). */
  readonly remoteName: string;
  /** The original error's message. */
  readonly remoteMessage: string;
  /** The node it was thrown on, when known. */
  readonly node: NodeId | null;
  constructor(remoteName: string, remoteMessage: string, stack: string | undefined, node: NodeId | null) {
    super(`${remoteName}: ${remoteMessage}`);
    this.remoteName = remoteName;
    this.remoteMessage = remoteMessage;
    this.node = node;
    if (stack !== undefined) {
      const frames = stack.indexOf('\n    at ');
      const where = node === null ? '' : ` (on node ${node.name})`;
      this.stack = `RemoteError: ${remoteName}: ${remoteMessage}${where}${frames >= 0 ? stack.slice(frames) : ''}`;
    }
  }
}

/** Token kinds. */
const REF = 0;
const REPLY_TO = 1;

/** @internal an actor reference on the wire: `[REF, nodeKey, id, name]`. */
export type RefToken = [typeof REF, string, number, string];
/** @internal a ReplyTo on the wire: `[REPLY_TO, asker's nodeKey, reply id, the asked actor's token]`. */
export type ReplyToken = [typeof REPLY_TO, string, number, RefToken];
/** @internal a reference inside a value: its path and its token. */
export type Hole = [(string | number)[], RefToken | ReplyToken];
/** @internal the holes of an encoded value, or undefined when it holds no reference. */
export type Holes = Hole[] | undefined;

/** @internal what the codec asks of the local node: tokens for references, references for tokens. */
export interface RefCodec {
  /** This node's key, for errors encoded here. */
  readonly selfKey: string;
  /** The token of a local greenlet (exported, so its node can find it) or of a RemoteRef. */
  refToken(ref: Greenlet<unknown> | ActorRef<never>): RefToken;
  /** The token of a ReplyTo (a local one is registered, so that a reply finds it). */
  replyToken(replyTo: ReplyTo<unknown>): ReplyToken;
  /** The reference a token stands for: a local actor, or a RemoteRef. */
  ref(token: RefToken): ActorRef<never>;
  /** The ReplyTo a token stands for: a local one, or one that answers across. */
  replyTo(token: ReplyToken): ReplyTo<unknown>;
}

/** Is `value` a reference the codec turns into a token? */
function isReference(value: object): boolean {
  return value instanceof Actor || value instanceof ReplyTo || remoteOf(value) !== null;
}

/** A walk over one value: checks it is plain data and collects the references in it. */
class Walk {
  holes: Hole[] | undefined = undefined;
  private readonly path: (string | number)[] = [];
  private readonly ancestors: object[] = [];

  constructor(
    private readonly call: string,
    private readonly root: string,
    private readonly codec: RefCodec | null,
  ) {}

  visit(value: unknown): void {
    if (typeof value !== 'object') {
      if (typeof value === 'function') this.fail(`a function (${value.name || 'anonymous'})`);
      if (typeof value === 'symbol') this.fail('a symbol');
      if (typeof value === 'bigint') this.fail('a bigint');
      return;
    }
    if (value === null) return;
    if (isReference(value)) {
      if (this.codec !== null) {
        const token = value instanceof ReplyTo ? this.codec.replyToken(value) : this.codec.refToken(value as ActorRef<never>);
        (this.holes ??= []).push([this.path.slice(), token]);
      }
      return;
    }
    if (this.ancestors.includes(value)) this.fail(`a cycle (it contains itself)`);
    const proto: unknown = Object.getPrototypeOf(value);
    const ancestors = this.ancestors;
    const path = this.path;
    ancestors.push(value);
    if (Array.isArray(value) && proto === Array.prototype) {
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        this.visit(value[i]);
        path.pop();
      }
    } else if (proto === Object.prototype || proto === null) {
      for (const key of Reflect.ownKeys(value)) {
        if (typeof key === 'symbol') this.fail(`an object with a symbol key (${String(key)})`);
        // An own "__proto__" key (JSON.parse makes one) is not kept by every encoding: refused rather than renamed.
        if (key === '__proto__') this.fail('an object with an own "__proto__" key');
        path.push(key as string);
        this.visit((value as Record<string, unknown>)[key as string]);
        path.pop();
      }
    } else {
      const name = (value as { constructor?: { name?: string } }).constructor?.name;
      this.fail(value instanceof Greenlet ? `a ${name ?? 'Greenlet'} that is not an Actor` : `${article(name ?? 'object')} (a class instance)`);
    }
    ancestors.pop();
  }

  private fail(what: string): never {
    throw new NotPlainData(this.call, this.root + formatPath(this.path), what);
  }
}

function article(name: string): string {
  return /^[aeio]/i.test(name) ? `an ${name}` : `a ${name}`;
}

/** `.items[2]["odd key"]`, for error messages. */
function formatPath(path: readonly (string | number)[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(key)) text += `.${key}`;
    else text += `[${JSON.stringify(key)}]`;
  }
  return text;
}

/**
 * @internal checks that `value` is plain data (references allowed) and
 * returns its wire form `[wire, holes]`. Throws `NotPlainData` naming
 * `call` and where in `root` (`'message'`, `'args[1]'`) the problem is.
 */
export function encode(call: string, root: string, value: unknown, codec: RefCodec): [unknown, Holes] {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') new Walk(call, root, null).visit(value);
    return [value, undefined];
  }
  const walk = new Walk(call, root, codec);
  walk.visit(value);
  const holes = walk.holes;
  return holes === undefined ? [value, undefined] : [withHoles(value, holes), holes];
}

/** @internal checks that `value` is plain data (references allowed), without encoding it. */
export function checkPlain(call: string, root: string, value: unknown): void {
  new Walk(call, root, null).visit(value);
}

/** A copy of the containers on the path to each hole, with null where the references were. */
function withHoles(root: object, holes: Hole[]): unknown {
  if (holes.some(([path]) => path.length === 0)) return null;
  const copies = new Map<object, Record<string | number, unknown>>();
  const copyOf = (original: object): Record<string | number, unknown> => {
    let copy = copies.get(original);
    if (copy === undefined) {
      copy = (Array.isArray(original) ? original.slice() : { ...original }) as Record<string | number, unknown>;
      copies.set(original, copy);
    }
    return copy;
  };
  const top = copyOf(root);
  for (const [path] of holes) {
    let original = root as Record<string | number, unknown>;
    let copy = top;
    for (let i = 0; i < path.length - 1; i++) {
      original = original[path[i]] as Record<string | number, unknown>;
      const inner = copyOf(original);
      copy[path[i]] = inner;
      copy = inner;
    }
    copy[path[path.length - 1]] = null;
  }
  return top;
}

/**
 * @internal the value a wire form stands for: the (freshly copied, not yet
 * frozen) wire value with each hole filled by the reference its token
 * names.
 */
export function decode(wire: unknown, holes: Holes, codec: RefCodec): unknown {
  if (holes === undefined) return wire;
  let root = wire;
  for (const [path, token] of holes) {
    const ref = token[0] === REPLY_TO ? codec.replyTo(token) : codec.ref(token);
    if (path.length === 0) {
      root = ref;
      continue;
    }
    let container = root as Record<string | number, unknown>;
    for (let i = 0; i < path.length - 1; i++) container = container[path[i]] as Record<string | number, unknown>;
    container[path[path.length - 1]] = ref;
  }
  return root;
}

/** Reason kinds on the wire (a string reason travels as itself). */
const PLAIN = 0;
const ERROR = 1;

/**
 * @internal an exit reason (or a job's error) on the wire: a string as it
 * is; an Error as its name, message, stack and node (a `RemoteError` on
 * arrival); other plain data encoded; anything else as its description.
 */
export function encodeReason(reason: unknown, codec: RefCodec): unknown {
  if (typeof reason === 'string') return reason;
  if (reason instanceof RemoteError) {
    return [ERROR, reason.remoteName, reason.remoteMessage, reason.stack, reason.node === null ? null : `${reason.node.name}#${reason.node.incarnation}`];
  }
  if (reason instanceof Error) return [ERROR, reason.name, reason.message, reason.stack, codec.selfKey];
  try {
    const [wire, holes] = encode('exit', 'reason', reason, codec);
    return [PLAIN, wire, holes];
  } catch (error) {
    if (error instanceof NotPlainData) return describeReason(reason);
    throw error;
  }
}

/** @internal the reason an `encodeReason` wire form stands for. */
export function decodeReason(wire: unknown, codec: RefCodec): unknown {
  if (!Array.isArray(wire)) return wire;
  if (wire[0] === ERROR) {
    const [, name, message, stack, key] = wire as [number, string, string, string | undefined, string | null];
    return new RemoteError(name, message, stack, key === null ? null : parseNodeKey(key));
  }
  return decode(wire[1], wire[2] as Holes, codec);
}
