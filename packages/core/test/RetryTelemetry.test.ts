import { describe, expect, it } from "@effect/vitest"
import { RetryPolicy, RetryTelemetry } from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { Effect, HashMap, Logger, LogLevel, Metric, type MetricState, Ref } from "effect"
import { inMemoryOtel } from "./otel.js"

const policy = RetryPolicy.make({ name: "telemetry", maxAttempts: 3, base: 100, throttling: { base: 1000 } })

const counterValue = (metric: Metric.Metric.Counter<number>, tags: Record<string, string>) =>
  Effect.map(
    Metric.value(Object.entries(tags).reduce((m, [k, v]) => Metric.tagged(m, k, v), metric)),
    (state: MetricState.MetricState.Counter<number>) => state.count
  )

describe("RetryTelemetry.metrics", () => {
  it.effect("counts attempts, retries, throttles, failures, stops and records delays after scripted calls", () =>
    Effect.gen(function*() {
      const service = "MetricsService" // a service of its own: metrics are process-wide
      const run = (outcomes: Testing.TimelineOptions["outcomes"]) =>
        Testing.timeline({ policy, outcomes, draws: [0.5], service, operation: "Op" }).pipe(
          Effect.provide(RetryTelemetry.metrics)
        )
      yield* run(["throttle", "transient", "success"])
      yield* run(["throttle", "throttle", "throttle"])
      const base = { service, operation: "Op" }
      expect(yield* counterValue(RetryTelemetry.attempts, base)).toBe(6)
      expect(yield* counterValue(RetryTelemetry.throttles, base)).toBe(4)
      expect(yield* counterValue(RetryTelemetry.failures, { ...base, failure_class: "throttling" })).toBe(4)
      expect(yield* counterValue(RetryTelemetry.failures, { ...base, failure_class: "transient" })).toBe(1)
      expect(yield* counterValue(RetryTelemetry.retries, { ...base, failure_class: "throttling" })).toBe(3)
      expect(yield* counterValue(RetryTelemetry.retries, { ...base, failure_class: "transient" })).toBe(1)
      expect(yield* counterValue(RetryTelemetry.successes, base)).toBe(1)
      expect(
        yield* counterValue(RetryTelemetry.stops, { ...base, failure_class: "throttling", reason: "maxAttempts" })
      ).toBe(1)
      const delays = yield* Metric.value(
        Metric.tagged(
          Metric.tagged(Metric.tagged(RetryTelemetry.retryDelay, "service", service), "operation", "Op"),
          "failure_class",
          "throttling"
        )
      )
      // 500 (call 1), then 500 and 1000 (call 2)
      expect([delays.count, delays.sum, delays.min, delays.max]).toEqual([3, 2000, 500, 1000])
      const latency = yield* Metric.value(
        Metric.tagged(
          Metric.tagged(Metric.tagged(RetryTelemetry.callDuration, "service", service), "operation", "Op"),
          "outcome",
          "failure"
        )
      )
      expect([latency.count, latency.sum]).toEqual([1, 1500])
    }))
})

describe("RetryTelemetry.logs", () => {
  it.effect("a debug line per retry and a warning when retries stop, annotated with service, operation, attempt", () =>
    Effect.gen(function*() {
      const lines = yield* Ref.make<
        ReadonlyArray<{ level: string; message: string; annotations: Record<string, unknown> }>
      >(
        []
      )
      const capture = Logger.make(({ annotations, logLevel, message }) => {
        Effect.runSync(Ref.update(lines, (xs) => [...xs, {
          level: logLevel.label,
          message: String(Array.isArray(message) ? message[0] : message),
          annotations: Object.fromEntries(HashMap.toEntries(annotations))
        }]))
      })
      yield* Testing.timeline({
        policy,
        outcomes: ["throttle", "transient"],
        draws: [0.5],
        service: "S3",
        operation: "PutObject"
      }).pipe(
        Effect.provide(RetryTelemetry.logs),
        Effect.provide(Logger.replace(Logger.defaultLogger, capture)),
        Logger.withMinimumLogLevel(LogLevel.Debug)
      )
      const logged = yield* Ref.get(lines)
      expect(logged.map((l) => [l.level, l.message])).toEqual([
        ["DEBUG", "S3.PutObject attempt 1 failed: ThrottlingException (HTTP 400); retrying in 500ms (backoff)"],
        ["DEBUG", "S3.PutObject attempt 2 failed: ServiceUnavailable (HTTP 503); retrying in 100ms (backoff)"],
        ["WARN", "S3.PutObject gave up after 3 attempts in 600ms (maxAttempts): ServiceUnavailable (HTTP 503)"]
      ])
      expect(logged[1]!.annotations).toEqual({
        "rebound.service": "S3",
        "rebound.operation": "PutObject",
        "rebound.attempt": 2,
        "rebound.policy": "telemetry"
      })
    }))
})

describe("spans", () => {
  it.effect("every call and every attempt is a span that @effect/opentelemetry exports", () =>
    Effect.gen(function*() {
      const otel = inMemoryOtel()
      yield* Testing.timeline({
        policy,
        outcomes: ["throttle", "success"],
        draws: [0.5],
        service: "Lambda",
        operation: "Invoke",
        resource: "my-fn"
      }).pipe(Effect.provide(otel.layer))
      const spans = otel.exporter.getFinishedSpans()
      const calls = spans.filter((s) => s.name === "rebound.call")
      const attempts = spans.filter((s) => s.name === "rebound.attempt")
      expect(calls).toHaveLength(1)
      expect(attempts).toHaveLength(2)
      expect(calls[0]!.attributes).toMatchObject({
        "rebound.service": "Lambda",
        "rebound.operation": "Invoke",
        "rebound.resource": "my-fn",
        "rebound.policy": "telemetry",
        "rebound.attempts": 2
      })
      expect(attempts.map((s) => s.attributes["rebound.attempt"])).toEqual([1, 2])
      expect(attempts[0]!.attributes).toMatchObject({
        "rebound.failure_class": "throttling",
        "rebound.error_code": "ThrottlingException",
        "http.response.status_code": 400
      })
      expect(attempts.every((s) => s.parentSpanContext?.spanId === calls[0]!.spanContext().spanId)).toBe(true)
    }))
})
