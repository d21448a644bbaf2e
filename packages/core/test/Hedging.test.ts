import { describe, expect, it } from "@effect/vitest"
import {
  CircuitBreaker,
  Hedging,
  LatencyTracker,
  RetryCall,
  RetryEvent,
  RetryPolicy,
  RetryQuota,
  StateStore
} from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { Clock, Duration, Effect, Exit, Fiber, Option, TestClock } from "effect"
import { hedgeTrace, observed, service } from "./hedgingHelpers.js"
import { invalidField } from "./helpers.js"

// Hedging on TestClock: every hedge instant exact, losers aborted and awaited, nothing left behind, and the guards
// (idempotency, budget, pause after throttling, breaker, quota, time budget) deciding as the pure machine says.

const context = { service: "S3", operation: "GetObject", resource: "reports" }
const fixed = (options: Hedging.Options = {}) =>
  RetryPolicy.make({ name: "reads", maxAttempts: 3, base: 10, jitter: "none", idempotent: true }).pipe(
    RetryPolicy.withHedging(Hedging.make({ delay: "10 millis", ...options }))
  )

describe("Hedging.make", () => {
  it("validates every field and names the bad one", () => {
    expect(invalidField(() => Hedging.make({ maxHedged: 0 }))).toBe("maxHedged")
    expect(invalidField(() => Hedging.make({ maxHedged: 11 }))).toBe("maxHedged")
    expect(invalidField(() => Hedging.make({ delay: -1 }))).toBe("delay")
    expect(invalidField(() => Hedging.make({ delay: { quantile: 1 } }))).toBe("delay.quantile")
    expect(invalidField(() => Hedging.make({ delay: { min: "2 seconds", max: "1 second" } }))).toBe("delay.max")
    expect(invalidField(() => Hedging.make({ delay: { minSamples: 0 } }))).toBe("delay.minSamples")
    expect(invalidField(() => Hedging.make({ budget: { ratio: 2 } }))).toBe("budget.ratio")
    expect(invalidField(() => Hedging.make({ budget: { maxTokens: 0.5 } }))).toBe("budget.maxTokens")
    expect(invalidField(() => Hedging.make({ name: "" }))).toBe("name")
    expect(invalidField(() => RetryPolicy.make({ hedging: {} as never }))).toBe("hedging")
  })

  it("defaults to the p95 of recent latency, one hedge, a budget twice what p95 needs, a 5 s pause after a throttle", () => {
    const h = Hedging.make()
    expect(h.delay).toEqual({
      _tag: "Quantile",
      quantile: 0.95,
      minMillis: 1,
      maxMillis: 10_000,
      initialMillis: 2_000,
      minSamples: 20
    })
    expect(h.maxHedged).toBe(1)
    expect(h.budget).toEqual({ ratio: 0.1, maxTokens: 10 })
    expect(Hedging.make({ delay: { quantile: 0.99 } }).budget).toEqual({ ratio: 0.02, maxTokens: 10 })
    expect(Hedging.make({ delay: "2 seconds" }).budget).toEqual({ ratio: 0.05, maxTokens: 10 })
    expect(h.pauseOnThrottleMillis).toBe(5_000)
    expect(Hedging.polly).toMatchObject({ delay: { _tag: "Fixed", millis: 2_000 }, maxHedged: 1, budget: undefined })
  })

  it("the budget: each call pays `ratio`, each hedge spends a token, never above `maxTokens`", () => {
    const h = Hedging.make({ budget: { ratio: 0.25, maxTokens: 2 } })
    let state = Hedging.initial(h, 0)
    expect(state.tokens).toBe(2)
    const [first, afterOne] = Hedging.tryHedge(h, state, 0)
    const [second, afterTwo] = Hedging.tryHedge(h, afterOne, 0)
    const [third] = Hedging.tryHedge(h, afterTwo, 0)
    expect([first, second, third]).toEqual([undefined, undefined, "budget"])
    state = afterTwo
    for (let i = 0; i < 4; i++) state = Hedging.deposit(h, state)
    expect(state.tokens).toBe(1)
    for (let i = 0; i < 10; i++) state = Hedging.deposit(h, state)
    expect(state.tokens).toBe(2)
    const paused = Hedging.throttled(h, state, 100)
    expect(Hedging.tryHedge(h, paused, 5_099)[0]).toBe("throttling")
    expect(Hedging.tryHedge(h, paused, 5_100)[0]).toBeUndefined()
  })
})

