import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Queue from "effect/Queue"
import type * as Hedging from "../Hedging.js"
import type * as LatencyTracker from "../LatencyTracker.js"
import type * as RetryCall from "../RetryCall.js"
import type * as RetryPolicy from "../RetryPolicy.js"
import type { Driver } from "./callDriver.js"
import { isCallError } from "./callError.js"
import { currentCopy, currentDiscard, latencyKeyOf } from "./hedging.js"
import { LatencyTrackerTag } from "./latencyTracker.js"

/**
 * The latency estimate a call with a quantile hedging delay starts with: the tracker's quantile for the call's
 * operation and resource, or `undefined` while it has too few samples (or the delay is fixed).
 * @internal
 */
export const latencyEstimate = (
  hedging: Hedging.Hedging,
  context: RetryPolicy.CallContext,
  tracker: LatencyTracker.LatencyTracker,
  nowMillis: number
): number | undefined => {
  const delay = hedging.delay
  if (delay._tag === "Fixed") return undefined
  return tracker.quantile(latencyKeyOf(hedging, context), delay.quantile, delay.minSamples, nowMillis)
}

type Message<A, E> =
  | { readonly _tag: "Due" }
  | { readonly _tag: "Settled"; readonly copy: number; readonly exit: Exit.Exit<Either.Either<A, E>> }

type Ending<A, E> =
  | { readonly _tag: "Won"; readonly value: A; readonly output: RetryCall.Output }
  | { readonly _tag: "Lost"; readonly output: RetryCall.Output }
  | { readonly _tag: "Unclassified"; readonly error: E }
  | { readonly _tag: "Died"; readonly cause: Cause.Cause<never> }

const due = { _tag: "Due" } as const

/**
 * How the interpreter runs a copy and goes on after the round: `span` wraps one copy (its attempt span, or nothing
 * when nobody traces), `won` and `lost` continue the call with the machine's output.
 * @internal
 */
export interface Shell<A, E, R> {
  readonly span: (self: Effect.Effect<A, E, R>, attempt: number, copy: number) => Effect.Effect<A, E, R>
  readonly traced: boolean
  readonly won: (value: A) => (output: RetryCall.Output) => Effect.Effect<A, E, R>
  readonly lost: (output: RetryCall.Output) => Effect.Effect<A, E, R>
}

/**
 * One attempt of a call whose policy hedges: the attempt and its hedges race, each in a fiber of the round's scope,
 * while the call machine decides every step — when a hedge is due (a timer on `Clock`), whether it is sent, what each
 * copy's outcome means. When the round ends — a copy won, the last copy failed, a fatal failure, a defect, or the
 * caller interrupted — the scope closes: every copy still in flight is interrupted, which aborts its request, and
 * awaited, and the hedge timer is gone with it. A copy that succeeded but lost the race is handed to
 * `Hedging.withDiscard`'s function.
 *
 * The interpreter calls this only for an attempt the machine said may be hedged; every other attempt runs as before.
 * @internal
 */
export const round = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  d: Driver,
  attempt: number,
  hedgeAfterMillis: number,
  shell: Shell<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.flatMap(race(self, d, attempt, hedgeAfterMillis, shell.span), (ending): Effect.Effect<A, E, R> => {
    const hedges = d.current().hedges
    const annotated = <X, Y, Z>(next: Effect.Effect<X, Y, Z>) =>
      hedges === 0 || !shell.traced ? next : Effect.zipRight(Effect.annotateCurrentSpan("rebound.hedges", hedges), next)
    switch (ending._tag) {
      case "Won":
        return annotated(shell.won(ending.value)(ending.output))
      case "Lost":
        return annotated(shell.lost(ending.output))
      case "Unclassified":
        return Effect.zipRight(d.release("unclassified"), Effect.fail(ending.error))
      case "Died":
        return Effect.failCause(ending.cause)
    }
  })

const race = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  d: Driver,
  attempt: number,
  hedgeAfterMillis: number,
  span: Shell<A, E, R>["span"]
): Effect.Effect<Ending<A, E>, never, R> =>
  Effect.scoped(Effect.gen(function*() {
    const queue = yield* Queue.unbounded<Message<A, E>>()
    const discard = yield* FiberRef.get(currentDiscard)
    const running = new Map<number, Fiber.RuntimeFiber<unknown>>()

    // A copy knows which it is (`Hedging.currentCopy`); a nested call must not discard with the outer call's function.
    // Its outcome is posted even when it is interrupted just as it settles, so a result that lost is never lost.
    const launch = (copy: number) =>
      Effect.uninterruptibleMask((restore) =>
        restore(
          Effect.either(
            span(Effect.locally(Effect.locally(self, currentDiscard, undefined), currentCopy, copy), attempt, copy)
          )
        ).pipe(Effect.exit, Effect.flatMap((exit) => Queue.offer(queue, { _tag: "Settled", copy, exit })))
      ).pipe(Effect.forkScoped, Effect.map((fiber) => void running.set(copy, fiber)))
    const arm = (millis: number) => Effect.forkScoped(Effect.zipRight(Effect.sleep(millis), Queue.offer(queue, due)))

    /** Interrupts (aborting their requests) and awaits the copies still in flight; discards results that lost. */
    const settle = <X>(ending: X) =>
      Effect.gen(function*() {
        yield* Fiber.interruptAll(running.values())
        running.clear()
        for (const message of yield* Queue.takeAll(queue)) {
          if (
            discard !== undefined && message._tag === "Settled" && Exit.isSuccess(message.exit) &&
            Either.isRight(message.exit.value)
          ) yield* discard(message.exit.value.right)
        }
        return ending
      })

    yield* launch(0)
    yield* arm(hedgeAfterMillis)
    while (true) {
      const message = yield* Queue.take(queue)
      if (message._tag === "Due") {
        const output = yield* d.hedge(attempt)
        if (output._tag === "Hedge") yield* launch(output.copy)
        if ((output._tag === "Hedge" || output._tag === "Pending") && output.hedgeAfterMillis !== undefined) {
          yield* arm(output.hedgeAfterMillis)
        }
        continue
      }
      running.delete(message.copy)
      const exit = message.exit
      if (Exit.isFailure(exit)) return yield* settle<Ending<A, E>>({ _tag: "Died", cause: exit.cause })
      const result = exit.value
      if (Either.isRight(result)) {
        const output = yield* d.copySucceeded(message.copy)
        yield* observe(d, output)
        return yield* settle<Ending<A, E>>({ _tag: "Won", value: result.right, output })
      }
      const error = result.left
      if (!isCallError(error)) return yield* settle<Ending<A, E>>({ _tag: "Unclassified", error })
      const output = yield* d.copyFailed(message.copy, error)
      if (output._tag === "Pending") continue
      return yield* settle<Ending<A, E>>({ _tag: "Lost", output })
    }
  }))

/** Feeds the latency the machine observed to the tracker a quantile delay reads. */
const observe = (d: Driver, output: RetryCall.Output): Effect.Effect<void> => {
  if (output._tag !== "Succeeded" || output.observedMillis === undefined) return Effect.void
  const observed = output.observedMillis
  const call = d.current()
  return Effect.flatMap(
    LatencyTrackerTag,
    (tracker) =>
      Effect.clockWith((clock) =>
        Effect.sync(() =>
          tracker.observe(latencyKeyOf(call.policy.hedging!, call.context), observed, clock.unsafeCurrentTimeMillis())
        )
      )
  )
}
