import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import { dual, identity } from "effect/Function"
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
import { isTraced } from "./tracing.js"
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
 * The Effect interpreter: the call machine driven with `Effect.sleep`. Every way the call can end passes through the
 * machine — a verdict (success, stop) or its release (interruption, a defect, a failure that is not a `CallError`).
 *
 * When a tracer other than Effect's built-in one is installed, the call runs in a span (`rebound.call`) and every
 * attempt in a child span (`rebound.attempt`); when nobody traces, no span is made. When nobody observes and the
 * state store steps in place, the machine's steps are plain function calls, and a release-on-abort is arranged only
 * once the call holds something to give back: a successful first attempt through a closed breaker costs one
 * `matchCauseEffect`. An attempt the machine says may be hedged (a hedging policy, an idempotent call) runs as a round
 * of racing copies instead (`hedgedRound`); every other attempt takes the path above, with nothing added.
 * @internal
 */
export const run = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  retryPolicy: RetryPolicy.RetryPolicy,
  options?: RetryPolicy.CallOptions,
  onSuccess?: (value: A, summary: CallError.CallSummary) => A
): Effect.Effect<A, E, R> =>
  Effect.withFiberRuntime((fiber) => {
    const d = driver.fromFiber(fiber, retryPolicy, options)
    const traced = isTraced(fiber)
    const call = interpret(self, d, traced, onSuccess)
    return traced ? Effect.withSpan(call, "rebound.call", callSpanOptions(retryPolicy, options)) : call
  })

const callSpanOptions = (retryPolicy: RetryPolicy.RetryPolicy, options: RetryPolicy.CallOptions | undefined) => ({
  kind: "client" as const,
  // A stack trace per span costs more than the rest of the call's machinery together.
  captureStackTrace: false,
  attributes: {
    "rebound.service": options?.service ?? "unknown",
    "rebound.operation": options?.operation ?? "unknown",
    "rebound.policy": retryPolicy.name,
    ...(options?.resource !== undefined ? { "rebound.resource": options.resource } : {})
  }
})

const interpret = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  d: driver.Driver,
  traced: boolean,
  onSuccess: ((value: A, summary: CallError.CallSummary) => A) | undefined
): Effect.Effect<A, E, R> => {
  /** One step of the machine, then `next` with its output: a plain call when the driver can step at once. */
  const stepThen = (input: RetryCall.Input, next: (output: RetryCall.Output) => Effect.Effect<A, E, R>) =>
    d.sync ? next(d.stepNow(input)) : Effect.flatMap(d.step(input), next)

  const stopped = (output: Extract<RetryCall.Output, { _tag: "Stop" }>): Effect.Effect<never, E> => {
    const failure = Effect.fail(machine.stopError(output) as E)
    return traced ?
      Effect.zipRight(
        Effect.annotateCurrentSpan({
          "rebound.attempts": output.summary.attempts,
          "rebound.stop_reason": output.reason
        }),
        failure
      ) :
      failure
  }

  const finished = (value: A) => (output: RetryCall.Output): Effect.Effect<A> => {
    if (output._tag !== "Succeeded") return Effect.succeed(value)
    const result = onSuccess !== undefined ? onSuccess(value, output.summary) : value
    return traced ?
      Effect.as(Effect.annotateCurrentSpan("rebound.attempts", output.summary.attempts), result) :
      Effect.succeed(result)
  }

  const afterFailure = (output: RetryCall.Output): Effect.Effect<A, E, R> => {
    switch (output._tag) {
      case "Retry":
        // A delay of zero is no delay: no timer, not even a clamped one.
        return output.delayMillis > 0
          ? Effect.flatMap(Effect.sleep(Duration.millis(output.delayMillis)), admit)
          : admit()
      case "Stop":
        return stopped(output)
      default:
        return unexpected(output)
    }
  }

  const attemptFailed = (cause: Cause.Cause<E>): Effect.Effect<A, E, R> => {
    const failure = Cause.failureOrCause(cause)
    // A defect or an interruption: `releasedOnAbort` releases the call — or it holds nothing and nobody observes it.
    if (Either.isRight(failure)) return Effect.failCause(cause)
    const error = failure.left
    if (!isCallError(error)) return Effect.zipRight(d.release("unclassified"), Effect.fail(error))
    return Effect.flatMap(d.failed(error), afterFailure)
  }

  const attempt = (n: number): Effect.Effect<A, E, R> =>
    releasedOnAbort(Effect.matchCauseEffect(traced ? attemptSpan(self, n) : self, {
      onSuccess: (value) => stepThen({ _tag: "Succeeded", now: d.now() }, finished(value)),
      onFailure: attemptFailed
    }))

  /**
   * The rest of the call, released by the machine if it ends without a verdict (interrupted, a defect). Arranged from
   * the first step after which a release would change anything — a probe or a reservation held, or an observer to
   * tell (`RetryCall.needsRelease`); until then the call holds nothing, so an abort has nothing to give back. Once
   * arranged it covers everything after, as the continuation runs inside it.
   */
  let releasing = false
  const releasedOnAbort = (rest: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
    if (releasing || !machine.needsRelease(d.current())) return rest
    releasing = true
    return Effect.onExit(rest, (exit) => Exit.isSuccess(exit) ? Effect.void : d.release(abortReason(exit.cause)))
  }

  const afterAdmission = (output: RetryCall.Output): Effect.Effect<A, E, R> => {
    switch (output._tag) {
      case "Proceed":
        // Only an attempt the machine may hedge runs as a race of copies, which goes on with the machine's verdict;
        // every other runs as it is, with nothing made for hedging.
        return output.hedgeAfterMillis === undefined ?
          attempt(output.attempt) :
          releasedOnAbort(hedged.round(self, d, output.attempt, output.hedgeAfterMillis, {
            span: traced ? attemptSpan : identity,
            traced,
            won: finished,
            lost: afterFailure
          }))
      case "Wait":
        // Re-estimate at least every `recheckMillis`: a wait booked while the limiter was slow shortens as it recovers.
        return releasedOnAbort(Effect.flatMap(waitStep(output.waitMillis), recheck))
      case "Stop":
        return stopped(output)
      default:
        return unexpected(output)
    }
  }
  const recheck = () => stepThen({ _tag: "Recheck", now: d.now() }, afterAdmission)
  const admit = () => stepThen({ _tag: "Admit", now: d.now(), afterMillis: 0, commit: false }, afterAdmission)

  // An observed call is released from the start: an abort during its first admission is told too.
  return Effect.suspend(() => machine.needsRelease(d.current()) ? releasedOnAbort(Effect.suspend(admit)) : admit())
}

/** One attempt (or, `copy` > 0, one of its hedges) in its own span, annotated with the failure it ended with. */
const attemptSpan = <A, E, R>(self: Effect.Effect<A, E, R>, attempt: number, copy = 0): Effect.Effect<A, E, R> =>
  self.pipe(
    Effect.tapError((error) =>
      isCallError(error) ?
        Effect.annotateCurrentSpan(spanAttributes(error)) :
        Effect.void
    ),
    Effect.withSpan("rebound.attempt", {
      attributes: copy === 0 ? { "rebound.attempt": attempt } : { "rebound.attempt": attempt, "rebound.hedge": copy },
      captureStackTrace: false
    })
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
          return Effect.zipRight(waitStep(output.waitMillis), Effect.flatMap(d.recheck(), admitted))
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
      succeeded: Effect.asVoid(d.succeeded()),
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
      release: (reason) => d.release(reason)
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
