import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as ScheduleInterval from "effect/ScheduleInterval"
import type * as CallError from "../CallError.js"
import { TransientError } from "../CallError.js"
import type * as RetryEvent_ from "../RetryEvent.js"
import type * as RetryPolicy from "../RetryPolicy.js"
import { recheckMillis } from "./adaptiveLimiter.js"
import { isCallError, withRetries } from "./callError.js"
import { bind as guardsOf } from "./guards.js"
import * as presets from "./presets.js"
import { emitter, failureInfo, observers, RetryEvent } from "./retryEvent.js"
import * as policy from "./retryPolicy.js"
import { StateStoreTag } from "./stateStore.js"

/** @internal */
export class CurrentRetryPolicy extends Context.Reference<CurrentRetryPolicy>()(
  "@rebound/core/CurrentRetryPolicy",
  { defaultValue: () => presets.rebound }
) {}

const summary = (
  self: RetryPolicy.RetryPolicy,
  state: RetryPolicy.State,
  elapsedMillis: number,
  stopReason: CallError.StopReason
): CallError.RetrySummary => ({
  attempts: state.attempts,
  totalDelay: Duration.millis(state.totalDelayMillis),
  elapsed: Duration.millis(elapsedMillis),
  stopReason,
  policy: self.name
})

const circuitOpen = (context: RetryPolicy.CallContext, retryAfterMillis: number): CallError.CallError =>
  new TransientError({
    service: context.service,
    operation: context.operation,
    code: "CircuitOpen",
    detail: "the circuit breaker is open, so the call failed fast without reaching the service",
    reason: "unknown",
    ambiguous: false,
    retryAfter: Duration.millis(retryAfterMillis),
    resource: context.resource
  })

let callIds = 0

/**
 * One call's retry state machine, driven step by step: the interpreter below drives it with `Effect.sleep`, the AWS
 * SDK's `RetryStrategyV2` adapter drives it from inside the SDK's middleware. Both get the same decisions, guards and
 * events.
 * @internal
 */
