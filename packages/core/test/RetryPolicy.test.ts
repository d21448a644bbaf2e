import { describe, expect, it } from "@effect/vitest"
import { type CallError, InvalidOption, Presets, RetryPolicy } from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { Cause, Chunk, Duration, Effect, Either, Exit, Fiber, Layer, Random, TestClock } from "effect"

const policy = RetryPolicy.make({ name: "test", maxAttempts: 4, base: 100, cap: 1000, throttling: { base: 1000 } })

const failureOf = <A>(exit: Exit.Exit<A, CallError.CallError>) => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "None") throw new Error("expected a typed failure")
  return failure.value
}

describe("RetryPolicy.make", () => {
  it("defaults to 3 attempts, 50 ms / 1 s full jitter capped at 20 s, and the 5 s Retry-After clamp", () => {
    const p = RetryPolicy.make()
    expect(p.maxAttempts).toBe(3)
    expect(p.backoff).toMatchObject({ baseMillis: 50, capMillis: 20_000, factor: 2, jitter: "full" })
    expect(p.throttlingBackoff).toMatchObject({ baseMillis: 1000, capMillis: 20_000, jitter: "full" })
    expect(p.retryAfter).toEqual({ maxExtraMillis: 5000, maxDelayMillis: Infinity })
    expect(p.idempotent).toBe(false)
    expect(p.maxElapsedMillis).toBe(Infinity)
  })

  it("rejects bad options with a typed error naming field and value", () => {
    const cases: ReadonlyArray<[RetryPolicy.Options, string, string]> = [
      [{ maxAttempts: 0 }, "maxAttempts", "0"],
      [{ maxAttempts: 2.5 }, "maxAttempts", "2.5"],
      [{ maxAttempts: Number.NaN }, "maxAttempts", "NaN"],
      [{ base: -5 }, "base", "-5"],
      [{ base: Number.NaN }, "base", "NaN"],
      [{ base: 200, cap: 100 }, "cap", "100"],
      [{ factor: 0.9 }, "factor", "0.9"],
      [{ maxElapsed: -1 }, "maxElapsed", "-1"],
      [{ throttling: { base: "2 seconds" }, cap: "1 second" }, "throttling.cap", "\"1 second\""],
      [{ retryAfter: { maxExtra: -1 } }, "retryAfter.maxExtra", "-1"],
      [{ name: "" }, "name", "\"\""]
    ]
    for (const [options, field, value] of cases) {
      const result = RetryPolicy.validate(options)
      expect(Either.isLeft(result), field).toBe(true)
      if (Either.isLeft(result)) {
        expect(result.left).toBeInstanceOf(InvalidOption.InvalidOptionError)
        expect(result.left._tag).toBe("InvalidOptionError")
        expect(result.left.field).toBe(field)
        expect(result.left.value).toBe(value)
        expect(result.left.message).toContain(`RetryPolicy.make: option "${field}"`)
      }
    }
    expect(() => RetryPolicy.make({ maxAttempts: 0 })).toThrow(
      "RetryPolicy.make: option \"maxAttempts\" must be an integer ≥ 1; got 0"
    )
  })

  it("modify keeps the throttling curve unless asked, and validates", () => {
    const longer = RetryPolicy.modify(Presets.awsJs2026, { base: 200, maxAttempts: 5 })
    expect(longer.backoff.baseMillis).toBe(200)
    expect(longer.throttlingBackoff.baseMillis).toBe(1000)
    expect(longer.maxAttempts).toBe(5)
    const capped = Presets.awsJs2026.pipe(RetryPolicy.modify({ cap: 2000 }))
    expect(capped.backoff.capMillis).toBe(2000)
    expect(capped.throttlingBackoff.capMillis).toBe(2000)
    expect(() => RetryPolicy.modify(Presets.awsJs2026, { maxAttempts: -1 })).toThrow(InvalidOption.InvalidOptionError)
  })
})

