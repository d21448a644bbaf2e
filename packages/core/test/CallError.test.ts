import { describe, expect, it } from "@effect/vitest"
import { CallError } from "@rebound/core"
import { Cause, Duration, Effect } from "effect"
import * as util from "node:util"

const throttled = new CallError.ThrottlingError({
  service: "DynamoDB",
  operation: "GetItem",
  code: "ProvisionedThroughputExceededException",
  httpStatus: 400,
  requestId: "REQ1",
  retryAfter: Duration.seconds(2),
  cause: { name: "ProvisionedThroughputExceededException", $response: { body: "SECRET-PAYLOAD" } }
})

describe("CallError", () => {
  it("tags each class with its own name and a failure class", () => {
    const transient = new CallError.TransientError({
      service: "S3",
      operation: "PutObject",
      code: "ECONNRESET",
      reason: "network",
      ambiguous: true
    })
    const fatal = new CallError.FatalError({
      service: "S3",
      operation: "GetObject",
      code: "NoSuchKey",
      reason: "notFound"
    })
    expect([throttled._tag, transient._tag, fatal._tag]).toEqual(["ThrottlingError", "TransientError", "FatalError"])
    expect([throttled.failureClass, transient.failureClass, fatal.failureClass]).toEqual([
      "throttling",
      "transient",
      "fatal"
    ])
    expect(throttled.ambiguous).toBe(false)
    expect(transient.ambiguous).toBe(true)
  })

  it("computes an actionable message naming service, operation, code, status and hint", () => {
    expect(throttled.message).toBe(
      "DynamoDB.GetItem throttled: ProvisionedThroughputExceededException (HTTP 400, request id REQ1). " +
        "The service asked to wait 2s. " +
        "Reduce the request rate, spread load across keys, or raise capacity; backoff with jitter absorbs short bursts."
    )
  })

  it("guards recognise only call errors", () => {
    expect(CallError.isCallError(throttled)).toBe(true)
    expect(CallError.isRetryableError(throttled)).toBe(true)
    expect(CallError.isThrottlingError(throttled)).toBe(true)
    expect(CallError.isFatalError(throttled)).toBe(false)
    expect(CallError.isCallError(new Error("x"))).toBe(false)
    expect(CallError.isCallError({ _tag: "ThrottlingError" })).toBe(false)
  })

  it("withRetries returns a copy of the same class carrying the summary and the original cause", () => {
    const summary: CallError.RetrySummary = {
      attempts: 3,
      totalDelay: Duration.millis(1500),
      elapsed: Duration.millis(1530),
      stopReason: "maxAttempts",
      policy: "aws-js-2026"
    }
    const copy = CallError.withRetries(throttled, summary)
    expect(copy).toBeInstanceOf(CallError.ThrottlingError)
    expect(copy.retries).toEqual(summary)
    expect(copy.cause).toBe(throttled.cause)
    expect(copy.stack).toBe(throttled.stack)
    expect(throttled.retries).toBeUndefined()
    expect(copy.message).toContain(
      "Gave up after 3 attempts in 1s 530ms (stop reason: maxAttempts, policy aws-js-2026)"
    )
  })

  it("toJSON never serialises the cause's contents", () => {
    const json = JSON.stringify(throttled)
    expect(json).not.toContain("SECRET-PAYLOAD")
    expect(JSON.parse(json)).toMatchObject({
      _tag: "ThrottlingError",
      code: "ProvisionedThroughputExceededException",
      retryAfterMs: 2000,
      cause: { name: "ProvisionedThroughputExceededException" }
    })
  })

  it.effect("is yieldable and caught by tag with full inference", () =>
    Effect.gen(function*() {
      const call: Effect.Effect<string, CallError.CallError> = throttled
      const handled = yield* call.pipe(
        Effect.catchTags({
          ThrottlingError: (e) => Effect.succeed(`throttled:${e.code}`),
          TransientError: (e) => Effect.succeed(`transient:${e.reason}`),
          FatalError: (e) => Effect.succeed(`fatal:${e.reason}`)
        })
      )
      expect(handled).toBe("throttled:ProvisionedThroughputExceededException")
    }))

  it.effect("a failure raised inside a span is still printable by a failed assertion, and by util.inspect", () =>
    Effect.gen(function*() {
      const fatal = new CallError.FatalError({
        service: "S3",
        operation: "GetObject",
        code: "NoSuchKey",
        reason: "notFound"
      })
      // While a span is current, Effect hands the failure on wrapped in a proxy that carries the span.
      const transient = new CallError.TransientError({
        service: "S3",
        operation: "UploadPart",
        code: "InternalError",
        reason: "server",
        ambiguous: true
      })
      for (const error of [throttled, transient, fatal]) {
        const raised = yield* Effect.flip(Effect.withSpan(Effect.fail(error), "a span"))
        expect(util.types.isProxy(raised)).toBe(true)
        expect(Cause.originalError(raised)).toBe(error)
        // A failed assertion is reported as one (chai used to follow the proxy's inspection into a stack overflow).
        expect(() => expect(raised).toMatchObject({ code: "SomethingElse" })).toThrow(
          /to match object \{ code: 'SomethingElse' \}/
        )
        expect(util.inspect(raised)).toContain(`${error._tag}: ${error.service}.${error.operation}`)
      }
    }))
})