export const makeSession = (
  retryPolicy: RetryPolicy.RetryPolicy,
  options?: RetryPolicy.CallOptions
): Effect.Effect<RetryPolicy.Session> =>
  Effect.gen(function*() {
    const context: RetryPolicy.CallContext = {
      service: options?.service ?? "unknown",
      operation: options?.operation ?? "unknown",
      resource: options?.resource
    }
    const emit = emitter(yield* observers)
    const call: RetryEvent_.CallInfo = { id: ++callIds, ...context, policy: retryPolicy.name }
    const guards = guardsOf(retryPolicy, context, yield* StateStoreTag, emit)
    const startedAt = yield* Clock.currentTimeMillis
    let state = policy.initialState
    let lastError: CallError.CallError | undefined
    let lastRetryCost: number | undefined
    let probe = false
    let sentAt = startedAt
    let ticket = 0

    // What a call's closing event reports, whether it succeeded or stopped.
    const totals = (now: number) => ({
      call,
      attempts: state.attempts,
      totalDelayMillis: state.totalDelayMillis,
      elapsedMillis: now - startedAt
    })

    const stop = (error: CallError.CallError, now: number, stopReason: CallError.StopReason) =>
      Effect.gen(function*() {
        yield* Effect.annotateCurrentSpan({ "rebound.attempts": state.attempts, "rebound.stop_reason": stopReason })
        if (emit !== undefined) {
          yield* emit(RetryEvent.RetriesStopped({
            ...totals(now),
            stopReason,
            failure: failureInfo(error),
            at: now
          }))
        }
        return {
          _tag: "Stop",
          error: withRetries(error, summary(retryPolicy, state, now - startedAt, stopReason))
        } as const
      })

    if (guards !== undefined) yield* guards.start(startedAt)

    const delayed = (attempt: number, waitMillis: number) =>
      Effect.gen(function*() {
        state = policy.advanceBy(state, waitMillis)
        if (emit !== undefined) {
          const at = yield* Clock.currentTimeMillis
          yield* emit(RetryEvent.AttemptDelayed({ call, attempt, waitMillis, reason: "limiter", at }))
        }
      })

    // Breaker admission and a limiter reservation for an attempt `afterMillis` from now; `waited` says whether the
    // caller will report the limiter's wait itself, once it knows how long it really was.
    const admitAt = (afterMillis: number, reportWait: boolean) =>
      Effect.gen(function*() {
        const attempt = state.attempts + 1
        const now = yield* Clock.currentTimeMillis
        probe = false
        let waitMillis = 0
        if (guards !== undefined) {
          const admission = yield* guards.admit(now)
          if (admission._tag === "Rejected") {
            return yield* stop(lastError ?? circuitOpen(context, admission.retryAfterMillis), now, "circuitOpen")
          }
          probe = admission.probe
          const reservation = yield* guards.reserve(now + afterMillis)
          waitMillis = reservation.waitMillis
          ticket = reservation.ticket
          if (waitMillis > 0 && reportWait) yield* delayed(attempt, waitMillis)
        }
        sentAt = now + afterMillis + waitMillis
        return { _tag: "Proceed", attempt, waitMillis } as const
      })

    const started = (attempt: number) =>
      emit === undefined ? Effect.void : emit(RetryEvent.AttemptStarted({ call, attempt, at: sentAt }))

    const admit: RetryPolicy.Session["admit"] = (afterMillis) =>
      Effect.tap(admitAt(afterMillis, true), (go) => (go._tag === "Proceed" ? started(go.attempt) : Effect.void))

    // Waits for the limiter's token, re-estimating as the rate changes (a burst booked while the limiter was slow
    // speeds up when it recovers); FIFO by ticket. Returns how long it really waited.
    const waitForToken = (g: NonNullable<typeof guards>, estimate: number): Effect.Effect<number> =>
      Effect.gen(function*() {
        const from = yield* Clock.currentTimeMillis
        let remaining = estimate
        while (remaining > 0) {
          yield* Effect.sleep(Duration.millis(Math.min(remaining, recheckMillis)))
          remaining = yield* g.remaining(yield* Clock.currentTimeMillis, ticket)
        }
        return (yield* Clock.currentTimeMillis) - from
      }).pipe(
        // An interrupted waiter gives its token back, so the next in line is not delayed for nothing.
        Effect.onInterrupt(() => g.cancel)
      )

    const beforeAttempt: RetryPolicy.Session["beforeAttempt"] = Effect.flatMap(admitAt(0, false), (go) =>
      Effect.gen(function*() {
        if (go._tag === "Stop") {
          return go
        }
        if (go.waitMillis > 0 && guards !== undefined) {
          const waited = yield* waitForToken(guards, go.waitMillis)
          yield* delayed(go.attempt, waited)
          sentAt = yield* Clock.currentTimeMillis
          yield* started(go.attempt)
          return { ...go, waitMillis: waited }
        }
        yield* started(go.attempt)
        return go
      }))

    const succeeded: RetryPolicy.Session["succeeded"] = Effect.gen(function*() {
      state = policy.attempted(state)
      const now = yield* Clock.currentTimeMillis
      if (guards !== undefined) {
        yield* guards.succeeded(now, probe, lastRetryCost)
      }
      yield* Effect.annotateCurrentSpan("rebound.attempts", state.attempts)
      if (emit !== undefined) {
        yield* emit(RetryEvent.Succeeded({ ...totals(now), at: now }))
      }
    })

    const failed: RetryPolicy.Session["failed"] = (error) =>
      Effect.gen(function*() {
        const attempt = state.attempts + 1
        state = policy.attempted(state)
        lastError = error
        const now = yield* Clock.currentTimeMillis
        if (emit !== undefined) {
          yield* emit(RetryEvent.AttemptFailed({
            call,
            attempt,
            durationMillis: now - sentAt,
            failure: failureInfo(error),
            at: now
          }))
        }
        const draw = yield* Random.next
        if (guards !== undefined) {
          yield* guards.failed(now, probe, error)
        }
        const decision = policy.decide(
          retryPolicy,
          state,
          policy.factsOf(retryPolicy, error, options?.idempotent),
          now - startedAt,
          draw
        )
        if (decision._tag === "Stop") {
          return yield* stop(error, now, decision.reason)
        }
        if (guards !== undefined) {
          const verdict = yield* guards.allowRetry(now, error)
          if (verdict._tag === "Refused") {
            return yield* stop(error, now, verdict.reason)
          }
          lastRetryCost = verdict.cost
        }
        if (emit !== undefined) {
          yield* emit(RetryEvent.RetryScheduled({
            call,
            attempt,
            failure: failureInfo(error),
            delayMillis: decision.delayMillis,
            backoffMillis: decision.backoffMillis,
            basis: decision.basis,
            at: now
          }))
        }
        state = policy.advance(state, decision.delayMillis)
        return { _tag: "Retry", delayMillis: decision.delayMillis, basis: decision.basis } as const
      })

    const interrupted: RetryPolicy.Session["interrupted"] = guards === undefined || !probe ?
      Effect.void :
      Effect.suspend(() =>
        guards.release(probe)
      )

    return { context, admit, beforeAttempt, succeeded, failed, interrupted }
  })

