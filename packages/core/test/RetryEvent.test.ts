import { describe, expect, it } from "@effect/vitest"
import { CircuitBreaker, Presets, RetryEvent, RetryPolicy, RetryQuota } from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { Chunk, Effect, Fiber, Layer, Ref, Stream } from "effect"

const record = Effect.gen(function*() {
  const events = yield* Ref.make<ReadonlyArray<RetryEvent.RetryEvent>>([])
  const observer: RetryEvent.RetryObserver = (e) => Ref.update(events, (xs) => [...xs, e])
  return { observer, events: Ref.get(events) }
})

const strip = (events: ReadonlyArray<RetryEvent.RetryEvent>) =>
  events.map((e) => {
    const { call: _call, ...rest } = e as RetryEvent.RetryEvent & { readonly call?: unknown }
    return rest
  })

describe("RetryEvent", () => {
  it.effect("the exact sequence of events for a scripted call", () =>
    Effect.gen(function*() {
      const { events, observer } = yield* record
      const policy = RetryPolicy.make({ name: "events", maxAttempts: 3, base: 100, throttling: { base: 1000 } })
      yield* Testing.timeline({
        policy,
        outcomes: ["throttle", "transient", "success"],
        draws: [0.5],
        service: "DynamoDB",
        operation: "GetItem"
      }).pipe(RetryEvent.withObserver(observer))
      const all = yield* events
      expect(all.every((e) => !("call" in e) || e.call.service === "DynamoDB")).toBe(true)
      const t0 = all[0]!.at
      const throttle = {
        tag: "ThrottlingError",
        failureClass: "throttling",
        code: "ThrottlingException",
        reason: undefined,
        ambiguous: false,
        httpStatus: 400,
        requestId: undefined,
        retryAfterMillis: undefined
      }
      const transient = {
        ...throttle,
        tag: "TransientError",
        failureClass: "transient",
        code: "ServiceUnavailable",
        reason: "server",
        httpStatus: 503
      }
      expect(strip(all).map((e) => ({ ...e, at: e.at - t0 }))).toEqual([
        { _tag: "AttemptStarted", attempt: 1, at: 0 },
        { _tag: "AttemptFailed", attempt: 1, durationMillis: 0, failure: throttle, at: 0 },
        {
          _tag: "RetryScheduled",
          attempt: 1,
          failure: throttle,
          delayMillis: 500,
          backoffMillis: 500,
          basis: "backoff",
          at: 0
        },
        { _tag: "AttemptStarted", attempt: 2, at: 500 },
        { _tag: "AttemptFailed", attempt: 2, durationMillis: 0, failure: transient, at: 500 },
        {
          _tag: "RetryScheduled",
          attempt: 2,
          failure: transient,
          delayMillis: 100,
          backoffMillis: 100,
          basis: "backoff",
          at: 500
        },
        { _tag: "AttemptStarted", attempt: 3, at: 600 },
        { _tag: "Succeeded", attempts: 3, totalDelayMillis: 600, elapsedMillis: 600, at: 600 }
      ])
      expect(all[0]).toMatchObject({ call: { service: "DynamoDB", operation: "GetItem", policy: "events" } })
    }))

  it.effect("stops, with the reason; retry-after hints say so; guards report quota and breaker changes", () =>
    Effect.gen(function*() {
      const { events, observer } = yield* record
      const policy = RetryPolicy.make({
        name: "guarded",
        maxAttempts: 2,
        quota: RetryQuota.make({ name: "q", capacity: 20 }),
        breaker: CircuitBreaker.consecutive({ threshold: 2 })
      })
      yield* Testing.timeline({ policy, outcomes: [{ throttle: { retryAfter: "2 seconds" } }], draws: [0.5] }).pipe(
        RetryEvent.withObserver(observer)
      )
      const tags = (yield* events).map((e) => e._tag)
      expect(tags).toEqual([
        "AttemptStarted",
        "AttemptFailed",
        "QuotaChanged",
        "RetryScheduled",
        "AttemptStarted",
        "AttemptFailed",
        "BreakerStateChanged",
        "RetriesStopped"
      ])
      const all = yield* events
      expect(all.find(RetryEvent.$is("QuotaChanged"))).toMatchObject({
        key: "quota/q/TestService",
        tokens: 15,
        capacity: 20,
        delta: -5
      })
      expect(all.find(RetryEvent.$is("RetryScheduled"))).toMatchObject({
        delayMillis: 2000,
        backoffMillis: 500,
        basis: "retryAfter"
      })
      expect(all.find(RetryEvent.$is("BreakerStateChanged"))).toMatchObject({ from: "Closed", to: "Open" })
      expect(all.find(RetryEvent.$is("RetriesStopped"))).toMatchObject({
        attempts: 2,
        totalDelayMillis: 2000,
        stopReason: "maxAttempts"
      })
    }))

  it.effect("limiter waits and rate changes are events", () =>
    Effect.gen(function*() {
      const { events, observer } = yield* record
      const policy = RetryPolicy.modify(Presets.awsJs2026Adaptive, { maxAttempts: 2 })
      yield* Testing.timeline({ policy, outcomes: ["throttle", "success"], draws: [0.5] }).pipe(
        RetryEvent.withObserver(observer)
      )
      const all = yield* events
      expect(all.find(RetryEvent.$is("LimiterRateChanged"))).toMatchObject({ enabled: true, fillRate: 0.5 })
      expect(all.find(RetryEvent.$is("AttemptDelayed"))).toMatchObject({
        attempt: 2,
        reason: "limiter",
        waitMillis: 1500 // the 500 ms backoff already refilled 0.25 of the 1 token owed at 0.5/s
      })
    }))

  it.scoped("layerStream publishes every event to subscribers", () =>
    Effect.gen(function*() {
      const events = yield* RetryEvent.RetryEvents
      const collected = yield* events.stream.pipe(Stream.take(3), Stream.runCollect, Effect.fork)
      yield* Effect.yieldNow()
      yield* Testing.timeline({ policy: Presets.awsJs2026, outcomes: ["transient", "success"], draws: [0.5] })
      const tags = Chunk.toReadonlyArray(yield* Fiber.join(collected)).map((e) => e._tag)
      expect(tags).toEqual(["AttemptStarted", "AttemptFailed", "QuotaChanged"])
    }).pipe(Effect.provide(RetryEvent.layerStream())))

  it.effect("observers compose: layers add to each other, also when built in parallel by Layer.merge", () =>
    Effect.gen(function*() {
      const a = yield* record
      const b = yield* record
      const c = yield* record
      yield* Testing.timeline({ policy: Presets.none, outcomes: ["success"] }).pipe(
        Effect.provide(RetryEvent.addObserver(a.observer)),
        Effect.provide(Layer.merge(RetryEvent.addObserver(b.observer), RetryEvent.addObserver(c.observer)))
      )
      expect((yield* a.events).length).toBe(2)
      expect((yield* b.events).length).toBe(2)
      expect((yield* c.events).length).toBe(2)
    }))
})
