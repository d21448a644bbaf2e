/**
 * Client-side adaptive rate limiting: the AWS SDKs' adaptive retry mode, done right.
 *
 * The same CUBIC controller as botocore and `@smithy/core`'s `DefaultRateLimiter`, with their constants (β 0.7, scale
 * constant 0.4, smoothing 0.8 over 0.5 s buckets, minimum fill rate 0.5/s, minimum capacity 1, new rate capped at 2×
 * the measured send rate): inactive until the first throttle, then every attempt — the first included — takes a
 * token. On the same sequence of (time, throttled?) events it computes the same rates as the SDK.
 *
 * Better than the SDK: waiters take numbered reservations and sleep on `Clock` until theirs is covered, re-estimating
 * at most every {@link recheckMillis} as the rate changes — served FIFO, never busy-polling (the SDK's polling loop is
 * unfair); limiters are keyed per resource; the current rate is observable.
 *
 * **{@link rebound}: a limiter that learns at low rates.** The SDK's controller restarts after a throttle from β × its
 * own measured send rate (an average over 0.5 s buckets, floored at 0.5/s): many throttles at once compound the cut,
 * a worker sending 2 requests per second measures noise, and after a cold start or a pause it starts again near the
 * floor. With `learnFrom: "admitted"` the limiter instead measures what the service *admitted* — successes per second
 * over a window (1 s by default) — and a window that saw a throttle restarts the CUBIC curve from that rate, once per
 * window. It paces nothing until its first such window has closed, so it never paces from a guess. It needs no
 * configured rate: a token bucket refilling at R admits exactly R per second to whoever over-sends, which is the rate
 * to send at. With `share: "process"` one limiter serves every client of the process that calls the same operation on
 * the same resource at the same place (service, region, endpoint): the feedback of all of them, one queue, served in
 * order — so 50 workers each with its own client learn the table's rate together instead of 50 times from 1/50th of
 * the evidence.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import * as internal from "./internal/adaptiveLimiter.js"
import { StateStoreTag } from "./internal/stateStore.js"
import type * as RetryPolicy from "./RetryPolicy.js"

/**
 * The brand of an adaptive limiter, so a limiter cannot be confused with another guard.
 *
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * The brand of an adaptive limiter, so a limiter cannot be confused with another guard.
 *
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * A validated adaptive (CUBIC) rate limiter: its constants and its key.
 *
 * @since 0.1.0
 * @category models
 */
export interface AdaptiveLimiter {
  readonly [TypeId]: TypeId
  readonly name: string
  readonly beta: number
  readonly scaleConstant: number
  readonly smooth: number
  readonly minFillRate: number
  readonly minCapacity: number
  readonly maxRateScale: number
  /** What a throttle restarts the rate from: the measured send rate (the SDKs) or the rate the service admitted. */
  readonly learnFrom: "sendRate" | "admitted"
  /** The window the admitted rate is measured over, milliseconds (`learnFrom: "admitted"` only). */
  readonly windowMillis: number
  /** Who shares one limiter when `key` is not given: one client instance (the SDKs), or the process. */
  readonly share: "client" | "process"
  readonly key: ((context: RetryPolicy.CallContext) => string) | undefined
}

/**
 * The limiter's state; times are in seconds, as in the SDKs.
 *
 * @since 0.1.0
 * @category models
 */
export interface State {
  /** False until the first throttle. */
  readonly enabled: boolean
  /** Tokens in the bucket; negative when callers have reserved tokens not yet refilled. */
  readonly availableTokens: number
  readonly lastMaxRate: number
  /** Smoothed measured send rate, requests per second. */
  readonly measuredTxRate: number
  readonly requestCount: number
  /** Current allowed rate, tokens per second. */
  readonly fillRate: number
  readonly maxCapacity: number
  readonly lastThrottleTime: number
  readonly lastTimestamp: number | undefined
  readonly lastTxRateBucket: number
  readonly timeWindow: number
  /** Reservations made so far: a waiter's ticket is the value after its reservation. */
  readonly issued: number
  /** Tickets given back while others waited behind them, until the supply of tokens passes them. */
  readonly cancelled: ReadonlyArray<number>
  /** Start of the current admitted-rate window (`learnFrom: "admitted"`). */
  readonly windowStart: number
  /** Time of the latest response counted in the window. */
  readonly windowLast: number
  /** Successes in the window. */
  readonly windowSuccesses: number
  /** Throttles in the window. */
  readonly windowThrottles: number
  /** Whether the rate was restarted in the current window (at most once per window). */
  readonly windowReset: boolean
  /** Successes per second over the last closed window. */
  readonly admittedRate: number
  /**
   * `learnFrom: "admitted"`: throttled, but no window with a throttle has closed yet — pacing at the rate admitted so
   * far in the window.
   */
  readonly learning: boolean
  /** Every success in the window, whenever its attempt was sent. */
  readonly windowAll: number
  /** Start of the window before the current one, and every success in it. */
  readonly recentSince: number
  readonly recentSuccesses: number
}

