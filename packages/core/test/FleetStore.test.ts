import { describe, expect, it } from "@effect/vitest"
import {
  AdaptiveLimiter,
  CircuitBreaker,
  FleetStore,
  RetryBudget,
  RetryEvent,
  RetryPolicy,
  RetryQuota,
  StateStore
} from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { Duration, Effect, Exit, FastCheck as fc, Layer, Option, Ref } from "effect"
import * as adaptiveLimiter from "../src/internal/adaptiveLimiter.js"
import * as retryBudget from "../src/internal/retryBudget.js"
import * as retryQuota from "../src/internal/retryQuota.js"

const transient = Testing.failureOf("transient")!
const context = { service: "Orders", operation: "PutItem", resource: "orders", scope: "orders-fleet" } as const

/** A call whose every attempt fails transiently; counts the attempts sent. */
const failing = (attempts: Ref.Ref<number>) =>
  Effect.zipRight(Ref.update(attempts, (n) => n + 1), Effect.fail(transient))

const quickly = { syncInterval: "5 millis", syncTimeout: "50 millis" } as const

/** Waits (live clock) until `check` holds, polling every few milliseconds. */
const eventually = <A>(read: Effect.Effect<A>, check: (a: A) => boolean): Effect.Effect<A> =>
  Effect.flatMap(
    read,
    (a) => check(a) ? Effect.succeed(a) : Effect.zipRight(Effect.sleep("2 millis"), eventually(read, check))
  )

describe("quota leases (pure)", () => {
  const quota = RetryQuota.make({ name: "q", capacity: 100, retryCost: 10, throttlingRetryCost: 5 })

  it("a process asks for its target, gets it from the pool, and gives back its surplus", () => {
    const [report, kept] = retryQuota.prepareLease(quota, 20, 0)
    expect([report, kept]).toEqual([{ held: 20, returned: 0, want: 0 }, 20])
    const [fleet, granted] = retryQuota.mergeLease(quota, undefined, "a", { held: 0, returned: 0, want: 20 }, 0, 1000)
    expect([fleet.pool, granted]).toEqual([80, 20])
    // Spent 30 since the last sync: the target doubles it; 70 held gives back 10.
    expect(retryQuota.prepareLease(quota, 70, 30)).toEqual([{ held: 60, returned: 10, want: 0 }, 60])
  })

  it("the fleet never lends more than the capacity once every process has synced, and takes back the excess", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ process: fc.integer({ min: 0, max: 6 }), spend: fc.integer({ min: 0, max: 40 }) }),
          { minLength: 1, maxLength: 200 }
        ),
        (steps) => {
          // Each process starts with a provisional lease (two retries' worth) the fleet learns of at its first report.
          const held = [20, 20, 20, 20, 20, 20, 20]
          const reported = new Set<number>()
          let fleet: retryQuota.QuotaFleet | undefined = undefined
          let now = 0
          for (const { process, spend } of steps) {
            const spent = Math.min(spend, held[process]!)
            held[process] = held[process]! - spent
            const [prepared, kept] = retryQuota.prepareLease(quota, held[process]!, spent)
            const report = reported.has(process) ? prepared : { ...prepared, provisional: 20 }
            reported.add(process)
            const [next, granted] = retryQuota.mergeLease(quota, fleet, `p${process}`, report, now++, 1e9)
            fleet = next
            held[process] = retryQuota.adoptLease(kept, granted)
            const leased = Object.values(next.leases).reduce((a, l) => a + l.tokens, 0)
            // Lent and spent never exceed the capacity once the fleet knows every process: the pool is empty while
            // provisional slices beyond it are being taken back.
            if (next.pool < 0 || (next.pool > 0 && next.pool + leased > quota.capacity)) return false
            if (held[process] !== next.leases[`p${process}`]!.tokens) return false
          }
          return true
        }
      )
    )
  })

  it("a lease not renewed within the lease time goes back to the pool", () => {
    const [first] = retryQuota.mergeLease(quota, undefined, "a", { held: 0, returned: 0, want: 20 }, 0, 1000)
    const [later, granted] = retryQuota.mergeLease(quota, first, "b", { held: 0, returned: 0, want: 20 }, 2000, 1000)
    expect(granted).toBe(20)
    expect(later.leases.a).toBeUndefined()
    expect(later.pool).toBe(80)
  })
})

