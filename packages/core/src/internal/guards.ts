import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as CallError from "../CallError.js"
import type * as CircuitBreaker from "../CircuitBreaker.js"
import type * as RetryPolicy from "../RetryPolicy.js"
import type { StateStore } from "../StateStore.js"
import * as limiterMachine from "./adaptiveLimiter.js"
import * as breakerMachine from "./circuitBreaker.js"
import * as budgetMachine from "./retryBudget.js"
import * as quotaMachine from "./retryQuota.js"

/**
 * The guards one call passes through, bound to their store keys. Each method applies one pure transition atomically.
 * @internal
 */
export interface CallGuards {
  /** Counts the call against a ratio budget. */
  readonly start: (now: number) => Effect.Effect<void>
  /** The breaker's verdict before an attempt. */
  readonly admit: (now: number) => Effect.Effect<CircuitBreaker.Admission>
  /** Waits for the limiter; returns the milliseconds waited. */
  readonly pace: (now: number) => Effect.Effect<number>
  readonly succeeded: (now: number, probe: boolean, lastRetryCost: number | undefined) => Effect.Effect<void>
  readonly failed: (now: number, probe: boolean, error: CallError.CallError) => Effect.Effect<void>
  /** A probe interrupted before its outcome frees its place. */
  readonly release: (probe: boolean) => Effect.Effect<void>
  /** Asks the breaker, the budget and the quota for one retry; returns the quota cost paid, or why not. */
  readonly allowRetry: (
    now: number,
    error: CallError.CallError
  ) => Effect.Effect<
    { readonly _tag: "Allowed"; readonly cost: number | undefined } | {
      readonly _tag: "Refused"
      readonly reason: "circuitOpen" | "budget" | "quota"
    }
  >
}

const allowed = { _tag: "Allowed", probe: false } as const

/** @internal */
export const bind = (
  policy: RetryPolicy.RetryPolicy,
  context: RetryPolicy.CallContext,
  store: StateStore
): CallGuards | undefined => {
  const { breaker, budget, limiter, quota } = policy
  if (quota === undefined && budget === undefined && limiter === undefined && breaker === undefined) return undefined

  /** Binds one guard's state in the store: `undefined` when the policy lacks that guard. */
  const slot =
    <G, S>(guard: G | undefined, key: (g: G) => string, initial: (g: G) => S) =>
    <A>(f: (g: G, s: S) => readonly [A, S], otherwise: A): Effect.Effect<A> =>
      guard === undefined ?
        Effect.succeed(otherwise) :
        store.modify(key(guard), () => initial(guard), (s: S) => f(guard, s))
  // A guard's state starts at the instant of the call that first uses it.
  let startedAt = 0
  const onBreaker = slot(breaker, (b) => breakerMachine.keyOf(b, context), (b) => breakerMachine.initial(b, startedAt))
  const onLimiter = slot(limiter, (l) => limiterMachine.keyOf(l, context), (l) => limiterMachine.initial(l, startedAt))
  const onBudget = slot(budget, (b) => budgetMachine.keyOf(b, context), (b) => budgetMachine.initial(b, startedAt))
  const onQuota = slot(quota, (q) => quotaMachine.keyOf(q, context), (q) => q.capacity)

  return {
    start: (now) => {
      startedAt = now
      return onBudget((b, s) => [undefined, budgetMachine.onRequest(b, s, now)], undefined)
    },
    admit: (now) => onBreaker((b, s) => breakerMachine.admit(b, s, now), allowed),
    pace: (now) =>
      Effect.flatMap(
        onLimiter((l, s) => limiterMachine.reserve(l, s, now), 0),
        (waitMillis) =>
          waitMillis <= 0 || limiter === undefined ?
            Effect.succeed(0) :
            Effect.sleep(Duration.millis(waitMillis)).pipe(
              // An interrupted waiter gives its token back, so the next in line is not delayed for nothing.
              Effect.onInterrupt(() => onLimiter((_l, s) => [undefined, limiterMachine.cancel(s)], undefined)),
              Effect.as(waitMillis)
            )
      ),
    succeeded: (now, probe, lastRetryCost) =>
      Effect.all([
        onBreaker((b, s) => [undefined, breakerMachine.record(b, s, now, "success", probe)], undefined),
        onLimiter((l, s) => [undefined, limiterMachine.update(l, s, now, false)], undefined),
        onBudget((b, s) => [undefined, budgetMachine.onOutcome(b, s, true)], undefined),
        onQuota((q, tokens) => [undefined, quotaMachine.refund(q, tokens, lastRetryCost)], undefined)
      ], { discard: true }),
    failed: (now, probe, error) =>
      Effect.all([
        onBreaker((b, s) => [undefined, breakerMachine.record(b, s, now, error.failureClass, probe)], undefined),
        onLimiter(
          (l, s) => [undefined, limiterMachine.update(l, s, now, error.failureClass === "throttling")],
          undefined
        ),
        onBudget((b, s) => [undefined, budgetMachine.onOutcome(b, s, false)], undefined)
      ], { discard: true }),
    release: (probe) => onBreaker((_b, s) => [undefined, breakerMachine.release(s, probe)], undefined),
    allowRetry: (now, error) =>
      Effect.gen(function*() {
        const open = yield* onBreaker((_b, s) => [s._tag === "Open", s] as const, false)
        if (open) return { _tag: "Refused", reason: "circuitOpen" } as const
        // A retry the budget counts but the quota then refuses errs on the side of fewer retries.
        const budgetOk = yield* onBudget((b, s) => budgetMachine.tryRetry(b, s, now), true)
        if (!budgetOk) return { _tag: "Refused", reason: "budget" } as const
        const timeout = error._tag === "TransientError" && error.reason === "timeout"
        const cost = yield* onQuota<number | undefined | null>((q, tokens) => {
          const price = quotaMachine.costOf(q, error.failureClass, timeout)
          const left = quotaMachine.withdraw(q, tokens, price)
          return left === undefined ? [null, tokens] : [price, left]
        }, undefined)
        if (cost === null) return { _tag: "Refused", reason: "quota" } as const
        return { _tag: "Allowed", cost } as const
      })
  }
}
