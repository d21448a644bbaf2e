import { describe, expect, it } from "@effect/vitest"
import { Presets, RetryBudget, RetryPolicy, StateStore } from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { Effect, TestClock } from "effect"
import { invalidField } from "./helpers.js"

describe("RetryBudget.ratio", () => {
  const budget = RetryBudget.ratio({ ratio: 0.5, minRetriesPerSecond: 0, window: 10_000, slots: 10 })

  it("allows retries up to ratio × requests in the window, then refuses", () => {
    let s = RetryBudget.initial(budget, 0)
    for (let i = 0; i < 4; i++) s = RetryBudget.onRequest(budget, s, 0)
    const verdicts: Array<boolean> = []
    for (let i = 0; i < 3; i++) {
      const [ok, next] = RetryBudget.tryRetry(budget, s, 0)
      verdicts.push(ok)
      s = next
    }
    expect(verdicts).toEqual([true, true, false]) // 0.5 × 4 = 2
  })

  it("forgets requests and retries that slid out of the window", () => {
    let s = RetryBudget.initial(budget, 0)
    for (let i = 0; i < 4; i++) s = RetryBudget.onRequest(budget, s, 0)
    s = RetryBudget.tryRetry(budget, s, 0)[1]
    s = RetryBudget.tryRetry(budget, s, 0)[1]
    // 9.999 s later the slot at t = 0 is still in the window; at 10 s it is gone (and so are its requests).
    expect(RetryBudget.tryRetry(budget, s, 9_999)[0]).toBe(false)
    s = RetryBudget.onRequest(budget, s, 10_000)
    s = RetryBudget.onRequest(budget, s, 10_000)
    expect(RetryBudget.tryRetry(budget, s, 10_000)[0]).toBe(true)
  })

  it("the per-second floor lets quiet clients retry", () => {
    const floor = RetryBudget.ratio({ ratio: 0, minRetriesPerSecond: 1, window: 3_000 })
    let s = RetryBudget.initial(floor, 0)
    const verdicts: Array<boolean> = []
    for (let i = 0; i < 4; i++) {
      const [ok, next] = RetryBudget.tryRetry(floor, s, 0)
      verdicts.push(ok)
      s = next
    }
    expect(verdicts).toEqual([true, true, true, false])
  })

  it("state is constant-size: a million events keep the same ring", () => {
    let s = RetryBudget.initial(RetryBudget.finagle, 0)
    for (let i = 0; i < 1_000_000; i++) {
      const now = i * 7
      s = RetryBudget.onRequest(RetryBudget.finagle, s, now)
      if (i % 5 === 0) s = RetryBudget.tryRetry(RetryBudget.finagle, s, now)[1]
    }
    expect(s._tag).toBe("Ratio")
    if (s._tag === "Ratio") {
      expect(s.requests.length).toBe(10)
      expect(s.retries.length).toBe(10)
      expect(Object.keys(s).sort()).toEqual(["_tag", "index", "requests", "retries", "slotStart"])
    }
  })

  it("rejects a ratio outside [0, 1] and a zero window", () => {
    expect(invalidField(() => RetryBudget.ratio({ ratio: 1.5 }))).toBe("ratio")
    expect(invalidField(() => RetryBudget.ratio({ ratio: -0.1 }))).toBe("ratio")
    expect(invalidField(() => RetryBudget.ratio({ window: 0 }))).toBe("window")
    expect(invalidField(() => RetryBudget.ratio({ slots: 0 }))).toBe("slots")
    expect(invalidField(() => RetryBudget.ratio({ minRetriesPerSecond: -1 }))).toBe("minRetriesPerSecond")
    expect(invalidField(() => RetryBudget.tokens({ maxTokens: 0 }))).toBe("maxTokens")
    expect(invalidField(() => RetryBudget.tokens({ maxTokens: 1001 }))).toBe("maxTokens")
    expect(invalidField(() => RetryBudget.tokens({ tokenRatio: 0 }))).toBe("tokenRatio")
  })
})