describe("limiter and budget deltas (pure)", () => {
  it("observe reads exactly what update fed the controller, and nothing from a reservation", () => {
    const limiter = AdaptiveLimiter.aws
    fc.assert(
      fc.property(
        fc.array(fc.record({ dt: fc.integer({ min: 1, max: 2000 }), throttled: fc.boolean() }), { maxLength: 60 }),
        (steps) => {
          let state = AdaptiveLimiter.initial(limiter, 0)
          let now = 0
          for (const { dt, throttled } of steps) {
            now += dt
            const [, reserved] = AdaptiveLimiter.reserve(limiter, state, now)
            if (adaptiveLimiter.observe(state, reserved) !== undefined) return false
            const next = AdaptiveLimiter.update(limiter, reserved, now, throttled)
            if (adaptiveLimiter.observe(reserved, next)?.throttled !== throttled) return false
            state = next
          }
          return true
        }
      )
    )
  })

  it("a fleet lowers its rate once per epoch however many processes report throttles under it", () => {
    const limiter = AdaptiveLimiter.aws
    const report = (epoch: number) => ({ attempts: 50, throttles: 10, epoch })
    let fleet = adaptiveLimiter.mergeReport(limiter, undefined, "a", report(0), 0, 500, 10_000)
    const lowered = fleet.state.fillRate
    expect(fleet.epoch).toBe(1)
    fleet = adaptiveLimiter.mergeReport(limiter, fleet, "b", report(0), 0, 510, 10_000)
    expect(fleet.epoch).toBe(1)
    expect(fleet.state.fillRate).toBeGreaterThanOrEqual(lowered)
    // Throttled under the lowered rate: lower again.
    fleet = adaptiveLimiter.mergeReport(limiter, fleet, "a", report(1), 500, 1000, 10_000)
    expect(fleet.epoch).toBe(2)
    expect(fleet.state.fillRate).toBeLessThan(lowered)
    // Each of the two senders gets half.
    const local = adaptiveLimiter.share(limiter, AdaptiveLimiter.initial(limiter, 0), fleet)
    expect(local.fillRate).toBeCloseTo(fleet.state.fillRate / 2, 9)
  })

  it("a ratio budget's fleet window is the sum of what every process counted", () => {
    const budget = RetryBudget.ratio({ ratio: 0.5, minRetriesPerSecond: 1, window: "10 seconds" })
    const steps = (state: RetryBudget.State, now: number) => {
      const requested = RetryBudget.onRequest(budget, state, now)
      const [, retried] = RetryBudget.tryRetry(budget, requested, now)
      return [requested, retried] as const
    }
    let fleet: RetryBudget.State | undefined = undefined
    for (const [process, now] of [["a", 100], ["b", 200], ["a", 1_500]] as const) {
      const before = RetryBudget.initial(budget, 0)
      const [requested, retried] = steps(before, now)
      const delta = retryBudget.combine(
        retryBudget.observe(budget, before, requested),
        retryBudget.observe(budget, requested, retried)
      )
      expect(delta).toEqual({ _tag: "Ratio", requests: 1, retries: 1 })
      fleet = retryBudget.mergeDelta(budget, fleet, delta, now)
      expect(process).toBeDefined()
    }
    const sum = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0)
    expect(fleet?._tag === "Ratio" ? [sum(fleet.requests), sum(fleet.retries)] : []).toEqual([3, 3])
  })
})

/** Two processes (two stores) on one engine, each running calls under its own store. */
const twoProcesses = (engine: FleetStore.Engine, options: FleetStore.Options = quickly) =>
  Effect.all([
    FleetStore.make(engine, { ...options, process: "a" }),
    FleetStore.make(engine, { ...options, process: "b" })
  ])

