import { describe, expect, it } from "@effect/vitest"
import {
  AdaptiveLimiter,
  type CallError,
  CircuitBreaker,
  Emf,
  InvalidOption,
  RetryCall,
  RetryEvent,
  RetryPolicy,
  RetryQuota,
  RetryTelemetry,
  StateStore
} from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { Cause, Clock, Effect, Exit, Fiber, Metric, Option, TestClock } from "effect"

// The per-call machine's guarantees: every way a call ends gives back what it held, guard state is owned and bounded,
// waits respect the time budget, and the Schedule view cannot silently drop guards.

const context = { service: "TestService", operation: "TestOperation" }
const breaker = CircuitBreaker.consecutive({ name: "lockout", threshold: 1, breakDuration: "1 second" })
const single = RetryPolicy.make({ name: "single", maxAttempts: 1, breaker })

/** Opens the breaker with one failed call, then waits its break out: the next call is its half-open probe. */
const halfOpen = (store: StateStore.StateStore) =>
  Effect.gen(function*() {
    yield* Testing.timeline({ policy: single, outcomes: ["transient"], store })
    expect((yield* current(store))._tag).toBe("Open")
    yield* TestClock.adjust("1 second")
  })

const current = (store: StateStore.StateStore) =>
  CircuitBreaker.current(breaker, context).pipe(Effect.provideService(StateStore.StateStore, store))

/** A call whose attempt is `attempt`, under `single`, on `store`. */
const callWith = <A, E>(store: StateStore.StateStore, attempt: Effect.Effect<A, E>) =>
  RetryPolicy.retry(attempt, single, context).pipe(Effect.provideService(StateStore.StateStore, store))

/** After a probe ended without an outcome, the next call must still get through (and close the circuit). */
const nextCallGetsThrough = (store: StateStore.StateStore) =>
  Effect.gen(function*() {
    const next = yield* Testing.timeline({ policy: single, outcomes: ["success"], store })
    expect(next.stopReason).toBeUndefined()
    expect(next.attempts).toEqual([0])
    expect((yield* current(store))._tag).toBe("Closed")
  })

