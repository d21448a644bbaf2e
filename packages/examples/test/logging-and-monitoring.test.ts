import { describe, expect, it } from "@effect/vitest"
import { Testing } from "@rebound/core/testing"
import { Effect } from "effect"
import { program } from "../src/logging-and-monitoring.js"

describe("logging-and-monitoring example", () => {
  it.effect("exports a span per call and per attempt, an EMF line per call, and counts the retries", () =>
    Effect.gen(function*() {
      const { exit } = yield* Testing.run(program)
      if (exit._tag !== "Success") throw new Error("the example failed")
      const { emfLines, retries, spans } = exit.value
      expect(spans.filter((s) => s.name === "rebound.call")).toHaveLength(3)
      expect(spans.filter((s) => s.name === "rebound.attempt")).toHaveLength(6) // 4 for the first call, 1 each after
      expect(emfLines.map((l) => JSON.parse(l).Attempts)).toEqual([4, 1, 1])
      expect(retries).toBe(2)
    }))
})