const under = (store: StateStore.StateStore) => Effect.provideService(StateStore.StateStore, store)

describe("FleetStore", () => {
  const quota = RetryQuota.make({ name: "fleet-q", capacity: 100, retryCost: 10, throttlingRetryCost: 10 })
  const policy = RetryPolicy.make({
    name: "fleet",
    maxAttempts: 3,
    base: 1,
    cap: 1,
    jitter: "none",
    throttling: { base: 1, cap: 1 },
    quota
  })

  it.live("two processes spend one quota: retries stop at the fleet's capacity, not at twice it", () =>
    Effect.gen(function*() {
      const attemptsOf = (stores: readonly [StateStore.StateStore, StateStore.StateStore]) =>
        Effect.gen(function*() {
          const attempts = yield* Ref.make(0)
          for (let i = 0; i < 30; i++) {
            for (const store of stores) {
              yield* Effect.exit(RetryPolicy.retry(failing(attempts), policy, context).pipe(under(store)))
              yield* Effect.sleep("3 millis") // the leases sync meanwhile
            }
          }
          return (yield* Ref.get(attempts)) - 60 // the retries: attempts beyond each call's first
        })
      const local = yield* attemptsOf([StateStore.makeMemory(), StateStore.makeMemory()])
      const fleet = yield* attemptsOf(yield* twoProcesses(FleetStore.memoryEngine()))
      expect(local).toBe(20) // 100 tokens each, 10 a retry
      expect(fleet).toBeLessThanOrEqual(10) // 100 tokens between them
      expect(fleet).toBeGreaterThanOrEqual(8)
    }).pipe(Effect.scoped))

  it.live("one process's trip opens the breaker of the other at its next sync", () =>
    Effect.gen(function*() {
      const breaker = CircuitBreaker.consecutive({ name: "fleet-b", threshold: 2, breakDuration: "1 minute" })
      const tripping = RetryPolicy.make({
        name: "trip",
        maxAttempts: 2,
        base: 1,
        cap: 1,
        jitter: "none",
        throttling: { base: 1, cap: 1 },
        breaker
      })
      const [a, b] = yield* twoProcesses(FleetStore.memoryEngine())
      const sent = yield* Ref.make(0)
      yield* Effect.exit(RetryPolicy.retry(failing(sent), tripping, context).pipe(under(a)))
      const key = CircuitBreaker.keyOf(breaker, context)
      yield* RetryPolicy.retry(Effect.void, tripping, context).pipe(under(b)) // b has the key now
      yield* eventually(b.get<CircuitBreaker.State>(key), (s) => Option.isSome(s) && s.value._tag === "Open")
      yield* Ref.set(sent, 0)
      const exit = yield* Effect.exit(RetryPolicy.retry(failing(sent), tripping, context).pipe(under(b)))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(yield* Ref.get(sent)).toBe(0) // failed fast: the fleet's breaker is open
    }).pipe(Effect.scoped))

  it.live("an engine's clock ahead of the processes' does not move the breaker's reopening", () =>
    Effect.gen(function*() {
      const memory = FleetStore.memoryEngine()
      const ahead: FleetStore.Engine = {
        name: "ahead",
        update: (key, f) =>
          Effect.map(
            memory.update(key, (record, now) => f(record, now + 60_000)),
            (r) => ({ ...r, nowMillis: r.nowMillis + 60_000 })
          )
      }
      const breaker = CircuitBreaker.consecutive({ name: "skew-b", threshold: 1, breakDuration: "10 seconds" })
      const tripping = RetryPolicy.make({ name: "skew", maxAttempts: 1, breaker })
      const [a, b] = yield* twoProcesses(ahead)
      const key = CircuitBreaker.keyOf(breaker, context)
      yield* RetryPolicy.retry(Effect.void, tripping, context).pipe(under(b))
      yield* Effect.exit(RetryPolicy.retry(failing(yield* Ref.make(0)), tripping, context).pipe(under(a)))
      const opened = yield* a.get<CircuitBreaker.State>(key)
      const adopted = yield* eventually(
        b.get<CircuitBreaker.State>(key),
        (s) => Option.isSome(s) && s.value._tag === "Open"
      )
      const until = (s: Option.Option<CircuitBreaker.State>) =>
        Option.isSome(s) && s.value._tag === "Open" ? s.value.until : Number.NaN
      // The same instant on both processes' clocks, give or take the round trips — not a minute off.
      expect(Math.abs(until(adopted) - until(opened))).toBeLessThan(50)
    }).pipe(Effect.scoped))

  it.live("an unreachable engine fails no call: local state, StoreFellBack, then StoreResumed and the deltas reported", () =>
    Effect.gen(function*() {
      const memory = FleetStore.memoryEngine({ name: "flaky" })
      const down = yield* Ref.make(true)
      const flaky: FleetStore.Engine = {
        name: "flaky",
        update: (key, f) =>
          Effect.flatMap(Ref.get(down), (isDown) =>
            isDown ?
              Effect.fail(new FleetStore.EngineError({ engine: "flaky", reason: "unreachable" })) :
              memory.update(key, f))
      }
      const events = yield* Ref.make<ReadonlyArray<RetryEvent.RetryEvent>>([])
      const observer = RetryEvent.addObserver((e) => Ref.update(events, (all) => [...all, e]))
      const store = yield* Layer.build(Layer.provide(FleetStore.layer(Effect.succeed(flaky), quickly), observer))
      const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.provide(effect, store)
      const sent = yield* Ref.make(0)
      const ok = Effect.zipRight(Ref.update(sent, (n) => n + 1), Effect.succeed("ok"))
      const flakyOnce = yield* Testing.scripted(["transient", "success"])
      for (let i = 0; i < 5; i++) expect(yield* run(RetryPolicy.retry(ok, policy, context))).toBe("ok")
      expect(yield* run(RetryPolicy.retry(flakyOnce.call, policy, context))).toBe("ok")
      yield* eventually(Ref.get(events), (all) => all.some(RetryEvent.$is("StoreFellBack")))
      expect(memory.records.size).toBe(0)
      yield* Ref.set(down, false)
      const all = yield* eventually(Ref.get(events), (all) => all.some(RetryEvent.$is("StoreResumed")))
      expect(all.find(RetryEvent.$is("StoreFellBack"))).toMatchObject({ store: "flaky", reason: "unreachable" })
      // The lease the process held while the engine was away is on the fleet's books now.
      const record = yield* eventually(
        Effect.sync(() => memory.records.get(RetryQuota.keyOf(quota, context)) as retryQuota.QuotaFleet | undefined),
        (r) => r !== undefined
      )
      expect(Object.keys(record!.leases)).toHaveLength(1)
    }).pipe(Effect.scoped))

  it("keys of one SDK client instance stay local; a named guard scope is shared", () => {
    expect(FleetStore.sharedByDefault("quota/aws-2026/DynamoDB(us-east-1 http://127.0.0.1:1)#12/orders")).toBe(false)
    expect(FleetStore.sharedByDefault("breaker/rebound/DynamoDB(us-east-1)#3")).toBe(false)
    expect(FleetStore.sharedByDefault("breaker/rebound/S3(eu-west-1)#3/bucket")).toBe(false)
    expect(FleetStore.sharedByDefault("quota/aws-2026/orders-fleet/orders")).toBe(true)
  })

  it("rejects bad options naming the field", () => {
    const bad = (options: FleetStore.Options) =>
      Effect.runSync(Effect.scoped(FleetStore.make(FleetStore.memoryEngine(), options)).pipe(Effect.exit))
    expect(() => bad({ syncInterval: 0 })).toThrow(/syncInterval/)
    expect(() => bad({ maxEntries: 0 })).toThrow(/maxEntries/)
    expect(Duration.toMillis(Duration.decode("5 millis"))).toBe(5)
  })
})