describe("no call can lock a half-open breaker", () => {
  it.effect("a probe interrupted by the caller's timeout gives its place back", () =>
    Effect.gen(function*() {
      const store = StateStore.makeMemory()
      yield* halfOpen(store)
      const slow = Effect.sleep("10 seconds").pipe(Effect.as("ok"))
      const timedOut = yield* Testing.run(callWith(store, slow).pipe(Effect.timeout("100 millis")))
      expect(Exit.isFailure(timedOut.exit)).toBe(true)
      yield* nextCallGetsThrough(store)
    }))

  it.effect("a probe that loses a race gives its place back", () =>
    Effect.gen(function*() {
      const store = StateStore.makeMemory()
      yield* halfOpen(store)
      const slow = Effect.sleep("10 seconds").pipe(Effect.as("slow"))
      const raced = yield* Testing.run(
        Effect.race(callWith(store, slow), Effect.sleep("5 millis").pipe(Effect.as("fast")))
      )
      expect(raced.exit).toEqual(Exit.succeed("fast"))
      yield* nextCallGetsThrough(store)
    }))

  it.effect("a probe that dies with a defect gives its place back", () =>
    Effect.gen(function*() {
      const store = StateStore.makeMemory()
      yield* halfOpen(store)
      const died = yield* Effect.exit(callWith(store, Effect.die("boom")))
      expect(Exit.isFailure(died) && Cause.isDie(died.cause)).toBe(true)
      yield* nextCallGetsThrough(store)
    }))

  it.effect("a probe that fails with an error rebound does not classify gives its place back", () =>
    Effect.gen(function*() {
      const store = StateStore.makeMemory()
      yield* halfOpen(store)
      const failed = yield* Effect.exit(callWith(store, Effect.fail(new Error("not a CallError"))))
      expect(Exit.isFailure(failed)).toBe(true)
      yield* nextCallGetsThrough(store)
    }))

  it.effect("a probe whose outcome is never reported (an SDK adapter attempt) is given back after probeTimeout", () =>
    Effect.gen(function*() {
      const store = StateStore.makeMemory()
      yield* halfOpen(store)
      const admitOnce = Effect.flatMap(RetryPolicy.session(single, context), (session) => session.admit(0)).pipe(
        Effect.provideService(StateStore.StateStore, store)
      )
      // The adapter admits a probe; the SDK never calls back (a streaming body failed).
      expect((yield* admitOnce)._tag).toBe("Proceed")
      expect((yield* admitOnce)._tag).toBe("Stop") // the place is held…
      yield* TestClock.adjust("9999 millis")
      expect((yield* admitOnce)._tag).toBe("Stop")
      yield* TestClock.adjust("1 millis") // …for the breaker's probeTimeout (10 s by default), not forever
      expect((yield* admitOnce)._tag).toBe("Proceed")
    }))

  it.effect("every call ends with exactly one closing event, the interrupted ones included", () =>
    Effect.gen(function*() {
      const closing: Array<string> = []
      const observe = RetryEvent.withObserver((e) =>
        Effect.sync(() => {
          if (e._tag === "Succeeded" || e._tag === "RetriesStopped" || e._tag === "CallAborted") {
            closing.push(e._tag === "CallAborted" ? `CallAborted:${e.reason}` : e._tag)
          }
        })
      )
      const store = StateStore.makeMemory()
      yield* observe(Effect.exit(callWith(store, Effect.die("boom"))))
      yield* observe(Effect.exit(callWith(store, Effect.fail(new Error("unclassified")))))
      yield* Testing.run(observe(callWith(store, Effect.never).pipe(Effect.timeout("1 millis"))))
      expect(closing).toEqual(["CallAborted:defect", "CallAborted:unclassified", "CallAborted:interrupted"])
    }))
})

describe("guard state is owned", () => {
  it.effect("keys are per scope and resource by default; a named key is shared on purpose", () =>
    Effect.gen(function*() {
      const quota = RetryQuota.make({ name: "owned", capacity: 100 })
      const policy = RetryPolicy.make({ name: "owned", maxAttempts: 2, base: 1, quota })
      const store = StateStore.makeMemory()
      const run = (options: RetryPolicy.CallOptions) =>
        Testing.timelineOf(
          { outcomes: ["transient", "success"], draws: [0], store },
          (call) => RetryPolicy.retry(call, policy, { ...context, ...options })
        )
      yield* run({ scope: "client-a", resource: "orders" })
      yield* run({ scope: "client-a", resource: "orders" })
      yield* run({ scope: "client-b", resource: "orders" })
      yield* run({ scope: "client-a", resource: "users" })
      const left = (options: Partial<RetryPolicy.CallContext>) =>
        RetryQuota.current(quota, { ...context, ...options }).pipe(Effect.provideService(StateStore.StateStore, store))
      // Each retry costs 14 and its success refunds 14: spent and returned, per owner.
      expect(yield* Effect.all([left({ scope: "client-a", resource: "orders" })])).toEqual([100])
      expect([...yield* store.keys].filter((k) => k.startsWith("quota/")).sort()).toEqual([
        "quota/owned/client-a/orders",
        "quota/owned/client-a/users",
        "quota/owned/client-b/orders"
      ])
      const shared = RetryQuota.make({ name: "shared", capacity: 100, key: () => "everyone" })
      const sharing = RetryPolicy.modify(policy, { quota: shared })
      yield* Testing.timelineOf(
        { outcomes: ["transient", "transient"], draws: [0], store },
        (call) => RetryPolicy.retry(call, sharing, { ...context, scope: "client-a" })
      )
      yield* Testing.timelineOf(
        { outcomes: ["transient", "transient"], draws: [0], store },
        (call) => RetryPolicy.retry(call, sharing, { ...context, scope: "client-b" })
      )
      expect(yield* RetryQuota.current(shared, context).pipe(Effect.provideService(StateStore.StateStore, store)))
        .toBe(100 - 2 * 14)
    }))

  it.effect("releasing a scope removes its state and nothing else", () =>
    Effect.gen(function*() {
      const store = StateStore.makeMemory()
      const policy = RetryPolicy.make({ name: "scoped", maxAttempts: 1, breaker })
      for (const scope of ["DynamoDB(us-east-1)#1", "DynamoDB(us-east-1)#10", "S3()#2"]) {
        yield* Testing.timelineOf({ outcomes: ["transient"], store }, (call) =>
          RetryPolicy.retry(call, policy, { ...context, scope, resource: "t" }))
      }
      yield* StateStore.releaseScope("DynamoDB(us-east-1)#1").pipe(Effect.provideService(StateStore.StateStore, store))
      expect([...yield* store.keys].sort()).toEqual([
        "breaker/lockout/DynamoDB(us-east-1)#10/t",
        "breaker/lockout/S3()#2/t"
      ])
    }))
})

