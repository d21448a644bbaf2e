import type * as Rng from "../Rng.js"

/** FNV-1a over the UTF-16 code units of a string: a stable 32-bit hash for naming streams. */
const fnv1a = (text: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** SplitMix32: spreads one 32-bit seed over the four words of xoshiro's state (as its authors recommend). */
const splitMix32 = (seed: number): () => number => {
  let z = seed >>> 0
  return () => {
    z = (z + 0x9e3779b9) >>> 0
    let t = z
    t = Math.imul(t ^ (t >>> 16), 0x85ebca6b)
    t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35)
    return (t ^ (t >>> 16)) >>> 0
  }
}

const TWO_32 = 4294967296

/**
 * xoshiro128** (Blackman and Vigna, 2018): 128 bits of state, period 2^128 − 1, 32-bit outputs.
 * @internal
 */
class Xoshiro128 implements Rng.Stream {
  private a: number
  private b: number
  private c: number
  private d: number
  constructor(state: readonly [number, number, number, number]) {
    ;[this.a, this.b, this.c, this.d] = state
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1
  }
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0
    const t = this.b << 9
    this.c ^= this.a
    this.d ^= this.b
    this.b ^= this.c
    this.a ^= this.d
    this.c ^= t
    this.d = rotl(this.d, 11)
    return result
  }
  next(): number {
    return this.nextUint32() / TWO_32
  }
  normal(mean: number, sd: number): number {
    // Box–Muller with both draws taken every time, so a stream's position depends only on how many values it gave.
    const u1 = 1 - this.next()
    const u2 = this.next()
    return mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
  }
  exponential(rate: number): number {
    return -Math.log(1 - this.next()) / rate
  }
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k))

/** A generator started from a raw state, for checking against the reference vectors. @internal */
export const fromState = (state: readonly [number, number, number, number]): Rng.Stream => new Xoshiro128(state)

/** @internal */
export const stream = (seed: number, ...path: ReadonlyArray<string | number>): Rng.Stream => {
  const next = splitMix32(fnv1a(`${seed}/${path.join("/")}`))
  return new Xoshiro128([next(), next(), next(), next()])
}
