/**
 * Retry policies: plain, validated data, and the ways to run them — the Effect interpreter ({@link retry}), the
 * step-wise {@link session}, the application default in context, and the `Schedule` view.
 *
 * A policy decides, after each failed attempt, "retry after d" or "stop, because …" from the policy, its state, the
 * failure, the elapsed time and one uniform random draw (`RetryDecision`); one call as a whole — guards, attempts,
 * decisions, release — is the pure machine in `RetryCall`. The interpreter takes time from `Clock` and the draw from
 * `Random`, so every timing decision is reproducible under `TestClock` with a seeded `Random`.
 *
 * Order of checks for each failure: `retryOn` refusal or a fatal failure → `notRetryable`; an ambiguous failure on a
 * non-idempotent call → `notIdempotent`; attempts used up → `maxAttempts`; then the delay (backoff, raised by a
 * `Retry-After` hint within the clamp); a retry that would end past `maxElapsed` → `maxElapsed`. Then the guards a
 * policy carries: an open circuit breaker → `circuitOpen`; a spent retry budget → `budget`; a retry quota that cannot
 * pay → `quota` (checked last because it is the one that spends). Before every attempt, the first included, the
 * breaker may reject the call (`circuitOpen`) and the adaptive limiter may delay it. A policy with `hedging` may send
 * extra copies of a slow attempt of an idempotent call (see `Hedging`); `maxAttempts` counts attempts, not copies.
 *
 * `maxAttempts` counts the first call. boto3's `Config(retries={"max_attempts": N})` counts retries, so it maps to
 * `maxAttempts: N + 1`; boto3's `total_max_attempts`, `AWS_MAX_ATTEMPTS` and the SDK for JavaScript's `maxAttempts`
 * count attempts, like rebound.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type * as Layer from "effect/Layer"
import type { Pipeable } from "effect/Pipeable"
import type * as Schedule from "effect/Schedule"
import type * as AdaptiveLimiter from "./AdaptiveLimiter.js"
import type * as Backoff from "./Backoff.js"
import type * as CallError from "./CallError.js"
import type * as CircuitBreaker from "./CircuitBreaker.js"
import type * as Hedging from "./Hedging.js"
import * as retryInternal from "./internal/retry.js"
import * as internal from "./internal/retryPolicy.js"
import * as validation from "./internal/validate.js"
import type { InvalidOptionError } from "./InvalidOption.js"
import type * as RetryBudget from "./RetryBudget.js"
import type * as RetryCall from "./RetryCall.js"
import * as RetryDecision from "./RetryDecision.js"
import type * as RetryQuota from "./RetryQuota.js"

/**
 * The brand of a validated retry policy.
 *
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * The brand of a validated retry policy.
 *
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * How a `Retry-After` hint raises the delay: `min(maxDelay, max(backoff, min(hint, backoff + maxExtra)))`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryAfter {
  readonly maxExtraMillis: number
  readonly maxDelayMillis: number
}

/**
 * A validated retry policy.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryPolicy extends Pipeable {
  readonly [TypeId]: TypeId
  /** Names the policy in summaries, events and metrics. */
  readonly name: string
  /** What it reproduces or why it exists; presets name the SDK and version they copy. */
  readonly description: string | undefined
  /** Attempts, counting the first call. */
  readonly maxAttempts: number
  /** Time budget from the start of the call; `Infinity` for none. */
  readonly maxElapsedMillis: number
  /** Backoff for transient failures. */
  readonly backoff: Backoff.Backoff
  /** Backoff for throttling failures. */
  readonly throttlingBackoff: Backoff.Backoff
  /** How `Retry-After` hints are honoured; `undefined` ignores them. */
  readonly retryAfter: RetryAfter | undefined
  /** Whether ambiguous failures (the request may have run) may be retried. */
  readonly idempotent: boolean
  /** Narrows or widens what is retried: `true` retries, `false` stops, `undefined` keeps the default. */
  readonly retryOn: ((error: CallError.CallError) => boolean | undefined) | undefined
  /** The retry quota (token bucket) retries draw from. */
  readonly quota: RetryQuota.RetryQuota | undefined
  /** The ratio or token budget retries must fit in. */
  readonly budget: RetryBudget.RetryBudget | undefined
  /** The adaptive client-side rate limiter every attempt passes. */
  readonly limiter: AdaptiveLimiter.AdaptiveLimiter | undefined
  /** The circuit breaker every attempt passes. */
  readonly breaker: CircuitBreaker.CircuitBreaker | undefined
  /** Hedged requests for slow attempts of idempotent calls (see `Hedging`). */
  readonly hedging: Hedging.Hedging | undefined
}