describe("RetryBudget.tokens (gRPC retry throttling)", () => {
  it("stops retries once tokens fall to half of maxTokens, and successes earn them back (gRFC A6, no floor)", () => {
    const b = RetryBudget.tokens({ maxTokens: 10, tokenRatio: 0.1 })
    let s = RetryBudget.initial(b, 0)
    const allowed: Array<boolean> = []
    for (let i = 0; i < 7; i++) {
      s = RetryBudget.onOutcome(b, s, false)
      allowed.push(RetryBudget.tryRetry(b, s, 0)[0])
    }
    // 9, 8, 7, 6 > 5 allow; 5, 4, 3 do not
    expect(allowed).toEqual([true, true, true, true, false, false, false])
    for (let i = 0; i < 30; i++) s = RetryBudget.onOutcome(b, s, true)
    expect(s).toMatchObject({ _tag: "Tokens", tokens: 6 })
    expect(RetryBudget.tryRetry(b, s, 0)[0]).toBe(true)
  })

  it("below the line, a floor of minRetriesPerSecond, holding at most that many times its window", () => {
    const b = RetryBudget.tokens({ maxTokens: 10, tokenRatio: 0.1, minRetriesPerSecond: 2, window: 1_000 })
    let s = RetryBudget.initial(b, 0)
    for (let i = 0; i < 10; i++) s = RetryBudget.onOutcome(b, s, false)
    const at = (now: number) => {
      const [allowed, next] = RetryBudget.tryRetry(b, s, now)
      s = next
      return allowed
    }
    // the floor starts full (2 retries) and refills at 2 per second
    expect([at(0), at(0), at(0), at(250), at(500), at(500)]).toEqual([true, true, false, false, true, false])
    expect([at(10_000), at(10_000), at(10_000)]).toEqual([true, true, false])
  })
})

describe("the presets never starve a quiet path", () => {
  // 30 calls, one every 2 seconds, each failing once and then succeeding: a client that calls rarely must still be
  // allowed its retries (Finagle's floor of 10 retries per second).
  for (
    const [name, budget] of [
      ["sre", RetryBudget.sre],
      ["finagle", RetryBudget.finagle],
      ["grpc", RetryBudget.grpc]
    ] as const
  ) {
    it.effect(`RetryBudget.${name}: 30 calls that fail once then succeed all succeed`, () =>
      Effect.gen(function*() {
        const store = StateStore.makeMemory()
        const policy = RetryPolicy.make({ name, maxAttempts: 3, budget })
        let succeeded = 0
        for (let i = 0; i < 30; i++) {
          const t = yield* Testing.timeline({ policy, outcomes: ["transient", "success"], store, draws: [0.5] })
          if (t.stopReason === undefined) succeeded++
          yield* TestClock.adjust("2 seconds")
        }
        expect(succeeded).toBe(30)
      }))
  }

  it.effect("Presets.rebound: 30 calls that fail once then succeed all succeed (its quota refunds each retry)", () =>
    Effect.gen(function*() {
      const store = StateStore.makeMemory()
      let succeeded = 0
      for (let i = 0; i < 30; i++) {
        const t = yield* Testing.timeline({
          policy: Presets.rebound,
          outcomes: ["transient", "success"],
          store,
          draws: [0.5]
        })
        if (t.stopReason === undefined) succeeded++
        yield* TestClock.adjust("2 seconds")
      }
      expect(succeeded).toBe(30)
    }))
})

describe("RetryBudget through a policy", () => {
  it.effect("stops retries with stop reason budget", () =>
    Effect.gen(function*() {
      const store = StateStore.makeMemory()
      const policy = RetryPolicy.make({
        name: "budgeted",
        maxAttempts: 5,
        budget: RetryBudget.ratio({ ratio: 0.5, minRetriesPerSecond: 0, window: 60_000 })
      })
      const run = (outcomes: Testing.TimelineOptions["outcomes"]) =>
        Testing.timeline({ policy, outcomes, store, draws: [0.5] })
      yield* run(["success"])
      yield* run(["success"])
      yield* run(["success"])
      // 4 requests → 2 retries allowed in the window
      const t = yield* run(["transient"])
      expect(t.attempts.length).toBe(3)
      expect(t.stopReason).toBe("budget")
    }))
})
