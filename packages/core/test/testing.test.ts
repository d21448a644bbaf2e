import { describe, expect, it } from "@effect/vitest"
import { CallError, Presets, RetryPolicy } from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { Cause, Clock, Deferred, Effect, Exit, Fiber, Random, TestClock } from "effect"

describe("@rebound/core/testing", () => {
  it.effect("the README example: throttles back off from 1 s, transient failures from 50 ms", () =>
    Effect.gen(function*() {
      const timeline = yield* Testing.timeline({
        policy: Presets.awsJs2026,
        outcomes: ["throttle", "transient", "success"],
        draws: [0.5]
      })
      expect(timeline.attempts).toEqual([0, 500, 550])
      expect(timeline.delays).toEqual([500, 50])
      expect(timeline.exit).toEqual(Exit.succeed("ok"))
    }))

  it.effect("scripted outcomes map to the documented failures; the last outcome repeats", () =>
    Effect.gen(function*() {
      const script = yield* Testing.scripted(["throttle", "ambiguous"])
      const first = yield* Effect.flip(script.call)
      const second = yield* Effect.flip(script.call)
      const third = yield* Effect.flip(script.call)
      expect(first).toBeInstanceOf(CallError.ThrottlingError)
      expect(second).toMatchObject({ _tag: "TransientError", ambiguous: true, code: "ECONNRESET" })
      expect(third).toMatchObject({ _tag: "TransientError", ambiguous: true })
      expect(yield* script.attempts).toEqual([0, 0, 0])
    }))

  it.effect("run reports the virtual time the effect took", () =>
    Effect.gen(function*() {
      const { elapsedMillis, exit } = yield* Testing.run(Effect.sleep("3 seconds").pipe(Effect.as(42)))
      expect(exit).toEqual(Exit.succeed(42))
      expect(elapsedMillis).toBe(3000)
    }))

  it.effect("runToCompletion refuses to spin when the fiber waits on something other than time", () =>
    Effect.gen(function*() {
      const never = yield* Deferred.make<void>()
      const fiber = yield* Effect.fork(Deferred.await(never))
      const exit = yield* Effect.exit(Testing.runToCompletion(fiber))
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
    }))

  it.effect("seeded runs are reproducible and differ across seeds", () =>
    Effect.gen(function*() {
      const draw = (seed: string) => Random.next.pipe(Testing.withSeed(seed))
      expect(yield* draw("a")).toBe(yield* draw("a"))
      expect(yield* draw("a")).not.toBe(yield* draw("b"))
    }))

  it.effect("an hour of backoff: exact instants, the call's end, and TestClock left there", () =>
    Effect.gen(function*() {
      const policy = RetryPolicy.make({
        name: "an hour",
        maxAttempts: 13,
        base: 3_600_000 / 4095,
        factor: 2,
        cap: "1 hour",
        jitter: "none",
        retryAfter: false
      })
      const before = yield* Clock.currentTimeMillis
      const timeline = yield* Testing.timeline({ policy, outcomes: ["transient"] })
      expect(timeline.attempts).toHaveLength(13)
      expect(timeline.delays.map((d) => Math.round(d * 4095 / 3_600_000))).toEqual(
        Array.from({ length: 12 }, (_, i) => 2 ** i)
      )
      expect(timeline.end).toBeCloseTo(3_600_000, 6)
      expect(timeline.stopReason).toBe("maxAttempts")
      expect((yield* Clock.currentTimeMillis) - before).toBeCloseTo(3_600_000, 6)
    }))

  it.effect("run: concurrent sleeps wake in the order of their instants, ties in the order they began", () =>
    Effect.gen(function*() {
      const woke: Array<string> = []
      const sleeper = (name: string, millis: number) =>
        Effect.sleep(millis).pipe(
          Effect.zipRight(Clock.currentTimeMillis),
          Effect.map((t) => woke.push(`${name}@${t}`))
        )
      const start = yield* Clock.currentTimeMillis
      const { elapsedMillis, exit } = yield* Testing.run(
        Effect.all([sleeper("c", 300), sleeper("a", 100), sleeper("b", 100), sleeper("d", 300)], {
          concurrency: "unbounded"
        })
      )
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(elapsedMillis).toBe(300)
      expect(woke).toEqual([`a@${start + 100}`, `b@${start + 100}`, `c@${start + 300}`, `d@${start + 300}`])
    }))

  it.effect("run: a promise the effect awaits settles before time moves on", () =>
    Effect.gen(function*() {
      const { elapsedMillis, exit } = yield* Testing.run(
        Effect.race(
          Effect.promise(() => Promise.resolve().then(() => "promise")),
          Effect.sleep("1 millis").pipe(Effect.as("timer"))
        )
      )
      expect(exit).toEqual(Exit.succeed("promise"))
      expect(elapsedMillis).toBe(0)
    }))

  it.effect("run: interrupting the caller interrupts the run and ends its sleeps", () =>
    Effect.gen(function*() {
      const started = yield* Deferred.make<void>()
      const finalized = yield* Deferred.make<void>()
      const fiber = yield* Effect.fork(Testing.run(
        Deferred.succeed(started, undefined).pipe(
          Effect.zipRight(Effect.never),
          Effect.onInterrupt(() => Deferred.succeed(finalized, undefined))
        )
      ))
      yield* Deferred.await(started)
      yield* Fiber.interrupt(fiber)
      expect(yield* Deferred.isDone(finalized)).toBe(true)
      expect(Array.from(yield* TestClock.sleeps())).toEqual([])
    }))
})