/**
 * Options for {@link make}. Every duration accepts an Effect `DurationInput` or a number of milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly name?: string | undefined
  readonly description?: string | undefined
  /** Attempts, counting the first call. Default 3. Must be an integer ≥ 1. */
  readonly maxAttempts?: number | undefined
  /** Never start a retry whose delay would end past this budget. Default: none. */
  readonly maxElapsed?: Duration.DurationInput | undefined
  /** Base of the transient backoff. Default 50 millis. */
  readonly base?: Duration.DurationInput | undefined
  /** Growth per retry. Default 2 (3 for decorrelated). */
  readonly factor?: number | undefined
  /** Largest backoff delay. Default 20 seconds. */
  readonly cap?: Duration.DurationInput | undefined
  /** Default `"full"`. */
  readonly jitter?: Backoff.Jitter | undefined
  readonly capping?: "beforeJitter" | "afterJitter" | undefined
  readonly wholeMillis?: boolean | undefined
  /**
   * The throttling backoff; unset fields follow the transient ones, except `base`, which defaults to 1 second (or the
   * throttling cap, when that is smaller) whatever the transient `base`.
   */
  readonly throttling?: {
    readonly base?: Duration.DurationInput | undefined
    readonly factor?: number | undefined
    readonly cap?: Duration.DurationInput | undefined
    readonly jitter?: Backoff.Jitter | undefined
  } | undefined
  /**
   * `Retry-After` handling. Default `{ maxExtra: "5 seconds" }`, the AWS SDKs' clamp; `false` ignores hints;
   * `{ maxExtra: Infinity }` honours them fully.
   */
  readonly retryAfter?: boolean | {
    readonly maxExtra?: Duration.DurationInput | undefined
    readonly maxDelay?: Duration.DurationInput | undefined
  } | undefined
  /** Whether ambiguous failures may be retried. Default false: a non-idempotent call is never silently repeated. */
  readonly idempotent?: boolean | undefined
  readonly retryOn?: ((error: CallError.CallError) => boolean | undefined) | undefined
  readonly quota?: RetryQuota.RetryQuota | undefined
  readonly budget?: RetryBudget.RetryBudget | undefined
  readonly limiter?: AdaptiveLimiter.AdaptiveLimiter | undefined
  readonly breaker?: CircuitBreaker.CircuitBreaker | undefined
  readonly hedging?: Hedging.Hedging | undefined
}

/**
 * What a call is, for keying quotas, budgets, limiters and breakers, and for telemetry.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallContext {
  /** e.g. `"DynamoDB"`. */
  readonly service: string
  /** e.g. `"GetItem"`. */
  readonly operation: string
  /** The resource called — a table, a bucket prefix, a function — for per-resource keys. */
  readonly resource?: string | undefined
  /**
   * Who owns the guard state the call uses: one client instance (each `@rebound/aws` service layer names its own), or
   * a name shared on purpose. Without one, the `service` label owns it. Keys are `owner/resource` by default. An
   * instance scope reads `place#n` (`DynamoDB(eu-west-1)#3`); a guard shared by the process (`AdaptiveLimiter` with
   * `share: "process"`) keys on the place, the part before `#n`.
   */
  readonly scope?: string | undefined
}

/**
 * Per-call options of {@link retry}.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallOptions {
  /** Overrides the policy's `idempotent` for this call. */
  readonly idempotent?: boolean | undefined
  /** Defaults to `"unknown"`. */
  readonly service?: string | undefined
  /** Defaults to `"unknown"`. */
  readonly operation?: string | undefined
  readonly resource?: string | undefined
  /** The owner of the call's guard state (see {@link CallContext}). */
  readonly scope?: string | undefined
  /**
   * A cleanup or compensation call (aborting a multipart upload, undoing a half-done write): never refused by a
   * breaker, budget or quota, and it does not touch them. The policy's own limits (attempts, time budget) still apply.
   */
  readonly cleanup?: boolean | undefined
}

