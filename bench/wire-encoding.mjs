/**
 * How grove/cluster's batches go over NATS: JSON against msgpack (msgpackr,
 * as the NATS transport uses it) on the batches it sends — one SEND frame
 * with a ~100-byte message, and a hub turn's 100 of them — encode and
 * decode time per batch, size, and which values come back as they went.
 * JSON needs a walk to find the values it would change (undefined, NaN,
 * the infinities, -0) before it can be used; the walk is timed with it.
 *
 * Run: node bench/wire-encoding.mjs
 */
import { Packr } from 'msgpackr';

const packr = new Packr({ useRecords: false });
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** True if JSON would change `value` (the walk JSON needs before it can be trusted). */
function jsonChanges(value) {
  if (typeof value === 'number') return !Number.isFinite(value) || Object.is(value, -0);
  if (value === undefined) return true;
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(jsonChanges);
  return Object.values(value).some(jsonChanges);
}

const message = (n) => ({ type: 'work', n, text: 'hello world, this is a message', items: [1, 2, 3], ok: true });
const SEND = 0;
const batches = {
  '1 frame': ['node-a#123456', 1, 42, [SEND, 17, message(7), undefined]],
  '100 frames': ['node-a#123456', 1, 42, Array.from({ length: 100 }, (_, i) => [SEND, 17, message(i), undefined]).flat()],
};
const codecs = {
  'JSON (with its walk)': [(x) => (jsonChanges(x[3]), encoder.encode(JSON.stringify(x))), (b) => JSON.parse(decoder.decode(b))],
  'msgpack (msgpackr)': [(x) => packr.pack(x), (b) => packr.unpack(b)],
};

function time(fn, arg, runs) {
  for (let i = 0; i < runs; i++) fn(arg);
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) fn(arg);
  return ((performance.now() - t0) * 1e6) / runs;
}

console.log('batch       encoding               bytes  encode ns  decode ns');
for (const [label, batch] of Object.entries(batches)) {
  const runs = label === '1 frame' ? 200_000 : 2_000;
  for (const [name, [encode, decode]] of Object.entries(codecs)) {
    const bytes = encode(batch);
    console.log(`${label.padEnd(11)} ${name.padEnd(21)} ${String(bytes.length).padStart(6)} ${time(encode, batch, runs).toFixed(0).padStart(10)} ${time(decode, bytes, runs).toFixed(0).padStart(10)}`);
  }
}
const odd = [undefined, NaN, Infinity, -0, { u: undefined }];
console.log('\nround trip of', odd);
console.log('  JSON   ', JSON.parse(JSON.stringify(odd)));
console.log('  msgpack', packr.unpack(packr.pack(odd)));
