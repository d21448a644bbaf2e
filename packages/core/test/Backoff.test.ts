import { describe, expect, it } from "@effect/vitest"
import { Backoff, InvalidOption } from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { Effect, Random, Schedule } from "effect"

const delays = (backoff: Backoff.Backoff, draws: ReadonlyArray<number>) => {
  let previous: number | undefined
  return draws.map((draw, n) => {
    previous = Backoff.delay(backoff, n, previous, draw)
    return previous
  })
}

describe("Backoff.delay", () => {
  it("none: min(cap, base·factorⁿ)", () => {
    const b = Backoff.make({ base: 100, cap: 1000, jitter: "none" })
    expect(delays(b, [0.3, 0.3, 0.3, 0.3, 0.3])).toEqual([100, 200, 400, 800, 1000])
  })

  it("full: r · min(cap, base·factorⁿ), cap before jitter", () => {
    const b = Backoff.make({ base: 100, cap: 1000, jitter: "full" })
    expect(delays(b, [0.5, 0.5, 0.25, 1, 0.5])).toEqual([50, 100, 100, 800, 500])
  })

  it("full with the cap after the jitter (the pre-2026 JavaScript SDK)", () => {
    const b = Backoff.make({ base: 100, cap: 1000, jitter: "full", capping: "afterJitter" })
    // n = 4: min(1000, 0.5 · 1600) = 800, where cap-before-jitter gives 0.5 · 1000 = 500
    expect(delays(b, [0.5, 0.5, 0.5, 0.5, 0.5])).toEqual([50, 100, 200, 400, 800])
  })

  it("equal: v/2 + r·v/2", () => {
    const b = Backoff.make({ base: 100, cap: 1000, jitter: "equal" })
    expect(delays(b, [0, 1, 0.5, 0, 0])).toEqual([50, 200, 300, 400, 500])
  })

  it("decorrelated: min(cap, uniform(base, previous·3)), previous starting at base", () => {
    const b = Backoff.make({ base: 5, cap: 2000, jitter: "decorrelated" })
    expect(b.factor).toBe(3)
    // 5 + r·(15 − 5), then 5 + r·(previous·3 − 5)
    expect(delays(b, [0.5, 0.5, 1, 0])).toEqual([10, 17.5, 52.5, 5])
    const capped = Backoff.make({ base: 100, cap: 250, jitter: "decorrelated" })
    expect(delays(capped, [1, 1, 1])).toEqual([250, 250, 250])
  })

  it("wholeMillis floors like the AWS SDK for JavaScript", () => {
    const b = Backoff.make({ base: 25, jitter: "full", wholeMillis: true })
    expect(delays(b, [0.5, 0.999])).toEqual([12, 49])
  })

  it("stays a number after thousands of retries: base·2ⁿ overflows, a zero base stays zero", () => {
    // An immediate retry (base 0) run until success against a throttled service can reach retry 1,024 and beyond.
    const immediate = Backoff.make({ base: 0, cap: 2000, jitter: "none" })
    expect(Backoff.delay(immediate, 1100, undefined, 0.5)).toBe(0)
    expect(Backoff.delay(Backoff.make({ base: 0, jitter: "full" }), 1100, undefined, 0.5)).toBe(0)
    const after = Backoff.make({ base: 100, cap: 1000, jitter: "full", capping: "afterJitter" })
    expect(Backoff.delay(after, 1100, undefined, 0)).toBe(0)
    expect(Backoff.delay(after, 1100, undefined, 0.5)).toBe(1000)
    expect(Backoff.delay(Backoff.make({ base: 10, cap: 2000, jitter: "equal" }), 1100, undefined, 0.5)).toBe(1500)
  })

  it("an infinite cap is no cap", () => {
    const b = Backoff.make({ base: 1000, cap: Infinity, jitter: "none" })
    expect(Backoff.delay(b, 30, undefined, 0)).toBe(1000 * 2 ** 30)
  })
})

describe("Backoff.make validation", () => {
  const invalid = (options: Backoff.Options) => {
    try {
      Backoff.make(options)
    } catch (error) {
      if (InvalidOption.isInvalidOptionError(error)) return error
      throw error
    }
    throw new Error("expected an InvalidOptionError")
  }

  it("names the field and the value", () => {
    expect(invalid({ base: -1 }).message).toBe(
      "Backoff.make: option \"base\" must be a non-negative duration; got -1"
    )
    expect(invalid({ base: Number.NaN }).field).toBe("base")
    expect(invalid({ base: "2 seconds", cap: "1 second" })).toMatchObject({
      field: "cap",
      value: "\"1 second\"",
      expected: "a duration ≥ base (2000 millis)"
    })
    expect(invalid({ factor: 0.5 })).toMatchObject({ field: "factor", value: "0.5" })
    expect(invalid({ jitter: "lots" as never })).toMatchObject({ field: "jitter" })
    expect(invalid({ base: "soon" as never })).toMatchObject({ field: "base" })
    expect(invalid({ base: Infinity })).toMatchObject({ field: "base", expected: "a finite duration" })
  })
})

describe("Backoff.toSchedule", () => {
  it.effect("drives Effect.retry with the same delays, drawn from the fiber's Random", () =>
    Effect.gen(function*() {
      const schedule = Backoff.toSchedule(Backoff.make({ base: 100, jitter: "full" })).pipe(
        Schedule.intersect(Schedule.recurs(3))
      )
      const script = yield* Testing.scripted(["transient"])
      yield* Testing.run(
        script.call.pipe(Effect.retry(schedule), Effect.withRandom(Random.fixed([0.5, 0.25, 1])))
      )
      // delays 50, 50, 400
      expect(yield* script.attempts).toEqual([0, 50, 100, 500])
    }))
})
