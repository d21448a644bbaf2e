/**
 * Deterministic timing tests for code that retries.
 *
 * @since 0.1.0
 */
import type * as Array from "effect/Array"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberStatus from "effect/FiberStatus"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import * as CallError from "../CallError.js"
import * as RetryPolicy from "../RetryPolicy.js"
import * as StateStore from "../StateStore.js"
import * as virtualTime from "./internal/virtualTime.js"

/**
 * One scripted outcome of an attempt.
 *
 * - `"success"`: the attempt succeeds with `"ok"`.
 * - `"throttle"`: a `ThrottlingError` (`ThrottlingException`, HTTP 400).
 * - `"transient"`: a non-ambiguous `TransientError` (`ServiceUnavailable`, HTTP 503, rejected before processing).
 * - `"ambiguous"`: an ambiguous `TransientError` (`ECONNRESET` after the request was written).
 * - `"fatal"`: a `FatalError` (`ValidationException`, HTTP 400).
 * - `{ throttle: { retryAfter } }`: throttling with a `Retry-After` hint.
 * - any `CallError`: failed with as given.
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome =
  | "success"
  | "throttle"
  | "transient"
  | "ambiguous"
  | "fatal"
  | { readonly throttle: { readonly retryAfter: Duration.DurationInput } }
  | CallError.CallError

const service = "TestService"
const operation = "TestOperation"

/**
 * The failure a scripted outcome stands for, or `undefined` for `"success"`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const failureOf = (outcome: Outcome): CallError.CallError | undefined => {
  if (typeof outcome === "string") {
    switch (outcome) {
      case "success":
        return undefined
      case "throttle":
        return new CallError.ThrottlingError({ service, operation, code: "ThrottlingException", httpStatus: 400 })
      case "transient":
        return new CallError.TransientError({
          service,
          operation,
          code: "ServiceUnavailable",
          httpStatus: 503,
          reason: "server",
          ambiguous: false
        })
      case "ambiguous":
        return new CallError.TransientError({
          service,
          operation,
          code: "ECONNRESET",
          reason: "network",
          ambiguous: true
        })
      case "fatal":
        return new CallError.FatalError({
          service,
          operation,
          code: "ValidationException",
          httpStatus: 400,
          reason: "client"
        })
    }
  }
  if (CallError.isCallError(outcome)) return outcome
  return new CallError.ThrottlingError({
    service,
    operation,
    code: "ThrottlingException",
    httpStatus: 429,
    retryAfter: Duration.decode(outcome.throttle.retryAfter)
  })
}

/**
 * A call that plays a script, one outcome per attempt (the last outcome repeats), recording the `Clock` instant of
 * every attempt.
 *
 * @since 0.1.0
 * @category models
 */
export interface Scripted {
  readonly call: Effect.Effect<"ok", CallError.CallError>
  /** Instants (ms) of the attempts so far. */
  readonly attempts: Effect.Effect<ReadonlyArray<number>>
}

/**
 * A call that plays `outcomes`, one per attempt, and records when each attempt ran.
 *
 * @since 0.1.0
 * @category constructors
 */
export const scripted = (outcomes: Array.NonEmptyReadonlyArray<Outcome>): Effect.Effect<Scripted> =>
  Effect.map(Ref.make<ReadonlyArray<number>>([]), (attempts) => ({
    attempts: Ref.get(attempts),
    call: Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const made = yield* Ref.updateAndGet(attempts, (xs) => [...xs, now])
      const failure = failureOf(outcomes[Math.min(made.length, outcomes.length) - 1]!)
      if (failure !== undefined) return yield* Effect.fail(failure)
      return "ok" as const
    })
  }))

/**
 * Options of {@link runToCompletion} (and of {@link run}, which moves its virtual clock straight to each sleep and
 * needs none).
 *
 * @since 0.1.0
 * @category models
 */
export interface RunOptions {
  /**
   * The longest single move of `TestClock`. The clock always moves to the next pending sleep and no further, so the
   * horizon only matters for sleeps further away than it (they are reached in several moves). Default 1 hour.
   */
  readonly horizon?: Duration.DurationInput | undefined
}