describe("a hedged call on TestClock", () => {
  it.effect("a slow attempt is hedged at the exact delay; the hedge wins; the attempt is aborted then and awaited", () =>
    Effect.gen(function*() {
      const svc = yield* service([{ latency: 100 }, { latency: 5 }])
      const { elapsedMillis, events, exit } = yield* observed(RetryPolicy.retry(svc.call, fixed(), context))
      expect(exit).toEqual(Exit.succeed("response 1"))
      expect(elapsedMillis).toBe(15)
      expect(hedgeTrace(events)).toEqual(["started#1@10", "won#1@15", "cancelled#0@15"])
      const log = yield* svc.log
      expect(log.map((s) => [s.copy, s.at, s.endedAt, s.interruptedAt])).toEqual([
        [0, 0, undefined, 15],
        [1, 10, 15, undefined]
      ])
    }))

  it.effect("an attempt faster than the delay is never hedged, and its hedge timer is gone", () =>
    Effect.gen(function*() {
      const svc = yield* service([{ latency: 9 }])
      const { elapsedMillis, events } = yield* observed(RetryPolicy.retry(svc.call, fixed(), context))
      expect(elapsedMillis).toBe(9)
      expect(hedgeTrace(events)).toEqual([])
      expect((yield* svc.log).length).toBe(1)
    }))

  it.effect("a non-idempotent call never hedges, however slow", () =>
    Effect.gen(function*() {
      const svc = yield* service([{ latency: 500 }])
      const { elapsedMillis, events } = yield* observed(
        RetryPolicy.retry(svc.call, fixed(), { ...context, operation: "PostObject", idempotent: false })
      )
      expect(elapsedMillis).toBe(500)
      expect(hedgeTrace(events)).toEqual([])
      expect((yield* svc.log).length).toBe(1)
    }))

  it.effect("maxHedged copies, each `delay` after the previous; the first success wins and all others are cancelled", () =>
    Effect.gen(function*() {
      const svc = yield* service([{ latency: 100 }, { latency: 100 }, { latency: 3 }])
      const { elapsedMillis, events } = yield* observed(RetryPolicy.retry(svc.call, fixed({ maxHedged: 2 }), context))
      expect(elapsedMillis).toBe(23)
      expect(hedgeTrace(events)).toEqual([
        "started#1@10",
        "started#2@20",
        "won#2@23",
        "cancelled#0@23",
        "cancelled#1@23"
      ])
      expect((yield* svc.log).map((s) => s.interruptedAt)).toEqual([23, 23, undefined])
    }))

  it.effect("an interrupted call leaves no hedge running: every copy aborted and awaited, no timer left", () =>
    Effect.gen(function*() {
      const svc = yield* service([{ latency: 1_000 }])
      const fiber = yield* Effect.fork(
        RetryPolicy.retry(svc.call, fixed({ maxHedged: 2 }), context).pipe(
          Effect.provideService(StateStore.StateStore, StateStore.makeMemory())
        )
      )
      yield* TestClock.adjust(15)
      expect((yield* svc.log).map((s) => [s.copy, s.at])).toEqual([[0, 0], [1, 10]])
      yield* Fiber.interrupt(fiber)
      // Both copies were aborted by the time the interruption returned…
      expect((yield* svc.log).map((s) => s.interruptedAt)).toEqual([15, 15])
      // …and the second hedge's timer (due at 20) went with them: nothing is sent when its instant passes.
      yield* TestClock.adjust("1 hour")
      expect((yield* svc.log).length).toBe(2)
    }))

  it.effect("a copy that fails while another is in flight drops out; the other one wins", () =>
    Effect.gen(function*() {
      const svc = yield* service([{ latency: 30 }, { latency: 5, outcome: "transient" }])
      const { elapsedMillis, events, exit } = yield* observed(RetryPolicy.retry(svc.call, fixed(), context))
      expect(exit).toEqual(Exit.succeed("response 0"))
      expect(elapsedMillis).toBe(30)
      expect(hedgeTrace(events)).toEqual(["started#1@10"])
    }))

  it.effect("a fatal failure of one copy ends the call and cancels the rest", () =>
    Effect.gen(function*() {
      const svc = yield* service([{ latency: 30 }, { latency: 5, outcome: "fatal" }])
      const { elapsedMillis, events, exit } = yield* observed(RetryPolicy.retry(svc.call, fixed(), context))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(elapsedMillis).toBe(15)
      expect(hedgeTrace(events)).toEqual(["started#1@10", "cancelled#0@15"])
      expect(events.find((e) => e._tag === "RetriesStopped")).toMatchObject({ stopReason: "notRetryable" })
      expect((yield* svc.log)[0]!.interruptedAt).toBe(15)
    }))

  it.effect("composes with retries: when the last copy fails the policy retries, and hedges are per call", () =>
    Effect.gen(function*() {
      // Attempt 1 and its hedge both fail (503); attempt 2 is slow but there is no hedge left (maxHedged 1).
      const svc = yield* service([
        { latency: 20, outcome: "transient" },
        { latency: 15, outcome: "transient" },
        { latency: 40 }
      ])
      const { elapsedMillis, events } = yield* observed(RetryPolicy.retry(svc.call, fixed(), context))
      // 25: the hedge failed last; 10 ms backoff (base 10, no jitter); attempt 2 answers after 40 ms.
      expect(elapsedMillis).toBe(75)
      expect(hedgeTrace(events)).toEqual(["started#1@10"])
      expect((yield* svc.log).map((s) => [s.copy, s.at])).toEqual([[0, 0], [1, 10], [0, 35]])
    }))

  it.effect("the hedge budget caps extra requests: an empty bucket skips the hedge, asked again each delay", () =>
    Effect.gen(function*() {
      const store = StateStore.makeMemory()
      const policy = fixed({ budget: { ratio: 0, maxTokens: 1 } })
      const svc = yield* service([{ latency: 50 }, { latency: 50 }])
      const first = yield* observed(RetryPolicy.retry(svc.call, policy, context), store)
      // The attempt answers first: the hedge is the copy cancelled.
      expect(hedgeTrace(first.events)).toEqual(["started#1@10", "cancelled#1@50"])
      const second = yield* observed(RetryPolicy.retry(svc.call, policy, context), store)
      // No call pays into this bucket (ratio 0): every ask is refused until the attempt answers. At 100 the attempt's
      // sleep and the fifth hedge timer end together; sleeps that end together wake in the order they were started
      // (Testing.run's virtual time), so the attempt, asleep since 50, settles the call and the timer never asks.
      expect(hedgeTrace(second.events)).toEqual([
        "skipped:budget@60",
        "skipped:budget@70",
        "skipped:budget@80",
        "skipped:budget@90"
      ])
      expect(second.elapsedMillis).toBe(50)
    }))

  it.effect("hedging pauses on a resource after it throttled, and resumes when the pause is over", () =>
    Effect.gen(function*() {
      const store = StateStore.makeMemory()
      const policy = fixed({ pauseOnThrottle: "5 seconds" })
      const throttled = yield* service([{ latency: 1, outcome: "throttle" }, { latency: 1 }])
      // Throttled at 1 (paused until 5001); the retry after 1000 ms (throttling base, no jitter) succeeds at 1002.
      yield* observed(RetryPolicy.retry(throttled.call, policy, context), store)
      const slow = yield* service([{ latency: 50 }, { latency: 5 }])
      const during = yield* observed(RetryPolicy.retry(slow.call, policy, context), store)
      expect(hedgeTrace(during.events)).toEqual(["skipped:throttling@1012"])
      yield* TestClock.adjust(5_000)
      const later = yield* service([{ latency: 50 }, { latency: 5 }])
      const after = yield* observed(RetryPolicy.retry(later.call, policy, context), store)
      expect(hedgeTrace(after.events)).toEqual(["started#1@6062", "won#1@6067", "cancelled#0@6067"])
    }))

  it.effect("hedging stops while the resource's breaker is not closed", () =>
    Effect.gen(function*() {
      const store = StateStore.makeMemory()
      const breaker = CircuitBreaker.consecutive({ threshold: 1, breakDuration: "1 second" })
      const policy = fixed().pipe(RetryPolicy.modify({ maxAttempts: 1, breaker }))
      const failing = yield* service([{ latency: 1, outcome: "transient" }])
      yield* observed(RetryPolicy.retry(failing.call, policy, context), store)
      yield* TestClock.adjust(1_000)
      // The breaker lets one probe through, half-open: its attempt is not hedged.
      const probe = yield* service([{ latency: 50 }])
      const run = yield* observed(RetryPolicy.retry(probe.call, policy, context), store)
      expect(hedgeTrace(run.events)).toEqual(["skipped:breaker@1011"])
      expect(run.exit).toEqual(Exit.succeed("response 0"))
    }))

  it.effect("hedges share the retry quota: a hedge pays a retry's cost, given back when the call succeeds", () =>
    Effect.gen(function*() {
      const store = StateStore.makeMemory()
      const quota = RetryQuota.make({ capacity: 20, retryCost: 14, successIncrement: 0 })
      const policy = fixed().pipe(RetryPolicy.withQuota(quota))
      const svc = yield* service([{ latency: 50 }, { latency: 5, outcome: "fatal" }, { latency: 50 }])
      const tokens = RetryQuota.current(quota, context).pipe(Effect.provideService(StateStore.StateStore, store))
      // The hedge fails fatally, so the call fails: the 14 tokens it cost are not given back.
      const failed = yield* observed(RetryPolicy.retry(svc.call, policy, context), store)
      expect(hedgeTrace(failed.events)).toEqual(["started#1@10", "cancelled#0@15"])
      expect(yield* tokens).toBe(6)
      const starved = yield* observed(RetryPolicy.retry(svc.call, policy, context), store)
      expect(hedgeTrace(starved.events)).toEqual(["skipped:quota@25"])
      expect(yield* tokens).toBe(6)
    }))

  it.effect("hedges share the time budget: none starts once maxElapsed has passed", () =>
    Effect.gen(function*() {
      const svc = yield* service([{ latency: 50 }])
      const policy = fixed().pipe(RetryPolicy.modify({ maxElapsed: "10 millis" }))
      const { events } = yield* observed(RetryPolicy.retry(svc.call, policy, context))
      expect(hedgeTrace(events)).toEqual(["skipped:maxElapsed@10"])
    }))

  it.effect("a result that succeeded but lost the race is handed to withDiscard, never dropped silently", () =>
    Effect.gen(function*() {
      // The attempt and its hedge both answer at 20: one wins, the other is discarded or was aborted in time.
      const svc = yield* service([{ latency: 20 }, { latency: 10 }])
      const discarded: Array<string> = []
      const { exit } = yield* observed(
        RetryPolicy.retry(svc.call, fixed(), context).pipe(
          Hedging.withDiscard((loser) => Effect.sync(() => void discarded.push(loser as string)))
        )
      )
      const log = yield* svc.log
      const winner = Exit.isSuccess(exit) ? exit.value : undefined
      const finishedLosers = log.filter((s) => s.endedAt !== undefined && `response ${s.index}` !== winner)
      expect(discarded).toEqual(finishedLosers.map((s) => `response ${s.index}`))
      expect(log.every((s) => s.endedAt !== undefined || s.interruptedAt !== undefined)).toBe(true)
    }))
})

