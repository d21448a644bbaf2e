import { describe, expect, it } from "@effect/vitest"
import { Presets, RetryPolicy, RetryQuota, StateStore } from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { StandardRetryStrategy } from "@smithy/core/retry"
import { Effect, FastCheck as fc, Ref } from "effect"
import { afterEach, vi } from "vitest"
import { invalidField } from "./helpers.js"

const call = { service: "TestService", operation: "TestOperation" } as const
const tokens = (store: StateStore.StateStore, quota = RetryQuota.aws2026, context: RetryPolicy.CallContext = call) =>
  RetryQuota.current(quota, context).pipe(Effect.provideService(StateStore.StateStore, store))

describe("RetryQuota state machine", () => {
  it("withdraws costs and refunds the last retry's cost, or 1, never above capacity", () => {
    const q = RetryQuota.aws2026
    expect([q.capacity, q.retryCost, q.throttlingRetryCost]).toEqual([500, 14, 5])
    expect(RetryQuota.costOf(q, "transient", false)).toBe(14)
    expect(RetryQuota.costOf(q, "throttling", false)).toBe(5)
    expect(RetryQuota.costOf(RetryQuota.botocoreStandard, "transient", true)).toBe(10)
    expect(RetryQuota.costOf(RetryQuota.botocoreStandard, "transient", false)).toBe(5)
    expect(RetryQuota.withdraw(q, 14, 14)).toBe(0)
    expect(RetryQuota.withdraw(q, 13, 14)).toBeUndefined()
    expect(RetryQuota.refund(q, 486, 14)).toBe(500)
    expect(RetryQuota.refund(q, 499, 14)).toBe(500) // Math.min: the pre-2026 Math.max bug would give 513
    expect(RetryQuota.refund(q, 100, undefined)).toBe(101)
  })

  it("rejects bad options naming the field", () => {
    const bad = (options: RetryQuota.Options) => invalidField(() => RetryQuota.make(options))
    expect(bad({ capacity: -1 })).toBe("capacity")
    expect(bad({ capacity: 0 })).toBe("capacity")
    expect(bad({ capacity: 10, retryCost: 11 })).toBe("retryCost")
    expect(bad({ throttlingRetryCost: -5 })).toBe("throttlingRetryCost")
    expect(bad({ successIncrement: Number.NaN })).toBe("successIncrement")
    expect(bad({ capacity: 10, retryCost: 10 })).toBe("accepted")
  })
})