describe("guard state is bounded", () => {
  it.effect(
    "a million distinct keys through a keyed quota and breaker leave at most maxEntries states",
    () =>
      Effect.gen(function*() {
        const store = StateStore.makeMemory({ maxEntries: 5_000 })
        const policy = RetryPolicy.make({
          name: "million",
          quota: RetryQuota.make({ name: "q" }),
          breaker: CircuitBreaker.consecutive({ name: "b" })
        })
        const modifyNow = store.modifyNow!
        // The interpreter's two store steps of a successful call (admit, succeed), done through the machine itself.
        for (let i = 0; i < 1_000_000; i++) {
          let call = RetryCall.start({ policy, context: { ...context, resource: `r${i}` }, now: i })
          const keys = RetryCall.guardKinds.filter((k) => call.keys[k] !== undefined)
          for (const input of [{ _tag: "Admit", now: i } as const, { _tag: "Succeeded", now: i + 1 } as const]) {
            call = modifyNow(
              keys.map((k) => call.keys[k]!),
              (index) => RetryCall.initialGuard(policy, keys[index]!, i),
              (states) => {
                const guards = { ...RetryCall.noGuards, breaker: states[0], quota: states[1] } as RetryCall.Guards
                const result = RetryCall.step(call, guards, input)
                return [result.call, [result.guards.breaker, result.guards.quota]] as const
              }
            )
          }
        }
        expect(yield* store.size).toBe(5_000)
        expect(store.maxEntries).toBe(5_000)
      }),
    60_000
  )

  it.effect("the interpreter keeps the default store within its bound", () =>
    Effect.gen(function*() {
      const store = StateStore.makeMemory({ maxEntries: 100 })
      const policy = RetryPolicy.make({ name: "bounded", quota: RetryQuota.make({ name: "q" }), breaker })
      yield* Effect.forEach(
        Array.from({ length: 2_000 }, (_, i) => i),
        (i) => RetryPolicy.retry(Effect.void, policy, { ...context, resource: `r${i}` }),
        { discard: true }
      ).pipe(Effect.provideService(StateStore.StateStore, store))
      expect(yield* store.size).toBe(100)
      // The most recently used keys are the ones kept.
      expect(yield* store.keys).toContain("quota/q/TestService/r1999")
      expect(yield* store.keys).not.toContain("quota/q/TestService/r0")
    }))

  it.effect("keyed gauges keep at most maxKeySeries series; later keys share the series `other`", () =>
    Effect.gen(function*() {
      const quota = RetryQuota.make({ name: "gauged" })
      const policy = RetryPolicy.make({ name: "gauged", maxAttempts: 2, base: 0, quota })
      const observer = RetryTelemetry.metricsObserverWith({ maxKeySeries: 10 })
      yield* Effect.forEach(
        Array.from({ length: 500 }, (_, i) => i),
        (i) =>
          Testing.timelineOf(
            { outcomes: ["transient", "success"], draws: [0] },
            (call) =>
              RetryPolicy.retry(call, policy, { ...context, resource: `gauge-${i}` }).pipe(
                RetryEvent.withObserver(observer)
              )
          ),
        { discard: true }
      )
      const series = (yield* Metric.snapshot).filter((m) =>
        m.metricKey.name === "rebound_quota_tokens" &&
        m.metricKey.tags.some((t) => t.key === "key" && (t.value.startsWith("quota/gauged/") || t.value === "other"))
      )
      expect(series.length).toBe(11)
    }))

  it.effect("an interrupted call after a throttle writes its EMF line and leaves nothing behind", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const emf = Emf.observer({ write: (line) => Effect.sync(() => lines.push(line)) })
      const policy = RetryPolicy.make({ name: "emf", maxAttempts: 3, throttling: { base: "10 seconds" } })
      // The throttle's backoff is 0.5 · 10 s: the caller's 1 s timeout interrupts the call while it backs off.
      yield* Testing.run(
        Effect.flatMap(
          Testing.scripted(["throttle", "success"]),
          (script) =>
            RetryPolicy.retry(script.call, policy, context).pipe(
              RetryEvent.withObserver(emf),
              Effect.timeout("1 second")
            )
        ).pipe(Testing.withDraws([0.5]))
      )
      expect(lines).toHaveLength(1)
      const line = JSON.parse(lines[0]!)
      expect(line).toMatchObject({ Attempts: 1, Throttles: 1, AbortReason: "interrupted", Failed: 0 })
      // The next call on the same observer counts its own throttles, not the interrupted call's.
      yield* Testing.timelineOf(
        { outcomes: ["success"] },
        (call) => RetryPolicy.retry(call, policy, context).pipe(RetryEvent.withObserver(emf))
      )
      expect(JSON.parse(lines[1]!)).toMatchObject({ Attempts: 1, Throttles: 0, Failed: 0 })
    }))
})

