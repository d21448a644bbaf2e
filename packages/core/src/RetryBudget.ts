/**
 * Retry budgets: cap retries as a share of traffic, so a brief outage cannot become a retry storm.
 *
 * - {@link ratio} — retries in a sliding window may not exceed `ratio × requests + minRetriesPerSecond × window`
 *   (the Google SRE book's 10 %; Finagle's and Linkerd's 20 % plus 10 retries/s over 10 s). The window is a ring of
 *   `slots` counters, so its state has a constant size however many calls pass.
 * - {@link tokens} — gRPC's retry throttling (gRFC A6): tokens start at `maxTokens`, a failed attempt costs 1, a
 *   success earns `tokenRatio`, and no retry is allowed while tokens ≤ `maxTokens / 2`.
 *
 * When the budget refuses, retries stop with stop reason `budget`.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import * as internal from "./internal/retryBudget.js"
import { StateStoreTag } from "./internal/stateStore.js"
import type * as RetryPolicy from "./RetryPolicy.js"

/**
 * The brand of a validated retry budget.
 *
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * The brand of a validated retry budget.
 *
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * A ratio budget (SRE, Finagle): retries in a sliding window may not exceed a share of requests plus a floor per second.
 *
 * @since 0.1.0
 * @category models
 */
export interface Ratio {
  readonly [TypeId]: TypeId
  readonly _tag: "Ratio"
  readonly name: string
  readonly ratio: number
  readonly minRetriesPerSecond: number
  readonly windowMillis: number
  readonly slots: number
  /** Chooses the state a call uses; default: its owner (`scope`, else `service`) and `resource` — see `StateStore`. */
  readonly key: ((context: RetryPolicy.CallContext) => string) | undefined
}

/**
 * A token budget (gRPC retry throttling): failures spend tokens, successes earn a fraction back, no retries below half.
 *
 * @since 0.1.0
 * @category models
 */
export interface Tokens {
  readonly [TypeId]: TypeId
  readonly _tag: "Tokens"
  readonly name: string
  readonly maxTokens: number
  readonly tokenRatio: number
  /** Chooses the state a call uses; default: its owner (`scope`, else `service`) and `resource` — see `StateStore`. */
  readonly key: ((context: RetryPolicy.CallContext) => string) | undefined
}

/**
 * A retry budget of either kind.
 *
 * @since 0.1.0
 * @category models
 */
export type RetryBudget = Ratio | Tokens

/**
 * The state of a ratio budget: a ring of per-slot request and retry counts.
 *
 * @since 0.1.0
 * @category models
 */
export interface RatioState {
  readonly _tag: "Ratio"
  /** Start of the current slot. */
  readonly slotStart: number
  readonly index: number
  readonly requests: ReadonlyArray<number>
  readonly retries: ReadonlyArray<number>
}

/**
 * The state of a token budget: the tokens left.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokensState {
  readonly _tag: "Tokens"
  readonly tokens: number
}

/**
 * The state of a retry budget of either kind.
 *
 * @since 0.1.0
 * @category models
 */
export type State = RatioState | TokensState

/**
 * Options of `ratio`; the defaults are Finagle's.
 *
 * @since 0.1.0
 * @category models
 */
export interface RatioOptions {
  readonly name?: string | undefined
  /** Retries allowed per request, in [0, 1]. Default 0.2. */
  readonly ratio?: number | undefined
  /** A floor, so low-traffic clients can still retry. Default 10. */
  readonly minRetriesPerSecond?: number | undefined
  /** Default 10 seconds; must be > 0. */
  readonly window?: Duration.DurationInput | undefined
  /** Ring size. Default 10. */
  readonly slots?: number | undefined
  /** Chooses the state a call uses; default: its owner (`scope`, else `service`) and `resource` — see `StateStore`. */
  readonly key?: ((context: RetryPolicy.CallContext) => string) | undefined
}

/**
 * Options of `tokens`; the defaults are gRPC's.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenOptions {
  readonly name?: string | undefined
  /** In (0, 1000]. Default 10. */
  readonly maxTokens?: number | undefined
  /** > 0. Default 0.1. */
  readonly tokenRatio?: number | undefined
  /** Chooses the state a call uses; default: its owner (`scope`, else `service`) and `resource` — see `StateStore`. */
  readonly key?: ((context: RetryPolicy.CallContext) => string) | undefined
}

/**
 * A ratio budget over a sliding window.
 *
 * @example
 * ```ts
 * import { RetryBudget } from "@rebound/core"
 *
 * const finagle = RetryBudget.ratio({ ratio: 0.2, minRetriesPerSecond: 10, window: "10 seconds" })
 * const sre = RetryBudget.ratio({ ratio: 0.1, minRetriesPerSecond: 0, window: "1 minute" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const ratio: (options?: RatioOptions) => RetryBudget = internal.ratio

/**
 * gRPC's token-based retry throttling.
 *
 * @example
 * ```ts
 * import { RetryBudget } from "@rebound/core"
 *
 * const grpc = RetryBudget.tokens({ maxTokens: 10, tokenRatio: 0.1 })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const tokens: (options?: TokenOptions) => RetryBudget = internal.tokens

/**
 * Finagle's and Linkerd's default: 20 % plus 10 retries per second over 10 seconds.
 *
 * @since 0.1.0
 * @category presets
 */
export const finagle: RetryBudget = ratio({ name: "finagle", ratio: 0.2, minRetriesPerSecond: 10, window: 10_000 })

/**
 * The Google SRE book's per-client budget: retries below 10 % of requests.
 *
 * @since 0.1.0
 * @category presets
 */
export const sre: RetryBudget = ratio({ name: "sre", ratio: 0.1, minRetriesPerSecond: 0, window: 60_000 })

/**
 * gRPC's example throttling: 10 tokens, ratio 0.1.
 *
 * @since 0.1.0
 * @category presets
 */
export const grpc: RetryBudget = tokens({ name: "grpc", maxTokens: 10, tokenRatio: 0.1 })

/**
 * The state of a budget that has seen no call: an empty window, or a full bucket of tokens.
 *
 * @since 0.1.0
 * @category state machine
 */
export const initial: (budget: RetryBudget, nowMillis: number) => State = internal.initial

/**
 * Counts a call (its first attempt).
 *
 * @since 0.1.0
 * @category state machine
 */
export const onRequest: (budget: RetryBudget, state: State, nowMillis: number) => State = internal.onRequest

/**
 * Counts an attempt's outcome (gRPC throttling only).
 *
 * @since 0.1.0
 * @category state machine
 */
export const onOutcome: (budget: RetryBudget, state: State, succeeded: boolean) => State = internal.onOutcome

/**
 * Asks for one retry; when allowed the retry is counted.
 *
 * @since 0.1.0
 * @category state machine
 */
export const tryRetry: (budget: RetryBudget, state: State, nowMillis: number) => readonly [boolean, State] =
  internal.tryRetry

/**
 * The store key of a call's budget.
 *
 * @since 0.1.0
 * @category state machine
 */
export const keyOf: (budget: RetryBudget, context: RetryPolicy.CallContext) => string = internal.keyOf

/**
 * The current state of a call's budget (`None` before its first use).
 *
 * @since 0.1.0
 * @category observation
 */
export const current = (budget: RetryBudget, context: RetryPolicy.CallContext): Effect.Effect<Option.Option<State>> =>
  Effect.flatMap(StateStoreTag, (store) => store.get<State>(keyOf(budget, context)))
