import { expect, layer } from "@effect/vitest"
import { Lab } from "@rebound/aws/testing"
import { RetryPolicy } from "@rebound/core"
import { Effect } from "effect"
import * as DynamoDBReads from "../src/dynamodb-reads.js"
import * as LambdaRateLimiting from "../src/lambda-rate-limiting.js"
import * as S3Uploads from "../src/s3-uploads.js"

const fast = RetryPolicy.make({ name: "fast", maxAttempts: 6, base: "2 millis", throttling: { base: "5 millis" } })

layer(Lab.layerWithServices({}, { policy: fast }), { excludeTestServices: true, timeout: "60 seconds" })(
  "the guide's three scenarios, against the lab",
  (it) => {
    it.effect("S3: files survive failed parts and read back byte for byte", () =>
      Effect.gen(function*() {
        const result = yield* S3Uploads.program({ files: 2, sizeMiB: 11, attemptTimeout: "3 seconds" })
        expect(result).toMatchObject({ files: 2, verified: 2, parts: 6, ok: true })
      }), 60_000)

    it.effect(
      "DynamoDB: throttles absorbed, every item read by batchGetAll and by the paginated query",
      () =>
        Effect.gen(function*() {
          const result = yield* DynamoDBReads.program({ items: 300, readsPerSecond: 150 })
          expect(result).toMatchObject({ items: 300, read: 300, queried: 75, expectedQueried: 75, ok: true })
          expect(result.throttled).toBeGreaterThan(0)
        }),
      60_000
    )

    it.effect(
      "Lambda: a burst against low reserved concurrency is paced, and every invocation runs exactly once",
      () =>
        Effect.gen(function*() {
          const result = yield* LambdaRateLimiting.program({
            invocations: 40,
            policy: RetryPolicy.modify(LambdaRateLimiting.policy, {
              base: "2 millis",
              throttling: { base: "20 millis", cap: "500 millis" },
              cap: "500 millis",
              maxAttempts: 30
            })
          })
          expect(result).toMatchObject({ invocations: 40, succeeded: 40, duplicates: 0, ok: true })
          expect(result.peakConcurrency).toBeLessThanOrEqual(2)
          expect(result.throttled).toBeGreaterThan(0)
          expect(result.limiterRate).toBeGreaterThan(0)
        }),
      60_000
    )
  }
)