/**
 * Options of `make`; every field has the AWS SDKs' default.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly name?: string | undefined
  /** Multiplicative decrease on a throttle, in [0, 1]. Default 0.7. */
  readonly beta?: number | undefined
  /** CUBIC scale constant. Default 0.4. */
  readonly scaleConstant?: number | undefined
  /** Smoothing of the measured rate, in [0, 1]. Default 0.8. */
  readonly smooth?: number | undefined
  /** Default 0.5 tokens/s. */
  readonly minFillRate?: number | undefined
  /** Default 1 token. */
  readonly minCapacity?: number | undefined
  /** New rates are capped at this multiple of the measured send rate. Default 2. */
  readonly maxRateScale?: number | undefined
  /**
   * What a throttle restarts the rate from. `"sendRate"` (default): β × the measured send rate, as the SDKs do.
   * `"admitted"`: the rate the service admitted over the last window that saw a throttle; the limiter paces nothing
   * before its first such window.
   */
  readonly learnFrom?: "sendRate" | "admitted" | undefined
  /** The window the admitted rate is measured over (`learnFrom: "admitted"`). Default 1 second; at least 1 ms. */
  readonly window?: Duration.DurationInput | undefined
  /**
   * Who shares one limiter when `key` is not given. `"client"` (default): one per client instance (its scope) and
   * resource, as the SDKs keep one per client. `"process"`: one per place, resource and operation for every client of
   * the process — the key `limiter/name/place/resource/operation`, where the place is the scope without its instance
   * number (`DynamoDB(eu-west-1)#3` → `DynamoDB(eu-west-1)`); it outlives any one client.
   */
  readonly share?: "client" | "process" | undefined
  /** One limiter per key; default: see `share`. */
  readonly key?: ((context: RetryPolicy.CallContext) => string) | undefined
}

/**
 * Builds a limiter, throwing an `InvalidOptionError` naming the bad field.
 *
 * @example
 * ```ts
 * import { AdaptiveLimiter } from "@rebound/core"
 *
 * // Keyed by default per client and resource: one limiter per Lambda function of each client.
 * const perFunction = AdaptiveLimiter.make({ name: "lambda" })
 * // One limiter per function name for every client of the process, on purpose:
 * const perName = AdaptiveLimiter.make({ name: "lambda-shared", key: (call) => call.resource ?? call.service })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => AdaptiveLimiter = internal.make

/**
 * The SDKs' adaptive mode constants (botocore 1.43.107 `retries/adaptive.py`, `@smithy/core` 3.41.1
 * `DefaultRateLimiter`).
 *
 * @since 0.1.0
 * @category presets
 */
export const aws: AdaptiveLimiter = internal.aws

/**
 * rebound's limiter, the one in `Presets.rebound`: the SDKs' CUBIC curve and constants except β (0.95, for a restart
 * from a measured rate rather than a guess), restarted after a throttle from the rate the service admitted over the
 * last 1 s window, and shared by every client of the process that calls the same operation on the same resource at
 * the same place. No configured rate.
 *
 * @example
 * ```ts
 * import { AdaptiveLimiter, Presets, RetryPolicy } from "@rebound/core"
 *
 * // Two clients of one process writing to one table share one limiter; another table has its own.
 * const key = (table: string, scope: string) =>
 *   AdaptiveLimiter.keyOf(AdaptiveLimiter.rebound, { service: "DynamoDB", operation: "PutItem", resource: table, scope })
 * console.log(key("orders", "DynamoDB(eu-west-1)#1") === key("orders", "DynamoDB(eu-west-1)#2")) // true
 * console.log(key("orders", "DynamoDB(eu-west-1)#1") === key("users", "DynamoDB(eu-west-1)#1")) // false
 * // Any policy can carry it:
 * const policy = RetryPolicy.withLimiter(Presets.awsJs2026, AdaptiveLimiter.rebound)
 * ```
 *
 * @since 0.1.0
 * @category presets
 */
export const rebound: AdaptiveLimiter = internal.rebound

/**
 * The state of a limiter that has seen no response yet: inactive, so nothing waits until the first throttle.
 *
 * @since 0.1.0
 * @category state machine
 */
