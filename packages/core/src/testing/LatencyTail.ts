/**
 * A latency tail: a share of requests delayed by a chosen distribution. One model, two shells: the lab's fault proxy
 * (`@rebound/aws/testing`, `FaultProxy.latencyTail`) delays real HTTP requests with it, and the simulator's tail
 * scenario (`@rebound/simulator`, `Tail`) delays modelled ones — so a benchmark in the lab and one in virtual time
 * inject the same tail. Each shell supplies its own seeded uniform draws, two per request.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as validate from "../internal/validate.js"

/**
 * How long a delayed request waits, in milliseconds.
 *
 * - `Uniform`: between `minMillis` and `maxMillis`.
 * - `Exponential`: `minMillis` plus an exponential draw of mean `meanMillis`.
 * - `Pareto`: a Pareto draw of scale `minMillis` and shape `shape` (heavy-tailed; shape ≤ 1 has no mean), capped at
 *   `maxMillis`.
 *
 * @since 0.1.0
 * @category models
 */
export type Distribution =
  | { readonly _tag: "Uniform"; readonly minMillis: number; readonly maxMillis: number }
  | { readonly _tag: "Exponential"; readonly minMillis: number; readonly meanMillis: number }
  | { readonly _tag: "Pareto"; readonly minMillis: number; readonly shape: number; readonly maxMillis: number }

/**
 * A share of requests (in [0, 1]) delayed by a distribution.
 *
 * @since 0.1.0
 * @category models
 */
export interface LatencyTail {
  readonly share: number
  readonly delay: Distribution
}

const where = "LatencyTail.make"

/**
 * A tail: `share` of requests delayed by `delay`. Throws an `InvalidOptionError` naming a bad field.
 *
 * @example
 * ```ts
 * import { LatencyTail } from "@rebound/core/testing"
 *
 * // The issue's scenario: 2 % of requests delayed between 1 and 2 seconds.
 * const tail = LatencyTail.make(0.02, LatencyTail.uniform("1 second", "2 seconds"))
 * console.log(LatencyTail.sample(tail, 0.01, 0.5), LatencyTail.sample(tail, 0.5, 0.5)) // 1500 undefined
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (share: number, delay: Distribution): LatencyTail => {
  validate.between(where, "share", share, 0, 1)
  switch (delay._tag) {
    case "Uniform":
      if (!(delay.minMillis >= 0 && delay.maxMillis >= delay.minMillis && Number.isFinite(delay.maxMillis))) {
        validate.fail(where, "delay", `${delay.minMillis}–${delay.maxMillis} ms`, "0 ≤ min ≤ max, finite")
      }
      break
    case "Exponential":
      if (!(delay.minMillis >= 0 && delay.meanMillis > 0 && Number.isFinite(delay.meanMillis))) {
        validate.fail(where, "delay", delay.meanMillis, "a finite mean > 0 and a min ≥ 0")
      }
      break
    case "Pareto":
      if (!(delay.minMillis > 0 && delay.shape > 0 && delay.maxMillis >= delay.minMillis)) {
        validate.fail(where, "delay", delay.shape, "a scale (min) > 0, a shape > 0 and a max ≥ min")
      }
      break
  }
  return { share, delay }
}

const ms = (field: string, input: Duration.DurationInput) => validate.millis(where, field, input)

/**
 * Uniform between `min` and `max`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const uniform = (min: Duration.DurationInput, max: Duration.DurationInput): Distribution => ({
  _tag: "Uniform",
  minMillis: ms("delay.min", min),
  maxMillis: ms("delay.max", max)
})

/**
 * `min` plus an exponential draw of mean `mean`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const exponential = (min: Duration.DurationInput, mean: Duration.DurationInput): Distribution => ({
  _tag: "Exponential",
  minMillis: ms("delay.min", min),
  meanMillis: ms("delay.mean", mean)
})

/**
 * A Pareto draw of scale `min` and shape `shape`, capped at `max`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const pareto = (
  min: Duration.DurationInput,
  shape: number,
  max: Duration.DurationInput = Duration.infinity
): Distribution => ({
  _tag: "Pareto",
  minMillis: ms("delay.min", min),
  shape,
  maxMillis: validate.millis(where, "delay.max", max, { infinite: true })
})

/**
 * The delay of one request from two uniform draws in [0, 1): `undefined` when `chosen ≥ share` (not delayed), else the
 * distribution at `draw`. Every request takes both draws, so a stream of draws stays aligned whatever the share.
 *
 * @since 0.1.0
 * @category utils
 */
export const sample = (tail: LatencyTail, chosen: number, draw: number): number | undefined => {
  if (!(chosen < tail.share)) return undefined
  const d = tail.delay
  switch (d._tag) {
    case "Uniform":
      return d.minMillis + draw * (d.maxMillis - d.minMillis)
    case "Exponential":
      return d.minMillis - Math.log(1 - draw) * d.meanMillis
    case "Pareto":
      return Math.min(d.maxMillis, d.minMillis / Math.pow(1 - draw, 1 / d.shape))
  }
}

/**
 * Describes a tail for reports, e.g. `"2 % of requests delayed U(1000, 2000) ms"`.
 *
 * @since 0.1.0
 * @category utils
 */
export const describe = (tail: LatencyTail): string => {
  const d = tail.delay
  const what = d._tag === "Uniform" ?
    `U(${d.minMillis}, ${d.maxMillis}) ms` :
    d._tag === "Exponential" ?
    `${d.minMillis} ms + Exp(mean ${d.meanMillis} ms)` :
    `Pareto(scale ${d.minMillis} ms, shape ${d.shape})${Number.isFinite(d.maxMillis) ? ` ≤ ${d.maxMillis} ms` : ""}`
  return `${+(tail.share * 100).toFixed(3)} % of requests delayed ${what}`
}
