import * as Effect from "effect/Effect"
import type * as CallError from "../CallError.js"
import type * as CircuitBreaker from "../CircuitBreaker.js"
import type { RetryEvent as Event } from "../RetryEvent.js"
import type * as RetryPolicy from "../RetryPolicy.js"
import type { StateStore } from "../StateStore.js"
import * as limiterMachine from "./adaptiveLimiter.js"
import * as breakerMachine from "./circuitBreaker.js"
import * as budgetMachine from "./retryBudget.js"
import { type Emit, RetryEvent } from "./retryEvent.js"
import * as quotaMachine from "./retryQuota.js"

/**
 * The guards one call passes through, bound to their store keys. Each method applies one pure transition atomically
 * and, when someone observes, emits the change it made.
 * @internal
 */
export interface CallGuards {
  /** Counts the call against a ratio budget. */
  readonly start: (now: number) => Effect.Effect<void>
  /** The breaker's verdict before an attempt. */
  readonly admit: (now: number) => Effect.Effect<CircuitBreaker.Admission>
  /** Reserves a limiter token for a send at `at`; returns how long after `at` the send must wait, and its ticket. */
  readonly reserve: (at: number) => Effect.Effect<{ readonly waitMillis: number; readonly ticket: number }>
  /** How much longer a ticket must wait, at the rate in force now. */
  readonly remaining: (now: number, ticket: number) => Effect.Effect<number>
  /** Gives back a reservation that will not be used. */
  readonly cancel: Effect.Effect<void>
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
  store: StateStore,
  emit: Emit
): CallGuards | undefined => {
  const { breaker, budget, limiter, quota } = policy
  if (quota === undefined && budget === undefined && limiter === undefined && breaker === undefined) return undefined

  /**
   * Binds one guard's state in the store. A transition returns its result and the next state; `observe` turns the
   * states before and after into an event, if anyone listens and something changed.
   */
  const slot = <G, S>(
    guard: G | undefined,
    key: (g: G) => string,
    initial: (g: G) => S,
    observe: (key: string, before: S, after: S, now: number) => Event | undefined
  ) =>
  <A>(now: number, f: (g: G, s: S) => readonly [A, S], otherwise: A): Effect.Effect<A> => {
    if (guard === undefined) return Effect.succeed(otherwise)
    const k = key(guard)
    return Effect.flatMap(
      store.modify(k, () => initial(guard), (s: S) => {
        const [result, next] = f(guard, s)
        return [[result, s, next] as const, next]
      }),
      ([result, before, after]) => {
        const event = emit === undefined ? undefined : observe(k, before, after, now)
        return event === undefined || emit === undefined ? Effect.succeed(result) : Effect.as(emit(event), result)
      }
    )
  }
  // A guard's state starts at the instant of the call that first uses it.
  let startedAt = 0
  const onBreaker = slot(
    breaker,
    (b) => breakerMachine.keyOf(b, context),
    (b) => breakerMachine.initial(b, startedAt),
    (key, before, after, at) =>
      before._tag === after._tag ? undefined : RetryEvent.BreakerStateChanged({
        key,
        from: before._tag,
        to: after._tag,
        at
      })
  )
  const onLimiter = slot(
    limiter,
    (l) => limiterMachine.keyOf(l, context),
    (l) => limiterMachine.initial(l, startedAt),
    (key, before, after, at) =>
      before.fillRate === after.fillRate && before.enabled === after.enabled ?
        undefined :
        RetryEvent.LimiterRateChanged({
          key,
          enabled: after.enabled,
          fillRate: after.fillRate,
          measuredTxRate: after.measuredTxRate,
          at
        })
  )
  const onBudget = slot(
    budget,
    (b) => budgetMachine.keyOf(b, context),
    (b) => budgetMachine.initial(b, startedAt),
    () => undefined
  )
  const onQuota = slot(
    quota,
    (q) => quotaMachine.keyOf(q, context),
    (q) => q.capacity,
    (key, before: number, after: number, at) =>
      before === after || quota === undefined ?
        undefined :
        RetryEvent.QuotaChanged({ key, tokens: after, capacity: quota.capacity, delta: after - before, at })
  )

  return {
    start: (now) => {
      startedAt = now
      return onBudget(now, (b, s) => [undefined, budgetMachine.onRequest(b, s, now)], undefined)
    },
    admit: (now) => onBreaker(now, (b, s) => breakerMachine.admit(b, s, now), allowed),
    reserve: (at) =>
      onLimiter(at, (l, s) => {
        const [waitMillis, next] = limiterMachine.reserve(l, s, at)
        return [{ waitMillis, ticket: next.issued }, next]
      }, { waitMillis: 0, ticket: 0 }),
    remaining: (now, ticket) => onLimiter(now, (l, s) => limiterMachine.remainingWait(l, s, now, ticket), 0),
    cancel: onLimiter(0, (_l, s) => [undefined, limiterMachine.cancel(s)], undefined),
    succeeded: (now, probe, lastRetryCost) =>
      Effect.all([
        onBreaker(now, (b, s) => [undefined, breakerMachine.record(b, s, now, "success", probe)], undefined),
        onLimiter(now, (l, s) => [undefined, limiterMachine.update(l, s, now, false)], undefined),
        onBudget(now, (b, s) => [undefined, budgetMachine.onOutcome(b, s, true)], undefined),
        onQuota(now, (q, tokens) => [undefined, quotaMachine.refund(q, tokens, lastRetryCost)], undefined)
      ], { discard: true }),
    failed: (now, probe, error) =>
      Effect.all([
        onBreaker(now, (b, s) => [undefined, breakerMachine.record(b, s, now, error.failureClass, probe)], undefined),
        onLimiter(
          now,
          (l, s) => [undefined, limiterMachine.update(l, s, now, error.failureClass === "throttling")],
          undefined
        ),
        onBudget(now, (b, s) => [undefined, budgetMachine.onOutcome(b, s, false)], undefined)
      ], { discard: true }),
    release: (probe) => onBreaker(0, (_b, s) => [undefined, breakerMachine.release(s, probe)], undefined),
    allowRetry: (now, error) =>
      Effect.gen(function*() {
        const open = yield* onBreaker(now, (_b, s) => [s._tag === "Open", s] as const, false)
        if (open) return { _tag: "Refused", reason: "circuitOpen" } as const
        // A retry the budget counts but the quota then refuses errs on the side of fewer retries.
        const [budgetOk, remaining] = yield* onBudget(now, (b, s) => {
          const [ok, next] = budgetMachine.tryRetry(b, s, now)
          return [[ok, budgetMachine.remaining(b, next)] as const, next]
        }, [true, 0] as const)
        if (budget !== undefined && emit !== undefined) {
          yield* emit(
            RetryEvent.BudgetChecked({
              key: budgetMachine.keyOf(budget, context),
              allowed: budgetOk,
              remaining,
              at: now
            })
          )
        }
        if (!budgetOk) return { _tag: "Refused", reason: "budget" } as const
        const timeout = error._tag === "TransientError" && error.reason === "timeout"
        const cost = yield* onQuota<number | undefined | null>(now, (q, tokens) => {
          const price = quotaMachine.costOf(q, error.failureClass, timeout)
          const left = quotaMachine.withdraw(q, tokens, price)
          return left === undefined ? [null, tokens] : [price, left]
        }, undefined)
        if (cost === null) return { _tag: "Refused", reason: "quota" } as const
        return { _tag: "Allowed", cost } as const
      })
  }
}
