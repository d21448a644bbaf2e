import { describe, expect, it } from "@effect/vitest"
import { AdaptiveLimiter, Presets, RetryPolicy, StateStore } from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { DefaultRateLimiter } from "@smithy/core/retry"
import { Effect, FastCheck as fc, Option, Ref } from "effect"
import { afterEach, vi } from "vitest"
import { invalidField } from "./helpers.js"

const L = AdaptiveLimiter.aws

describe("AdaptiveLimiter parity with the AWS SDK for JavaScript", () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it("computes the same rates as @smithy/core 3.41.1 DefaultRateLimiter on the same (time, throttled?) events", () => {
    const event = fc.record({ gapMillis: fc.integer({ min: 0, max: 3_000 }), throttled: fc.boolean() })
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.array(event, { maxLength: 120 }), (start, events) => {
        let now = 1_700_000_000_000 + start
        vi.spyOn(Date, "now").mockImplementation(() => now)
        const sdk = new DefaultRateLimiter() as unknown as Record<string, number | boolean> & {
          updateClientSendingRate: (r: unknown) => void
        }
        let ours = AdaptiveLimiter.initial(L, now)
        for (const e of events) {
          now += e.gapMillis
          sdk.updateClientSendingRate(e.throttled ? { errorType: "THROTTLING" } : {})
          ours = AdaptiveLimiter.update(L, ours, now, e.throttled)
          expect({
            enabled: ours.enabled,
            fillRate: ours.fillRate,
            maxCapacity: ours.maxCapacity,
            measuredTxRate: ours.measuredTxRate,
            lastMaxRate: ours.lastMaxRate,
            timeWindow: ours.timeWindow
          }).toEqual({
            enabled: sdk.enabled,
            fillRate: sdk.fillRate,
            maxCapacity: sdk.maxCapacity,
            measuredTxRate: sdk.measuredTxRate,
            lastMaxRate: sdk.lastMaxRate,
            timeWindow: sdk.timeWindow
          })
        }
        vi.restoreAllMocks()
      }),
      { numRuns: 300 }
    )
  })
})

describe("AdaptiveLimiter as a state machine", () => {
  it("is inactive until the first throttle, then cuts the rate by β", () => {
    let s = AdaptiveLimiter.initial(L, 0)
    for (let t = 0; t < 10_000; t += 100) s = AdaptiveLimiter.update(L, s, t, false)
    expect(s.enabled).toBe(false)
    expect(AdaptiveLimiter.reserve(L, s, 10_000)[0]).toBe(0)
    expect(s.measuredTxRate).toBeCloseTo(10, 0)
    s = AdaptiveLimiter.update(L, s, 10_000, true)
    expect(s.enabled).toBe(true)
    expect(s.fillRate).toBeCloseTo(0.7 * s.lastMaxRate, 6)
  })

  it("serves reservations in order, each waiting for its own token", () => {
    let s = AdaptiveLimiter.initial(L, 0)
    s = AdaptiveLimiter.update(L, s, 0, true) // measured rate 0 → fill rate at its 0.5/s floor
    expect(s.fillRate).toBe(0.5)
    const waits: Array<number> = []
    for (let i = 0; i < 4; i++) {
      const [w, next] = AdaptiveLimiter.reserve(L, s, 0)
      waits.push(w)
      s = next
    }
    // the first reserve only starts the clock of the bucket (as the SDK's first refill does): every token is owed
    expect(waits).toEqual([2000, 4000, 6000, 8000])
    s = AdaptiveLimiter.cancel(s)
    expect(AdaptiveLimiter.reserve(L, s, 0)[0]).toBe(8000)
  })

  it("state is constant-size after a million events", () => {
    let s = AdaptiveLimiter.initial(L, 0)
    const keys = Object.keys(s).sort()
    for (let i = 0; i < 1_000_000; i++) s = AdaptiveLimiter.update(L, s, i * 3, i % 97 === 0)
    expect(Object.keys(s).sort()).toEqual(keys)
    expect(Number.isFinite(s.fillRate)).toBe(true)
  })

  it("rejects bad options naming the field", () => {
    const field = (options: AdaptiveLimiter.Options) => invalidField(() => AdaptiveLimiter.make(options))
    expect(field({ beta: 1.5 })).toBe("beta")
    expect(field({ minFillRate: 0 })).toBe("minFillRate")
    expect(field({ smooth: -1 })).toBe("smooth")
    expect(field({ scaleConstant: 0 })).toBe("scaleConstant")
  })
})

describe("AdaptiveLimiter through a policy, on TestClock", () => {
  it.effect("waiting fibers are served FIFO on Clock, re-estimating as the rate rises, and the rate is observable", () =>
    Effect.gen(function*() {
      const store = StateStore.makeMemory()
      const policy = RetryPolicy.modify(Presets.awsJs2026Adaptive, { maxAttempts: 1 })
      const call = { service: "Lambda", operation: "Invoke" }
      // One throttle engages the limiter at its floor rate of 0.5/s.
      yield* Testing.timeline({ policy, outcomes: ["throttle"], store, service: "Lambda", operation: "Invoke" })
      const state = yield* AdaptiveLimiter.current(policy.limiter!, call).pipe(
        Effect.provideService(StateStore.StateStore, store)
      )
      expect(Option.map(state, (s) => [s.enabled, s.fillRate])).toEqual(Option.some([true, 0.5]))
      const starts = yield* Ref.make<ReadonlyArray<readonly [number, number]>>([])
      const ok = (i: number) =>
        Effect.flatMap(
          Effect.clockWith((c) => c.currentTimeMillis),
          (t) => Ref.update(starts, (xs) => [...xs, [i, t] as const])
        )
      const { elapsedMillis } = yield* Testing.run(
        Effect.forEach(
          [0, 1, 2, 3],
          (i) => RetryPolicy.retry(ok(i), policy, call),
          { concurrency: "unbounded", discard: true }
        ).pipe(Effect.provideService(StateStore.StateStore, store))
      )
      const order = yield* Ref.get(starts)
      // FIFO: served in the order they asked.
      expect(order.map(([i]) => i)).toEqual([0, 1, 2, 3])
      const offsets = order.map(([, t]) => t - order[0]![1])
      expect(offsets.every((t, i) => i === 0 || t > offsets[i - 1]!)).toBe(true)
      // Booked at the 0.5/s floor they would start at 2, 4 and 6 s; each success raises the rate and the waiters
      // re-estimate, so they start sooner.
      expect(offsets[3]!).toBeLessThan(6000)
      expect(elapsedMillis).toBeGreaterThan(0)
    }))
})
