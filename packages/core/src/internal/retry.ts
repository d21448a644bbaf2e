import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as ScheduleInterval from "effect/ScheduleInterval"
import type * as CallError from "../CallError.js"
import type * as RetryCall from "../RetryCall.js"
import type * as RetryDecision from "../RetryDecision.js"
import type * as RetryPolicy from "../RetryPolicy.js"
import { recheckMillis } from "./adaptiveLimiter.js"
import * as driver from "./callDriver.js"
import { isCallError } from "./callError.js"
import * as hedged from "./hedgedRound.js"
import * as presets from "./presets.js"
import * as machine from "./retryCall.js"
import * as decision from "./retryDecision.js"
import * as validate from "./validate.js"

/** @internal */
export class CurrentRetryPolicy extends Context.Reference<CurrentRetryPolicy>()(
  "@rebound/core/CurrentRetryPolicy",
  { defaultValue: () => presets.rebound }
) {}

const abortReason = (cause: Cause.Cause<unknown>): RetryCall.AbortReason =>
  Cause.isInterruptedOnly(cause) ? "interrupted" : Cause.isDie(cause) ? "defect" : "unclassified"

/**
 * One sleep of a limiter wait: at most `recheckMillis`, and at least a nanosecond — `Duration` keeps whole
 * nanoseconds, so a shorter wait would not move the clock and the re-estimate would never change.
 */
const waitStep = (waitMillis: number) =>
  Effect.sleep(Duration.millis(Math.max(1e-6, Math.min(waitMillis, recheckMillis))))

const unexpected = (output: RetryCall.Output) =>
  Effect.dieMessage(`rebound: the call machine answered ${output._tag} where the interpreter cannot act on it`)

/**
 * The Effect interpreter: the call machine driven with `Effect.sleep`. Every call runs in a span (`rebound.call`),
 * every attempt in a child span (`rebound.attempt`); every way the call can end passes through the machine — a
 * verdict (success, stop) or its release (interruption, a defect, a failure that is not a `CallError`).
 * @internal
 */
export const run = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  retryPolicy: RetryPolicy.RetryPolicy,
  options?: RetryPolicy.CallOptions,
  onSuccess?: (value: A, summary: CallError.CallSummary) => A
): Effect.Effect<A, E, R> =>
  Effect.flatMap(driver.make(retryPolicy, options), (d) => {
    const afterFailure = (output: RetryCall.Output): Effect.Effect<A, E, R> => {
      switch (output._tag) {
        case "Retry":
          // A delay of zero is no delay: no timer, not even a clamped one.
          return output.delayMillis > 0
            ? Effect.zipRight(Effect.sleep(Duration.millis(output.delayMillis)), admit)
            : admit
        case "Stop":
          return stopped(output)
        default:
          return unexpected(output)
      }
    }
    const stopped = (output: Extract<RetryCall.Output, { _tag: "Stop" }>): Effect.Effect<never, E> =>
      Effect.zipRight(
        Effect.annotateCurrentSpan({
          "rebound.attempts": output.summary.attempts,
          "rebound.stop_reason": output.reason
        }),
        Effect.fail(machine.stopError(output) as E)
      )
    const succeeded = (value: A) => (output: RetryCall.Output): Effect.Effect<A, E, R> => {
      if (output._tag !== "Succeeded") return Effect.succeed(value)
      return Effect.as(
        Effect.annotateCurrentSpan("rebound.attempts", output.summary.attempts),
        onSuccess !== undefined ? onSuccess(value, output.summary) : value
      )
    }
    const attempt = (n: number): Effect.Effect<A, E, R> =>
      Effect.flatMap(attemptSpan(self, n), (result) => {
        if (Either.isRight(result)) return Effect.flatMap(d.succeeded, succeeded(result.right))
        const error = result.left
        if (!isCallError(error)) return Effect.zipRight(d.release("unclassified"), Effect.fail(error))
        return Effect.flatMap(d.failed(error), afterFailure)
      })
    const afterAdmission = (output: RetryCall.Output): Effect.Effect<A, E, R> => {
      switch (output._tag) {
        case "Proceed":
          // Only an attempt the machine may hedge runs as a race of copies; every other runs as it is.
          return output.hedgeAfterMillis === undefined ?
            attempt(output.attempt) :
            hedged.round(self, d, output.attempt, output.hedgeAfterMillis, attemptSpan, succeeded, afterFailure)
        case "Wait":
          // Re-estimate at least every `recheckMillis`: a wait booked while the limiter was slow shortens as it recovers.
          return Effect.zipRight(waitStep(output.waitMillis), Effect.flatMap(d.recheck, afterAdmission))
        case "Stop":
          return stopped(output)
        default:
          return unexpected(output)
      }
    }
    const admit: Effect.Effect<A, E, R> = Effect.flatMap(d.admit(0, false), afterAdmission)
    return Effect.onExit(admit, (exit) => Exit.isSuccess(exit) ? Effect.void : d.release(abortReason(exit.cause)))
  }).pipe(
    Effect.withSpan("rebound.call", {
      kind: "client",
      // A stack trace per span costs more than the rest of the call's machinery together.
      captureStackTrace: false,
      attributes: {
        "rebound.service": options?.service ?? "unknown",
        "rebound.operation": options?.operation ?? "unknown",
        "rebound.policy": retryPolicy.name,
        ...(options?.resource !== undefined ? { "rebound.resource": options.resource } : {})
      }
    })
  )