describe("RetryPolicy.toSchedule cannot silently drop guards", () => {
  it("refuses a policy that carries guards, naming them, and takes one whose guards were dropped knowingly", () => {
    const guarded = RetryPolicy.make({ name: "guarded", quota: RetryQuota.aws2026 })
    // @ts-expect-error a Schedule cannot run a quota: the type refuses a guarded policy
    const attempt = () => RetryPolicy.toSchedule(guarded)
    expect(attempt).toThrow(InvalidOption.InvalidOptionError)
    expect(attempt).toThrow(/quota, budget, limiter or breaker/)
    expect(() => RetryPolicy.toSchedule(RetryPolicy.withoutGuards(guarded))).not.toThrow()
    expect(RetryPolicy.withoutGuards(guarded).quota).toBeUndefined()
    expect(RetryPolicy.withoutGuards(guarded).name).toBe("guarded")
  })
})

describe("the adaptive limiter's waits", () => {
  /** A limiter throttled down to its floor (0.5 tokens/s): the next attempt waits about 2 s. */
  const throttledLimiter = (store: StateStore.StateStore, limiter: AdaptiveLimiter.AdaptiveLimiter) =>
    Testing.timelineOf(
      { outcomes: ["throttle"], store },
      (call) => RetryPolicy.retry(call, RetryPolicy.make({ name: "warm", maxAttempts: 1, limiter }), context)
    )

  it.effect("a wait that would end past maxElapsed stops the call at once, without waiting", () =>
    Effect.gen(function*() {
      const store = StateStore.makeMemory()
      const limiter = AdaptiveLimiter.make({ name: "budgeted" })
      yield* throttledLimiter(store, limiter) // the bucket is empty and refills at 0.5 tokens/s: the next send waits 2 s
      const policy = RetryPolicy.make({ name: "budgeted", maxElapsed: "1 second", limiter })
      const start = yield* Clock.currentTimeMillis
      const timeline = yield* Testing.timelineOf(
        { outcomes: ["success"], store },
        (call) => RetryPolicy.retry(call, policy, context)
      )
      expect(timeline.stopReason).toBe("maxElapsed")
      expect(timeline.attempts).toEqual([])
      expect((yield* Clock.currentTimeMillis) - start).toBe(0)
      const error = Option.getOrThrow(
        Exit.isFailure(timeline.exit) ? Cause.failureOption(timeline.exit.cause) : Option.none()
      )
      expect(error).toMatchObject({ _tag: "TransientError", code: "ClientRateLimited", ambiguous: false })
    }))

  it.effect("a waiter that leaves shortens the wait of everyone behind it", () =>
    Effect.gen(function*() {
      const store = StateStore.makeMemory()
      const limiter = AdaptiveLimiter.make({ name: "fifo" })
      yield* throttledLimiter(store, limiter)
      const policy = RetryPolicy.make({ name: "fifo", maxAttempts: 1, limiter })
      const stamp = Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.succeed(now))
      const waiter = RetryPolicy.retry(stamp, policy, context).pipe(Effect.provideService(StateStore.StateStore, store))
      const start = yield* Clock.currentTimeMillis
      const first = yield* Effect.fork(waiter)
      yield* Effect.yieldNow()
      const second = yield* Effect.fork(waiter)
      yield* Effect.yieldNow()
      const third = yield* Effect.fork(waiter)
      yield* Effect.yieldNow()
      yield* TestClock.adjust("100 millis")
      yield* Fiber.interrupt(first) // the first in line leaves
      const sent = yield* Testing.runToCompletion(second)
      const sentThird = yield* Testing.runToCompletion(third)
      // At 0.5 tokens/s each place in line is 2 s: with the first gone, the second sends where the first would have
      // (at 2 s, not at its own 4 s); its success then speeds the limiter up, and the third still comes after it.
      const at = (exit: Exit.Exit<number>) => Exit.isSuccess(exit) ? exit.value - start : -1
      expect(at(sent)).toBeCloseTo(2000, 0)
      expect(at(sent)).toBeLessThan(at(sentThird))
    }))
})

