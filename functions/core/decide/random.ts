/** A source of uniform numbers in [0, 1). The core takes one as a parameter instead of using a global generator. */
export type RandomSource = () => number;

/**
 * Draws that depend only on a key (FNV-1a of the key seeds the generator): two runs given the same key
 * draw alike, in whatever order or container they run.
 */
export function keyedRandom(key: string): RandomSource {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index += 1) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return seededRandom(hash);
}

/**
 * A small, fast, seedable generator (mulberry32): the simulator and tests need the same seed to
 * give the same week, run after run.
 */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}
