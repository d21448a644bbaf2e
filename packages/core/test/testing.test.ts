import { describe, expect, it } from "@effect/vitest"
import { CallError, Presets } from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { Cause, Deferred, Effect, Exit, Random } from "effect"

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
})
