import { describe, expect, it } from "@effect/vitest"
import { CallError, Emf, RetryEvent, RetryPolicy, RetryQuota, RetryTelemetry } from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { Cause, Effect, HashMap, Logger, LogLevel, Metric, Ref } from "effect"
import { inMemoryOtel } from "./otel.js"

// Fake secrets of every kind a call can carry: credentials, a SigV4 signature, a session token, request and response
// payloads, and a service message that echoes the input.
const secrets = {
  accessKey: "AKIAFAKEACCESSKEY123",
  secretKey: "fakeSecretAccessKey/abc+XYZ",
  signature: "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
  sessionToken: "FQoGZXIvYXdzEFAKESESSIONTOKEN",
  requestBody: "REQUEST-PAYLOAD-card-4111111111111111",
  responseBody: "RESPONSE-PAYLOAD-ssn-078-05-1120"
}

const sdkLikeError = () => {
  const e = new Error("Rate exceeded")
  Object.assign(e, {
    name: "ThrottlingException",
    $metadata: { httpStatusCode: 400, requestId: "REQ-1" },
    $response: {
      statusCode: 400,
      headers: { "x-amzn-requestid": "REQ-1" },
      body: secrets.responseBody
    },
    $request: {
      headers: {
        authorization: `AWS4-HMAC-SHA256 Credential=${secrets.accessKey}/20261129/us-east-1/dynamodb/aws4_request, ` +
          `SignedHeaders=host;x-amz-date, Signature=${secrets.signature}`,
        "x-amz-security-token": secrets.sessionToken
      },
      body: secrets.requestBody
    },
    credentials: {
      accessKeyId: secrets.accessKey,
      secretAccessKey: secrets.secretKey,
      sessionToken: secrets.sessionToken
    }
  })
  return new CallError.ThrottlingError({
    service: "DynamoDB",
    operation: "PutItem",
    code: "ThrottlingException",
    httpStatus: 400,
    requestId: "REQ-1",
    detail: `Rate exceeded for item ${secrets.requestBody}`,
    cause: e
  })
}

describe("nothing sensitive leaves", () => {
  it.effect("events, logs, metrics, spans and EMF lines of a call carrying fake secrets contain none of them", () =>
    Effect.gen(function*() {
      const emitted = yield* Ref.make<Array<unknown>>([])
      const keep = (x: unknown) => Ref.update(emitted, (xs) => [...xs, x])
      const logger = Logger.make(({ annotations, logLevel, message, spans }) => {
        Effect.runSync(keep({ logLevel: logLevel.label, message, annotations: HashMap.toEntries(annotations), spans }))
      })
      const otel = inMemoryOtel()
      const policy = RetryPolicy.make({ name: "secure", maxAttempts: 3, quota: RetryQuota.make({ name: "sec" }) })
      // Every sink at once: events, logs (all levels), metrics, EMF lines and OpenTelemetry spans.
      const observed = <A, E>(effect: Effect.Effect<A, E>) =>
        effect.pipe(
          RetryEvent.withObserver(keep),
          Effect.provide(RetryTelemetry.layer),
          Effect.provide(Emf.layer({ write: keep })),
          Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
          Logger.withMinimumLogLevel(LogLevel.All),
          Effect.provide(otel.layer)
        )
      const timeline = yield* Testing.timeline({
        policy,
        outcomes: [sdkLikeError(), sdkLikeError(), "success"],
        draws: [0.5],
        service: "DynamoDB",
        operation: "PutItem"
      }).pipe(observed)
      const failing = yield* Testing.timeline({
        policy,
        outcomes: [sdkLikeError()],
        draws: [0.5],
        service: "DynamoDB",
        operation: "PutItem"
      }).pipe(observed)
      expect(timeline.attempts).toHaveLength(3)
      expect(failing.stopReason).toBe("maxAttempts")

      const spans = otel.exporter.getFinishedSpans().map((s) => ({
        name: s.name,
        attributes: s.attributes,
        events: s.events,
        status: s.status
      }))
      const metrics = Metric.unsafeSnapshot().map((m) => ({
        name: m.metricKey.name,
        tags: m.metricKey.tags.map((t) => [t.key, t.value]),
        state: JSON.stringify(m.metricState)
      }))
      const everything = JSON.stringify({ emitted: yield* Ref.get(emitted), spans, metrics })
      // The scan is real: the call did emit, and the failure it returned still carries the original error.
      expect(everything).toContain("ThrottlingException")
      expect(everything).toContain("REQ-1")
      expect(everything).toContain("gave up after 3 attempts") // a log line
      expect(everything).toContain("RetriesExhausted") // an EMF line
      expect(everything).toContain("rebound_retries_total") // a metric
      expect(spans.length).toBeGreaterThan(0)
      for (const [kind, secret] of Object.entries(secrets)) {
        expect(everything.includes(secret), `${kind} leaked`).toBe(false)
      }
      // ... and so does the message of the failure handed back, and its JSON form.
      const failure = Cause.failureOption((failing.exit as { readonly cause: Cause.Cause<CallError.CallError> }).cause)
      const error = failure._tag === "Some" ? failure.value : undefined
      expect(error?.cause).toBeInstanceOf(Error)
      const handedBack = `${error?.message} ${JSON.stringify(error)}`
      for (const [kind, secret] of Object.entries(secrets)) {
        expect(handedBack.includes(secret), `${kind} leaked in the failure`).toBe(false)
      }
    }))
})