describe("one rule for the throttling base", () => {
  it("make({ base }) alone leaves the throttling base at 1 second, as documented; modify keeps it", () => {
    const policy = RetryPolicy.make({ base: "25 millis" })
    expect(policy.backoff.baseMillis).toBe(25)
    expect(policy.throttlingBackoff.baseMillis).toBe(1000)
    expect(RetryPolicy.modify(policy, { base: "10 millis" }).throttlingBackoff.baseMillis).toBe(1000)
    expect(RetryPolicy.make({ base: 25, throttling: { base: 300 } }).throttlingBackoff.baseMillis).toBe(300)
  })
})

describe("Testing.timeline leaves the clock where the call ended", () => {
  it.effect("a breaker opened in one timeline is still open in the next, sharing a store", () =>
    Effect.gen(function*() {
      const store = StateStore.makeMemory()
      const policy = RetryPolicy.make({
        name: "carry",
        maxAttempts: 1,
        breaker: CircuitBreaker.consecutive({ threshold: 1, breakDuration: "5 seconds" })
      })
      const start = yield* Clock.currentTimeMillis
      const first = yield* Testing.timeline({ policy, outcomes: ["transient"], store })
      expect(first.end).toBe(0)
      expect((yield* Clock.currentTimeMillis) - start).toBe(0)
      const second = yield* Testing.timeline({ policy, outcomes: ["success"], store })
      expect(second.stopReason).toBe("circuitOpen")
      const backedOff = yield* Testing.timeline({
        policy: RetryPolicy.make({ name: "later", maxAttempts: 3, base: 100, jitter: "none" }),
        outcomes: ["transient", "transient", "success"],
        store
      })
      expect(backedOff.end).toBe(300)
      expect((yield* Clock.currentTimeMillis) - start).toBe(300)
    }))
})

