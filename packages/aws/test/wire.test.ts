import { GetItemCommand } from "@aws-sdk/client-dynamodb"
import { describe, expect, it } from "@effect/vitest"
import * as DynamoDB from "@rebound/aws/DynamoDB"
import { RetryPolicy } from "@rebound/core"
import { Effect } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"

/**
 * A DynamoDB endpoint on loopback that records every request's headers and throttles the first `throttled` requests
 * of each call (a call is one `amz-sdk-invocation-id`, or one request when the header is missing).
 */
const recordingServer = (throttled: number) =>
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
        })
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
})
