// The fleet scenario's must-show numbers, per-process state beside fleet state, on fixed seeds (deterministic).
import { describe, expect, it } from "@effect/vitest"
import { AdaptiveLimiter, Presets, RetryPolicy } from "@rebound/core"
import { Fleet, Outage, Policies, Tail, Throttled } from "@rebound/simulator"

const mean = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0) / xs.length

/** The adaptive preset with a faster, gentler CUBIC (β 0.8, scale 4): what the fleet limiter is run with. */
const fleetLimiter = Policies.of(
  "adaptive-0.8-4",
  "AWS JS adaptive 2026, limiter β 0.8, scale 4",
  RetryPolicy.modify(Presets.awsJs2026Adaptive, {
    name: "adaptive-0.8-4",
    limiter: AdaptiveLimiter.make({ name: "fleet", beta: 0.8, scaleConstant: 4 })
  })
)

describe("fleet scenario", () => {
  it(
    "B1, 10 processes × 5 workers, 2,000 items, R = 100/s: the fleet store meets the drain goal; per-process does not",
    () => {
      const params = { ...Throttled.drainDefaults, clients: 50, instances: 10, items: 2000 }
      const bound = Throttled.drainBound(params)
      const seeds = [1, 2, 3, 4, 5]
      const run = (fleet: boolean) => {
        const trials = seeds.map((seed) =>
          Throttled.drain(
            params,
            fleetLimiter,
            seed,
            fleet ? Fleet.makeClients(Fleet.storeDefaults, seed) : Fleet.perProcess
          )
        )
        return {
          ratio: mean(trials.map((t) => t.completionSeconds)) / bound,
          amplification: mean(trials.map((t) => t.amplification)),
          jain: mean(trials.map((t) => t.jain))
        }
      }
      const perProcess = run(false)
      const fleet = run(true)
      console.log(`B1 fleet: ${JSON.stringify(fleet)}; per-process: ${JSON.stringify(perProcess)}`)
      expect(fleet.ratio).toBeLessThanOrEqual(1.1)
      expect(fleet.amplification).toBeLessThanOrEqual(1.2)
      expect(fleet.jain).toBeGreaterThanOrEqual(0.9)
      expect(perProcess.ratio).toBeGreaterThan(1.1)
    },
    120_000
  )

  it("C1, 100 processes: one fleet quota keeps the outage load within 1.1× offered; per-process quotas do not", () => {
    const params = { ...Outage.defaults, clients: 100 }
    const policy = Policies.of("aws-js-2026", "AWS JS standard, 2026", Presets.awsJs2026)
    const perProcess = Outage.trial(params, policy, 1, Fleet.perProcess)
    const fleet = Outage.trial(params, policy, 1, Fleet.makeClients(Fleet.storeDefaults, 1))
    console.log(`C1 fleet ${fleet.outageLoad.toFixed(3)}×, per-process ${perProcess.outageLoad.toFixed(3)}×`)
    expect(fleet.outageLoad).toBeLessThanOrEqual(1.1)
    expect(perProcess.outageLoad).toBeGreaterThan(1.5)
  }, 120_000)

  it("a hedging policy on fleet clients: the quota is the fleet's, each process's hedge budget stays its own", () => {
    // Scenario H's latency tail with rebound's default hedging, whose policy carries a retry quota (a fleet key) and a
    // hedge budget (kept local, as `FleetStore.make` keeps every key that is not one of the four retry guards).
    const params = { ...Tail.defaults, calls: 2_000 }
    const policy = Tail.policies.find((p) => p.name === "rebound-p95")!
    expect(policy.policy.quota).toBeDefined()
    const clients = Fleet.makeClients(Fleet.storeDefaults, 1)
    const fleet = Tail.trial(params, policy, 1, clients)
    const own = Tail.trial(params, policy, 1)
    expect(clients.counters.syncs).toBeGreaterThan(0)
    expect(fleet.hedges).toBeGreaterThan(0)
    // No request fails, so the quota never runs short and no fleet state changes a decision: the hedge budgets,
    // per process in both runs, decide the same hedges (only the event count differs: the fleet's syncs are events).
    expect({ ...fleet, events: 0 }).toEqual({ ...own, events: 0 })
  })
})