/**
 * The state a policy keeps during one call.
 *
 * @deprecated Use `RetryDecision.State`.
 * @since 0.1.0
 * @category models
 */
export type State = RetryDecision.State

/**
 * What the decision needs to know about a failure.
 *
 * @deprecated Use `RetryDecision.Facts`.
 * @since 0.1.0
 * @category models
 */
export type Facts = RetryDecision.Facts

/**
 * Retry after a delay, or stop and say why.
 *
 * @deprecated Use `RetryDecision.Decision`.
 * @since 0.1.0
 * @category models
 */
export type Decision = RetryDecision.Decision

/**
 * A policy that carries no quota, budget, limiter, breaker or hedging: what a `Schedule` can run faithfully.
 *
 * @since 0.1.0
 * @category models
 */
export interface Unguarded extends RetryPolicy {
  readonly quota: undefined
  readonly budget: undefined
  readonly limiter: undefined
  readonly breaker: undefined
  readonly hedging: undefined
}

/**
 * Builds a policy, throwing an `InvalidOptionError` that names the bad field (see {@link validate} for an `Either`).
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@rebound/core"
 *
 * const policy = RetryPolicy.make({
 *   name: "orders-table",
 *   maxAttempts: 5,
 *   base: "25 millis",
 *   cap: "5 seconds",
 *   jitter: "full",
 *   throttling: { base: "500 millis" },
 *   maxElapsed: "10 seconds"
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => RetryPolicy = internal.make

/**
 * Builds a policy, returning the typed error instead of throwing.
 *
 * @example
 * ```ts
 * import { RetryPolicy } from "@rebound/core"
 * import { Either } from "effect"
 *
 * const result = RetryPolicy.validate({ base: "2 seconds", cap: "1 second" })
 * if (Either.isLeft(result)) console.log(result.left.message)
 * // RetryPolicy.make: option "cap" must be a duration ≥ base (2000 millis); got 1s
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const validate = (options?: Options): Either.Either<RetryPolicy, InvalidOptionError> =>
  validation.either(() => internal.make(options))

/**
 * Whether a value is a validated retry policy.
 *
 * @since 0.1.0
 * @category guards
 */
export const isRetryPolicy: (u: unknown) => u is RetryPolicy = internal.isRetryPolicy

/**
 * The options that rebuild a policy.
 *
 * @since 0.1.0
 * @category utils
 */
export const options: (self: RetryPolicy) => Options = internal.options

