import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Queue from "effect/Queue"
import type * as RetryCall from "../RetryCall.js"
import type { Driver } from "./callDriver.js"
import { isCallError } from "./callError.js"
import { currentCopy, currentDiscard, latencyKeyOf } from "./hedging.js"
import { LatencyTrackerTag } from "./latencyTracker.js"

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
    // The machine keeps time in whole milliseconds of `Clock`, and a real timer may fire up to a millisecond early
    // (Node truncates a delay to whole milliseconds and counts from the event loop's cached time). For reads that take
    // a few milliseconds that would hedge calls that had not reached their delay and feed the tracker latencies a
    // millisecond off, so the round measures its own time in nanoseconds: a timer that fires early is re-armed for
    // what is left, and the latency a win reports is measured from the attempt's start. On a `TestClock` both are
    // exactly what the machine computes.
    const clock = yield* Effect.clock
    const startedAt = clock.unsafeCurrentTimeNanos()
    let dueAt = startedAt

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
    const sleepThenDue = (millis: number) =>
      Effect.forkScoped(Effect.zipRight(Effect.sleep(millis), Queue.offer(queue, due)))
    const arm = (millis: number) => {
      dueAt = clock.unsafeCurrentTimeNanos() + BigInt(Math.round(millis * 1e6))
      return sleepThenDue(millis)
    }

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
        const early = dueAt - clock.unsafeCurrentTimeNanos()
        if (early > earlyTolerance) {
          yield* sleepThenDue(Number(early) / 1e6)
          continue
        }
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
        yield* observe(d, output, Number(clock.unsafeCurrentTimeNanos() - startedAt) / 1e6)
        return yield* settle<Ending<A, E>>({ _tag: "Won", value: result.right, output })
      }
      const error = result.left
      if (!isCallError(error)) return yield* settle<Ending<A, E>>({ _tag: "Unclassified", error })
      const output = yield* d.copyFailed(message.copy, error)
      if (output._tag === "Pending") continue
      return yield* settle<Ending<A, E>>({ _tag: "Lost", output })
    }
  }))

/** A timer this close to its instant counts as on time (nanoseconds): Durations round to whole nanoseconds. */
const earlyTolerance = 1_000n

/**
 * Feeds the tracker a quantile delay reads, when the machine says the win says something about latency: the time since
 * the attempt started, to the nanosecond (what the machine's `observedMillis` is, in whole milliseconds).
 */
const observe = (d: Driver, output: RetryCall.Output, elapsedMillis: number): Effect.Effect<void> => {
  if (output._tag !== "Succeeded" || output.observedMillis === undefined) return Effect.void
  const call = d.current()
  return Effect.flatMap(
    LatencyTrackerTag,
    (tracker) =>
      Effect.clockWith((clock) =>
        Effect.sync(() =>
          tracker.observe(
            latencyKeyOf(call.policy.hedging!, call.context),
            elapsedMillis,
            clock.unsafeCurrentTimeMillis()
          )
        )
      )
  )
}
