/**
 * mulberry32: a small, fast PRNG whose sequence replays exactly from its
 * seed — what seeded schedules (the hub) and simulated restart jitter
 * (supervisors) need, and what `Math.random` cannot give — and `drawSource`,
 * where other runtime draws come from.
 */
import type { Hub } from '../hub.js';
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sourcesOnHub = new WeakMap<Hub, number>();

/**
 * A source of random numbers in [0, 1) for a draw the runtime makes on
 * `hub` (a router's random pick): on a seeded hub, a PRNG seeded from the
 * hub's seed and the source's rank among those made on the hub, so
 * `simulate({ seed })` and `explore` replay it with the schedule; on a
 * virtual clock without a seed, the same from the rank alone (a simulation
 * repeats exactly); on a real clock, `Math.random`.
 */
export function drawSource(hub: Hub): () => number {
  if (hub.seed === undefined && hub.clock !== 'virtual') return Math.random;
  const rank = (sourcesOnHub.get(hub) ?? 0) + 1;
  sourcesOnHub.set(hub, rank);
  return mulberry32(((hub.seed ?? 0) ^ 0x2a5bd1e9 ^ Math.imul(rank, 0x9e3779b1)) >>> 0);
}