describe("a cleanup call", () => {
  it.effect("is never refused by an open breaker, a spent budget or an empty quota, and touches none of them", () =>
    Effect.gen(function*() {
      const store = StateStore.makeMemory()
      const quota = RetryQuota.make({ name: "empty", capacity: 14 })
      const policy = RetryPolicy.make({ name: "guarded", maxAttempts: 3, base: 1, jitter: "none", breaker, quota })
      yield* Testing.timeline({ policy, outcomes: ["transient", "transient"], store })
      expect((yield* current(store))._tag).toBe("Open")
      const refused = yield* Testing.timeline({ policy, outcomes: ["success"], store })
      expect(refused.stopReason).toBe("circuitOpen")
      const cleanup = yield* Testing.timelineOf(
        { outcomes: ["transient", "success"], store, draws: [0] },
        (call) => RetryPolicy.retry(call, policy, { ...context, cleanup: true })
      )
      expect(cleanup.stopReason).toBeUndefined()
      expect(cleanup.attempts).toEqual([0, 1])
      expect((yield* current(store))._tag).toBe("Open")
    }))
})

describe("a success says what it took", () => {
  it.effect("retryWithSummary returns attempts and total delay alongside the value", () =>
    Effect.gen(function*() {
      const policy = RetryPolicy.make({ name: "summary", maxAttempts: 3, base: 100, jitter: "none" })
      let summary: CallError.CallSummary | undefined
      yield* Testing.timelineOf({ outcomes: ["transient", "transient", "success"] }, (call) =>
        RetryPolicy.retryWithSummary(call, policy, context).pipe(
          Effect.map(([value, s]) => {
            summary = s
            return value
          })
        ))
      expect(summary?.attempts).toBe(3)
      expect(summary?.policy).toBe("summary")
      expect(summary && Number(summary.totalDelay.value._tag === "Millis" ? summary.totalDelay.value.millis : -1))
        .toBe(300)
    }))
})

describe("RetryCall.needsRelease: whether a release would change anything", () => {
  it("only while a probe or a reservation is held, or when someone observes the call", () => {
    const probing = RetryPolicy.make({
      name: "probing",
      maxAttempts: 2,
      breaker: CircuitBreaker.consecutive({ threshold: 1, breakDuration: 10 })
    })
    const start = (info?: RetryEvent.CallInfo) =>
      RetryCall.start({ policy: probing, context, now: 0, ...(info !== undefined ? { info } : {}) })
    // Closed breaker, nobody observing: admitted, the attempt holds nothing.
    let call = start()
    let guards = RetryCall.initialGuards(call, 0)
    expect(RetryCall.needsRelease(call)).toBe(false)
    ;({ call, guards } = RetryCall.step(call, guards, { _tag: "Admit", now: 0 }))
    expect(RetryCall.needsRelease(call)).toBe(false) // The attempt fails and opens the breaker; after its break, the next admission is the half-open probe.
    ;({ call, guards } = RetryCall.step(call, guards, {
      _tag: "Failed",
      now: 1,
      error: Testing.failureOf("transient")!,
      draw: 0
    }))
    expect(guards.breaker?._tag).toBe("Open")
    const probe = start()
    const admitted = RetryCall.step(probe, guards, { _tag: "Admit", now: 20 })
    expect(admitted.output._tag).toBe("Proceed")
    expect(RetryCall.needsRelease(admitted.call)).toBe(true)
    const released = RetryCall.step(admitted.call, admitted.guards, { _tag: "Release", now: 21, reason: "interrupted" })
    expect(released.guards.breaker?._tag).toBe("HalfOpen")
    expect(RetryCall.needsRelease(released.call)).toBe(false)
    // An observed call needs its release from the start: the observer is told how it ended.
    const observed = start({ id: 1, ...context, policy: "probing" })
    expect(RetryCall.needsRelease(observed)).toBe(true)
  })
})
