import { describe, expect, it } from "@effect/vitest"
import { type CallError, CircuitBreaker, RetryPolicy, StateStore } from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { Cause, Duration, Effect, Exit, Fiber, Option, TestClock } from "effect"
import { invalidField } from "./helpers.js"

const call = { service: "TestService", operation: "TestOperation" }

const failure = <A>(exit: Exit.Exit<A, CallError.CallError>) =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined

describe("CircuitBreaker.consecutive on TestClock", () => {
  const breaker = CircuitBreaker.consecutive({ threshold: 3, breakDuration: "5 seconds" })
  const policy = RetryPolicy.make({ name: "single", maxAttempts: 1, breaker })

  it.effect("opens after 3 failures, fails fast with retryAfter, half-opens at exactly +5 s, closes on a probe's success", () =>
    Effect.gen(function*() {
      const store = StateStore.makeMemory()
      const state = CircuitBreaker.current(breaker, call).pipe(Effect.provideService(StateStore.StateStore, store))
      const once = (outcome: Testing.Outcome) => Testing.timeline({ policy, outcomes: [outcome], store })
      yield* once("transient")
      yield* once("throttle")
      expect((yield* state)._tag).toBe("Closed")
      yield* once("transient")
      expect(yield* state).toMatchObject({ _tag: "Open", until: 5000 })

      const rejected = yield* once("success")
      expect(rejected.attempts).toEqual([]) // never reached the service
      expect(rejected.stopReason).toBe("circuitOpen")
      const error = failure(rejected.exit)!
      expect(error).toMatchObject({ _tag: "TransientError", code: "CircuitOpen", ambiguous: false })
      expect(error.retryAfter).toEqual(Duration.millis(5000))
      expect(error.retries?.attempts).toBe(0)

      yield* TestClock.adjust("4999 millis")
      expect((yield* once("success")).stopReason).toBe("circuitOpen")
      yield* TestClock.adjust("1 millis")
      const probe = yield* once("success")
      expect(probe.attempts).toEqual([0])
      expect(probe.exit).toEqual(Exit.succeed("ok"))
      expect((yield* state)._tag).toBe("Closed")
    }))

  it.effect("a failed probe opens the circuit again for another break", () =>
    Effect.gen(function*() {
      const store = StateStore.makeMemory()
      const state = CircuitBreaker.current(breaker, call).pipe(Effect.provideService(StateStore.StateStore, store))
      for (let i = 0; i < 3; i++) yield* Testing.timeline({ policy, outcomes: ["transient"], store })
      yield* TestClock.adjust("5 seconds")
      const start = yield* Effect.clockWith((c) => c.currentTimeMillis)
      yield* Testing.timeline({ policy, outcomes: ["transient"], store })
      expect(yield* state).toMatchObject({ _tag: "Open", until: start + 5000 })
    }))

  it.effect("lets only halfOpenProbes calls through while half-open", () =>
    Effect.gen(function*() {
      const store = StateStore.makeMemory()
      for (let i = 0; i < 3; i++) yield* Testing.timeline({ policy, outcomes: ["transient"], store })
      yield* TestClock.adjust("5 seconds")
      const slow = Effect.sleep("1 second").pipe(Effect.as("ok" as const))
      const probe = yield* RetryPolicy.retry(slow, policy, call).pipe(
        Effect.provideService(StateStore.StateStore, store),
        Effect.fork
      )
      yield* Effect.yieldNow()
      const second = yield* Testing.timeline({ policy, outcomes: ["success"], store })
      expect(second.stopReason).toBe("circuitOpen")
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(probe)).toBe("ok")
      expect((yield* Testing.timeline({ policy, outcomes: ["success"], store })).exit).toEqual(Exit.succeed("ok"))
    }))

  it.effect("fatal failures do not count: the service is answering", () =>
    Effect.gen(function*() {
      const store = StateStore.makeMemory()
      for (let i = 0; i < 10; i++) yield* Testing.timeline({ policy, outcomes: ["fatal"], store })
      const state = yield* CircuitBreaker.current(breaker, call).pipe(
        Effect.provideService(StateStore.StateStore, store)
      )
      expect(state._tag).toBe("Closed")
    }))

  it.effect("opening mid-call stops retries with the real failure and stop reason circuitOpen", () =>
    Effect.gen(function*() {
      const retrying = RetryPolicy.make({
        name: "retrying",
        maxAttempts: 5,
        breaker: CircuitBreaker.consecutive({ threshold: 2 })
      })
      const t = yield* Testing.timeline({ policy: retrying, outcomes: ["throttle"], draws: [0.5] })
      expect(t.attempts).toEqual([0, 500])
      expect(t.stopReason).toBe("circuitOpen")
      expect(failure(t.exit)).toMatchObject({ _tag: "ThrottlingError", code: "ThrottlingException" })
    }))
})

describe("CircuitBreaker.sampling", () => {
  const breaker = CircuitBreaker.sampling({ failureRatio: 0.5, minimumThroughput: 4, window: 10_000, slots: 10 })

  it("trips on the failure ratio once the minimum throughput is met, and forgets old outcomes", () => {
    let s = CircuitBreaker.initial(breaker, 0)
    s = CircuitBreaker.record(breaker, s, 0, "transient", false)
    s = CircuitBreaker.record(breaker, s, 0, "transient", false)
    s = CircuitBreaker.record(breaker, s, 0, "success", false)
    expect(s._tag).toBe("Closed") // 3 calls < minimum throughput
    const tripped = CircuitBreaker.record(breaker, s, 1_000, "throttling", false)
    expect(tripped).toMatchObject({ _tag: "Open", openedAt: 1_000, until: 6_000 })
    // 10 s later the first three outcomes slid out of the window
    const later = CircuitBreaker.record(breaker, s, 10_500, "throttling", false)
    expect(later._tag).toBe("Closed")
  })

  it("state is constant-size after a million outcomes", () => {
    const polly = CircuitBreaker.sampling({ failureRatio: 0.9, minimumThroughput: 100 })
    let s = CircuitBreaker.initial(polly, 0)
    for (let i = 0; i < 1_000_000; i++) {
      s = CircuitBreaker.record(polly, s, i * 5, i % 4 === 0 ? "transient" : "success", false)
    }
    expect(s._tag).toBe("Closed")
    if (s._tag === "Closed") {
      expect(s.window?.successes.length).toBe(10)
      expect(s.window?.failures.length).toBe(10)
    }
  })

  it("rejects bad options naming the field", () => {
    expect(invalidField(() => CircuitBreaker.sampling({ failureRatio: 2 }))).toBe("failureRatio")
    expect(invalidField(() => CircuitBreaker.sampling({ window: 0 }))).toBe("window")
    expect(invalidField(() => CircuitBreaker.sampling({ minimumThroughput: 0 }))).toBe("minimumThroughput")
    expect(invalidField(() => CircuitBreaker.consecutive({ threshold: 0 }))).toBe("threshold")
    expect(invalidField(() => CircuitBreaker.consecutive({ breakDuration: -1 }))).toBe("breakDuration")
    expect(invalidField(() => CircuitBreaker.consecutive({ counts: ["sometimes" as never] }))).toBe("counts")
  })
})
