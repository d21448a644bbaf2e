import * as Duration from "effect/Duration"
import type * as Backoff from "../Backoff.js"
import type * as CallError from "../CallError.js"
import type * as RetryDecision from "../RetryDecision.js"
import type * as RetryPolicy from "../RetryPolicy.js"
import * as backoff from "./backoff.js"

/** @internal */
export const initialState: RetryDecision.State = { attempts: 0, totalDelayMillis: 0, previousDelayMillis: undefined }

/** @internal */
export const factsOf = (
  policy: RetryPolicy.RetryPolicy,
  error: CallError.CallError,
  idempotent?: boolean
): RetryDecision.Facts => ({
  failureClass: error.failureClass,
  ambiguous: error.ambiguous,
  retryAfterMillis: error.retryAfter === undefined ? undefined : Duration.toMillis(error.retryAfter),
  retryable: policy.retryOn === undefined ? undefined : policy.retryOn(error),
  idempotent: idempotent ?? policy.idempotent
})

const stop = (reason: CallError.StopReason): RetryDecision.Decision => ({ _tag: "Stop", reason })

/**
 * The decision: retry after a delay, or stop and say why. Pure; the draw is one uniform number in [0, 1).
 * @internal
 */
export const decide = (
  policy: RetryPolicy.RetryPolicy,
  state: RetryDecision.State,
  facts: RetryDecision.Facts,
  elapsedMillis: number,
  draw: number
): RetryDecision.Decision => {
  if (facts.retryable === false) return stop("notRetryable")
  if (facts.failureClass === "fatal" && facts.retryable !== true) return stop("notRetryable")
  if (facts.ambiguous && !facts.idempotent) return stop("notIdempotent")
  if (state.attempts >= policy.maxAttempts) return stop("maxAttempts")
  const curve: Backoff.Backoff = facts.failureClass === "throttling" ? policy.throttlingBackoff : policy.backoff
  const backoffMillis = backoff.delay(curve, state.attempts - 1, state.previousDelayMillis, draw)
  let delayMillis = backoffMillis
  const hint = facts.retryAfterMillis
  if (policy.retryAfter !== undefined && hint !== undefined && hint >= 0) {
    const { maxDelayMillis, maxExtraMillis } = policy.retryAfter
    delayMillis = Math.min(maxDelayMillis, Math.max(backoffMillis, Math.min(hint, backoffMillis + maxExtraMillis)))
  }
  if (elapsedMillis + delayMillis > policy.maxElapsedMillis) return stop("maxElapsed")
  return {
    _tag: "Retry",
    delayMillis,
    backoffMillis,
    basis: delayMillis > backoffMillis ? "retryAfter" : "backoff"
  }
}

/** @internal */
export const advance = (state: RetryDecision.State, delayMillis: number): RetryDecision.State => ({
  attempts: state.attempts,
  totalDelayMillis: state.totalDelayMillis + delayMillis,
  previousDelayMillis: delayMillis
})

/** Time spent waiting for a limiter counts as delay too. @internal */
export const advanceBy = (state: RetryDecision.State, waitedMillis: number): RetryDecision.State =>
  waitedMillis <= 0 ? state : { ...state, totalDelayMillis: state.totalDelayMillis + waitedMillis }

/** @internal */
export const attempted = (state: RetryDecision.State): RetryDecision.State => ({
  attempts: state.attempts + 1,
  totalDelayMillis: state.totalDelayMillis,
  previousDelayMillis: state.previousDelayMillis
})