export const initial: (limiter: AdaptiveLimiter, nowMillis: number) => State = internal.initial

/**
 * The state after a response: a throttle cuts the rate by β; anything else grows it along the CUBIC curve. With
 * `learnFrom: "admitted"`, `succeeded` says whether the response was a success (default: whatever was not throttled),
 * which the admitted rate counts, and `sentAtMillis` when its attempt was sent (default `nowMillis`): a success counts
 * for the window it was sent in, and a throttle of an attempt sent before the last restart does not restart again.
 *
 * @since 0.1.0
 * @category state machine
 */
export const update: (
  limiter: AdaptiveLimiter,
  state: State,
  nowMillis: number,
  throttled: boolean,
  succeeded?: boolean,
  sentAtMillis?: number
) => State = internal.update

/**
 * Reserves tokens for one send; returns the wait in milliseconds (0 while the limiter is inactive).
 *
 * @example
 * ```ts
 * import { AdaptiveLimiter } from "@rebound/core"
 *
 * let state = AdaptiveLimiter.initial(AdaptiveLimiter.aws, 0)
 * state = AdaptiveLimiter.update(AdaptiveLimiter.aws, state, 1000, true) // a throttle enables it
 * const [wait] = AdaptiveLimiter.reserve(AdaptiveLimiter.aws, state, 1000)
 * console.log(wait) // 0 while tokens remain, then (deficit / fillRate) seconds
 * ```
 *
 * @since 0.1.0
 * @category state machine
 */
export const reserve: (
  limiter: AdaptiveLimiter,
  state: State,
  nowMillis: number,
  amount?: number
) => readonly [waitMillis: number, state: State] = internal.reserve

/**
 * How much longer reservation number `ticket` must wait at the rate in force now. Waiters re-estimate with it as the
 * rate changes, so a burst that arrived while the limiter was slow does not stay booked at the slow rate.
 *
 * @since 0.1.0
 * @category state machine
 */
export const remainingWait: (
  limiter: AdaptiveLimiter,
  state: State,
  nowMillis: number,
  ticket: number
) => readonly [waitMillis: number, state: State] = internal.remainingWait

/**
 * How often a waiter re-estimates its wait: the measured rate moves in 0.5 s buckets, so twice per bucket suffices.
 *
 * @since 0.1.0
 * @category state machine
 */
export const recheckMillis: number = internal.recheckMillis

/**
 * Gives back reservation `ticket`, which will not be used (its waiter was interrupted or ran out of time): every
 * reservation behind it moves up one place at once, so a waiter that leaves shortens the wait of everyone behind it.
 * Without a ticket, gives back the newest reservation.
 *
 * @example
 * ```ts
 * import { AdaptiveLimiter } from "@rebound/core"
 *
 * let state = AdaptiveLimiter.update(AdaptiveLimiter.aws, AdaptiveLimiter.initial(AdaptiveLimiter.aws, 0), 0, true)
 * const [, first] = AdaptiveLimiter.reserve(AdaptiveLimiter.aws, state, 0)
 * const [, second] = AdaptiveLimiter.reserve(AdaptiveLimiter.aws, first, 0)
 * state = AdaptiveLimiter.cancel(second, first.issued) // the first waiter leaves; the second moves up
 * ```
 *
 * @since 0.1.0
 * @category state machine
 */
export const cancel: (state: State, ticket?: number) => State = internal.cancel

/**
 * The store key of a call's limiter.
 *
 * @since 0.1.0
 * @category state machine
 */
export const keyOf: (limiter: AdaptiveLimiter, context: RetryPolicy.CallContext) => string = internal.keyOf

/**
 * The current state of a call's limiter (`None` before its first use): `enabled`, `fillRate` (the allowed rate,
 * tokens per second), `measuredTxRate`.
 *
 * @example
 * ```ts
 * import { AdaptiveLimiter } from "@rebound/core"
 * import { Effect, Option } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const state = yield* AdaptiveLimiter.current(AdaptiveLimiter.aws, { service: "Lambda", operation: "Invoke" })
 *   yield* Effect.log(Option.match(state, {
 *     onNone: () => "limiter not used yet",
 *     onSome: (limiter) => `allowed rate: ${limiter.fillRate}/s`
 *   }))
 * })
 * ```
 *
 * @since 0.1.0
 * @category observation
 */
export const current = (
  limiter: AdaptiveLimiter,
  context: RetryPolicy.CallContext
): Effect.Effect<Option.Option<State>> =>
  Effect.flatMap(StateStoreTag, (store) => store.get<State>(keyOf(limiter, context)))
