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
import type * as RetryPolicy from "../RetryPolicy.js"
import { isCallError, withRetries } from "./callError.js"
import { bind as guardsOf } from "./guards.js"
import * as presets from "./presets.js"
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

/**
 * The Effect interpreter of the pure decision: time from `Clock`, one draw from `Random` per failed attempt, guard
 * state from the `StateStore`.
 * @internal
 */
export const run = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  retryPolicy: RetryPolicy.RetryPolicy,
  options?: RetryPolicy.CallOptions
): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    const context: RetryPolicy.CallContext = {
      service: options?.service ?? "unknown",
      operation: options?.operation ?? "unknown",
      resource: options?.resource
    }
    const guards = guardsOf(retryPolicy, context, yield* StateStoreTag)
    const startedAt = yield* Clock.currentTimeMillis
    const stop = (error: CallError.CallError, state: RetryPolicy.State, now: number, reason: CallError.StopReason) =>
      Effect.fail(withRetries(error, summary(retryPolicy, state, now - startedAt, reason)) as E)
    let state = policy.initialState
    let lastError: CallError.CallError | undefined
    let lastRetryCost: number | undefined
    if (guards !== undefined) yield* guards.start(startedAt)
    while (true) {
      let probe = false
      if (guards !== undefined) {
        const admission = yield* guards.admit(yield* Clock.currentTimeMillis)
        if (admission._tag === "Rejected") {
          const now = yield* Clock.currentTimeMillis
          return yield* stop(lastError ?? circuitOpen(context, admission.retryAfterMillis), state, now, "circuitOpen")
        }
        probe = admission.probe
        const waited = yield* guards.pace(yield* Clock.currentTimeMillis)
        state = policy.advanceBy(state, waited)
      }
      const result = yield* (guards !== undefined && probe ?
        Effect.either(self).pipe(Effect.onInterrupt(() => guards.release(probe))) :
        Effect.either(self))
      state = policy.attempted(state)
      if (Either.isRight(result)) {
        if (guards !== undefined) yield* guards.succeeded(yield* Clock.currentTimeMillis, probe, lastRetryCost)
        return result.right
      }
      const error = result.left
      if (!isCallError(error)) return yield* Effect.fail(error)
      lastError = error
      const draw = yield* Random.next
      const now = yield* Clock.currentTimeMillis
      if (guards !== undefined) yield* guards.failed(now, probe, error)
      const decision = policy.decide(
        retryPolicy,
        state,
        policy.factsOf(retryPolicy, error, options?.idempotent),
        now - startedAt,
        draw
      )
      if (decision._tag === "Stop") return yield* stop(error, state, now, decision.reason)
      if (guards !== undefined) {
        const verdict = yield* guards.allowRetry(now, error)
        if (verdict._tag === "Refused") return yield* stop(error, state, now, verdict.reason)
        lastRetryCost = verdict.cost
      }
      yield* Effect.sleep(Duration.millis(decision.delayMillis))
      state = policy.advance(state, decision.delayMillis)
    }
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