/**
 * A copy of the policy with some options changed (validated like {@link make}). `factor`, `cap` and `jitter` change
 * both curves unless `throttling` is given too; `base` changes the transient curve.
 *
 * @example
 * ```ts
 * import { Presets, RetryPolicy } from "@rebound/core"
 *
 * const patient = Presets.awsJs2026.pipe(RetryPolicy.modify({ name: "patient", maxAttempts: 6 }))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const modify: {
  (changes: Options): (self: RetryPolicy) => RetryPolicy
  (self: RetryPolicy, changes: Options): RetryPolicy
} = internal.modify

/**
 * Carries a retry quota (`undefined` removes it).
 *
 * @example
 * ```ts
 * import { Presets, RetryPolicy, RetryQuota } from "@rebound/core"
 *
 * const guarded = Presets.botocoreStandard2026.pipe(RetryPolicy.withQuota(RetryQuota.aws2026))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withQuota: {
  (quota: RetryQuota.RetryQuota | undefined): (self: RetryPolicy) => RetryPolicy
  (self: RetryPolicy, quota: RetryQuota.RetryQuota | undefined): RetryPolicy
} = internal.withGuard("quota")

/**
 * Carries a retry budget (`undefined` removes it).
 *
 * @example
 * ```ts
 * import { Presets, RetryBudget, RetryPolicy } from "@rebound/core"
 *
 * const budgeted = Presets.awsJs2026.pipe(RetryPolicy.withBudget(RetryBudget.sre))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withBudget: {
  (budget: RetryBudget.RetryBudget | undefined): (self: RetryPolicy) => RetryPolicy
  (self: RetryPolicy, budget: RetryBudget.RetryBudget | undefined): RetryPolicy
} = internal.withGuard("budget")

/**
 * Carries an adaptive rate limiter (`undefined` removes it).
 *
 * @example
 * ```ts
 * import { AdaptiveLimiter, Presets, RetryPolicy } from "@rebound/core"
 *
 * // AWS's adaptive mode, with one limiter per function instead of one per client:
 * const adaptive = Presets.awsJs2026.pipe(
 *   RetryPolicy.withLimiter(AdaptiveLimiter.make({ name: "functions", key: (call) => call.resource ?? call.service }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withLimiter: {
  (limiter: AdaptiveLimiter.AdaptiveLimiter | undefined): (self: RetryPolicy) => RetryPolicy
  (self: RetryPolicy, limiter: AdaptiveLimiter.AdaptiveLimiter | undefined): RetryPolicy
} = internal.withGuard("limiter")

/**
 * Carries a circuit breaker (`undefined` removes it).
 *
 * @example
 * ```ts
 * import { CircuitBreaker, Presets, RetryPolicy } from "@rebound/core"
 *
 * const broken = Presets.rebound.pipe(RetryPolicy.withBreaker(CircuitBreaker.consecutive({ threshold: 5 })))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withBreaker: {
  (breaker: CircuitBreaker.CircuitBreaker | undefined): (self: RetryPolicy) => RetryPolicy
  (self: RetryPolicy, breaker: CircuitBreaker.CircuitBreaker | undefined): RetryPolicy
} = internal.withGuard("breaker")

/**
 * Carries a hedging piece (`undefined` removes it): slow attempts of idempotent calls get extra copies, the first
 * acceptable outcome wins (see `Hedging`).
 *
 * @example
 * ```ts
 * import { Hedging, Presets, RetryPolicy } from "@rebound/core"
 *
 * const reads = Presets.rebound.pipe(RetryPolicy.withHedging(Hedging.p95))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withHedging: {
  (hedging: Hedging.Hedging | undefined): (self: RetryPolicy) => RetryPolicy
  (self: RetryPolicy, hedging: Hedging.Hedging | undefined): RetryPolicy
} = internal.withHedging

/**
 * The pure decision after a failed attempt.
 *
 * @deprecated Use `RetryDecision.decide`.
 * @since 0.1.0
 * @category decisions
 */
export const decide: typeof RetryDecision.decide = RetryDecision.decide

/**
 * What the decision needs from a failure.
 *
 * @deprecated Use `RetryDecision.factsOf`.
 * @since 0.1.0
 * @category decisions
 */
export const factsOf: typeof RetryDecision.factsOf = RetryDecision.factsOf

/**
 * The state before the first attempt.
 *
 * @deprecated Use `RetryDecision.initialState`.
 * @since 0.1.0
 * @category decisions
 */
export const initialState: RetryDecision.State = RetryDecision.initialState

/**
 * The state after one more attempt.
 *
 * @deprecated Use `RetryDecision.attempted`.
 * @since 0.1.0
 * @category decisions
 */
export const attempted: typeof RetryDecision.attempted = RetryDecision.attempted

/**
 * The state after sleeping a retry delay.
 *
 * @deprecated Use `RetryDecision.advance`.
 * @since 0.1.0
 * @category decisions
 */
export const advance: typeof RetryDecision.advance = RetryDecision.advance