describe("on the live clock", () => {
  it.live("an interrupted hedged call aborts every request in flight and leaves no timer behind", () =>
    Effect.gen(function*() {
      const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length
      const before = timers()
      const sent: Array<AbortSignal> = []
      // A request that answers after 10 s unless its signal aborts it (as the AWS SDK's HTTP handler does).
      const request = Effect.tryPromise({
        try: (signal) =>
          new Promise<string>((resolve, reject) => {
            sent.push(signal)
            const timer = setTimeout(() => resolve("late"), 10_000) // @allow-real-time
            signal.addEventListener("abort", () => {
              clearTimeout(timer)
              reject(new Error("aborted"))
            })
          }),
        catch: () => Testing.failureOf("transient")!
      })
      const policy = fixed({ delay: "5 millis", maxHedged: 2 }).pipe(RetryPolicy.modify({ maxAttempts: 1 }))
      const fiber = yield* Effect.fork(
        RetryPolicy.retry(request, policy, context).pipe(
          Effect.provideService(StateStore.StateStore, StateStore.makeMemory())
        )
      )
      while (sent.length < 2) yield* Effect.sleep(1)
      // The requests in flight (and the second hedge's timer, unless it has fired already) are live now.
      expect(timers()).toBeGreaterThanOrEqual(before + 2)
      yield* Fiber.interrupt(fiber)
      expect(sent.length).toBeGreaterThanOrEqual(2)
      expect(sent.every((signal) => signal.aborted)).toBe(true)
      expect(timers()).toBe(before)
    }))
})

