import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import type * as Hedging from "../Hedging.js"
import type * as LatencyTracker from "../LatencyTracker.js"
import type * as RetryPolicy from "../RetryPolicy.js"
import { defaultKey, guardKey } from "./keys.js"
import * as validate from "./validate.js"

/** @internal */
export const TypeId: Hedging.TypeId = Symbol.for("@rebound/core/Hedging") as Hedging.TypeId

const where = "Hedging.make"

const delayOf = (input: Hedging.Options["delay"]): Hedging.Delay => {
  const spec = input === undefined ||
    (typeof input === "object" && input !== null && !Array.isArray(input) && !Duration.isDuration(input))
  if (!spec) return { _tag: "Fixed", millis: validate.millis(where, "delay", input as Duration.DurationInput) }
  const q = (input ?? {}) as Exclude<Hedging.Options["delay"], Duration.DurationInput | undefined>
  const quantile = q.quantile ?? 0.95
  if (!(typeof quantile === "number" && quantile > 0 && quantile < 1)) {
    validate.fail(where, "delay.quantile", quantile, "a number in (0, 1), such as 0.95")
  }
  const minMillis = validate.millis(where, "delay.min", q.min ?? 1)
  const maxMillis = validate.millis(where, "delay.max", q.max ?? 10_000)
  if (maxMillis < minMillis) validate.fail(where, "delay.max", q.max, `a duration ≥ delay.min (${minMillis} millis)`)
  return {
    _tag: "Quantile",
    quantile,
    minMillis,
    maxMillis,
    initialMillis: validate.millis(where, "delay.initial", q.initial ?? 2_000),
    minSamples: validate.integer(where, "delay.minSamples", q.minSamples ?? 20, 1)
  }
}

/**
 * The budget a delay needs: a quantile delay hedges the slowest `1 − quantile` of calls in steady state, so its budget
 * is twice that (10 % for p95) and binds only when latency shifts — a partial outage — never in steady state, where it
 * would refuse the hedges of the slow requests hedging is for. A fixed delay gets 5 %.
 */
const defaultRatio = (delay: Hedging.Delay): number =>
  delay._tag === "Quantile" ? Math.min(1, Math.round(2 * (1 - delay.quantile) * 1e9) / 1e9) : 0.05

/** @internal */
export const make = (options: Hedging.Options = {}): Hedging.Hedging => {
  const name = options.name ?? "hedging"
  if (typeof name !== "string" || name.length === 0) validate.fail(where, "name", name, "a non-empty string")
  const maxHedged = validate.integer(where, "maxHedged", options.maxHedged ?? 1, 1)
  if (maxHedged > 10) validate.fail(where, "maxHedged", maxHedged, "an integer in [1, 10]")
  const delay = delayOf(options.delay)
  let budget: Hedging.Budget | undefined
  if (options.budget !== false) {
    const b = options.budget ?? {}
    budget = {
      ratio: validate.between(where, "budget.ratio", b.ratio ?? defaultRatio(delay), 0, 1),
      maxTokens: validate.atLeast(where, "budget.maxTokens", b.maxTokens ?? 10, 1)
    }
  }
  if (options.key !== undefined && typeof options.key !== "function") {
    validate.fail(where, "key", options.key, "a function (context) => string")
  }
  return {
    [TypeId]: TypeId,
    name,
    maxHedged,
    delay,
    budget,
    pauseOnThrottleMillis: options.pauseOnThrottle === false ?
      0 :
      validate.millis(where, "pauseOnThrottle", options.pauseOnThrottle ?? 5_000),
    key: options.key
  }
}

/** @internal */
export const isHedging = (u: unknown): u is Hedging.Hedging => typeof u === "object" && u !== null && TypeId in u

/** @internal */
export const initial = (hedging: Hedging.Hedging, _nowMillis: number): Hedging.State => ({
  tokens: hedging.budget?.maxTokens ?? 0,
  pausedUntil: 0
})

