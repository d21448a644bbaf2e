import { describe, expect, it } from "@effect/vitest"
import { Tail } from "@rebound/simulator"

// Scenario H in virtual time (deterministic: the same seed gives the same numbers): hedging cuts the tail, and a
// budget keeps a partial outage from becoming a load storm.

const policy = (name: string) => Tail.policies.find((p) => p.name === name)!
const small: Tail.Params = { ...Tail.defaults, calls: 2_000 }
const full = Tail.defaults
const outage: Tail.Params = { ...Tail.partialOutage, calls: 3_000 }

describe("scenario H: a latency tail", () => {
  it("rebound's default hedging cuts p99.9 more than tenfold; Polly's 2 s delay is past this tail and never fires", () => {
    const none = Tail.trial(full, policy("none"), 1)
    const rebound = Tail.trial(full, policy("rebound-p95"), 1)
    const polly = Tail.trial(full, policy("polly"), 1)
    expect(none.delayed).toBeGreaterThan(20)
    expect(none.p999Millis).toBeGreaterThan(1_000)
    expect(rebound.p999Millis * 10).toBeLessThan(none.p999Millis)
    expect(rebound.hedges).toBeGreaterThan(0)
    // Every hedged call ends with its loser cancelled (warm-up calls included in this count).
    expect(rebound.cancelled).toBeGreaterThanOrEqual(rebound.hedges)
    expect(polly.hedges).toBe(0)
    expect(polly.p999Millis).toBe(none.p999Millis)
  })

  it("the first request of every call is the same under every policy (common random numbers)", () => {
    const a = Tail.trial(small, policy("none"), 3)
    const b = Tail.trial(small, policy("none"), 3)
    expect(b).toEqual(a)
  })
})

describe("scenario H: a partial outage (half the requests slow)", () => {
  it("without a budget, hedging storms; with one, extra load stays within it", () => {
    const storm = Tail.trial(outage, policy("fixed-20ms-unbudgeted"), 1)
    const budgeted = Tail.trial(outage, policy("fixed-20ms-budgeted"), 1)
    const rebound = Tail.trial(outage, policy("rebound-p95"), 1)
    // Hedges pay the retry quota (refunded on success), so even with no hedge budget the default's 100-token quota
    // holds the storm below one extra request per call; it is still a storm next to the budgeted policies.
    expect(storm.outageExtraShare).toBeGreaterThan(0.3)
    // Every hedge is paid for: at most `ratio` of the calls (warm-up included) plus the 10 tokens each of the 4
    // clients starts with. No request fails here, so every extra request is a hedge.
    const bound = (ratio: number) => (ratio * (outage.calls + outage.warmupCalls) + 4 * 10) / outage.calls
    expect(budgeted.extraShare).toBeLessThanOrEqual(bound(0.05))
    expect(rebound.extraShare).toBeLessThanOrEqual(bound(0.1))
    expect(storm.extraShare).toBeGreaterThan(bound(0.1))
    expect(rebound.peakLoad).toBeLessThan(storm.peakLoad)
  })
})
