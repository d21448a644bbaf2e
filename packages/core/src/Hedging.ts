/**
 * Hedged requests: when an attempt is slow, start another copy of it; the first acceptable outcome wins, the others
 * are aborted and awaited. Retries handle failures; hedging cuts the tail latency of requests that are merely slow
 * ("The Tail at Scale", Dean and Barroso, CACM 2013; AWS's S3 performance guidance).
 *
 * A hedging piece rides on a retry policy (`RetryPolicy.withHedging`) and composes with its retries: each attempt may
 * be hedged after {@link Delay} — fixed, or a quantile (default p95) of the latency recently observed for the same
 * operation and resource (`LatencyTracker`) — at most `maxHedged` extra copies per call. Hedges share the call's time
 * budget (no hedge starts past `maxElapsed`) and its retry quota (a hedge withdraws a transient retry's cost, given
 * back when the call succeeds). A copy that fails while another is still in flight simply drops out; a fatal failure
 * ends the call and cancels the rest; when the last copy fails, the policy decides the retry as usual.
 *
 * Safe by construction:
 * - only idempotent calls hedge (`idempotent` resolved as for retries: the call's option, else the policy's; in
 *   `@rebound/aws`, the idempotency table — an override is explicit);
 * - a hedge budget caps extra requests as a share of traffic: a token bucket that every call pays `ratio` into, up to
 *   `maxTokens`, and every hedge spends one token from. A p95 delay hedges about 5 % of calls in steady state, so its
 *   default budget is twice that, 10 % (`2 × (1 − quantile)`; 5 % for a fixed delay): it binds only when latency
 *   shifts — a partial outage, when every request would otherwise hedge — and never starves the slow requests
 *   hedging is for (with a 5 % budget, p95 hedging spends the bucket as fast as it fills: docs/benchmarks);
 * - hedging pauses on a resource for `pauseOnThrottle` (5 s) after any call on it was throttled, and while its
 *   circuit breaker is not closed.
 *
 * Every decision — when to hedge, whether the budget allows it, whether hedging is paused — is made by the pure
 * per-call machine (`RetryCall`), so the Effect interpreter and the simulator make the same ones, and every hedge
 * instant is testable on `TestClock`. The budget's state is a guard state in the `StateStore`, keyed
 * `hedge/<name>/<owner>/<resource>` like the others. Hedging runs in `RetryPolicy.retry` (and everything built on
 * it); a step-wise `RetryPolicy.session` sends one attempt at a time and never hedges.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as internal from "./internal/hedging.js"
import type * as LatencyTracker from "./LatencyTracker.js"
import type * as RetryPolicy from "./RetryPolicy.js"

/**
 * The brand of a validated hedging piece.
 *
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * The brand of a validated hedging piece.
 *
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * When to start the next copy, measured from the previous one.
 *
 * - `Fixed`: after `millis`.
 * - `Quantile`: after the `quantile` of recent latencies of the same operation and resource, read so that at most
 *   `1 − quantile` of calls go beyond it (`LatencyTracker`'s `threshold`: a plain sample quantile is exceeded more
 *   often than its name says, 9.5 % for a p95 of 20 samples), clamped to `[minMillis, maxMillis]`; `initialMillis`
 *   until the tracker holds `minSamples` latencies.
 *
 * @since 0.1.0
 * @category models
 */
export type Delay =
  | { readonly _tag: "Fixed"; readonly millis: number }
  | {
    readonly _tag: "Quantile"
    readonly quantile: number
    readonly minMillis: number
    readonly maxMillis: number
    readonly initialMillis: number
    readonly minSamples: number
  }

/**
 * The hedge budget: a token bucket that every call pays `ratio` into, up to `maxTokens`; a hedge spends one token.
 *
 * @since 0.1.0
 * @category models
 */
export interface Budget {
  readonly ratio: number
  readonly maxTokens: number
}

/**
 * A validated hedging piece: how many copies, after what delay, under what budget, and when hedging pauses.
 *
 * @since 0.1.0
 * @category models
 */
