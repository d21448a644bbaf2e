/**
 * The pure decision after a failed attempt — retry after a delay, or stop and say why — and the per-call state it
 * reads. `RetryPolicy` holds what a policy is; this module holds what it decides, the way Effect keeps `Schedule`
 * apart from `ScheduleDecision`. `RetryCall` runs this decision inside the whole per-call machine (guards, admission,
 * release); most code never calls it directly.
 *
 * Order of checks for each failure: `retryOn` refusal or a fatal failure → `notRetryable`; an ambiguous failure on a
 * non-idempotent call → `notIdempotent`; attempts used up → `maxAttempts`; then the delay (backoff, raised by a
 * `Retry-After` hint within the clamp); a retry that would end past `maxElapsed` → `maxElapsed`.
 *
 * @since 0.1.0
 */
import type * as CallError from "./CallError.js"
import * as internal from "./internal/retryDecision.js"
import type * as RetryPolicy from "./RetryPolicy.js"

/**
 * The state a policy keeps during one call.
 *
 * @since 0.1.0
 * @category models
 */
export interface State {
  /** Attempts made so far, counting the first. */
  readonly attempts: number
  /** Backoff delays slept so far, plus limiter waits. */
  readonly totalDelayMillis: number
  /** The previous delay, which decorrelated jitter grows from. */
  readonly previousDelayMillis: number | undefined
}

/**
 * What the decision needs to know about a failure.
 *
 * @since 0.1.0
 * @category models
 */
export interface Facts {
  readonly failureClass: CallError.FailureClass
  readonly ambiguous: boolean
  readonly retryAfterMillis: number | undefined
  /** The policy's `retryOn` verdict, if it has one. */
  readonly retryable: boolean | undefined
  readonly idempotent: boolean
}

/**
 * Retry after a delay, or stop and say why.
 *
 * @since 0.1.0
 * @category models
 */
export type Decision =
  | {
    readonly _tag: "Retry"
    /** The delay to sleep. */
    readonly delayMillis: number
    /** The backoff alone, before a `Retry-After` hint raised it. */
    readonly backoffMillis: number
    /** Why this delay: the backoff curve or the service's hint. */
    readonly basis: "backoff" | "retryAfter"
  }
  | {
    readonly _tag: "Stop"
    readonly reason: CallError.StopReason
  }

/**
 * The pure decision after a failed attempt: retry after a delay, or stop and say why. `draw` is one uniform number
 * in [0, 1); `state.attempts` already counts the attempt that failed.
 *
 * @example
 * ```ts
 * import { Presets, RetryDecision } from "@rebound/core"
 *
 * const decision = RetryDecision.decide(
 *   Presets.awsJs2026,
 *   { attempts: 1, totalDelayMillis: 0, previousDelayMillis: undefined },
 *   { failureClass: "throttling", ambiguous: false, retryAfterMillis: undefined, retryable: undefined, idempotent: false },
 *   0,
 *   0.5
 * )
 * console.log(decision) // { _tag: "Retry", delayMillis: 500, backoffMillis: 500, basis: "backoff" }
 * ```
 *
 * @since 0.1.0
 * @category decisions
 */
export const decide: (
  policy: RetryPolicy.RetryPolicy,
  state: State,
  facts: Facts,
  elapsedMillis: number,
  draw: number
) => Decision = internal.decide

/**
 * What the decision needs from a failure, with the policy's `retryOn` verdict applied.
 *
 * @example
 * ```ts
 * import { CallError, Presets, RetryDecision } from "@rebound/core"
 *
 * const facts = RetryDecision.factsOf(
 *   Presets.awsJs2026,
 *   new CallError.ThrottlingError({ service: "DynamoDB", operation: "GetItem", code: "ThrottlingException" })
 * )
 * ```
 *
 * @since 0.1.0
 * @category decisions
 */
export const factsOf: (policy: RetryPolicy.RetryPolicy, error: CallError.CallError, idempotent?: boolean) => Facts =
  internal.factsOf

/**
 * The state before the first attempt.
 *
 * @since 0.1.0
 * @category decisions
 */
export const initialState: State = internal.initialState

/**
 * The state after one more attempt.
 *
 * @since 0.1.0
 * @category decisions
 */
export const attempted: (state: State) => State = internal.attempted

/**
 * The state after sleeping a retry delay.
 *
 * @since 0.1.0
 * @category decisions
 */
export const advance: (state: State, delayMillis: number) => State = internal.advance

/**
 * The state after waiting for a rate limiter: the wait counts in `totalDelayMillis`, but is not a backoff delay.
 *
 * @since 0.1.0
 * @category decisions
 */
export const advanceBy: (state: State, waitedMillis: number) => State = internal.advanceBy