describe("RetryPolicy.decide", () => {
  const facts = (over: Partial<RetryPolicy.Facts> = {}): RetryPolicy.Facts => ({
    failureClass: "transient",
    ambiguous: false,
    retryAfterMillis: undefined,
    retryable: undefined,
    idempotent: false,
    ...over
  })
  const state = (attempts: number): RetryPolicy.State => ({
    attempts,
    totalDelayMillis: 0,
    previousDelayMillis: undefined
  })

  it("checks in order: retryOn/fatal, idempotency, attempts, then the time budget", () => {
    expect(RetryPolicy.decide(policy, state(1), facts({ failureClass: "fatal" }), 0, 0.5)).toEqual({
      _tag: "Stop",
      reason: "notRetryable"
    })
    expect(RetryPolicy.decide(policy, state(4), facts({ ambiguous: true }), 0, 0.5)).toEqual({
      _tag: "Stop",
      reason: "notIdempotent"
    })
    expect(RetryPolicy.decide(policy, state(4), facts(), 0, 0.5)).toEqual({ _tag: "Stop", reason: "maxAttempts" })
    const budget = RetryPolicy.modify(policy, { maxElapsed: 1000 })
    expect(RetryPolicy.decide(budget, state(1), facts(), 951, 0.5)).toEqual({ _tag: "Stop", reason: "maxElapsed" })
    expect(RetryPolicy.decide(budget, state(1), facts(), 950, 0.49)._tag).toBe("Retry")
  })

  it("retryOn narrows and widens", () => {
    expect(RetryPolicy.decide(policy, state(1), facts({ retryable: false }), 0, 0.5)._tag).toBe("Stop")
    expect(RetryPolicy.decide(policy, state(1), facts({ failureClass: "fatal", retryable: true }), 0, 0.5)).toEqual({
      _tag: "Retry",
      delayMillis: 50,
      backoffMillis: 50,
      basis: "backoff"
    })
  })

  it("ambiguous failures are retried only when idempotent", () => {
    expect(RetryPolicy.decide(policy, state(1), facts({ ambiguous: true, idempotent: true }), 0, 0.5)._tag).toBe(
      "Retry"
    )
  })

  it("clamps Retry-After hints to [backoff, backoff + maxExtra]", () => {
    const throttled = (retryAfterMillis: number) => facts({ failureClass: "throttling", retryAfterMillis })
    // throttling backoff at r = 0.5: 500 ms
    expect(RetryPolicy.decide(policy, state(1), throttled(3000), 0, 0.5)).toEqual({
      _tag: "Retry",
      delayMillis: 3000,
      backoffMillis: 500,
      basis: "retryAfter"
    })
    expect(RetryPolicy.decide(policy, state(1), throttled(60_000), 0, 0.5)).toMatchObject({ delayMillis: 5500 })
    expect(RetryPolicy.decide(policy, state(1), throttled(100), 0, 0.5)).toMatchObject({
      delayMillis: 500,
      basis: "backoff"
    })
    const ignoring = RetryPolicy.modify(policy, { retryAfter: false })
    expect(RetryPolicy.decide(ignoring, state(1), throttled(3000), 0, 0.5)).toMatchObject({ delayMillis: 500 })
  })
})

