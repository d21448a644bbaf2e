/**
 * Summary statistics for simulation results: means with 95 % confidence intervals over seeds, percentiles, and
 * Jain's fairness index.
 *
 * @since 0.1.0
 */

/**
 * A mean over seeds with the half-width of its 95 % confidence interval (Student's t).
 *
 * @since 0.1.0
 * @category models
 */
export interface Estimate {
  readonly mean: number
  /** Half-width of the 95 % interval; 0 for fewer than two samples. */
  readonly ci95: number
  readonly n: number
}

// Two-sided 97.5 % quantiles of Student's t for 1…30 degrees of freedom; beyond 30 the normal 1.96 is within 2 %.
const tTable = [
  12.706,
  4.303,
  3.182,
  2.776,
  2.571,
  2.447,
  2.365,
  2.306,
  2.262,
  2.228,
  2.201,
  2.179,
  2.16,
  2.145,
  2.131,
  2.12,
  2.11,
  2.101,
  2.093,
  2.086,
  2.08,
  2.074,
  2.069,
  2.064,
  2.06,
  2.056,
  2.052,
  2.048,
  2.045,
  2.042
]

/**
 * The arithmetic mean (`NaN` for no samples).
 *
 * @since 0.1.0
 * @category utils
 */
export const mean = (xs: ReadonlyArray<number>): number => {
  let sum = 0
  for (const x of xs) sum += x
  return sum / xs.length
}

/**
 * Mean and 95 % confidence interval of independent samples (one per seed).
 *
 * @example
 * ```ts
 * import { Stats } from "@rebound/simulator"
 *
 * const e = Stats.estimate([10, 12, 11, 13])
 * console.log(e.mean, e.ci95.toFixed(2)) // 11.5 2.05
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const estimate = (xs: ReadonlyArray<number>): Estimate => {
  const n = xs.length
  const m = mean(xs)
  if (n < 2) return { mean: m, ci95: 0, n }
  let ss = 0
  for (const x of xs) ss += (x - m) ** 2
  const sd = Math.sqrt(ss / (n - 1))
  const t = tTable[n - 2] ?? 1.96
  return { mean: m, ci95: (t * sd) / Math.sqrt(n), n }
}

/**
 * The `p`-quantile (p in [0, 1]) by the nearest-rank method; `NaN` for no samples.
 *
 * @example
 * ```ts
 * import { Stats } from "@rebound/simulator"
 *
 * console.log(Stats.percentile([5, 1, 4, 2, 3], 0.5)) // 3
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const percentile = (xs: ReadonlyArray<number>, p: number): number => {
  if (xs.length === 0) return NaN
  const sorted = [...xs].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil(p * sorted.length))
  return sorted[rank - 1]!
}

/**
 * Jain's fairness index (Σx)² / (n·Σx²): 1 when all are equal, 1/n when one takes everything.
 *
 * @example
 * ```ts
 * import { Stats } from "@rebound/simulator"
 *
 * console.log(Stats.jain([1, 1, 1, 1]), Stats.jain([1, 0, 0, 0])) // 1 0.25
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const jain = (xs: ReadonlyArray<number>): number => {
  let sum = 0
  let squares = 0
  for (const x of xs) {
    sum += x
    squares += x * x
  }
  return squares === 0 ? 1 : (sum * sum) / (xs.length * squares)
}

/**
 * Counts of instants (microseconds) per bin of `binMicros`, from 0 over `bins` bins; later instants are dropped.
 *
 * @since 0.1.0
 * @category utils
 */
export const histogram = (instants: ReadonlyArray<number>, binMicros: number, bins: number): Array<number> => {
  const out = new Array<number>(bins).fill(0)
  for (const t of instants) {
    const i = Math.floor(t / binMicros)
    if (i >= 0 && i < bins) out[i]!++
  }
  return out
}