/** One attempt (or, `copy` > 0, one of its hedges) in its own span, annotated with the failure it ended with. */
const attemptSpan = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  attempt: number,
  copy = 0
): Effect.Effect<Either.Either<A, E>, never, R> =>
  self.pipe(
    Effect.tapError((error) =>
      isCallError(error) ?
        Effect.annotateCurrentSpan(spanAttributes(error)) :
        Effect.void
    ),
    Effect.withSpan("rebound.attempt", {
      attributes: copy === 0 ? { "rebound.attempt": attempt } : { "rebound.attempt": attempt, "rebound.hedge": copy },
      captureStackTrace: false
    }),
    Effect.either
  )

const spanAttributes = (error: CallError.CallError): Record<string, unknown> => ({
  "rebound.failure_class": error.failureClass,
  "rebound.error_code": error.code,
  "rebound.ambiguous": error.ambiguous,
  ...(error.httpStatus !== undefined ? { "http.response.status_code": error.httpStatus } : {}),
  ...(error.requestId !== undefined ? { "aws.request_id": error.requestId } : {})
})

const isEffect = (u: unknown): boolean => Effect.isEffect(u)

/** @internal */
export const retry: {
  (
    retryPolicy: RetryPolicy.RetryPolicy,
    options?: RetryPolicy.CallOptions
  ): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(
    self: Effect.Effect<A, E, R>,
    retryPolicy: RetryPolicy.RetryPolicy,
    options?: RetryPolicy.CallOptions
  ): Effect.Effect<A, E, R>
} = dual((args) => isEffect(args[0]), <A, E, R>(
  self: Effect.Effect<A, E, R>,
  retryPolicy: RetryPolicy.RetryPolicy,
  options?: RetryPolicy.CallOptions
) => run(self, retryPolicy, options))

const withSummary = <A>(value: A, summary: CallError.CallSummary) => [value, summary] as unknown as A

/** @internal */
export const retryWithSummary: {
  (
    retryPolicy: RetryPolicy.RetryPolicy,
    options?: RetryPolicy.CallOptions
  ): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<readonly [A, CallError.CallSummary], E, R>
  <A, E, R>(
    self: Effect.Effect<A, E, R>,
    retryPolicy: RetryPolicy.RetryPolicy,
    options?: RetryPolicy.CallOptions
  ): Effect.Effect<readonly [A, CallError.CallSummary], E, R>
} = dual((args) => isEffect(args[0]), <A, E, R>(
  self: Effect.Effect<A, E, R>,
  retryPolicy: RetryPolicy.RetryPolicy,
  options?: RetryPolicy.CallOptions
) =>
  run(self as Effect.Effect<unknown, E, R>, retryPolicy, options, withSummary) as Effect.Effect<
    readonly [A, CallError.CallSummary],
    E,
    R
  >)

/** @internal */
export const retryCurrent: {
  (options?: RetryPolicy.CallOptions): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, options?: RetryPolicy.CallOptions): Effect.Effect<A, E, R>
} = dual(
  (args) => isEffect(args[0]),
  <A, E, R>(self: Effect.Effect<A, E, R>, options?: RetryPolicy.CallOptions) =>
    Effect.flatMap(CurrentRetryPolicy, (current) => run(self, current, options))
)

/** @internal */
export const layer = (retryPolicy: RetryPolicy.RetryPolicy): Layer.Layer<never> =>
  Layer.succeed(CurrentRetryPolicy, retryPolicy)