describe("RetryPolicy.retry on TestClock", () => {
  it.effect("retries at exact instants and reports the attempts, total delay and stop reason", () =>
    Effect.gen(function*() {
      const timeline = yield* Testing.timeline({
        policy,
        outcomes: ["transient", "throttle", "transient", "transient"],
        draws: [0.5]
      })
      // transient 0.5·100 = 50; throttling 0.5·min(1000·2, 1000) = 500; transient 0.5·min(400, 1000) = 200
      expect(timeline.attempts).toEqual([0, 50, 550, 750])
      expect(timeline.end).toBe(750)
      expect(timeline.stopReason).toBe("maxAttempts")
      const error = failureOf(timeline.exit)
      expect(error._tag).toBe("TransientError")
      expect(error.retries).toEqual({
        attempts: 4,
        totalDelay: Duration.millis(750),
        elapsed: Duration.millis(750),
        stopReason: "maxAttempts",
        policy: "test"
      })
    }))

  it.effect("succeeds after retries without touching the value", () =>
    Effect.gen(function*() {
      const timeline = yield* Testing.timeline({ policy, outcomes: ["throttle", "success"], draws: [0.25] })
      expect(timeline.attempts).toEqual([0, 250])
      expect(timeline.exit).toEqual(Exit.succeed("ok"))
      expect(timeline.stopReason).toBeUndefined()
    }))

  it.effect("never retries fatal failures, nor ambiguous ones on non-idempotent calls", () =>
    Effect.gen(function*() {
      const fatal = yield* Testing.timeline({ policy, outcomes: ["fatal", "success"] })
      expect(fatal.attempts).toEqual([0])
      expect(fatal.stopReason).toBe("notRetryable")
      const ambiguous = yield* Testing.timeline({ policy, outcomes: ["ambiguous", "success"] })
      expect(ambiguous.attempts).toEqual([0])
      expect(ambiguous.stopReason).toBe("notIdempotent")
      expect(failureOf(ambiguous.exit).message).toContain("mark it idempotent")
      const allowed = yield* Testing.timeline({
        policy,
        outcomes: ["ambiguous", "success"],
        idempotent: true,
        draws: [0.5]
      })
      expect(allowed.attempts).toEqual([0, 50])
    }))

  it.effect("honours Retry-After within the clamp", () =>
    Effect.gen(function*() {
      const timeline = yield* Testing.timeline({
        policy,
        outcomes: [{ throttle: { retryAfter: "3 seconds" } }, { throttle: { retryAfter: "1 minute" } }, "success"],
        draws: [0.5]
      })
      // max(500, min(3000, 5500)) = 3000; then max(500, min(60000, 500 + 5000)) = 5500
      expect(timeline.attempts).toEqual([0, 3000, 8500])
    }))

  it.effect("never starts a retry that would end past maxElapsed", () =>
    Effect.gen(function*() {
      const budgeted = RetryPolicy.modify(policy, { maxAttempts: 10, maxElapsed: "1 second", jitter: "none" })
      const timeline = yield* Testing.timeline({ policy: budgeted, outcomes: ["transient"] })
      // delays 100, 200, 400 end at 700; the next (800) would end at 1500 > 1000
      expect(timeline.attempts).toEqual([0, 100, 300, 700])
      expect(timeline.stopReason).toBe("maxElapsed")
    }))

  it.effect("passes failures that are not CallErrors through, unretried", () =>
    Effect.gen(function*() {
      let calls = 0
      const { exit } = yield* Testing.run(
        Effect.suspend(() => {
          calls++
          return Effect.fail("not a call error" as const)
        }).pipe(RetryPolicy.retry(policy))
      )
      expect(exit).toEqual(Exit.fail("not a call error"))
      expect(calls).toBe(1)
    }))

  it.effect("data-first and data-last forms agree", () =>
    Effect.gen(function*() {
      const a = yield* Testing.timelineOf(
        { outcomes: ["transient", "transient", "success"], draws: [0.7] },
        (call) => RetryPolicy.retry(call, policy)
      )
      const b = yield* Testing.timelineOf(
        { outcomes: ["transient", "transient", "success"], draws: [0.7] },
        (call) => call.pipe(RetryPolicy.retry(policy))
      )
      expect(a.attempts).toEqual(b.attempts)
      expect(a.attempts).toEqual([0, 70, 210])
    }))

  it.effect("interrupting during backoff stops at once: no further attempt, whatever the clock does", () =>
    Effect.gen(function*() {
      const script = yield* Testing.scripted(["throttle"])
      const fiber = yield* script.call.pipe(
        RetryPolicy.retry(policy),
        Effect.withRandom(Random.fixed([0.5])),
        Effect.fork
      )
      yield* TestClock.adjust("100 millis")
      expect(Chunk.toReadonlyArray(yield* TestClock.sleeps())).toEqual([500])
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      yield* TestClock.adjust("1 hour")
      expect(yield* script.attempts).toEqual([0])
    }))

  it.live("interrupting during a real backoff clears its timer", () =>
    Effect.gen(function*() {
      const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length
      const before = timers()
      const script = yield* Testing.scripted(["throttle"])
      const slow = RetryPolicy.make({ name: "slow", cap: "2 hours", throttling: { base: "1 hour" }, jitter: "none" })
      const fiber = yield* script.call.pipe(RetryPolicy.retry(slow), Effect.fork)
      while ((yield* script.attempts).length === 0) yield* Effect.yieldNow()
      yield* Effect.yieldNow()
      expect(timers()).toBe(before + 1)
      yield* Fiber.interrupt(fiber)
      expect(timers()).toBe(before)
    }))
})

describe("RetryPolicy.toSchedule", () => {
  it.effect("makes the same decisions as the interpreter", () =>
    Effect.gen(function*() {
      const viaSchedule = yield* Testing.timelineOf(
        { outcomes: ["transient", "throttle", "transient", "success"], draws: [0.5] },
        (call) => Effect.retry(call, RetryPolicy.toSchedule(RetryPolicy.withoutGuards(policy)))
      )
      expect(viaSchedule.attempts).toEqual([0, 50, 550, 750])
      expect(viaSchedule.exit).toEqual(Exit.succeed("ok"))
      const stops = yield* Testing.timelineOf(
        { outcomes: ["transient", "fatal", "success"], draws: [0.5] },
        (call) => Effect.retry(call, RetryPolicy.toSchedule(RetryPolicy.withoutGuards(policy)))
      )
      expect(stops.attempts).toEqual([0, 50])
    }))
})

describe("CurrentRetryPolicy", () => {
  it.effect("defaults to Presets.rebound, is set by a layer and overridden for a region", () =>
    Effect.gen(function*() {
      expect((yield* RetryPolicy.CurrentRetryPolicy).name).toBe("rebound")
      const inLayer = yield* RetryPolicy.CurrentRetryPolicy.pipe(
        Effect.provide(RetryPolicy.layer(Presets.botocoreStandard))
      )
      expect(inLayer.name).toBe("botocore-standard")
      const region = yield* Testing.timelineOf(
        { outcomes: ["transient"], draws: [0.5] },
        (call) => call.pipe(RetryPolicy.retryCurrent(), RetryPolicy.withPolicy(Presets.none))
      )
      expect(region.attempts).toEqual([0])
      const fromLayer = yield* Testing.timelineOf(
        { outcomes: ["transient"], draws: [0.5] },
        (call) =>
          call.pipe(RetryPolicy.retryCurrent(), Effect.provide(Layer.succeed(RetryPolicy.CurrentRetryPolicy, policy)))
      )
      expect(fromLayer.attempts).toEqual([0, 50, 150, 350])
    }))
})
