import { describe, expect, it } from "@effect/vitest"
import { Policies, Rng } from "@rebound/simulator"
import { Effect, Random, Schedule, ScheduleDecision, ScheduleIntervals } from "effect"

describe("Policies.jittered20", () => {
  it("gives exactly the delays of Effect's own exponential + union(spaced) + jittered schedule on the same draws", () => {
    for (const [base, cap] of [[10, 2000], [100, 1000], [50, 20_000]] as const) {
      const schedule = Schedule.exponential(base).pipe(Schedule.union(Schedule.spaced(cap)), Schedule.jittered)
      const draws = Rng.stream(base, "jittered")
      const step = Policies.jittered20(base, cap)()
      let state: unknown = schedule.initial
      let now = 1_000
      for (let n = 0; n < 15; n++) {
        const draw = draws.next()
        const [next, , decision] = Effect.runSync(
          Effect.withRandom(schedule.step(now, undefined, state), Random.fixed([draw]))
        )
        state = next
        if (!ScheduleDecision.isContinue(decision)) throw new Error("the schedule stopped")
        const effectDelay = ScheduleIntervals.start(decision.intervals) - now
        // Only the schedule's own `start − now` subtraction separates the two.
        expect(step(now, draw), `base ${base}, retry ${n}`).toBeCloseTo(effectDelay, 9)
        now += effectDelay
      }
    }
  })

  it("stays within ±20 % of the capped exponential", () => {
    const step = Policies.jittered20(10, 2000)()
    expect(step(0, 0)).toBe(8)
    expect(step(0, 0.999999)).toBeCloseTo(24, 3)
  })
})

describe("the policy matrix", () => {
  it("names every policy once per scenario", () => {
    for (const matrix of [Policies.brooker, Policies.drain, Policies.requests]) {
      const names = matrix.map((p) => p.name)
      expect(new Set(names).size).toBe(names.length)
    }
  })

  it("retries until success in scenario A and in B1's textbook curves, and at most their own attempts elsewhere", () => {
    for (const p of Policies.brooker) expect(p.policy.maxAttempts).toBe(Policies.untilSuccess)
    const drain = Object.fromEntries(Policies.drain.map((p) => [p.name, p.policy.maxAttempts]))
    expect(drain["full"]).toBe(Policies.untilSuccess)
    expect(drain["rebound"]).toBe(4)
    expect(drain["aws-js-2026-dynamodb"]).toBe(4)
    const requests = Object.fromEntries(Policies.requests.map((p) => [p.name, p.policy.maxAttempts]))
    expect(requests).toMatchObject({ "none": 1, "full": 3, "immediate-5": 5, "grpc": 4, "rebound": 4 })
  })
})
