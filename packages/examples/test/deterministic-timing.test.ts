import { describe, expect, it } from "@effect/vitest"
import { Testing } from "@rebound/core/testing"
import { Effect, Exit } from "effect"
import { check, expected, fetchPrice } from "../src/deterministic-timing.js"

// The example's own check, and the same check written as a test: how to time-test your own code with rebound.
describe("deterministic timing tests", () => {
  it.effect("the example's check sees the exact instants", () =>
    Effect.gen(function*() {
      const timeline = yield* check
      expect(timeline.attempts).toEqual(expected.attempts)
      expect(timeline.stopReason).toBe(expected.stopReason)
    }))

  it.effect("fetchPrice backs off from 1 s after a throttle and from 50 ms after a 503", () =>
    Effect.gen(function*() {
      const timeline = yield* Testing.timelineOf(
        { outcomes: ["throttle", "transient", "success"], draws: [0.5] },
        fetchPrice
      )
      expect(timeline.attempts).toEqual([0, 500, 550])
      expect(timeline.exit).toEqual(Exit.succeed("ok"))
    }))

  it.effect("fetchPrice gives up after 4 attempts and says so", () =>
    Effect.gen(function*() {
      const timeline = yield* Testing.timelineOf({ outcomes: ["throttle"], draws: [1] }, fetchPrice)
      // every draw pinned at 1: 1 × 1000, 1 × 2000, 1 × 4000 ms
      expect(timeline.delays).toEqual([1000, 2000, 4000])
      expect(timeline.stopReason).toBe("maxAttempts")
    }))
})
