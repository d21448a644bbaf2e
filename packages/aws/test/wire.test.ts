import { GetItemCommand } from "@aws-sdk/client-dynamodb"
import { GetObjectCommand } from "@aws-sdk/client-s3"
import { describe, expect, it } from "@effect/vitest"
import * as DynamoDB from "@rebound/aws/DynamoDB"
import * as S3 from "@rebound/aws/S3"
import { Hedging, RetryPolicy } from "@rebound/core"
import { Effect } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"

/**
 * A DynamoDB (and path-style S3 GetObject) endpoint on loopback that records every request's headers and throttles the
 * first `throttled` requests of each call (a call is one `amz-sdk-invocation-id`, or one request when the header is
 * missing); with `slowFirstMillis`, it answers the first request of each call that much later.
 */
const recordingServer = (throttled: number, slowFirstMillis = 0) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const requests: Array<http.IncomingHttpHeaders> = []
      const seen = new Map<string, number>()
      const server = http.createServer((request, response) => {
        request.resume()
        request.on("end", () => {
          requests.push(request.headers)
          const id = String(request.headers["amz-sdk-invocation-id"] ?? `request-${requests.length}`)
          const n = (seen.get(id) ?? 0) + 1
          seen.set(id, n)
          const answer = () => {
            if (response.destroyed) return
            if (request.method === "GET") {
              response.writeHead(200, { "content-type": "text/plain", "x-amz-request-id": `req-${requests.length}` })
              response.end(`object, request ${n}`)
              return
            }
            respond(n)
          }
          if (n === 1 && slowFirstMillis > 0) setTimeout(answer, slowFirstMillis)
          else answer()
        })
        const respond = (n: number) => {
          const throttle = n <= throttled
          response.writeHead(throttle ? 400 : 200, {
            "content-type": "application/x-amz-json-1.0",
            "x-amzn-requestid": `req-${requests.length}`
          })
          response.end(JSON.stringify(
            throttle ?
              { __type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException", message: "slow" } :
              { Item: { pk: { S: "1" } } }
          ))
        }
      })
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
      return { server, requests, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
    }),
    ({ server }) => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
  )

const policy = RetryPolicy.make({
  name: "wire",
  maxAttempts: 4,
  base: "1 millis",
  throttling: { base: "1 millis" },
  jitter: "none",
  retryAfter: false
})

const getItem = () => new GetItemCommand({ TableName: "wire", Key: { pk: { S: "1" } } })

describe("what AWS sees on the wire of a call rebound retries", () => {
  it.scopedLive(
    "one amz-sdk-invocation-id per call on every attempt, amz-sdk-request numbering rebound's attempts, and the " +
      "attempts in $metadata",
    () =>
      Effect.gen(function*() {
        const { endpoint, requests } = yield* recordingServer(2)
        const ddb = yield* DynamoDB.make({
          region: "us-east-1",
          endpoint,
          credentials: { accessKeyId: "x", secretAccessKey: "x" },
          policy
        })
        const first = yield* ddb.send(getItem())
        const second = yield* ddb.send(getItem())
        // Three attempts each: two throttled, then the item; nothing retried by the SDK underneath.
        expect(requests).toHaveLength(6)
        const ids = requests.map((h) => h["amz-sdk-invocation-id"])
        expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
        expect(ids.slice(0, 3)).toEqual([ids[0], ids[0], ids[0]])
        expect(ids.slice(3)).toEqual([ids[3], ids[3], ids[3]])
        expect(ids[3]).not.toBe(ids[0])
        expect(requests.map((h) => h["amz-sdk-request"])).toEqual([
          "attempt=1; max=4",
          "attempt=2; max=4",
          "attempt=3; max=4",
          "attempt=1; max=4",
          "attempt=2; max=4",
          "attempt=3; max=4"
        ])
        // 1 ms, then 2 ms: what rebound waited, as the SDK's retry middleware would report it.
        for (const out of [first, second]) {
          expect(out.$metadata.attempts).toBe(3)
          expect(out.$metadata.totalRetryDelay).toBe(3)
          expect(out.Item).toEqual({ pk: { S: "1" } })
        }
      })
  )

  it.scopedLive("a one-shot call says max=1, and the SDK's retry middleware retries nothing under rebound", () =>
    Effect.gen(function*() {
      const { endpoint, requests } = yield* recordingServer(1)
      const ddb = yield* DynamoDB.make({
        region: "us-east-1",
        endpoint,
        credentials: { accessKeyId: "x", secretAccessKey: "x" },
        policy: RetryPolicy.modify(policy, { maxAttempts: 1 })
      })
      const failure = yield* Effect.flip(ddb.send(getItem()))
      expect(failure._tag).toBe("ThrottlingError")
      expect(requests.map((h) => h["amz-sdk-request"])).toEqual(["attempt=1; max=1"])
    }))

  it.scopedLive(
    "a hedge is an attempt on the wire too: the call's invocation id, its own attempt number, through the hedge client",
    () =>
      Effect.gen(function*() {
        // The first request of the call is answered after 2 s; the hedge, sent 20 ms after it, at once.
        const { endpoint, requests } = yield* recordingServer(0, 2_000)
        const s3 = yield* S3.make({
          region: "us-east-1",
          endpoint,
          credentials: { accessKeyId: "x", secretAccessKey: "x" },
          sdk: { forcePathStyle: true },
          policy: RetryPolicy.withHedging(policy, Hedging.make({ delay: "20 millis", budget: false }))
        })
        const object = yield* s3.send(new GetObjectCommand({ Bucket: "wire", Key: "a" }))
        expect(yield* Effect.promise(() => object.Body!.transformToString())).toBe("object, request 2")
        expect(requests).toHaveLength(2)
        const ids = requests.map((h) => h["amz-sdk-invocation-id"])
        expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
        expect(ids[1]).toBe(ids[0])
        // Up to 4 attempts, each with at most one hedge: at most 8 requests.
        expect(requests.map((h) => h["amz-sdk-request"])).toEqual(["attempt=1; max=8", "attempt=2; max=8"])
        // One attempt in rebound's count: the hedge is a copy of it, not a retry.
        expect(object.$metadata.attempts).toBe(1)
      })
  )
})