export interface Hedging {
  readonly [TypeId]: TypeId
  /** Names the budget (hedging pieces of the same name and key share it). */
  readonly name: string
  /** Extra copies a call may start, in [1, 10]. */
  readonly maxHedged: number
  readonly delay: Delay
  /** `undefined`: no budget (Polly's hedging has none). */
  readonly budget: Budget | undefined
  /** How long hedging pauses on a resource after it throttled; 0 for never. */
  readonly pauseOnThrottleMillis: number
  /** Chooses the budget a call uses; default: its owner (`scope`, else `service`) and `resource` — see `StateStore`. */
  readonly key: ((context: RetryPolicy.CallContext) => string) | undefined
}

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly name?: string | undefined
  /** Default 1. An integer in [1, 10] (Polly's range). */
  readonly maxHedged?: number | undefined
  /**
   * A duration (a fixed delay), or a quantile of recent latency: default `{ quantile: 0.95, min: "1 millis",
   * max: "10 seconds", initial: "2 seconds", minSamples: 20 }`.
   */
  readonly delay?:
    | Duration.DurationInput
    | {
      readonly quantile?: number | undefined
      readonly min?: Duration.DurationInput | undefined
      readonly max?: Duration.DurationInput | undefined
      readonly initial?: Duration.DurationInput | undefined
      readonly minSamples?: number | undefined
    }
    | undefined
  /**
   * Default `maxTokens` 10 and `ratio` `2 × (1 − quantile)` for a quantile delay (0.1 for p95), 0.05 for a fixed
   * one; `false` for none.
   */
  readonly budget?: { readonly ratio?: number | undefined; readonly maxTokens?: number | undefined } | false | undefined
  /** Default 5 seconds; `false` never pauses. */
  readonly pauseOnThrottle?: Duration.DurationInput | false | undefined
  readonly key?: ((context: RetryPolicy.CallContext) => string) | undefined
}

/**
 * The state of a hedge budget, as the `StateStore` holds it. Plain, serialisable data.
 *
 * @since 0.1.0
 * @category models
 */
export interface State {
  readonly tokens: number
  /** Hedging is paused until this instant (milliseconds), after the resource throttled. */
  readonly pausedUntil: number
}

/**
 * Why a hedge was not started when its delay passed.
 *
 * - `budget`: the hedge budget is empty.
 * - `throttling`: the resource throttled within `pauseOnThrottle`.
 * - `breaker`: its circuit breaker is not closed.
 * - `quota`: the retry quota cannot pay for it.
 * - `maxElapsed`: the call's time budget is spent.
 *
 * @since 0.1.0
 * @category models
 */
export type SkipReason = "budget" | "throttling" | "breaker" | "quota" | "maxElapsed"

/**
 * Builds a hedging piece, throwing an `InvalidOptionError` naming the bad field.
 *
 * @example
 * ```ts
 * import { Hedging, Presets, RetryPolicy } from "@rebound/core"
 *
 * // Hedge after the p95 of recent latency (about 5 % extra requests), one extra copy, never more than 10 %.
 * const reads = Presets.rebound.pipe(RetryPolicy.withHedging(Hedging.make()))
 * // AWS's advice for small S3 objects: re-issue after 2 seconds.
 * const s3Small = Hedging.make({ name: "s3-small", delay: "2 seconds" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Hedging = internal.make

/**
 * rebound's default: hedge after the p95 of recent latency, one extra copy, a 10 % budget, paused 5 s after a throttle.
 *
 * @since 0.1.0
 * @category presets
 */
export const p95: Hedging = make({ name: "hedging-p95" })

/**
 * Polly v8's hedging defaults as a peer: a fixed 2-second delay, one hedged attempt, no budget, no pause on
 * throttling (`HedgingStrategyOptions`, Polly 8.x: `Delay = 2s`, `MaxHedgedAttempts = 1`). Polly also hedges at once
 * after a handled failure; rebound leaves failures to the retry policy.
 *
 * @since 0.1.0
 * @category presets
 */
export const polly: Hedging = make({ name: "polly", delay: "2 seconds", budget: false, pauseOnThrottle: false })

/**
 * Whether a value is a hedging piece built by {@link make}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isHedging: (u: unknown) => u is Hedging = internal.isHedging

/**
 * A budget's state before its first use: a full bucket.
 *
 * @since 0.1.0
 * @category state machine
 */
export const initial: (hedging: Hedging, nowMillis: number) => State = internal.initial

/**
 * The budget after one more call: plus `ratio`, up to `maxTokens`.
 *
 * @since 0.1.0
 * @category state machine
 */
export const deposit: (hedging: Hedging, state: State) => State = internal.deposit

/**
 * The budget after the resource throttled: hedging paused for `pauseOnThrottle`.
 *
 * @since 0.1.0
 * @category state machine
 */
export const throttled: (hedging: Hedging, state: State, nowMillis: number) => State = internal.throttled