describe("RetryQuota through a policy, on TestClock", () => {
  it.effect("exact token counts after scripted calls", () =>
    Effect.gen(function*() {
      const store = StateStore.makeMemory()
      const run = (outcomes: Testing.TimelineOptions["outcomes"]) =>
        Testing.timeline({ policy: Presets.awsJs2026, outcomes, store, draws: [0.5] })
      expect(yield* tokens(store)).toBe(500)
      yield* run(["throttle", "throttle", "success"])
      expect(yield* tokens(store)).toBe(495) // −5 −5, then the last retry's 5 refunded
      yield* run(["transient", "success"])
      expect(yield* tokens(store)).toBe(495) // −14, +14
      yield* run(["transient", "transient", "transient"])
      expect(yield* tokens(store)).toBe(467) // −14 −14, a failed call refunds nothing
      yield* run(["success"])
      expect(yield* tokens(store)).toBe(468) // +1
    }))

  it.effect("a storm stops retrying once the quota is spent, and recovers as successes refund it", () =>
    Effect.gen(function*() {
      const store = StateStore.makeMemory()
      const failing = () =>
        Testing.timeline({ policy: Presets.awsJs2026, outcomes: ["transient"], store, draws: [0.5] })
      for (let i = 0; i < 17; i++) {
        const t = yield* failing()
        expect(t.attempts.length).toBe(3)
        expect(t.stopReason).toBe("maxAttempts")
      }
      expect(yield* tokens(store)).toBe(24) // 500 − 17 × 28
      const eighteenth = yield* failing()
      expect(eighteenth.attempts.length).toBe(2)
      expect(eighteenth.stopReason).toBe("quota")
      expect(yield* tokens(store)).toBe(10)
      const drained = yield* failing()
      expect(drained.attempts.length).toBe(1)
      expect(drained.stopReason).toBe("quota")
      for (let i = 0; i < 4; i++) yield* Testing.timeline({ policy: Presets.awsJs2026, outcomes: ["success"], store })
      expect(yield* tokens(store)).toBe(14)
      const recovered = yield* failing()
      expect(recovered.attempts.length).toBe(2)
      expect(yield* tokens(store)).toBe(0)
    }))

  it.effect("keyed per resource: one hot table does not starve another", () =>
    Effect.gen(function*() {
      const store = StateStore.makeMemory()
      const perTable = RetryQuota.make({ name: "per-table", capacity: 28, key: (c) => c.resource ?? c.service })
      const policy = RetryPolicy.modify(Presets.awsJs2026, { quota: perTable })
      const on = (resource: string) =>
        Testing.timeline({ policy, outcomes: ["transient"], store, draws: [0.5], resource })
      expect((yield* on("hot")).attempts.length).toBe(3)
      expect((yield* on("hot")).stopReason).toBe("quota")
      const cold = yield* on("cold")
      expect(cold.attempts.length).toBe(3)
      expect(cold.stopReason).toBe("maxAttempts")
      expect(yield* tokens(store, perTable, { ...call, resource: "cold" })).toBe(0)
    }))

  it.effect.prop(
    "1,000 fibers sharing one quota never drive it negative and never over-admit",
    [
      fc.integer({ min: 1, max: 1000 }),
      fc.integer({ min: 1, max: 500 }),
      fc.integer({ min: 1, max: 50 })
    ],
    ([fibers, capacity, cost]) =>
      Effect.gen(function*() {
        const store = StateStore.makeMemory()
        const quota = RetryQuota.make({
          name: "shared",
          capacity,
          retryCost: Math.min(cost, capacity),
          throttlingRetryCost: Math.min(cost, capacity)
        })
        const policy = RetryPolicy.make({ name: "p", maxAttempts: 2, base: 0, quota })
        const attempts = yield* Ref.make(0)
        const failing = Effect.flatMap(Ref.update(attempts, (n) => n + 1), () =>
          Effect.fail(Testing.failureOf("transient")!))
        yield* Testing.run(
          Effect.forEach(
            Array.from({ length: fibers }),
            () =>
              Effect.exit(RetryPolicy.retry(failing, policy, { service: "S" })),
            { concurrency: "unbounded", discard: true }
          ).pipe(Effect.provideService(StateStore.StateStore, store), Testing.withSeed("fibers"))
        )
        const retries = (yield* Ref.get(attempts)) - fibers
        const price = Math.min(cost, capacity)
        expect(retries).toBe(Math.min(fibers, Math.floor(capacity / price)))
        const left = yield* RetryQuota.current(quota, { service: "S", operation: "unknown" }).pipe(
          Effect.provideService(StateStore.StateStore, store)
        )
        expect(left).toBe(capacity - retries * price)
        expect(left).toBeGreaterThanOrEqual(0)
      }),
    { fastCheck: { numRuns: 25 } }
  )

  it("state is constant-size: a million events leave one number per key", () => {
    const q = RetryQuota.aws2026
    let t = q.capacity
    for (let i = 0; i < 1_000_000; i++) {
      const left = RetryQuota.withdraw(q, t, i % 3 === 0 ? 5 : 14)
      t = left === undefined ? RetryQuota.refund(q, t, undefined) : i % 2 === 0 ? RetryQuota.refund(q, left, 14) : left
    }
    expect(typeof t).toBe("number")
    expect(t).toBeGreaterThanOrEqual(0)
    expect(t).toBeLessThanOrEqual(q.capacity)
  })
})

describe("parity with the AWS SDK for JavaScript's quota", () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it("@smithy/core 3.41.1 StandardRetryStrategy holds the same capacity after the same calls", async () => {
    vi.useFakeTimers()
    const outcome = fc.constantFrom("throttle", "transient", "success" as const)
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(outcome, { minLength: 1, maxLength: 4 }), { maxLength: 60 }),
        async (calls) => {
          const sdk = new StandardRetryStrategy(3)
          let ours = RetryQuota.aws2026.capacity
          for (const outcomes of calls) {
            let token = await sdk.acquireInitialRetryToken("")
            let lastCost: number | undefined
            for (let attempt = 0; attempt < 3; attempt++) {
              const o = outcomes[Math.min(attempt, outcomes.length - 1)]!
              if (o === "success") {
                sdk.recordSuccess(token)
                ours = RetryQuota.refund(RetryQuota.aws2026, ours, lastCost)
                break
              }
              const refreshed = sdk.refreshRetryTokenForRetry(token, {
                errorType: o === "throttle" ? "THROTTLING" : "TRANSIENT"
              }).then((t) => t, () => undefined)
              await vi.runAllTimersAsync()
              const next = await refreshed
              // rebound's decision order: attempts first, then the quota.
              const cost = RetryQuota.costOf(RetryQuota.aws2026, o === "throttle" ? "throttling" : "transient", false)
              const left = attempt + 1 < 3 ? RetryQuota.withdraw(RetryQuota.aws2026, ours, cost) : undefined
              expect(next === undefined).toBe(left === undefined)
              if (next === undefined || left === undefined) break
              ours = left
              lastCost = cost
              token = next
            }
            expect(ours).toBe(sdk.getCapacity())
          }
        }
      ),
      { numRuns: 200 }
    )
  })
})
