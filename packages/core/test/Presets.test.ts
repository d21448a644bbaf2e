import { describe, expect, it } from "@effect/vitest"
import { AdaptiveLimiter, Presets, RetryPolicy } from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { StandardRetryStrategy } from "@smithy/core/retry"
import { StandardRetryStrategy as Pre2026StandardRetryStrategy } from "@smithy/util-retry"
import { Effect, FastCheck as fc } from "effect"
import { afterEach, beforeEach, vi } from "vitest"

const cumulative = (delays: ReadonlyArray<number>) =>
  delays.reduce<Array<number>>((acc, d) => [...acc, acc.at(-1)! + d], [0])

describe("presets on TestClock, with every draw pinned at 0.5", () => {
  const run = (policy: RetryPolicy.RetryPolicy, outcome: "transient" | "throttle") =>
    Testing.timeline({ policy, outcomes: [outcome], draws: [0.5] })

  it.effect("AWS SDK for JavaScript, 2026: floor(r·min(50·2ⁿ, 20000)); throttling base 1000; 3 attempts", () =>
    Effect.gen(function*() {
      expect((yield* run(Presets.awsJs2026, "transient")).attempts).toEqual(cumulative([25, 50]))
      const throttled = yield* run(Presets.awsJs2026, "throttle")
      expect(throttled.attempts).toEqual(cumulative([500, 1000]))
      expect(throttled.stopReason).toBe("maxAttempts")
    }))

  it.effect("JavaScript 2026 DynamoDB: 4 attempts from a 25 ms base", () =>
    Effect.gen(function*() {
      expect((yield* run(Presets.awsJs2026DynamoDB, "transient")).attempts).toEqual(cumulative([12, 25, 50]))
      expect((yield* run(Presets.awsJs2026DynamoDB, "throttle")).attempts).toEqual(cumulative([500, 1000, 2000]))
    }))

  it.effect("JavaScript before 2026: base 100, throttling 500", () =>
    Effect.gen(function*() {
      expect((yield* run(Presets.awsJsPre2026, "transient")).attempts).toEqual(cumulative([50, 100]))
      expect((yield* run(Presets.awsJsPre2026, "throttle")).attempts).toEqual(cumulative([250, 500]))
    }))

  it.effect("botocore legacy: 5 attempts, rand·2ⁿ s, no cap", () =>
    Effect.gen(function*() {
      expect((yield* run(Presets.botocoreLegacy, "transient")).attempts).toEqual(cumulative([500, 1000, 2000, 4000]))
    }))

  it.effect("botocore legacy DynamoDB: 10 attempts at 50 ms·2ⁿ without jitter, 25.55 s in all", () =>
    Effect.gen(function*() {
      const timeline = yield* run(Presets.botocoreLegacyDynamoDB, "throttle")
      expect(timeline.delays).toEqual([50, 100, 200, 400, 800, 1600, 3200, 6400, 12800])
      expect(timeline.end).toBe(25_550)
    }))

  it.effect("botocore standard: rand·min(2ⁿ, 20) s; the 2026 flag: 50 ms, 1 s throttling, DynamoDB 25 ms × 4", () =>
    Effect.gen(function*() {
      expect((yield* run(Presets.botocoreStandard, "transient")).attempts).toEqual(cumulative([500, 1000]))
      expect((yield* run(Presets.botocoreStandard2026, "transient")).attempts).toEqual(cumulative([25, 50]))
      expect((yield* run(Presets.botocoreStandard2026, "throttle")).attempts).toEqual(cumulative([500, 1000]))
      expect((yield* run(Presets.botocoreStandard2026DynamoDB, "transient")).attempts).toEqual(
        cumulative([12.5, 25, 50])
      )
    }))

  it.effect("rebound: transient ×1.5 up to 2 s, throttling from 250 ms ×2, 4 attempts, no breaker", () =>
    Effect.gen(function*() {
      // 0.5 · 50 · 1.5ⁿ
      expect((yield* run(Presets.rebound, "transient")).delays).toEqual([25, 37.5, 56.25])
      // 0.5 · 250 · 2ⁿ
      const throttled = yield* run(Presets.rebound, "throttle")
      expect(throttled.delays).toEqual([125, 250, 500])
      expect(throttled.stopReason).toBe("maxAttempts")
      const long = RetryPolicy.modify(Presets.rebound, { maxAttempts: 12, maxElapsed: undefined })
      // no breaker: a run of transient failures goes on until the quota is spent (100 tokens at 14 a retry: 7)
      const failing = yield* Testing.timeline({ policy: long, outcomes: ["transient"], draws: [1] })
      // (Duration keeps a delay to the microsecond)
      expect(failing.delays).toEqual([50, 75, 112.5, 168.75, 253.125, 379.688, 569.531])
      expect(failing.stopReason).toBe("quota")
      expect(Presets.rebound.breaker).toBeUndefined()
      expect(Presets.rebound.limiter).toBe(AdaptiveLimiter.rebound)
      // throttling retries are free: the limiter paces them
      expect([
        Presets.rebound.quota?.capacity,
        Presets.rebound.quota?.retryCost,
        Presets.rebound.quota?.throttlingRetryCost
      ])
        .toEqual([100, 14, 0])
      expect(Presets.rebound.maxElapsedMillis).toBe(20_000)
    }))

  it.effect("none: one attempt", () =>
    Effect.gen(function*() {
      const timeline = yield* run(Presets.none, "throttle")
      expect(timeline.attempts).toEqual([0])
      expect(timeline.stopReason).toBe("maxAttempts")
    }))

  it.effect("the 20 s cap: before jitter in 2026, after jitter before 2026", () =>
    Effect.gen(function*() {
      const long2026 = RetryPolicy.modify(Presets.awsJs2026, { maxAttempts: 11 })
      const longPre = RetryPolicy.modify(Presets.awsJsPre2026, { maxAttempts: 11 })
      const a = yield* Testing.timeline({ policy: long2026, outcomes: ["transient"], draws: [0.999] })
      expect(a.delays).toEqual([49, 99, 199, 399, 799, 1598, 3196, 6393, 12787, 19980])
      const b = yield* Testing.timeline({ policy: longPre, outcomes: ["transient"], draws: [0.999] })
      expect(b.delays).toEqual([99, 199, 399, 799, 1598, 3196, 6393, 12787, 20000, 20000])
    }))

  it("every preset names the SDK and version it copies", () => {
    for (const preset of Presets.all.filter((p) => p.name !== "none" && p.name !== "rebound")) {
      expect(preset.description, preset.name).toMatch(/\d+\.\d+\.\d+/)
    }
  })
})

