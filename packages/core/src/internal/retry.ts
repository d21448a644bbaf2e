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
import type * as RetryPolicy from "../RetryPolicy.js"
import { isCallError, withRetries } from "./callError.js"
import * as presets from "./presets.js"
import * as policy from "./retryPolicy.js"

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

/**
 * The Effect interpreter of the pure decision: time from `Clock`, one draw from `Random` per failed attempt.
 * @internal
 */
export const run = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  retryPolicy: RetryPolicy.RetryPolicy,
  options?: RetryPolicy.CallOptions
): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    const startedAt = yield* Clock.currentTimeMillis
    let state = policy.initialState
    while (true) {
      const result = yield* Effect.either(self)
      state = policy.attempted(state)
      if (Either.isRight(result)) return result.right
      const error = result.left
      if (!isCallError(error)) return yield* Effect.fail(error)
      const draw = yield* Random.next
      const elapsed = (yield* Clock.currentTimeMillis) - startedAt
      const decision = policy.decide(
        retryPolicy,
        state,
        policy.factsOf(retryPolicy, error, options?.idempotent),
        elapsed,
        draw
      )
      if (decision._tag === "Stop") {
        return yield* Effect.fail(withRetries(error, summary(retryPolicy, state, elapsed, decision.reason)) as E)
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