/** Every call pays `ratio` into the bucket, up to `maxTokens`: hedges are a share of traffic. @internal */
export const deposit = (hedging: Hedging.Hedging, state: Hedging.State): Hedging.State => {
  const budget = hedging.budget
  if (budget === undefined || state.tokens >= budget.maxTokens) return state
  // Kept to six decimals, so long runs of deposits do not drift.
  return { ...state, tokens: Math.min(budget.maxTokens, Math.round((state.tokens + budget.ratio) * 1e6) / 1e6) }
}

/** A throttled answer pauses hedging on the resource for `pauseOnThrottle`. @internal */
export const throttled = (hedging: Hedging.Hedging, state: Hedging.State, nowMillis: number): Hedging.State => {
  if (hedging.pauseOnThrottleMillis <= 0) return state
  const until = nowMillis + hedging.pauseOnThrottleMillis
  return until > state.pausedUntil ? { ...state, pausedUntil: until } : state
}

/**
 * Whether the hedge state allows one more hedge now: `undefined` (allowed, with the state after spending a token) or
 * why not.
 * @internal
 */
export const tryHedge = (
  hedging: Hedging.Hedging,
  state: Hedging.State,
  nowMillis: number
): readonly [Hedging.SkipReason | undefined, Hedging.State] => {
  if (nowMillis < state.pausedUntil) return ["throttling", state]
  if (hedging.budget === undefined) return [undefined, state]
  if (state.tokens < 1) return ["budget", state]
  return [undefined, { ...state, tokens: Math.round((state.tokens - 1) * 1e6) / 1e6 }]
}

/** The delay before the next hedge, from the latency estimate the shell read when the call started. @internal */
export const delayMillis = (hedging: Hedging.Hedging, latencyMillis: number | undefined): number => {
  const delay = hedging.delay
  if (delay._tag === "Fixed") return delay.millis
  if (latencyMillis === undefined || !Number.isFinite(latencyMillis)) return delay.initialMillis
  return Math.min(delay.maxMillis, Math.max(delay.minMillis, latencyMillis))
}

/** @internal */
export const keyOf = (hedging: Hedging.Hedging, context: RetryPolicy.CallContext): string =>
  guardKey("hedge", hedging, context)

/** The latency series a call's quantile delay reads and feeds: per owner, resource and operation. @internal */
export const latencyKeyOf = (hedging: Hedging.Hedging, context: RetryPolicy.CallContext): string =>
  `latency/${hedging.name}/${defaultKey(context)}#${context.operation}`

/**
 * The latency estimate a call with a quantile hedging delay starts with: the tracker's threshold that at most
 * `1 − quantile` of calls exceed, for the call's operation and resource; `undefined` while it has too few samples (or
 * the delay is fixed).
 * @internal
 */
export const latencyEstimate = (
  hedging: Hedging.Hedging,
  context: RetryPolicy.CallContext,
  tracker: LatencyTracker.LatencyTracker,
  nowMillis: number
): number | undefined => {
  const delay = hedging.delay
  if (delay._tag === "Fixed") return undefined
  return tracker.threshold(latencyKeyOf(hedging, context), 1 - delay.quantile, delay.minSamples, nowMillis)
}

/** Which copy of an attempt the current fiber runs: 0 for the attempt itself, k for its k-th hedge. @internal */
export const currentCopy: FiberRef.FiberRef<number> = FiberRef.unsafeMake(0)

/** What to do with a successful result that lost the race. @internal */
export const currentDiscard: FiberRef.FiberRef<((value: unknown) => Effect.Effect<void>) | undefined> = FiberRef
  .unsafeMake<((value: unknown) => Effect.Effect<void>) | undefined>(undefined)

/** @internal */
export const withDiscard = dual<
  (
    discard: (loser: unknown) => Effect.Effect<void>
  ) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>,
  <A, E, R>(self: Effect.Effect<A, E, R>, discard: (loser: unknown) => Effect.Effect<void>) => Effect.Effect<A, E, R>
>(2, (self, discard) => Effect.locally(self, currentDiscard, discard))

/** @internal */
export const currentCopyValue: Effect.Effect<number> = FiberRef.get(currentCopy)