/**
 * The SDK's own strategies as oracles: for the same draws, rebound's decision must choose the same delay. The SDK
 * draws from Math.random and sleeps inside `refreshRetryTokenForRetry`, so both are faked.
 */
describe("parity with the AWS SDK for JavaScript", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 })
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
  })

  type Step = { readonly throttling: boolean; readonly draw: number; readonly retryAfterMillis: number | undefined }
  const step = fc.record({
    throttling: fc.boolean(),
    draw: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    retryAfterMillis: fc.option(fc.integer({ min: 0, max: 40_000 }), { nil: undefined })
  })

  const reboundDelays = (policy: RetryPolicy.RetryPolicy, steps: ReadonlyArray<Step>) => {
    let state = RetryPolicy.initialState
    const out: Array<number | "stop"> = []
    for (const s of steps) {
      state = RetryPolicy.attempted(state)
      const decision = RetryPolicy.decide(
        policy,
        state,
        {
          failureClass: s.throttling ? "throttling" : "transient",
          ambiguous: false,
          retryAfterMillis: s.retryAfterMillis,
          retryable: undefined,
          idempotent: false
        },
        0,
        s.draw
      )
      if (decision._tag === "Stop") {
        out.push("stop")
        break
      }
      out.push(decision.delayMillis)
      state = RetryPolicy.advance(state, decision.delayMillis)
    }
    return out
  }

  interface SdkToken {
    readonly getRetryDelay: () => number
    readonly $retryLog?: { acquisitionDelay?: number }
  }
  interface SdkStrategy<T extends SdkToken> {
    readonly acquireInitialRetryToken: (scope: string) => Promise<T>
    readonly refreshRetryTokenForRetry: (
      token: T,
      info: { errorType: "THROTTLING" | "TRANSIENT"; retryAfterHint?: Date }
    ) => Promise<T>
  }

  /** Drives an SDK strategy through the steps; the 2026 one sleeps inside refresh, so fake timers are run. */
  const sdkDelays = async <T extends SdkToken>(
    strategy: SdkStrategy<T>,
    steps: ReadonlyArray<Step>,
    delayOf: (token: T) => number
  ) => {
    let token = await strategy.acquireInitialRetryToken("")
    const out: Array<number | "stop"> = []
    for (const s of steps) {
      vi.spyOn(Math, "random").mockImplementation(() => s.draw)
      const refreshed = strategy.refreshRetryTokenForRetry(token, {
        errorType: s.throttling ? "THROTTLING" : "TRANSIENT",
        ...(s.retryAfterMillis !== undefined ? { retryAfterHint: new Date(Date.now() + s.retryAfterMillis) } : {})
      }).then((t) => t, () => "stop" as const)
      await vi.runAllTimersAsync()
      const next = await refreshed
      if (next === "stop") {
        out.push("stop")
        break
      }
      out.push(delayOf(next))
      token = next
    }
    return out
  }

  it("2026: @smithy/core 3.41.1 StandardRetryStrategy chooses the same delays", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 4 }), async (steps) => {
        const sdk = await sdkDelays(new StandardRetryStrategy(3), steps, (t) => t.$retryLog?.acquisitionDelay ?? -1)
        expect(reboundDelays(Presets.awsJs2026, steps)).toEqual(sdk)
      }),
      { numRuns: 300 }
    )
  })

  it("before 2026: @smithy/util-retry 4.2.5 StandardRetryStrategy chooses the same delays", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 4 }), async (steps) => {
        const sdk = await sdkDelays(new Pre2026StandardRetryStrategy(3), steps, (t) => t.getRetryDelay())
        expect(reboundDelays(Presets.awsJsPre2026, steps)).toEqual(sdk)
      }),
      { numRuns: 300 }
    )
  })
})

describe("parity, continued on TestClock", () => {
  it.effect("and under TestClock the 2026 preset sleeps exactly those delays", () =>
    Effect.gen(function*() {
      const timeline = yield* Testing.timeline({
        policy: Presets.awsJs2026,
        outcomes: ["throttle", { throttle: { retryAfter: "3 seconds" } }, "success"],
        draws: [0.01, 0.37]
      })
      // floor(0.01·1000) = 10; then max(floor(0.37·2000) = 740, min(3000, 5740)) = 3000
      expect(timeline.delays).toEqual([10, 3000])
    }))
})
