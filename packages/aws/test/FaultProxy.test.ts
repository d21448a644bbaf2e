// The proxy on its own, in front of any upstream.
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb"
import { expect, it } from "@effect/vitest"
import { FaultProxy } from "@rebound/aws/testing"
import { Effect } from "effect"
import * as net from "node:net"
import { failure } from "./labCalls.js"

/** A port nothing listens on: bound, noted, closed. */
const freePort = Effect.async<number>((resume) => {
  const server = net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as net.AddressInfo
    server.close(() => resume(Effect.succeed(port)))
  })
})

it.scopedLive("listens only for the services it is given, and answers 502 in the service's format when the upstream is down", () =>
  Effect.gen(function*() {
    const port = yield* freePort
    const proxy = yield* FaultProxy.make({ dynamodb: `http://127.0.0.1:${port}` })
    expect(Object.keys(proxy.endpoints)).toEqual(["dynamodb"])
    const client = yield* Effect.acquireRelease(
      Effect.sync(() =>
        new DynamoDBClient({
          region: "us-east-1",
          endpoint: proxy.endpoints.dynamodb,
          credentials: { accessKeyId: "x", secretAccessKey: "x" },
          maxAttempts: 1
        })
      ),
      (c) => Effect.sync(() => c.destroy())
    )
    const error = yield* failure((abortSignal) =>
      client.send(new GetItemCommand({ TableName: "orders", Key: { pk: { S: "1" } } }), { abortSignal })
    )
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual(["ServiceUnavailable", 502])
    const [entry] = yield* proxy.log
    expect([entry?.operation, entry?.resource, entry?.action, entry?.status, entry?.upstreamStatus]).toEqual([
      "GetItem",
      "orders",
      "forward",
      502,
      undefined
    ])
  }))