/**
 * The Effect interpreter: a session driven with `Effect.sleep`. Every call runs in a span (`rebound.call`), every
 * attempt in a child span (`rebound.attempt`).
 * @internal
 */
export const run = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  retryPolicy: RetryPolicy.RetryPolicy,
  options?: RetryPolicy.CallOptions
): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    const session = yield* makeSession(retryPolicy, options)
    while (true) {
      const go = yield* session.beforeAttempt
      if (go._tag === "Stop") return yield* Effect.fail(go.error as E)
      const result = yield* attemptSpan(self, go.attempt, session)
      if (Either.isRight(result)) {
        yield* session.succeeded
        return result.right
      }
      if (!isCallError(result.left)) return yield* Effect.fail(result.left)
      const next = yield* session.failed(result.left)
      if (next._tag === "Stop") return yield* Effect.fail(next.error as E)
      yield* Effect.sleep(Duration.millis(next.delayMillis))
    }
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

/** One attempt in its own span, annotated with the failure it ended with. */
const attemptSpan = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  attempt: number,
  session: RetryPolicy.Session
): Effect.Effect<Either.Either<A, E>, never, R> => {
  const attempted = self.pipe(
    Effect.tapError((error) =>
      isCallError(error) ?
        Effect.annotateCurrentSpan(spanAttributes(error)) :
        Effect.void
    ),
    Effect.withSpan("rebound.attempt", { attributes: { "rebound.attempt": attempt }, captureStackTrace: false }),
    Effect.either
  )
  // A probe interrupted before its outcome must free its place in the half-open breaker.
  return Effect.onInterrupt(attempted, () => session.interrupted)
}

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
} = dual((args) => isEffect(args[0]), run)

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

interface ScheduleState {
  readonly startedAt: number | undefined
  readonly retry: RetryPolicy.State
}

/** @internal */
export const toSchedule = (
  retryPolicy: RetryPolicy.RetryPolicy,
  options?: RetryPolicy.CallOptions
): Schedule.Schedule<RetryPolicy.Decision, CallError.CallError> =>
  Schedule.makeWithState<ScheduleState, CallError.CallError, RetryPolicy.Decision>(
    { startedAt: undefined, retry: policy.initialState },
    (now, error, s) =>
      Effect.map(Random.next, (draw) => {
        const startedAt = s.startedAt ?? now
        const state = policy.attempted(s.retry)
        const decision = policy.decide(
          retryPolicy,
          state,
          policy.factsOf(retryPolicy, error, options?.idempotent),
          now - startedAt,
          draw
        )
        if (decision._tag === "Stop") return [{ startedAt, retry: state }, decision, ScheduleDecision.done] as const
        return [
          { startedAt, retry: policy.advance(state, decision.delayMillis) },
          decision,
          ScheduleDecision.continueWith(ScheduleInterval.after(now + decision.delayMillis))
        ] as const
      })
  )
