/**
 * Seeded pseudo-random streams for the simulator: xoshiro128** seeded through SplitMix32.
 *
 * Every purpose — arrivals, network delays, service times, each client's jitter — gets its own stream named by a
 * path under the run's seed. Streams are independent, so two policies run on the same seed see the same arrivals and
 * the same network (common random numbers): their paired difference has low variance, and a policy that draws more
 * jitter cannot shift the world the others see.
 *
 * @since 0.1.0
 */
import * as internal from "./internal/rng.js"

/**
 * One stream of uniform draws and the few distributions the scenarios need.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stream {
  /** A uniform draw in [0, 1) with 32 bits of resolution. */
  readonly next: () => number
  /** A 32-bit unsigned integer. */
  readonly nextUint32: () => number
  /** A normal draw (Box–Muller; always consumes two uniform draws). */
  readonly normal: (mean: number, sd: number) => number
  /** An exponential draw with the given rate (mean 1/rate). */
  readonly exponential: (rate: number) => number
}

/**
 * The stream named `path` under `seed`. The same seed and path always give the same sequence.
 *
 * @example
 * ```ts
 * import { Rng } from "@rebound/simulator"
 *
 * const network = Rng.stream(1, "network")
 * const jitterOfClient7 = Rng.stream(1, "jitter", 7)
 * console.log(network.normal(10, 2), jitterOfClient7.next())
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const stream: (seed: number, ...path: ReadonlyArray<string | number>) => Stream = internal.stream