/**
 * A clock like a real one on Node, over `TestClock`: the time in whole milliseconds (`Date.now`), nanoseconds exact
 * (`performance.now`), and, when `early`, timers that fire up to a millisecond before their delay (Node truncates a
 * delay to whole milliseconds and counts from the event loop's cached time; here: half a millisecond early).
 */
const nodeLikeClock = (clock: Clock.Clock, early: boolean): Clock.Clock => {
  const millis = () => Math.floor(clock.unsafeCurrentTimeMillis())
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: millis,
    currentTimeMillis: Effect.sync(millis),
    unsafeCurrentTimeNanos: () => clock.unsafeCurrentTimeNanos(),
    currentTimeNanos: clock.currentTimeNanos,
    sleep: (duration) => {
      const ms = Duration.toMillis(duration)
      return clock.sleep(early ? Duration.millis(Math.max(1, Math.trunc(ms)) - 0.5) : duration)
    }
  }
}

describe("on a clock of whole milliseconds", () => {
  it.effect("a hedge timer that fires early is armed again for what is left: no hedge before its delay", () =>
    Effect.gen(function*() {
      const svc = yield* service([{ latency: 100 }, { latency: 5 }])
      const events: Array<RetryEvent.RetryEvent> = []
      const clock = yield* Effect.clock
      const fiber = yield* RetryPolicy.retry(svc.call, fixed(), context).pipe(
        RetryEvent.withObserver((event) => Effect.sync(() => void events.push(event))),
        Effect.provideService(StateStore.StateStore, StateStore.makeMemory()),
        Effect.withClock(nodeLikeClock(clock, true)),
        Effect.fork
      )
      yield* TestClock.adjust("9600 micros")
      // The 10 ms timer fired at 9.5 ms; the hedge waits for the 10th millisecond.
      expect(hedgeTrace(events)).toEqual([])
      expect((yield* svc.log).map((s) => s.copy)).toEqual([0])
      yield* TestClock.adjust("400 micros")
      expect(hedgeTrace(events)).toEqual(["started#1@10"])
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(fiber)).toBe("response 1")
    }))

  it.effect("a win feeds the tracker the attempt's latency to the nanosecond, not in whole milliseconds", () =>
    Effect.gen(function*() {
      const tracker = LatencyTracker.makeMemory()
      const hedging = Hedging.make({ delay: { quantile: 0.95, minSamples: 1 } })
      const policy = fixed().pipe(RetryPolicy.withHedging(hedging))
      const svc = yield* service([{ latency: 2.6 }])
      const clock = yield* Effect.clock
      yield* TestClock.adjust("300 micros")
      const fiber = yield* RetryPolicy.retry(svc.call, policy, context).pipe(
        Effect.provideService(StateStore.StateStore, StateStore.makeMemory()),
        Effect.provideService(LatencyTracker.LatencyTracker, tracker),
        Effect.withClock(nodeLikeClock(clock, false)),
        Effect.fork
      )
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      // Started at 0.3 ms and answered at 2.9 ms: whole milliseconds would say 2.
      const recorded = tracker.quantile(Hedging.latencyKeyOf(hedging, context), 0.5, 1, 1_000)!
      expect(Math.abs(recorded - 2.6) / 2.6).toBeLessThan(0.011)
    }))
})