/** @internal */
export const withPolicy = dual<
  (retryPolicy: RetryPolicy.RetryPolicy) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>,
  <A, E, R>(self: Effect.Effect<A, E, R>, retryPolicy: RetryPolicy.RetryPolicy) => Effect.Effect<A, E, R>
>(2, (self, retryPolicy) => Effect.provideService(self, CurrentRetryPolicy, retryPolicy))

/** The session: the driver behind the SDK adapter and hand-written loops. @internal */
export const makeSession = (
  retryPolicy: RetryPolicy.RetryPolicy,
  options?: RetryPolicy.CallOptions
): Effect.Effect<RetryPolicy.Session> =>
  Effect.map(driver.make(retryPolicy, options), (d): RetryPolicy.Session => {
    const admitted = (output: RetryCall.Output): Effect.Effect<RetryPolicy.Admitted> => {
      switch (output._tag) {
        case "Proceed":
          return Effect.succeed({ _tag: "Proceed", attempt: output.attempt, waitMillis: output.waitMillis })
        case "Stop":
          return Effect.succeed({ _tag: "Stop", error: machine.stopError(output) })
        case "Wait":
          return Effect.zipRight(waitStep(output.waitMillis), Effect.flatMap(d.recheck, admitted))
        default:
          return unexpected(output)
      }
    }
    return {
      context: d.current().context,
      admit: (afterMillis) => Effect.flatMap(d.admit(afterMillis, true), admitted),
      beforeAttempt: Effect.flatMap(d.admit(0, false), admitted).pipe(
        Effect.onInterrupt(() => d.release("interrupted"))
      ),
      succeeded: Effect.asVoid(d.succeeded),
      failed: (error) =>
        Effect.flatMap(d.failed(error), (output): Effect.Effect<RetryPolicy.Retried> => {
          switch (output._tag) {
            case "Retry":
              return Effect.succeed({ _tag: "Retry", delayMillis: output.delayMillis, basis: output.basis })
            case "Stop":
              return Effect.succeed({ _tag: "Stop", error: machine.stopError(output) })
            default:
              return unexpected(output)
          }
        }),
      interrupted: d.release("interrupted"),
      release: d.release
    }
  })

interface ScheduleState {
  readonly startedAt: number | undefined
  readonly retry: RetryDecision.State
}

const hasGuards = (p: RetryPolicy.RetryPolicy) =>
  p.quota !== undefined || p.budget !== undefined || p.limiter !== undefined || p.breaker !== undefined ||
  p.hedging !== undefined

/** @internal */
export const withoutGuards = (p: RetryPolicy.RetryPolicy): RetryPolicy.Unguarded =>
  (hasGuards(p) ?
    Object.assign(Object.create(Object.getPrototypeOf(p)), p, {
      quota: undefined,
      budget: undefined,
      limiter: undefined,
      breaker: undefined,
      hedging: undefined
    }) :
    p) as RetryPolicy.Unguarded

/** @internal */
export const toSchedule = (
  retryPolicy: RetryPolicy.Unguarded,
  options?: RetryPolicy.CallOptions
): Schedule.Schedule<RetryDecision.Decision, CallError.CallError> => {
  if (hasGuards(retryPolicy)) {
    validate.fail(
      "RetryPolicy.toSchedule",
      "policy",
      retryPolicy.name,
      "a policy without quota, budget, limiter or breaker, and without hedging: a Schedule sees only failures, so it " +
        "cannot apply them " +
        "(use RetryPolicy.retry, or RetryPolicy.withoutGuards(policy) to drop them knowingly)"
    )
  }
  return Schedule.makeWithState<ScheduleState, CallError.CallError, RetryDecision.Decision>(
    { startedAt: undefined, retry: decision.initialState },
    (now, error, s) =>
      Effect.map(Random.next, (draw) => {
        const startedAt = s.startedAt ?? now
        const state = decision.attempted(s.retry)
        const verdict = decision.decide(
          retryPolicy,
          state,
          decision.factsOf(retryPolicy, error, options?.idempotent),
          now - startedAt,
          draw
        )
        if (verdict._tag === "Stop") return [{ startedAt, retry: state }, verdict, ScheduleDecision.done] as const
        return [
          { startedAt, retry: decision.advance(state, verdict.delayMillis) },
          verdict,
          ScheduleDecision.continueWith(ScheduleInterval.after(now + verdict.delayMillis))
        ] as const
      })
  )
}
