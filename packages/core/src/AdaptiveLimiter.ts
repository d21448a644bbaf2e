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
 * @since 0.1.0
 */
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
  /** One limiter per key; default: per client instance (its scope) and resource. */
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
export const aws: AdaptiveLimiter = make({ name: "aws-adaptive" })

/**
 * The state of a limiter that has seen no response yet: inactive, so nothing waits until the first throttle.
 *
 * @since 0.1.0
 * @category state machine
 */
export const initial: (limiter: AdaptiveLimiter, nowMillis: number) => State = internal.initial

/**
 * The state after a response: a throttle cuts the rate by β; anything else grows it along the CUBIC curve.
 *
 * @since 0.1.0
 * @category state machine
 */
export const update: (limiter: AdaptiveLimiter, state: State, nowMillis: number, throttled: boolean) => State =
  internal.update

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