describe("a quantile delay", () => {
  it.effect("hedges at the tracker's quantile of recent latency, to the instant", () =>
    Effect.gen(function*() {
      const tracker = LatencyTracker.makeMemory()
      const hedging = Hedging.make({ delay: { quantile: 0.95, minSamples: 20 } })
      const policy = fixed().pipe(RetryPolicy.withHedging(hedging))
      const key = Hedging.latencyKeyOf(hedging, context)
      // Before enough samples: the initial delay (2 s).
      const early = yield* service([{ latency: 5_000 }, { latency: 1 }])
      const first = yield* observed(
        RetryPolicy.retry(early.call, policy, context).pipe(
          Effect.provideService(LatencyTracker.LatencyTracker, tracker)
        )
      )
      expect(hedgeTrace(first.events)).toEqual(["started#1@2000", "won#1@2001", "cancelled#0@2001"])
      // The attempt that lost recorded how long it ran (2001 ms), a lower bound of its latency.
      expect(tracker.count(key)).toBe(1)
      const start = yield* TestClock.currentTimeMillis
      for (let i = 1; i <= 99; i++) tracker.observe(key, i, start)
      expect(Math.abs(tracker.quantile(key, 0.95, 20, start)! - 95) / 95).toBeLessThan(0.011)
      // The delay is the latency at most 5 % of calls are expected to exceed: of the 100 held (1…99 and 2001), the
      // ⌈0.95 × 101⌉ = 96th smallest, at the upper edge of its sketch bin (1 % accuracy).
      const p95 = Hedging.latencyEstimate(hedging, context, tracker, start)!
      expect(p95).toBe(tracker.threshold(key, 0.05, 20, start))
      expect(p95).toBeGreaterThanOrEqual(96)
      expect(p95).toBeLessThanOrEqual(96 * 1.01 / 0.99)
      const slow = yield* service([{ latency: 500 }, { latency: 1 }])
      const second = yield* observed(
        RetryPolicy.retry(slow.call, policy, context).pipe(
          Effect.provideService(LatencyTracker.LatencyTracker, tracker)
        )
      )
      // Durations are whole nanoseconds: the instant is the estimate rounded to 1e-6 ms.
      const at = (ms: number) => Math.round(ms * 1e6) / 1e6
      expect(hedgeTrace(second.events)).toEqual([
        `started#1@${at(start + p95)}`,
        `won#1@${at(start + p95 + 1)}`,
        `cancelled#0@${at(start + p95 + 1)}`
      ])
    }))

  it("the delay is exceeded by at most 1 − quantile of the calls that follow, however few samples; a plain quantile is not", () => {
    // Latencies 4 ms + Exp(mean 3 ms), drawn from a seeded generator; the share of later calls above a delay t is
    // exactly exp(−(t − 4) / 3), so each trial's exceedance is computed, not sampled.
    let seed = 18
    const uniform = () => {
      seed = (seed + 0x6d2b79f5) | 0
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
    const exceeded = (t: number) => Math.exp(-(t - 4) / 3)
    const trials = 400
    for (const n of [20, 50, 200, 1_000]) {
      let viaThreshold = 0
      let viaQuantile = 0
      for (let trial = 0; trial < trials; trial++) {
        const tracker = LatencyTracker.makeMemory()
        for (let i = 0; i < n; i++) tracker.observe("k", 4 - 3 * Math.log(1 - uniform()), 0)
        viaThreshold += exceeded(tracker.threshold("k", 0.05, 20, 0)!) / trials
        viaQuantile += exceeded(tracker.quantile("k", 0.95, 20, 0)!) / trials
      }
      // The k-th smallest of n is exceeded by (n + 1 − k) / (n + 1) on average (a little less at its bin's upper edge):
      // ≤ 5 %, and no more conservative than the sample allows.
      const expected = (n + 1 - Math.ceil(0.95 * (n + 1))) / (n + 1)
      expect(viaThreshold, `n = ${n}`).toBeLessThanOrEqual(0.05)
      expect(Math.abs(viaThreshold - expected), `n = ${n}`).toBeLessThan(0.008)
      if (n === 20) expect(viaQuantile).toBeGreaterThan(0.08) // ≈ 2 / 21: the second largest of 20
      if (n === 50) expect(viaQuantile).toBeGreaterThan(0.055)
    }
    const tracker = LatencyTracker.makeMemory()
    for (let i = 1; i <= 30; i++) tracker.observe("k", i, 0)
    for (const share of [0, 1, -0.1, NaN]) {
      expect(invalidField(() => tracker.threshold("k", share, 20, 0))).toBe("share")
    }
    expect(tracker.threshold("k", 0.01, 20, 0)).toBe(30) // beyond the sample: the largest seen
  })

  it("the tracker is bounded and forgets stale windows", () => {
    const tracker = LatencyTracker.makeMemory({ maxKeys: 2, window: 1_000 })
    for (const key of ["a", "b", "c"]) for (let i = 0; i < 30; i++) tracker.observe(key, 10, 0)
    expect(tracker.size()).toBe(2)
    expect(tracker.quantile("a", 0.5, 20, 0)).toBeUndefined()
    // The previous window answers until the current one has enough samples; two windows later, nothing does.
    expect(tracker.quantile("c", 0.5, 20, 1_500)).toBeCloseTo(10, 0)
    expect(tracker.quantile("c", 0.5, 20, 2_500)).toBeUndefined()
    expect(Option.isNone(Option.fromNullable(tracker.quantile("b", 0.5, 20, 5_000)))).toBe(true)
  })
})

describe("runs the same decisions as the pure machine", () => {
  it.effect("Testing.run of the whole call ends exactly when the machine's winner answers", () =>
    Effect.gen(function*() {
      const svc = yield* service([{ latency: 100 }, { latency: 7 }])
      const { elapsedMillis } = yield* Testing.run(
        RetryPolicy.retry(svc.call, fixed({ delay: "33 millis" }), context).pipe(
          Effect.provideService(StateStore.StateStore, StateStore.makeMemory())
        )
      )
      expect(elapsedMillis).toBe(40)
    }))
})

describe("the pure machine (RetryCall)", () => {
  const policy = fixed({ maxHedged: 2, budget: { ratio: 0.5, maxTokens: 1 } })
  const begin = (idempotent?: boolean) => {
    const call = RetryCall.start({ policy, context, now: 0, idempotent })
    return { call, guards: RetryCall.initialGuards(call, 0) }
  }

  it("says when to hedge, spends the budget, and names the copies to cancel", () => {
    let { call, guards } = begin()
    const admitted = RetryCall.step(call, guards, { _tag: "Admit", now: 0 })
    expect(admitted.output).toEqual({ _tag: "Proceed", attempt: 1, waitMillis: 0, hedgeAfterMillis: 10 })
    // The call paid 0.5 into a full bucket of 1: still 1.
    expect(admitted.guards.hedge).toEqual({ tokens: 1, pausedUntil: 0 })
    ;({ call, guards } = admitted)
    const first = RetryCall.step(call, guards, { _tag: "Hedge", now: 10, attempt: 1 })
    expect(first.output).toEqual({ _tag: "Hedge", attempt: 1, copy: 1, hedgeAfterMillis: 10 })
    expect(first.guards.hedge).toEqual({ tokens: 0, pausedUntil: 0 })
    ;({ call, guards } = first)
    // The bucket is empty: refused, and asked again one delay later…
    const second = RetryCall.step(call, guards, { _tag: "Hedge", now: 20, attempt: 1 })
    expect(second.output).toEqual({ _tag: "Pending", hedgeAfterMillis: 10 })
    // …when it has refilled (other calls paid into it), the hedge goes out.
    const refilled = RetryCall.step(second.call, { ...second.guards, hedge: { tokens: 1, pausedUntil: 0 } }, {
      _tag: "Hedge",
      now: 30,
      attempt: 1
    })
    expect(refilled.output).toEqual({ _tag: "Hedge", attempt: 1, copy: 2, hedgeAfterMillis: undefined })
    ;({ call, guards } = second)
    const stale = RetryCall.step(call, guards, { _tag: "Hedge", now: 21, attempt: 7 })
    expect(stale.output).toEqual({ _tag: "Pending" })
    const won = RetryCall.step(call, guards, { _tag: "Succeeded", now: 25, copy: 1 })
    expect(won.output).toMatchObject({ _tag: "Succeeded", cancelled: [0], summary: { attempts: 1 } })
    expect(won.call.phase).toBe("Done")
  })

  it("never hedges a non-idempotent call", () => {
    const { call, guards } = begin(false)
    const admitted = RetryCall.step(call, guards, { _tag: "Admit", now: 0 })
    expect(admitted.output).toEqual({ _tag: "Proceed", attempt: 1, waitMillis: 0 })
    const due = RetryCall.step(admitted.call, admitted.guards, { _tag: "Hedge", now: 10, attempt: 1 })
    expect(due.output).toEqual({ _tag: "Pending" })
    expect(due.guards.hedge).toEqual(admitted.guards.hedge)
  })

  it("a copy that fails while another is in flight is Pending; the last one decides the retry", () => {
    let { call, guards } = begin()
    ;({ call, guards } = RetryCall.step(call, guards, { _tag: "Admit", now: 0 }))
    ;({ call, guards } = RetryCall.step(call, guards, { _tag: "Hedge", now: 10, attempt: 1 }))
    const error = Testing.failureOf("transient")!
    const one = RetryCall.step(call, guards, { _tag: "Failed", now: 12, error, draw: 0.5, copy: 0 })
    expect(one.output).toEqual({ _tag: "Pending" })
    const last = RetryCall.step(one.call, one.guards, { _tag: "Failed", now: 14, error, draw: 0.5, copy: 1 })
    expect(last.output).toEqual({ _tag: "Retry", delayMillis: 10, basis: "backoff" })
    expect(last.call.retry.attempts).toBe(1)
  })
})