/**
 * Waits for a fiber by moving `TestClock` forward, from one pending sleep to the next, until the fiber is done: the
 * clock ends at the instant the last sleep woke, never past it, so state that depends on time (a breaker's open
 * period, a budget window) is exactly what the call left. Dies if the fiber is blocked on something other than time.
 * The effect under test must be driven by the clock alone (no real I/O).
 *
 * @example
 * ```ts
 * import { Testing } from "@rebound/core/testing"
 * import { Clock, Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const fiber = yield* Effect.fork(Effect.sleep("3 seconds"))
 *   yield* Testing.runToCompletion(fiber)
 *   return yield* Clock.currentTimeMillis // 3000: where the sleep ended, not an hour later
 * })
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const runToCompletion = <A, E>(
  fiber: Fiber.RuntimeFiber<A, E>,
  options?: RunOptions
): Effect.Effect<Exit.Exit<A, E>> =>
  Effect.gen(function*() {
    const horizon = Duration.toMillis(Duration.decode(options?.horizon ?? "1 hour"))
    let idle = 0
    while (true) {
      const done = yield* Fiber.poll(fiber)
      if (Option.isSome(done)) return done.value
      if (FiberStatus.isRunning(yield* Fiber.status(fiber)) || idle < 3) {
        idle++
        yield* Effect.yieldNow()
        continue
      }
      const pending = yield* TestClock.sleeps()
      if (Chunk.isEmpty(pending)) {
        if (idle++ < 200) {
          yield* Effect.yieldNow()
          continue
        }
        return yield* Effect.dieMessage("runToCompletion: the fiber is blocked on something other than the clock")
      }
      idle = 0
      const now = yield* Clock.currentTimeMillis
      const next = Chunk.reduce(pending, Infinity, (min, at) => Math.min(min, at))
      // To the instant itself, not `now + (next - now)`, which floating point can leave a hair short of it.
      yield* TestClock.setTime(next - now <= horizon ? next : now + horizon)
    }
  })

/**
 * Runs an effect to completion in virtual time, returning its exit and the virtual time it took.
 *
 * The effect runs in a fiber of its own on a virtual `Clock` that starts at the current clock's time: whenever every
 * fiber of the run is waiting (after one turn of the event loop, so promises the run awaits settle first), time
 * moves straight to the next pending sleep — sleeps ending at the same instant wake in the order they began. An hour
 * of backoff takes a few milliseconds of wall time, where `TestClock` spends several milliseconds of real timer turns
 * on every sleep. When the current clock is a `TestClock` (as under `it.effect`), it is left at the instant the
 * effect ended, so later timelines, breakers and budgets see exactly the time that passed.
 *
 * What it does not cover: the effect must be driven by the clock alone — real I/O that takes longer than an event-loop
 * turn sees time jump past it. Inside the run the clock is not a `TestClock` (`TestClock.adjust` there moves the
 * outer clock, not the run's), and fibers outside the run, sleeping on `TestClock`, wake only when the clock is moved
 * to the end. For those, fork the effect and drive `TestClock` with {@link runToCompletion}.
 *
 * @example
 * ```ts
 * import { Testing } from "@rebound/core/testing"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const { elapsedMillis, exit } = yield* Testing.run(Effect.sleep("1 hour").pipe(Effect.as("done")))
 *   return [elapsedMillis, exit] // 3_600_000, Exit.succeed("done"), in about a millisecond
 * })
 * ```
 *
 * @example
 * ```ts
 * import { Testing } from "@rebound/core/testing"
 * import { Effect } from "effect"
 *
 * // inside it.effect(...):
 * const program = Effect.gen(function*() {
 *   const { elapsedMillis, exit } = yield* Testing.run(Effect.as(Effect.sleep("5 seconds"), "done"))
 *   // elapsedMillis: 5000 of virtual time, in no wall-clock time; exit: Exit.succeed("done")
 *   return { elapsedMillis, exit }
 * })
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const run = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  _options?: RunOptions
): Effect.Effect<{ readonly exit: Exit.Exit<A, E>; readonly elapsedMillis: number }, never, R> =>
  Effect.map(virtualTime.runVirtual(effect), ({ end, exit, start }) => ({ exit, elapsedMillis: end - start }))

/**
 * Seeds the `Random` of an effect (`Effect.withRandom(Random.make(seed))`).
 *
 * @since 0.1.0
 * @category running
 */