/**
 * Runs an effect under a policy. Failures that are not `CallError`s pass through untouched; when the policy stops,
 * the failure carries a `RetrySummary` (`error.retries`) saying how many attempts were made, how long was spent, and
 * why it stopped.
 *
 * @example
 * ```ts
 * import { CallError, Presets, RetryPolicy } from "@rebound/core"
 * import { Effect } from "effect"
 *
 * const getItem: Effect.Effect<string, CallError.CallError> = Effect.succeed("item") // your call
 *
 * const program = getItem.pipe(
 *   RetryPolicy.retry(Presets.awsJs2026DynamoDB),
 *   Effect.tapError((e) => Effect.log(`stopped: ${e.retries?.stopReason}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const retry: {
  (policy: RetryPolicy, options?: CallOptions): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, policy: RetryPolicy, options?: CallOptions): Effect.Effect<A, E, R>
} = retryInternal.retry

/**
 * Like {@link retry}, and on success also says what it took: attempts, total delay, elapsed time and the policy —
 * the summary a failure carries as `error.retries`, without subscribing to events.
 *
 * @example
 * ```ts
 * import { CallError, Presets, RetryPolicy } from "@rebound/core"
 * import { Duration, Effect } from "effect"
 *
 * const getItem: Effect.Effect<string, CallError.CallError> = Effect.succeed("item")
 *
 * const program = getItem.pipe(
 *   RetryPolicy.retryWithSummary(Presets.awsJs2026DynamoDB),
 *   Effect.tap(([, summary]) =>
 *     Effect.log(`${summary.attempts} attempts, ${Duration.toMillis(summary.totalDelay)} ms of backoff`)
 *   )
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const retryWithSummary: {
  (
    policy: RetryPolicy,
    options?: CallOptions
  ): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<readonly [A, CallError.CallSummary], E, R>
  <A, E, R>(
    self: Effect.Effect<A, E, R>,
    policy: RetryPolicy,
    options?: CallOptions
  ): Effect.Effect<readonly [A, CallError.CallSummary], E, R>
} = retryInternal.retryWithSummary

/**
 * Runs an effect under the policy in context ({@link CurrentRetryPolicy}).
 *
 * @example
 * ```ts
 * import { CallError, Presets, RetryPolicy } from "@rebound/core"
 * import { Effect } from "effect"
 *
 * const call: Effect.Effect<string, CallError.CallError> = Effect.succeed("ok") // your call
 *
 * const program = call.pipe(RetryPolicy.retryCurrent(), RetryPolicy.withPolicy(Presets.botocoreStandard))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const retryCurrent: {
  (options?: CallOptions): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, options?: CallOptions): Effect.Effect<A, E, R>
} = retryInternal.retryCurrent

/**
 * One call's retry machinery, driven step by step — for shells that cannot hand rebound an `Effect` to retry, such as
 * the AWS SDK's own retry middleware (`@rebound/aws`'s `RetryStrategy` adapter). {@link retry} is this session driven
 * with `Effect.sleep`; both make the same decisions, apply the same guards and emit the same events.
 *
 * Protocol: `beforeAttempt` before every attempt (the breaker may stop the call; the limiter may wait), then
 * `succeeded` or `failed(error)`; on `Retry`, wait `delayMillis` and start again; on any other way out, `release`.
 * Each step is one step of the pure call machine (`RetryCall`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Session {
  readonly context: CallContext
  /**
   * Admits the next attempt, to be sent `afterMillis` from now, without waiting: the breaker may stop the call; the
   * limiter reserves a token and says how much longer the sender must wait. For shells that sleep on their own.
   */
  readonly admit: (afterMillis: number) => Effect.Effect<Admitted>
  /** `admit(0)`, then waits for the limiter on `Clock`. */
  readonly beforeAttempt: Effect.Effect<Admitted>
  readonly succeeded: Effect.Effect<void>
  readonly failed: (error: CallError.CallError) => Effect.Effect<Retried>
  /** `release("interrupted")`. */
  readonly interrupted: Effect.Effect<void>
  /**
   * Ends the call without a verdict — interrupted, a defect, a failure that is not a `CallError` — giving back what it
   * holds (a half-open breaker's probe place, a limiter reservation) and closing it with a `CallAborted` event. Every
   * way out of a loop that is not `succeeded` or a `Stop` must pass through it; after a verdict it does nothing.
   */
  readonly release: (reason: RetryCall.AbortReason) => Effect.Effect<void>
}

/**
 * What {@link Session} says after a failed attempt.
 *
 * @since 0.1.0
 * @category models
 */
export type Retried =
  | { readonly _tag: "Retry"; readonly delayMillis: number; readonly basis: "backoff" | "retryAfter" }
  | { readonly _tag: "Stop"; readonly error: CallError.CallError }

/**
 * What {@link Session} says before an attempt.
 *
 * @since 0.1.0
 * @category models
 */
export type Admitted =
  | { readonly _tag: "Proceed"; readonly attempt: number; readonly waitMillis: number }
  | { readonly _tag: "Stop"; readonly error: CallError.CallError }

