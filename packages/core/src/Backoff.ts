/**
 * Backoff: how long to wait before the n-th retry. Pure data and a pure function of (retry index, previous delay,
 * one uniform random draw), so the same numbers come out under `TestClock`, in the simulator and in production.
 *
 * | jitter | delay before retry n (n = 0 for the first retry) |
 * | --- | --- |
 * | `none` | `min(cap, base·factorⁿ)` |
 * | `full` | `r · min(cap, base·factorⁿ)` (AWS SDKs, Brooker's "Full Jitter") |
 * | `equal` | `v/2 + r · v/2` with `v = min(cap, base·factorⁿ)` |
 * | `decorrelated` | `min(cap, base + r · (previous·factor − base))`, previous starting at `base` (Brooker: factor 3) |
 *
 * `r` is uniform in [0, 1). With `capping: "afterJitter"` the cap is applied after the jitter (the AWS SDK for
 * JavaScript before 2026 did this). Note where the exponent starts: Effect's `Schedule.exponential` also waits `base`
 * before the first retry; Brooker's simulator waits `base·2`.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Schedule from "effect/Schedule"
import * as internal from "./internal/backoff.js"

/**
 * The brand of a validated backoff.
 *
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * The brand of a validated backoff.
 *
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * How randomness spreads a delay: none, full (`r·d`), equal (half fixed, half random) or decorrelated.
 *
 * @since 0.1.0
 * @category models
 */
export type Jitter = "none" | "full" | "equal" | "decorrelated"

/**
 * A validated backoff. Durations are stored in milliseconds so the decision function stays allocation-free.
 *
 * @since 0.1.0
 * @category models
 */
export interface Backoff {
  readonly [TypeId]: TypeId
  readonly baseMillis: number
  readonly factor: number
  /** `Infinity` means no cap (botocore's legacy mode). */
  readonly capMillis: number
  readonly jitter: Jitter
  readonly capping: "beforeJitter" | "afterJitter"
  /** Round every delay down to whole milliseconds, as the AWS SDK for JavaScript does. */
  readonly wholeMillis: boolean
}

/**
 * Options of `make`; durations accept any `Duration` input.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Delay scale of the first retry. Default 50 millis. */
  readonly base?: Duration.DurationInput | undefined
  /** Growth per retry. Default 2 (3 for decorrelated jitter). Must be ≥ 1. */
  readonly factor?: number | undefined
  /** Largest delay. Default 20 seconds. Must be ≥ base; `Infinity` for none. */
  readonly cap?: Duration.DurationInput | undefined
  /** Default `"full"`. */
  readonly jitter?: Jitter | undefined
  /** Default `"beforeJitter"`. */
  readonly capping?: "beforeJitter" | "afterJitter" | undefined
  /** Default false. */
  readonly wholeMillis?: boolean | undefined
}

/**
 * Builds a backoff, throwing an `InvalidOptionError` naming the bad field.
 *
 * @example
 * ```ts
 * import { Backoff } from "@rebound/core"
 *
 * const backoff = Backoff.make({ base: "100 millis", cap: "5 seconds", jitter: "full" })
 * console.log(Backoff.delay(backoff, 3, undefined, 0.5)) // 0.5 · min(5000, 100·2³) = 400
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Backoff = (options) => internal.make(options)

/**
 * The delay in milliseconds before retry `retryIndex + 1`, from one uniform draw in [0, 1).
 *
 * @example
 * ```ts
 * import { Backoff } from "@rebound/core"
 *
 * const decorrelated = Backoff.make({ base: "5 millis", cap: "2 seconds", jitter: "decorrelated" })
 * const first = Backoff.delay(decorrelated, 0, undefined, 0.5) // between 5 and 15: 10
 * const second = Backoff.delay(decorrelated, 1, first, 0.5) // between 5 and 30: 17.5
 * console.log(first, second)
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const delay: (backoff: Backoff, retryIndex: number, previousMillis: number | undefined, draw: number) => number =
  internal.delay

/**
 * The backoff as an Effect `Schedule` of delays that never stops on its own; draws come from the fiber's `Random`.
 * Combine it with Effect's own combinators (`Schedule.intersect(Schedule.recurs(3))`, `Schedule.upTo`, …).
 *
 * @example
 * ```ts
 * import { Backoff } from "@rebound/core"
 * import { Effect, Schedule } from "effect"
 *
 * const schedule = Backoff.toSchedule(Backoff.make({ base: "100 millis" })).pipe(
 *   Schedule.intersect(Schedule.recurs(3))
 * )
 * const program = Effect.fail("boom").pipe(Effect.retry(schedule))
 * ```
 *
 * @since 0.1.0
 * @category conversions
 */
export const toSchedule: (backoff: Backoff) => Schedule.Schedule<Duration.Duration, unknown> = internal.toSchedule

/**
 * Replaces the cap.
 *
 * @example
 * ```ts
 * import { Backoff } from "@rebound/core"
 *
 * const capped = Backoff.withCap(Backoff.make({ base: "100 millis" }), "2 seconds")
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withCap: {
  (cap: Duration.DurationInput): (self: Backoff) => Backoff
  (self: Backoff, cap: Duration.DurationInput): Backoff
} = internal.withCap

/**
 * The options that rebuild this backoff.
 *
 * @since 0.1.0
 * @category utils
 */
export const options: (self: Backoff) => Options = internal.options