export const withSeed = (seed: unknown) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withRandom(effect, Random.make(seed))

/**
 * Pins the draws of an effect's `Random` (`Random.fixed(draws)`, cycling).
 *
 * @since 0.1.0
 * @category running
 */
export const withDraws =
  (draws: Array.NonEmptyReadonlyArray<number>) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.withRandom(effect, Random.fixed([...draws] as [number, ...Array<number>]))

/**
 * What happened during a scripted call.
 *
 * @since 0.1.0
 * @category models
 */
export interface Timeline {
  /** Instant (ms, from the start of the call) of every attempt. */
  readonly attempts: ReadonlyArray<number>
  /** Gaps between consecutive attempts: the delays the policy chose. */
  readonly delays: ReadonlyArray<number>
  /** Instant the call ended. */
  readonly end: number
  readonly exit: Exit.Exit<"ok", CallError.CallError>
  /** Why retries stopped, or `undefined` when the call succeeded. */
  readonly stopReason: CallError.StopReason | undefined
}

/**
 * Options of {@link timeline}.
 *
 * @since 0.1.0
 * @category models
 */
export interface TimelineOptions {
  readonly policy: RetryPolicy.RetryPolicy
  readonly outcomes: Array.NonEmptyReadonlyArray<Outcome>
  /** A seed for `Random.make`. */
  readonly seed?: unknown
  /** Pinned draws for `Random.fixed`; wins over `seed`. */
  readonly draws?: Array.NonEmptyReadonlyArray<number> | undefined
  readonly idempotent?: boolean | undefined
  /**
   * Where quota, budget, limiter and breaker state lives. Default: a fresh in-memory store for this timeline, so
   * timelines never share buckets by accident. Pass one to carry state across timelines.
   */
  readonly store?: StateStore.StateStore | undefined
  /** Labels for the call (keys of guards, telemetry). */
  readonly service?: string | undefined
  readonly operation?: string | undefined
  readonly resource?: string | undefined
}

/**
 * Runs a scripted call under a policy in virtual time ({@link run}) and returns its timeline: the exact instant of
 * every attempt, the delays, how it ended. The `TestClock` in context is left at the instant the call ended.
 *
 * @since 0.1.0
 * @category running
 */
export const timeline = (options: TimelineOptions): Effect.Effect<Timeline> =>
  timelineOf(options, (call) =>
    RetryPolicy.retry(call, options.policy, {
      idempotent: options.idempotent,
      service: options.service ?? "TestService",
      operation: options.operation ?? "TestOperation",
      resource: options.resource
    }))

/**
 * Runs a scripted call through any retrying wrapper (a service method, a custom combinator) and returns its timeline.
 *
 * @since 0.1.0
 * @category running
 */
export const timelineOf = <R>(
  options: Omit<TimelineOptions, "policy">,
  wrap: (call: Effect.Effect<"ok", CallError.CallError>) => Effect.Effect<"ok", CallError.CallError, R>
): Effect.Effect<Timeline, never, R> =>
  Effect.gen(function*() {
    const script = yield* scripted(options.outcomes)
    const randomised = options.draws !== undefined ?
      withDraws(options.draws) :
      withSeed(options.seed ?? "rebound")
    const start = yield* Clock.currentTimeMillis
    const store = options.store ?? StateStore.makeMemory()
    const { elapsedMillis, exit } = yield* run(
      randomised(wrap(script.call)).pipe(Effect.provideService(StateStore.StateStore, store))
    )
    // Instants are relative to the start and rounded to the microsecond, so float noise from a clock that has already
    // moved in earlier runs cannot make two identical timelines differ.
    const attempts = (yield* script.attempts).map((t) => Math.round((t - start) * 1000) / 1000)
    return {
      attempts,
      delays: attempts.slice(1).map((t, i) => Math.round((t - attempts[i]!) * 1000) / 1000),
      end: Math.round(elapsedMillis * 1000) / 1000,
      exit,
      stopReason: Exit.isFailure(exit) ?
        Option.getOrUndefined(Cause.failureOption(exit.cause))?.retries?.stopReason :
        undefined
    }
  })