/**
 * Starts a session for one call.
 *
 * @example
 * ```ts
 * import { CallError, Presets, RetryPolicy } from "@rebound/core"
 * import { Effect } from "effect"
 *
 * const attemptOnce: Effect.Effect<string, CallError.CallError> = Effect.succeed("ok") // one attempt of your call
 *
 * const manual = Effect.gen(function*() {
 *   const session = yield* RetryPolicy.session(Presets.awsJs2026, { service: "S3", operation: "GetObject" })
 *   while (true) {
 *     const go = yield* session.beforeAttempt
 *     if (go._tag === "Stop") return yield* Effect.fail(go.error)
 *     const result = yield* Effect.either(attemptOnce)
 *     if (result._tag === "Right") {
 *       yield* session.succeeded
 *       return result.right
 *     }
 *     const next = yield* session.failed(result.left)
 *     if (next._tag === "Stop") return yield* Effect.fail(next.error)
 *     yield* Effect.sleep(next.delayMillis)
 *   }
 * })
 * ```
 *
 * @since 0.1.0
 * @category interpreters
 */
export const session: (policy: RetryPolicy, options?: CallOptions) => Effect.Effect<Session> = retryInternal.makeSession

/**
 * The application's default policy, a context reference whose default is `Presets.rebound`. Set it for an app with
 * {@link layer}, or for one region of code with {@link withPolicy}.
 *
 * @since 0.1.0
 * @category context
 */
export const CurrentRetryPolicy: typeof retryInternal.CurrentRetryPolicy = retryInternal.CurrentRetryPolicy

/**
 * The type of the context reference that holds the application's default policy.
 *
 * @since 0.1.0
 * @category context
 */
export type CurrentRetryPolicy = retryInternal.CurrentRetryPolicy

/**
 * A layer that sets the default policy.
 *
 * @example
 * ```ts
 * import { Presets, RetryPolicy } from "@rebound/core"
 *
 * const AppRetries = RetryPolicy.layer(Presets.awsJs2026)
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: (policy: RetryPolicy) => Layer.Layer<never> = retryInternal.layer

/**
 * Runs an effect with a different default policy.
 *
 * @example
 * ```ts
 * import { CallError, Presets, RetryPolicy } from "@rebound/core"
 * import { Effect } from "effect"
 *
 * const call: Effect.Effect<string, CallError.CallError> = Effect.succeed("ok") // your call
 *
 * // Calls that use the default policy are not retried inside this region of code:
 * const once = call.pipe(RetryPolicy.retryCurrent(), RetryPolicy.withPolicy(Presets.none))
 * ```
 *
 * @since 0.1.0
 * @category context
 */
export const withPolicy: {
  (policy: RetryPolicy): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, policy: RetryPolicy): Effect.Effect<A, E, R>
} = retryInternal.withPolicy

/**
 * The policy as an Effect `Schedule` whose input is the failure, for composing with Effect's own combinators. Its
 * output is the decision; it stops when the policy stops. A schedule does not see the first attempt start, so the time
 * budget counts from the first failure.
 *
 * A `Schedule` sees only failures — never an admission, a success or an interruption — so it cannot run a quota,
 * budget, limiter or breaker. It therefore takes only an {@link Unguarded} policy: drop the guards knowingly with
 * {@link withoutGuards} (a policy carrying guards is refused at compile time, and at run time with an
 * `InvalidOptionError`). To keep the guards, use {@link retry}.
 *
 * @example
 * ```ts
 * import { CallError, Presets, RetryPolicy } from "@rebound/core"
 * import { Effect, Schedule } from "effect"
 *
 * const call: Effect.Effect<string, CallError.CallError> = Effect.succeed("ok") // your call
 *
 * // awsJs2026 carries the AWS retry quota, which a Schedule cannot apply: drop it knowingly.
 * const schedule = RetryPolicy.toSchedule(RetryPolicy.withoutGuards(Presets.awsJs2026)).pipe(
 *   Schedule.upTo("30 seconds")
 * )
 * const program = call.pipe(Effect.retry(schedule))
 * ```
 *
 * @since 0.1.0
 * @category conversions
 */
export const toSchedule: (
  policy: Unguarded,
  options?: CallOptions
) => Schedule.Schedule<RetryDecision.Decision, CallError.CallError> = retryInternal.toSchedule

/**
 * The same policy without its quota, budget, limiter, breaker and hedging.
 *
 * @example
 * ```ts
 * import { Presets, RetryPolicy } from "@rebound/core"
 *
 * const curvesOnly = RetryPolicy.withoutGuards(Presets.rebound)
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withoutGuards: (policy: RetryPolicy) => Unguarded = retryInternal.withoutGuards
