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

describe("AdaptiveLimiter.rebound: learns the admitted rate, shared by the process", () => {
  const R = AdaptiveLimiter.rebound

  /**
   * A closed loop of `workers` callers against a token bucket refilling `rate` per second (burst `burst`): each
   * reserves with the limiter and waits as the interpreter does; the service takes a token or throttles when the
   * attempt arrives, and the reply comes one round trip after the send. Events run in time order.
   */
  const closedLoop = (
    limiter: AdaptiveLimiter.AdaptiveLimiter,
    options: { rate: number; burst: number; workers: number; seconds: number; rttMillis?: number }
  ) => {
    const rtt = options.rttMillis ?? 10
    let state = AdaptiveLimiter.initial(limiter, 0)
    let tokens = options.burst
    let refilledAt = 0
    let throttles = 0
    let successes = 0
    type Event = { at: number; run: () => void }
    const events: Array<Event> = []
    const schedule = (at: number, run: () => void) => {
      events.push({ at, run })
      events.sort((x, y) => x.at - y.at)
    }
    // As the interpreter waits: sleep at most `recheckMillis`, then re-estimate the reservation at the current rate.
    const waitFor = (ticket: number, now: number, wait: number) => {
      if (wait <= 0) return send(now)
      const then = now + Math.min(wait, AdaptiveLimiter.recheckMillis)
      schedule(then, () => {
        const [left, next] = AdaptiveLimiter.remainingWait(limiter, state, then, ticket)
        state = next
        waitFor(ticket, then, left)
      })
    }
    const reserveAndSend = (now: number) => {
      const [wait, reserved] = AdaptiveLimiter.reserve(limiter, state, now)
      state = reserved
      waitFor(reserved.issued, now, wait)
    }
    const send = (sentAt: number) =>
      schedule(sentAt + rtt / 2, () => {
        const arrived = sentAt + rtt / 2
        tokens = Math.min(options.burst, tokens + ((arrived - refilledAt) / 1000) * options.rate)
        refilledAt = arrived
        const admitted = tokens >= 1
        if (admitted) {
          tokens -= 1
          successes++
        } else {
          throttles++
        }
        schedule(sentAt + rtt, () => {
          state = AdaptiveLimiter.update(limiter, state, sentAt + rtt, !admitted, admitted, sentAt)
          // a served caller sends its next item at once; a throttled one backs off 100 ms first
          const again = sentAt + rtt + (admitted ? 0 : 100)
          schedule(again, () => reserveAndSend(again))
        })
      })
    for (let i = 0; i < options.workers; i++) schedule(0, () => reserveAndSend(0))
    const end = options.seconds * 1000
    let coldStart = 0
    while (events.length > 0 && events[0]!.at < end) {
      const event = events.shift()!
      if (event.at < 1000) coldStart = throttles
      event.run()
    }
    return { state, throttles, successes, afterColdStart: throttles - coldStart }
  }

  it("paces at about the service's rate after one window, where the SDKs' controller leaves capacity unused", () => {
    const world = { rate: 20, burst: 5, workers: 50, seconds: 10 }
    const ours = closedLoop(R, world)
    expect(ours.state.learning).toBe(false)
    expect(ours.state.fillRate).toBeGreaterThan(0.85 * 20)
    expect(ours.state.fillRate).toBeLessThan(1.3 * 20)
    // the service's own bound over 10 s is 5 + 20·10 = 205 successes; after the first second's flood of 50 callers
    // meeting a bucket of 5, hardly a throttle
    expect(ours.successes).toBeGreaterThan(0.9 * 205)
    expect(ours.afterColdStart).toBeLessThan(0.05 * ours.successes)
    // the SDKs' controller, restarting from β × its own send rate, leaves a quarter of the capacity unused
    const sdk = closedLoop(AdaptiveLimiter.aws, world)
    expect(sdk.successes).toBeLessThan(0.8 * ours.successes)
  })

  it("paces nothing before a throttle; from the first, at the success rate so far, never from a guess", () => {
    let s = AdaptiveLimiter.initial(R, 0)
    for (let t = 0; t < 50; t += 5) s = AdaptiveLimiter.update(R, s, t, false, true, t)
    expect(s.enabled).toBe(false)
    expect(AdaptiveLimiter.reserve(R, s, 50)[0]).toBe(0)
    // 40 throttles at once: the SDKs would cut by β forty times; this limiter counts them in one window
    for (let k = 0; k < 40; k++) s = AdaptiveLimiter.update(R, s, 60, true, false, 50)
    expect([s.enabled, s.learning, s.windowThrottles]).toEqual([true, true, 40])
    // 10 successes (with the one in hand) over at least 100 ms
    expect(s.fillRate).toBeCloseTo(11 / 0.1, 6)
  })

  it("restarts once per window from the rate admitted in it, counting only successes sent in the window", () => {
    let s = AdaptiveLimiter.initial(R, 0)
    s = AdaptiveLimiter.update(R, s, 10, true, false, 0) // the window that learns starts at 10 ms
    // a success sent before the window (the burst's last reply) does not count; 25 sent in it over the second do
    s = AdaptiveLimiter.update(R, s, 20, false, true, 5)
    for (let k = 1; k <= 25; k++) s = AdaptiveLimiter.update(R, s, 10 + k * 38, false, true, k * 38)
    s = AdaptiveLimiter.update(R, s, 980, true, false, 970)
    expect([s.learning, s.windowSuccesses, s.windowThrottles]).toEqual([true, 25, 2])
    s = AdaptiveLimiter.update(R, s, 1015, false, true, 1005)
    // the window that began at 10 ms closed: 25 admitted in it (over at least its 1 s), the curve restarts there
    expect(s.learning).toBe(false)
    expect(s.lastMaxRate).toBe(25)
    expect(s.fillRate).toBeCloseTo(0.95 * s.lastMaxRate, 4)
    // a throttle of an attempt sent before that restart is an echo: no second cut
    const echo = AdaptiveLimiter.update(R, s, 1020, true, false, 900)
    expect(echo.lastMaxRate).toBe(s.lastMaxRate)
    // one sent after it restarts from the last window's admitted rate, once
    const fresh = AdaptiveLimiter.update(R, s, 1200, true, false, 1100)
    expect(fresh.windowReset).toBe(true)
    expect(fresh.lastThrottleTime).toBe(1.2)
    const again = AdaptiveLimiter.update(R, fresh, 1300, true, false, 1250)
    expect(again.lastThrottleTime).toBe(1.2)
  })

  it("an idle client starts again at β × the rate it learned, not at the SDKs' floor", () => {
    const { state } = closedLoop(R, { rate: 20, burst: 5, workers: 20, seconds: 6 })
    const learned = state.lastMaxRate
    const later = AdaptiveLimiter.update(R, state, 60_000, false, true, 60_000)
    expect(later.fillRate).toBeGreaterThanOrEqual(0.95 * learned - 1e-6)
  })

  it("is keyed per place, resource and operation for every client of the process; the SDKs' per client", () => {
    const call = (scope: string, resource: string, operation = "PutItem") => ({
      service: "DynamoDB",
      operation,
      resource,
      scope
    })
    const key = (l: AdaptiveLimiter.AdaptiveLimiter, c: ReturnType<typeof call>) => AdaptiveLimiter.keyOf(l, c)
    const a = call("DynamoDB(eu-west-1 http://localhost:8000)#1", "orders")
    const b = call("DynamoDB(eu-west-1 http://localhost:8000)#2", "orders")
    expect(key(R, a)).toBe(key(R, b))
    expect(key(R, a)).toBe("limiter/rebound/DynamoDB(eu-west-1 http://localhost:8000)/orders/PutItem")
    expect(key(R, a)).not.toBe(key(R, call("DynamoDB(eu-west-1 http://localhost:8000)#1", "users")))
    expect(key(R, a)).not.toBe(key(R, call("DynamoDB(us-east-1 http://localhost:8000)#3", "orders")))
    expect(key(R, a)).not.toBe(key(R, call("DynamoDB(eu-west-1 http://localhost:8000)#1", "orders", "GetItem")))
    // a name shared on purpose is its own place; the SDKs' limiter stays per client instance
    expect(key(R, call("payments", "orders"))).toBe("limiter/rebound/payments/orders/PutItem")
    expect(key(AdaptiveLimiter.aws, a)).not.toBe(key(AdaptiveLimiter.aws, b))
  })

  it.effect("two clients of one process on one table share one limiter through the interpreter; another table has its own", () =>
    Effect.gen(function*() {
      const store = StateStore.makeMemory()
      const policy = RetryPolicy.make({ maxAttempts: 2, limiter: R, throttling: { base: 10 } })
      const throttledOnce = (options: RetryPolicy.CallOptions) =>
        Effect.gen(function*() {
          const script = yield* Testing.scripted(["throttle", "success"])
          yield* RetryPolicy.retry(script.call, policy, options)
        })
      const on = (scope: string, resource: string) => ({ service: "DynamoDB", operation: "PutItem", resource, scope })
      yield* Testing.run(
        Effect.all([
          throttledOnce(on("DynamoDB(eu-west-1)#1", "orders")),
          throttledOnce(on("DynamoDB(eu-west-1)#2", "orders")),
          throttledOnce(on("DynamoDB(eu-west-1)#2", "users"))
        ], { concurrency: "unbounded" }).pipe(Effect.provideService(StateStore.StateStore, store))
      )
      const limiters = (yield* store.keys).filter((k) => k.startsWith("limiter/")).sort()
      expect(limiters).toEqual([
        "limiter/rebound/DynamoDB(eu-west-1)/orders/PutItem",
        "limiter/rebound/DynamoDB(eu-west-1)/users/PutItem"
      ])
      const orders = yield* AdaptiveLimiter.current(R, on("DynamoDB(eu-west-1)#1", "orders")).pipe(
        Effect.provideService(StateStore.StateStore, store)
      )
      // both clients' responses went into the one limiter: two throttles, two successes
      expect(Option.map(orders, (s) => s.windowThrottles + s.windowAll)).toEqual(Option.some(4))
    }))

  it("rejects bad options naming the field", () => {
    const field = (options: AdaptiveLimiter.Options) => invalidField(() => AdaptiveLimiter.make(options))
    expect(field({ learnFrom: "guess" as never })).toBe("learnFrom")
    expect(field({ share: "world" as never })).toBe("share")
    expect(field({ window: 0 })).toBe("window")
  })
})