/**
 * Asks the budget for one hedge: `[undefined, next]` when allowed (a token spent), else `[reason, state]`.
 *
 * @example
 * ```ts
 * import { Hedging } from "@rebound/core"
 *
 * const hedging = Hedging.make({ budget: { ratio: 0.05, maxTokens: 1 } })
 * const [first, after] = Hedging.tryHedge(hedging, Hedging.initial(hedging, 0), 0)
 * const [second] = Hedging.tryHedge(hedging, after, 0)
 * console.log(first, second) // undefined "budget"
 * ```
 *
 * @since 0.1.0
 * @category state machine
 */
export const tryHedge: (
  hedging: Hedging,
  state: State,
  nowMillis: number
) => readonly [SkipReason | undefined, State] = internal.tryHedge

/**
 * The delay before a hedge, given the latency estimate of the call's operation and resource (`undefined` if unknown).
 *
 * @since 0.1.0
 * @category state machine
 */
export const delayMillis: (hedging: Hedging, latencyMillis: number | undefined) => number = internal.delayMillis

/**
 * The store key of a call's hedge budget.
 *
 * @since 0.1.0
 * @category state machine
 */
export const keyOf: (hedging: Hedging, context: RetryPolicy.CallContext) => string = internal.keyOf

/**
 * The `LatencyTracker` series a call's quantile delay reads and feeds.
 *
 * @since 0.1.0
 * @category state machine
 */
export const latencyKeyOf: (hedging: Hedging, context: RetryPolicy.CallContext) => string = internal.latencyKeyOf

/**
 * The latency a call's quantile delay starts from: the tracker's `threshold` for its operation and resource that at
 * most `1 − quantile` of calls exceed (`undefined` while the series holds fewer than `minSamples`, or for a fixed
 * delay). The interpreter reads it when a call starts and passes it to `RetryCall.start`; a shell of its own (the
 * simulator) does the same.
 *
 * @example
 * ```ts
 * import { Hedging, LatencyTracker } from "@rebound/core"
 *
 * const tracker = LatencyTracker.makeMemory()
 * const context = { service: "DynamoDB", operation: "GetItem" }
 * for (let i = 1; i <= 99; i++) tracker.observe(Hedging.latencyKeyOf(Hedging.p95, context), i, 0)
 * console.log(Hedging.latencyEstimate(Hedging.p95, context, tracker, 0)) // ≈ 97: at most 5 % of calls go beyond
 * ```
 *
 * @since 0.1.0
 * @category state machine
 */
export const latencyEstimate: (
  hedging: Hedging,
  context: RetryPolicy.CallContext,
  tracker: LatencyTracker.LatencyTracker,
  nowMillis: number
) => number | undefined = internal.latencyEstimate

/**
 * Which copy the current attempt is: 0 for the attempt itself, k for its k-th hedge. A shell reads it to send a hedge
 * differently — `@rebound/aws` sends S3 hedges on a fresh connection.
 *
 * @example
 * ```ts
 * import { Hedging } from "@rebound/core"
 * import { Effect } from "effect"
 *
 * const attempt = Effect.flatMap(Hedging.currentCopy, (copy) => Effect.log(copy === 0 ? "primary" : `hedge ${copy}`))
 * ```
 *
 * @since 0.1.0
 * @category context
 */
export const currentCopy: Effect.Effect<number> = internal.currentCopyValue

/**
 * Says what to do with an attempt's successful result that lost the race (it finished after the winner was chosen):
 * close a response stream, release a handle. Wrap the call that retries; `discard` receives the value of the attempt
 * effect given to `RetryPolicy.retry`. Without it such a result is dropped. Polly disposes losing results the same way;
 * `@rebound/aws` destroys a losing response's body stream.
 *
 * @example
 * ```ts
 * import { Hedging, Presets, RetryPolicy } from "@rebound/core"
 * import { Effect } from "effect"
 *
 * interface Handle {
 *   readonly close: () => void
 * }
 *
 * const policy = Presets.rebound.pipe(RetryPolicy.withHedging(Hedging.p95))
 * const hedgedRead = (read: Effect.Effect<Handle>) =>
 *   read.pipe(
 *     RetryPolicy.retry(policy, { idempotent: true }),
 *     Hedging.withDiscard((loser) => Effect.sync(() => (loser as Handle).close()))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withDiscard: {
  (discard: (loser: unknown) => Effect.Effect<void>): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, discard: (loser: unknown) => Effect.Effect<void>): Effect.Effect<A, E, R>
} = internal.withDiscard
